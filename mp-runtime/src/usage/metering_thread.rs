//! The flusher's own thread and single-threaded tokio runtime: it keeps running whatever
//! the seller's main does (a sync body on a current-thread runtime never drives spawned
//! tasks), and its HTTP connections belong to it alone.

use super::flusher::{Flusher, RETRY_CAP, Settings};
use super::hour::Clock;
use super::process_identity::process_identity;
use super::shutdown::{self, FINAL_FLUSH_BOUND};
use crate::build_mode::BuildMode;
use crate::env::Env;
use crate::exit;
use crate::failure::Failure;
use crate::local_testing;
use crate::startup::region::Region;
use crate::startup::{client, credentials};
use std::path::PathBuf;
use std::sync::mpsc;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;
use tokio::sync::watch;

struct Running {
    stop: watch::Sender<bool>,
    done: Mutex<mpsc::Receiver<()>>,
}

static RUNNING: OnceLock<Running> = OnceLock::new();

/// The journal's path, set by the seller (Dockerfile `ENV`, task definition, pod spec):
/// without it, usage not yet sent is lost on a crash or SIGKILL.
pub(crate) const JOURNAL_VAR: &str = "MARKETPLACE_METERING_JOURNAL";
/// How often counters are drained into records (and journaled): a crash without a journal
/// loses at most the usage since the last send; with one, at most this much.
const CHECKPOINT: Duration = Duration::from_secs(10);

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
    .map_err(|why| Failure::new(exit::OTHER, why.to_string()))
}

/// Why metering could not start; `Display` is the operator's line.
#[derive(Debug)]
enum SpawnError {
    Runtime(std::io::Error),
    Thread(std::io::Error),
}

impl std::fmt::Display for SpawnError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SpawnError::Runtime(e) => write!(f, "could not start the metering runtime: {e}"),
            SpawnError::Thread(e) => write!(f, "could not start the metering thread: {e}"),
        }
    }
}

fn spawn(
    settings: Settings,
    region: Region,
    mode: BuildMode,
    env: &'static dyn Env,
    clock: Arc<dyn Clock>,
) -> Result<(), SpawnError> {
    let (stop, stopped) = watch::channel(false);
    let (done_tx, done) = mpsc::channel();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(SpawnError::Runtime)?;
    let signal_stop = stop.clone();
    let signals = {
        let _context = runtime.enter();
        shutdown::listen()
    };
    std::thread::Builder::new()
        .name("mp-metering".into())
        .spawn(move || {
            runtime.block_on(async move {
                let sdk = credentials::load(&region, env).await;
                // Start-up built this very configuration already, so this cannot fail in
                // practice; if it does, say so rather than meter into nothing silently.
                let config = match client::metering_config(&sdk, &region, mode) {
                    Ok(config) => config,
                    Err(failure) => {
                        crate::notice::operator!(error,;
                            "metering cannot start, usage will not be sent: {}",
                            failure.message
                        );
                        return;
                    }
                };
                let client = aws_sdk_marketplacemetering::Client::from_conf(config);
                tokio::spawn(shutdown::stop_on_signal(signal_stop, signals));
                Flusher::new(client, clock, settings)
                    .run(stopped, FINAL_FLUSH_BOUND)
                    .await;
            });
            shutdown::exit_if_signalled();
            let _ = done_tx.send(());
        })
        .map_err(SpawnError::Thread)?;
    let _ = RUNNING.set(Running {
        stop,
        done: Mutex::new(done),
    });
    Ok(())
}

/// When `main` returns: flush everything (the partial hour included) and wait for it, at
/// most the final-flush bound plus a margin. A no-op if metering never started.
pub(crate) fn finish() {
    let Some(running) = RUNNING.get() else {
        return;
    };
    shutdown::main_returned();
    let _ = running.stop.send(true);
    let done = running.done.lock().unwrap_or_else(|e| e.into_inner());
    if done
        .recv_timeout(FINAL_FLUSH_BOUND + Duration::from_secs(5))
        .is_err()
    {
        tracing::warn!("metering: the final flush did not finish in time; exiting anyway");
    }
}
