//! The shutdown hook. On SIGTERM or SIGINT (what ECS and Kubernetes send before killing a
//! container, 30 s later by default) the seller's `main` first gets a grace period to finish
//! its own shutdown: requests it drains may still meter, and an hour's record can be sent only
//! once, so the partial hour is flushed after that, not before. When `main` returns, its own
//! result is the exit status; when it does not (a program that ignores the signal), the
//! runtime flushes and ends the process as the signal would have (128 + signal number).
//! What could not be sent in time stays in the journal, if any.

use crate::exit;
use crate::failure::Failure;
use std::sync::atomic::{AtomicBool, AtomicI32, Ordering::Relaxed};
use std::time::Duration;
use tokio::sync::watch;

/// How long `main` has after the signal to return before the runtime flushes anyway.
pub(crate) const SELLER_GRACE: Duration = Duration::from_secs(5);
/// How long the final flush may take.
pub(crate) const FINAL_FLUSH_BOUND: Duration = Duration::from_secs(15);
const _: () = assert!(
    SELLER_GRACE.as_secs() + FINAL_FLUSH_BOUND.as_secs() <= 25,
    "grace and flush fit in the 30 s ECS stop timeout and Kubernetes grace period, with room to exit"
);

/// The signal that stopped the flusher, if one did.
static SIGNALLED: AtomicI32 = AtomicI32::new(0);
/// Set when `main` returned: from then on its result, not the signal, ends the process.
static MAIN_RETURNED: AtomicBool = AtomicBool::new(false);

/// SIGTERM and SIGINT, caught from the moment [`listen`] returns.
pub(crate) struct Signals {
    #[cfg(unix)]
    streams: Option<(tokio::signal::unix::Signal, tokio::signal::unix::Signal)>,
}

/// Catches SIGTERM and SIGINT now, before `main` runs: a signal that came before the metering
/// thread's first poll would otherwise take its default action and end the process without
/// the final flush. Needs a tokio runtime context (`Runtime::enter`).
pub(crate) fn listen() -> Signals {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match (
            signal(SignalKind::terminate()),
            signal(SignalKind::interrupt()),
        ) {
            (Ok(term), Ok(int)) => Signals {
                streams: Some((term, int)),
            },
            _ => Signals { streams: None },
        }
    }
    #[cfg(not(unix))]
    {
        Signals {}
    }
}

/// Waits for SIGTERM or SIGINT, gives `main` its grace period, then tells the flusher to stop
/// (it flushes on its way out). If `main` returns first, `finish` has stopped it already.
pub(crate) async fn stop_on_signal(stop: watch::Sender<bool>, signals: Signals) {
    let signal = wait_for_signal(signals).await;
    SIGNALLED.store(signal, Relaxed);
    tracing::info!(
        signal,
        grace_secs = SELLER_GRACE.as_secs(),
        "metering: signal received; the partial hour is flushed when main returns, or after the grace period"
    );
    tokio::time::sleep(SELLER_GRACE).await;
    let _ = stop.send(true);
}

/// `main` returned: its result decides how the process ends.
pub(crate) fn main_returned() {
    MAIN_RETURNED.store(true, Relaxed);
}

/// After the flusher stopped: if a signal stopped it while `main` was still running, end the
/// process the way the signal would have.
pub(crate) fn exit_if_signalled() {
    let signal = SIGNALLED.load(Relaxed);
    if signal != 0 && !MAIN_RETURNED.load(Relaxed) {
        std::process::exit(128 + signal);
    }
}

/// The metering thread ended without being asked to (a panic, a client that could not be
/// built): the failure that ends the process rather than let `main` serve with nothing billing its usage.
/// Everything drained before is journaled already (a pass writes what changed); what `meter!`
/// counted since the last pass is lost, as with a SIGKILL.
pub(crate) fn metering_stopped(why: &str) -> Failure {
    Failure::new(
        exit::METERING_STOPPED,
        format!(
            "metering stopped ({why}); the process ends rather than run without billing. Usage \
             already journaled is sent by the next start"
        ),
    )
}

#[cfg(unix)]
async fn wait_for_signal(signals: Signals) -> i32 {
    let Some((mut term, mut int)) = signals.streams else {
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
async fn wait_for_signal(_: Signals) -> i32 {
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

#[cfg(all(test, unix))]
mod tests {
    use super::*;

    /// A SIGTERM that comes after `listen` returns but before anything polls (the metering
    /// thread still loading credentials) is caught and delivered: it does not take its
    /// default action, which would end the process without the final flush.
    #[test]
    fn signals_are_caught_from_the_moment_listen_returns() {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let signals = {
            let _context = runtime.enter();
            listen()
        };
        let sent = std::process::Command::new("kill")
            .args(["-TERM", &std::process::id().to_string()])
            .status()
            .unwrap();
        assert!(sent.success());
        // Only a hang guard: the signal is already pending.
        let signal = runtime
            .block_on(async {
                tokio::time::timeout(Duration::from_secs(60), wait_for_signal(signals)).await
            })
            .expect("the SIGTERM is delivered");
        assert_eq!(signal, libc_signal::SIGTERM);
    }
}
