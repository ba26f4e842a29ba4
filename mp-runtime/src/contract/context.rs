//! What the contract calls share after start-up: the client, the compiled-in spec, the
//! clock, the published license state, and the keeper thread's inbox. The
//! one global of contract pricing; start-up installs it and starts the keeper on it.

use super::clock::LicenseClock;
use super::held::Held;
use super::state::{ContractTier, License, Snapshot};
use crate::spec::ContractSpec;
use aws_sdk_licensemanager::Client;
use std::sync::{Arc, OnceLock};
use std::time::Duration;
use tokio::sync::{mpsc, watch};

/// How often the keeper looks at the clock (re-check due? seat extension due?).
pub(crate) const TICK: Duration = Duration::from_secs(60);

pub(crate) struct Context {
    pub(crate) client: Client,
    pub(crate) spec: &'static ContractSpec,
    pub(crate) clock: LicenseClock,
    /// How long the last answered check is trusted; `None` when the seller turned it off.
    pub(crate) offline_limit: Option<Duration>,
    pub(crate) state: watch::Sender<Snapshot>,
    /// Seats dropped by the seller, for the keeper to check in.
    pub(crate) check_ins: mpsc::UnboundedSender<Arc<Held>>,
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

/// Publishes the first check; the context and the inbox of dropped seats for the keeper to
/// run on, or `None` after a second start-up in one process (the first one's keeper runs).
pub(crate) fn install(
    installed: Installed,
) -> Option<(&'static Context, mpsc::UnboundedReceiver<Arc<Held>>)> {
    let Installed {
        client,
        spec,
        clock,
        offline_limit,
        first,
    } = installed;
    let (check_ins, inbox) = mpsc::unbounded_channel();
    let context = Context {
        client,
        spec,
        clock,
        offline_limit,
        state: watch::Sender::new(first),
        check_ins,
    };
    CONTEXT.set(context).ok()?;
    Some((CONTEXT.get()?, inbox))
}

/// The license of this process, for `main`; a detached one (never checked) outside a
/// contract program.
pub(crate) fn license<T: ContractTier>() -> License<T> {
    match get() {
        Some(context) => License::new(context.state.subscribe()),
        None => License::new(watch::channel(Snapshot::unknown()).1),
    }
}
