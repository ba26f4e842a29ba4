//! A contract-priced HTTP service for Amazon ECS.
//!
//! The buyer bought a tier (basic or pro) and a pool of concurrent users for a term; AWS
//! License Manager holds the license. `#[marketplace_main]` checks the license out before
//! the first line of `main` runs (a buyer without one never gets a listening socket) and
//! hands `main` the tier as `Plan`. Each session holds one seat of the pool while it is
//! open: `checkout!` takes it, dropping the `Seat` returns it.

mod app;

use mp_runtime::{License, marketplace_main};
use std::net::SocketAddr;

/// Where the service listens unless `BIND_ADDR` says otherwise (containers publish a port).
const DEFAULT_BIND_ADDR: &str = "0.0.0.0:8080";

#[marketplace_main(
    pricing = "contract",
    // The product ID from the AWS Marketplace Management Portal (this one is the emulator's
    // demo contract product). It is compiled in: a buyer cannot change it.
    product_sku = "prod-mpemudemocontract01",
    // The listing's tiers, lowest first, each with its entitlement name.
    tiers(enum Plan { Basic = "basic", Pro = "pro" }),
    // The pool of concurrent users: one seat per open session.
    floating(concurrent_users = "ConcurrentUsers"),
)]
async fn main(license: License<Plan>) -> std::io::Result<()> {
    let addr: SocketAddr = std::env::var("BIND_ADDR")
        .unwrap_or_else(|_| DEFAULT_BIND_ADDR.to_owned())
        .parse()
        .map_err(|e| {
            std::io::Error::new(std::io::ErrorKind::InvalidInput, format!("BIND_ADDR: {e}"))
        })?;
    let listener = tokio::net::TcpListener::bind(addr).await?;
    let registration =
        mp_runtime::registration().expect("marketplace_main checked out before main");
    println!(
        "serving on http://{} (product {}, tier {}, contract pricing, region {})",
        listener.local_addr()?,
        registration.product_code(),
        license.tier_entitlement().unwrap_or("none"),
        registration.region(),
    );
    axum::serve(listener, app::router(license))
        .with_graceful_shutdown(app::shutdown_signal())
        .await?;
    println!("stopped");
    Ok(())
}
