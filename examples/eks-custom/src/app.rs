//! The service itself: each product request is metered with `meter!`; the health probe is not.

use axum::body::Bytes;
use axum::{
    Router,
    routing::{get, post},
};
use mp_runtime::meter;

/// `data_gb` is billed per started gigabyte of each upload (10^9 bytes, as the listing says).
const BYTES_PER_GB: u64 = 1_000_000_000;

/// `/health` for the kubelet's probes (free); `/` and `/upload` are the product.
pub(crate) fn router() -> Router {
    Router::new()
        .route("/health", get(|| async { "ok" }))
        .route("/", get(hello))
        .route("/upload", post(upload))
}

async fn hello() -> &'static str {
    meter!(requests);
    "hello from a metered container\n"
}

async fn upload(body: Bytes) -> String {
    let gb = started_gb(body.len());
    meter!(requests);
    meter!(data_gb, gb);
    format!("stored {} bytes, metered {gb} GB\n", body.len())
}

/// Started gigabytes: 1 byte counts as 1 GB, an empty upload as none.
fn started_gb(bytes: usize) -> u64 {
    u64::try_from(bytes)
        .unwrap_or(u64::MAX)
        .div_ceil(BYTES_PER_GB)
}

/// Resolves on SIGTERM (what the kubelet sends) or Ctrl-C, so in-flight requests finish.
/// (Kept in each example rather than shared, so an example directory can be copied alone.)
pub(crate) async fn shutdown_signal() {
    let ctrl_c = async {
        // If the handler cannot be installed the service still stops on SIGTERM.
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    let mut sigterm = match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
    {
        Ok(signal) => signal,
        Err(_) => return ctrl_c.await,
    };
    tokio::select! {
        _ = ctrl_c => {},
        _ = sigterm.recv() => {},
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uploads_are_billed_per_started_gigabyte() {
        assert_eq!(started_gb(0), 0);
        assert_eq!(started_gb(1), 1);
        assert_eq!(started_gb(1_000_000_000), 1);
        assert_eq!(started_gb(1_000_000_001), 2);
    }
}
