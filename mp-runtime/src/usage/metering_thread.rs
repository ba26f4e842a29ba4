//! The flusher's own thread and single-threaded tokio runtime: it keeps running whatever
//! the seller's main does (a sync body on a current-thread runtime never drives spawned
//! tasks), and its HTTP connections belong to it alone.

use super::counter::{Dimension, registered};
use super::flusher::{Flusher, RETRY_CAP, Settings};
use super::process_identity::process_identity;
use crate::aws::region::Region;
use crate::aws::{credentials, metering_client};
use crate::build_mode::BuildMode;
use crate::env::Env;
use crate::failure::Failure;
use crate::local_testing;
use crate::process::background::Background;
use crate::process::clock::Clock;
use crate::process::shutdown::{self, FINAL_FLUSH_BOUND};
#[cfg(test)]
use std::panic::{self, AssertUnwindSafe};
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::sync::{Arc, OnceLock};
use std::time::Duration;

static RUNNING: OnceLock<Background> = OnceLock::new();

/// The journal's path, set by the seller (Dockerfile `ENV`, task definition, pod spec):
/// without it, usage not yet sent is lost on a crash or SIGKILL.
pub(crate) const JOURNAL_VAR: &str = "MARKETPLACE_METERING_JOURNAL";
/// How often counters are drained into records (and journaled): a crash without a journal
/// loses at most the usage since the last send; with one, at most this much. A pass that
/// finds nothing new writes nothing, so an idle process does not touch the disk.
const CHECKPOINT: Duration = Duration::from_secs(1);

/// Starts metering for this process, after a successful custom-pricing start-up; the
/// process ends (exit 95) once usage has waited longer than `offline_limit`.
pub(crate) fn start(
    product_code: &str,
    region: &Region,
    offline_limit: Option<Duration>,
    mode: BuildMode,
    env: &'static dyn Env,
) -> Result<(), Failure> {
    let settings = Settings {
        product_code: product_code.to_owned(),
        task: process_identity(),
        checkpoint: local_testing::checkpoint(mode, env, CHECKPOINT),
        journal: env.var(JOURNAL_VAR).map(PathBuf::from),
        retry_cap: local_testing::retry_cap(mode, env, RETRY_CAP),
        offline_limit,
    };
    spawn(
        settings,
        region.clone(),
        mode,
        env,
        local_testing::clock(mode, env),
    )
}

fn spawn(
    settings: Settings,
    region: Region,
    mode: BuildMode,
    env: &'static dyn Env,
    clock: Arc<dyn Clock>,
) -> Result<(), Failure> {
    let panic_pass = local_testing::metering_panic_pass(mode, env);
    let work = move |stopped| async move {
        let sdk = credentials::load(&region, env).await;
        // Start-up built this very configuration already, so this cannot fail in practice;
        // if it does, the process cannot be billed.
        let config = metering_client::metering_config(&sdk, &region, mode)
            .map_err(|f| format!("the metering client cannot be built: {}", f.message))?;
        let client = aws_sdk_marketplacemetering::Client::from_conf(config);
        let flusher = match panic_pass {
            None => Flusher::new(client, clock, settings),
            Some(n) => Flusher::with_dimensions(client, clock, settings, panicking(n)),
        };
        flusher.run(stopped, FINAL_FLUSH_BOUND).await;
        Ok(())
    };
    // A panic anywhere in metering, or an end nobody asked for, must end the process, not
    // only this thread: main would go on serving with nothing counting its usage.
    let ended = |ran, _stop_asked| why_it_stopped(ran).map(|why| shutdown::metering_stopped(&why));
    let background = Background::spawn("mp-metering", work, ended)?;
    let _ = RUNNING.set(background);
    Ok(())
}

/// The dimensions the flusher drains (every one `meter!` has used), from a local-testing
/// build told to panic in the flusher's `n`-th pass, to show how the process ends.
fn panicking(n: u64) -> Box<dyn Fn() -> Vec<&'static Dimension> + Send> {
    let passes = AtomicU64::new(0);
    Box::new(move || {
        if passes.fetch_add(1, Relaxed) + 1 == n {
            panic!("local-testing: a panic in metering pass {n}, as asked");
        }
        registered()
    })
}

/// Why the metering thread's work ended, if not because it was asked to stop: a panic, or
/// an error before the flusher could run.
fn why_it_stopped(ran: std::thread::Result<Result<(), String>>) -> Option<String> {
    match ran {
        Ok(Ok(())) => None,
        Ok(Err(why)) => Some(why),
        Err(payload) => {
            let message = crate::failure::panic_message(&*payload);
            Some(format!("the metering thread panicked: {message}"))
        }
    }
}

/// When `main` returns: flush everything (the partial hour included) and wait for it, at
/// most the final-flush bound plus a margin. A no-op if metering never started.
pub(crate) fn finish() {
    let Some(running) = RUNNING.get() else {
        return;
    };
    if !running.finish(FINAL_FLUSH_BOUND + Duration::from_secs(5)) {
        tracing::warn!("metering: the final flush did not finish in time; exiting anyway");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_stop_that_was_asked_for_is_not_a_failure() {
        assert_eq!(why_it_stopped(Ok(Ok(()))), None);
        assert_eq!(
            why_it_stopped(Ok(Err("the metering client cannot be built: x".into()))).as_deref(),
            Some("the metering client cannot be built: x")
        );
        let literal = panic::catch_unwind(|| -> Result<(), String> { panic!("boom") });
        assert_eq!(
            why_it_stopped(literal).as_deref(),
            Some("the metering thread panicked: boom")
        );
        let formatted = panic::catch_unwind(|| -> Result<(), String> { panic!("hour {}", 7) });
        assert_eq!(
            why_it_stopped(formatted).as_deref(),
            Some("the metering thread panicked: hour 7")
        );
    }

    #[test]
    fn the_panic_hook_fires_in_its_pass_only() {
        let third = panicking(3);
        third();
        third();
        assert!(panic::catch_unwind(AssertUnwindSafe(&third)).is_err());
        third();
    }
}
