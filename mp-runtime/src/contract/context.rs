//! What the contract calls share after start-up: the client, the compiled-in spec, the
//! clock, the published license state, and the keeper thread's inbox and stop switch. The
//! one global of contract pricing; start-up installs it and starts the keeper on it.

use super::clock::LicenseClock;
use super::held::Held;
use super::state::{ContractTier, License, Snapshot};
use crate::process::shutdown;
use crate::spec::ContractSpec;
use aws_sdk_licensemanager::Client;
use std::sync::{Arc, Mutex, OnceLock, mpsc as std_mpsc};
use std::time::Duration;
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

/// What start-up stores for the calls after it.
pub(crate) struct Installed {
    pub(crate) client: Client,
    pub(crate) spec: &'static ContractSpec,
    pub(crate) clock: LicenseClock,
    pub(crate) offline_limit: Option<Duration>,
    /// Start-up's check.
    pub(crate) first: Snapshot,
}

/// The keeper's ends of the channels the context holds the other ends of.
pub(crate) struct KeeperEnds {
    pub(crate) stop: watch::Sender<bool>,
    pub(crate) stopped: watch::Receiver<bool>,
    pub(crate) inbox: mpsc::UnboundedReceiver<Arc<Held>>,
    pub(crate) done: std_mpsc::Sender<()>,
}

/// Publishes the first check; the context and the ends for the keeper to run on, or `None`
/// after a second start-up in one process (the first one's keeper runs).
pub(crate) fn install(installed: Installed) -> Option<(&'static Context, KeeperEnds)> {
    let Installed {
        client,
        spec,
        clock,
        offline_limit,
        first,
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
    CONTEXT.set(context).ok()?;
    let ends = KeeperEnds {
        stop,
        stopped,
        inbox,
        done: done_tx,
    };
    Some((CONTEXT.get()?, ends))
}

/// The license of this process, for `main`; a detached one (never checked) outside a
/// contract program.
pub(crate) fn license<T: ContractTier>() -> License<T> {
    match get() {
        Some(context) => License::new(context.state.subscribe()),
        None => License::new(watch::channel(Snapshot::unknown()).1),
    }
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
