//! What the contract calls share after start-up: the client, the compiled-in spec, the
//! clock, the published license state, and the keeper thread's inbox and stop switch.

use super::clock::LicenseClock;
use super::keeper;
use super::seat::Held;
use super::state::Snapshot;
use crate::exit;
use crate::failure::Failure;
use crate::process::shutdown;
use crate::spec::ContractSpec;
use aws_sdk_licensemanager::Client;
use std::sync::{Arc, Mutex, OnceLock, mpsc as std_mpsc};
use std::time::{Duration, Instant};
use tokio::sync::{mpsc, watch};

/// How often the keeper looks at the clock (re-check due? seat extension due?).
pub(crate) const TICK: Duration = Duration::from_secs(60);
/// How long `main`'s return waits for the held seats to be checked in.
const FINISH_BOUND: Duration = Duration::from_secs(10);

pub(crate) struct Context {
    pub(crate) client: Client,
    pub(crate) spec: &'static ContractSpec,
    pub(crate) clock: LicenseClock,
    /// How long the last answered check is trusted; `None` when the seller turned it off.
    pub(crate) offline_limit: Option<Duration>,
    pub(crate) state: watch::Sender<Snapshot>,
    /// Seats dropped by the seller, for the keeper to check in.
    pub(crate) check_ins: mpsc::UnboundedSender<Arc<Held>>,
    stop: watch::Sender<bool>,
    done: Mutex<std_mpsc::Receiver<()>>,
}

static CONTEXT: OnceLock<Context> = OnceLock::new();

pub(crate) fn get() -> Option<&'static Context> {
    CONTEXT.get()
}

/// What start-up hands the keeper.
pub(crate) struct Installed {
    pub(crate) client: Client,
    pub(crate) spec: &'static ContractSpec,
    pub(crate) clock: LicenseClock,
    pub(crate) offline_limit: Option<Duration>,
    pub(crate) tick: Duration,
    /// Start-up's check, and when it was asked (monotonic).
    pub(crate) first: Snapshot,
    pub(crate) first_asked_at: Instant,
}

/// Publishes the first check and starts the keeper thread.
pub(crate) fn install(installed: Installed) -> Result<(), Failure> {
    let Installed {
        client,
        spec,
        clock,
        offline_limit,
        tick,
        first,
        first_asked_at,
    } = installed;
    let (stop, stopped) = watch::channel(false);
    let (check_ins, inbox) = mpsc::unbounded_channel();
    let (done_tx, done) = std_mpsc::channel();
    let context = Context {
        client,
        spec,
        clock,
        offline_limit,
        state: watch::Sender::new(first),
        check_ins,
        stop: stop.clone(),
        done: Mutex::new(done),
    };
    if CONTEXT.set(context).is_err() {
        return Ok(()); // a second start-up in one process: the first one's keeper runs
    }
    let context = CONTEXT.get().expect("set just above");
    keeper::spawn(
        context,
        keeper::Inputs {
            stop,
            stopped,
            inbox,
            tick,
            first_asked_at,
            done: done_tx,
        },
    )
    .map_err(|e| {
        Failure::new(
            exit::OTHER,
            format!("could not start the license keeper: {e}"),
        )
    })
}

/// `main` returned: the held seats are checked in (bounded), then the process ends as
/// `main` says.
pub(crate) fn finish() {
    let Some(context) = CONTEXT.get() else {
        return;
    };
    shutdown::main_returned();
    let _ = context.stop.send(true);
    let done = context.done.lock().unwrap_or_else(|e| e.into_inner());
    if done.recv_timeout(FINISH_BOUND).is_err() {
        tracing::warn!("contract: the held seats were not all checked in in time; exiting anyway");
    }
}
