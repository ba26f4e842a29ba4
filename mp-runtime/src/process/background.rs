//! The runtime's background threads (custom pricing's metering thread, contract pricing's
//! license keeper), all started one way: each on a current-thread tokio runtime of its own,
//! so it keeps running whatever the seller's `main` does, with SIGTERM and SIGINT caught
//! before `main` runs and turned into a stop after the seller's grace period. If its work
//! ends while `main` still runs (a panic, an error), its owner says whether the process must
//! end; `main` returning stops it and waits for it, bounded.

use super::shutdown;
use crate::exit;
use crate::failure::Failure;
use std::panic::{self, AssertUnwindSafe};
use std::sync::{Mutex, mpsc};
use std::thread;
use std::time::Duration;
use tokio::sync::watch;

/// A running background thread: its stop switch and its "done".
pub(crate) struct Background {
    stop: watch::Sender<bool>,
    done: Mutex<mpsc::Receiver<()>>,
}

impl Background {
    /// Starts thread `name` running `work`, which gets the stop switch to watch. When it
    /// ends, `ended` gets its result (or its panic) and whether a stop was asked for, and
    /// returns the failure to end the process with, if any; a signal then ends the process
    /// as the signal would have, unless `main` returned first.
    pub(crate) fn spawn<T, Fut>(
        name: &'static str,
        work: impl FnOnce(watch::Receiver<bool>) -> Fut + Send + 'static,
        ended: impl FnOnce(thread::Result<T>, bool) -> Option<Failure> + Send + 'static,
    ) -> Result<Background, Failure>
    where
        Fut: Future<Output = T>,
    {
        let could_not = |what: &str, e: std::io::Error| {
            Failure::new(
                exit::OTHER,
                format!("could not start the {name} {what}: {e}"),
            )
        };
        let (stop, stopped) = watch::channel(false);
        let (done_tx, done) = mpsc::channel();
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| could_not("runtime", e))?;
        let signals = {
            let _context = runtime.enter();
            shutdown::listen()
        };
        let signal_stop = stop.clone();
        thread::Builder::new()
            .name(name.into())
            .spawn(move || {
                let stop_asked = stopped.clone();
                let ran = panic::catch_unwind(AssertUnwindSafe(|| {
                    runtime.block_on(async move {
                        tokio::spawn(shutdown::stop_on_signal(signal_stop, signals));
                        work(stopped).await
                    })
                }));
                if let Some(failure) = ended(ran, *stop_asked.borrow()) {
                    failure.exit();
                }
                shutdown::exit_if_signalled();
                let _ = done_tx.send(());
            })
            .map_err(|e| could_not("thread", e))?;
        Ok(Background {
            stop,
            done: Mutex::new(done),
        })
    }

    /// `main` returned: asks the work to stop and waits for it at most `bound`; false when
    /// it did not end in time.
    pub(crate) fn finish(&self, bound: Duration) -> bool {
        shutdown::main_returned();
        let _ = self.stop.send(true);
        let done = self.done.lock().unwrap_or_else(|e| e.into_inner());
        done.recv_timeout(bound).is_ok()
    }
}
