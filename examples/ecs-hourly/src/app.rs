//! The service itself: what a seller's product would do, with nothing about billing in it.

use axum::{Router, routing::get};

/// `/health` for the ECS/ALB health check; `/` is the product.
pub(crate) fn router() -> Router {
    Router::new()
        .route("/health", get(|| async { "ok" }))
        .route("/", get(|| async { "hello from a paid container\n" }))
}

/// Resolves on SIGTERM (what `docker stop` and ECS send) or Ctrl-C.
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
