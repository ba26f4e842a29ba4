//! The shutdown hook: on SIGTERM or SIGINT (what ECS and Kubernetes send before killing a
//! container, 30 s later by default) the partial hour is flushed, within a bound that leaves
//! the seller's own shutdown time, then the process exits as the signal would have ended it
//! (128 + signal number). What could not be sent in time stays in the journal, if any.

use std::sync::atomic::{AtomicI32, Ordering::Relaxed};
use std::time::Duration;
use tokio::sync::watch;

/// How long the final flush may take: under the 30 s ECS stop timeout and Kubernetes grace
/// period, with room for the seller's own shutdown and process exit.
pub(crate) const FINAL_FLUSH_BOUND: Duration = Duration::from_secs(20);

/// The signal that stopped the flusher, if one did.
static SIGNALLED: AtomicI32 = AtomicI32::new(0);

/// Waits for SIGTERM or SIGINT, then tells the flusher to stop (it flushes on its way out).
pub(crate) async fn stop_on_signal(stop: watch::Sender<bool>) {
    let signal = wait_for_signal().await;
    SIGNALLED.store(signal, Relaxed);
    tracing::info!(
        signal,
        "metering: signal received, flushing the partial hour before exit"
    );
    let _ = stop.send(true);
}

/// After the flusher stopped: if a signal stopped it, end the process the way the signal
/// would have.
pub(crate) fn exit_if_signalled() {
    let signal = SIGNALLED.load(Relaxed);
    if signal != 0 {
        std::process::exit(128 + signal);
    }
}

#[cfg(unix)]
async fn wait_for_signal() -> i32 {
    use tokio::signal::unix::{SignalKind, signal};
    let (Ok(mut term), Ok(mut int)) = (
        signal(SignalKind::terminate()),
        signal(SignalKind::interrupt()),
    ) else {
        tracing::warn!(
            "metering: cannot watch SIGTERM/SIGINT; the partial hour is flushed only when main returns"
        );
        return std::future::pending().await;
    };
    tokio::select! {
        _ = term.recv() => libc_signal::SIGTERM,
        _ = int.recv() => libc_signal::SIGINT,
    }
}

#[cfg(not(unix))]
async fn wait_for_signal() -> i32 {
    match tokio::signal::ctrl_c().await {
        Ok(()) => 2,
        Err(_) => std::future::pending().await,
    }
}

/// The POSIX numbers, fixed on every Unix this runs on.
#[cfg(unix)]
mod libc_signal {
    pub(super) const SIGINT: i32 = 2;
    pub(super) const SIGTERM: i32 = 15;
}
