//! An hourly-priced HTTP service for Amazon ECS.
//!
//! `#[marketplace_main]` registers the task with AWS Marketplace (`RegisterUsage`) before the
//! first line of `main` runs; a buyer without a subscription never gets a listening socket.
//! AWS then bills the buyer per task-hour, so the service itself meters nothing.

mod app;

use mp_runtime::marketplace_main;
use std::net::SocketAddr;

/// Where the service listens unless `BIND_ADDR` says otherwise (containers publish a port).
const DEFAULT_BIND_ADDR: &str = "0.0.0.0:8080";

#[marketplace_main(
    // The product code from the AWS Marketplace Management Portal (this one is the
    // emulator's demo hourly product). It is compiled in: a buyer cannot change it.
    product_code = "mpemudemohourly0000000001",
    pricing = "hourly",
    // The public key and version the portal gave you: the RegisterUsage token is verified
    // with it (this one is mp-emulator's test-only key; replace it with yours).
    public_key = "keys/marketplace-public.pem",
    public_key_version = 1,
)]
async fn main() -> std::io::Result<()> {
    let addr: SocketAddr = std::env::var("BIND_ADDR")
        .unwrap_or_else(|_| DEFAULT_BIND_ADDR.to_owned())
        .parse()
        .map_err(|e| {
            std::io::Error::new(std::io::ErrorKind::InvalidInput, format!("BIND_ADDR: {e}"))
        })?;
    let listener = tokio::net::TcpListener::bind(addr).await?;
    let registration = mp_runtime::registration().expect("marketplace_main registered before main");
    println!(
        "serving on http://{} (product {}, {} tier, region {})",
        listener.local_addr()?,
        registration.product_code(),
        registration.tier(),
        registration.region(),
    );
    axum::serve(listener, app::router())
        .with_graceful_shutdown(app::shutdown_signal())
        .await?;
    println!("stopped");
    Ok(())
}
