//! A usage-priced HTTP service for Amazon EKS (IRSA credentials), metering two custom
//! dimensions of its AWS Marketplace listing: `requests` and `data_gb`.
//!
//! `#[marketplace_main]` checks the buyer's entitlement (a `DryRun` `MeterUsage` per
//! dimension) before the first line of `main` runs. `meter!` then adds to an in-process
//! counter; the runtime sends each hour's total as one `MeterUsage` per dimension, and flushes
//! the partial hour on SIGTERM (the pod's `terminationGracePeriodSeconds` leaves room for it).

mod app;

use mp_runtime::marketplace_main;
use std::net::SocketAddr;

/// Where the service listens unless `BIND_ADDR` says otherwise (the pod's `containerPort`).
const DEFAULT_BIND_ADDR: &str = "0.0.0.0:8080";

#[marketplace_main(
    // The product code from the AWS Marketplace Management Portal (this one is the
    // emulator's demo custom-pricing product). It is compiled in: a buyer cannot change it.
    product_code = "mpemudemocustom0000000001",
    pricing = "custom",
    // The API names of the listing's custom dimensions; `meter!` accepts only these.
    dimensions(requests, data_gb),
    // Codes the Helm value `productCode` (MARKETPLACE_PRODUCT_CODE) may select besides the
    // compiled-in one, e.g. a second listing of the same software. Anything else exits 86.
    trusted_product_codes = ["mpemudemocustom0000000002"],
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
        "serving on http://{} (product {}, {} tier, {} pricing, region {})",
        listener.local_addr()?,
        registration.product_code(),
        registration.tier(),
        registration.pricing(),
        registration.region(),
    );
    axum::serve(listener, app::router())
        .with_graceful_shutdown(app::shutdown_signal())
        .await?;
    println!("stopped");
    Ok(())
}
