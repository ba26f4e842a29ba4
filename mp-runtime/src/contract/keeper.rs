//! The keeper: its own thread and single-threaded runtime (as the metering thread has, so a
//! sync `main` on a current-thread runtime cannot starve it). On every tick it looks at the
//! clock: every 15 minutes it re-checks the license and publishes the state; a held seat
//! whose extension is due is extended. Dropped seats arrive in its inbox and are checked in.
//! At SIGTERM, after `main`'s grace period, and when `main` returns, it checks in every seat
//! still held.

use super::check::{CheckError, check};
use super::checkout;
use super::context::Context;
use super::policy::Outcome;
use super::seat::{self, EXTEND_AFTER, Held};
use super::state::LicenseStatus;
use super::stats::{COUNTERS, bump};
use crate::notice::operator;
use crate::usage::shutdown;
use std::sync::Arc;
use std::sync::mpsc as std_mpsc;
use std::time::Duration;
use tokio::sync::{mpsc, watch};

/// How often License Manager is asked again, as AWS recommends.
pub(crate) const RECHECK: Duration = Duration::from_secs(15 * 60);
/// How long a check-in may retry.
const CHECK_IN_BOUND: Duration = Duration::from_secs(5);

pub(crate) struct Inputs {
    pub(crate) stop: watch::Sender<bool>,
    pub(crate) stopped: watch::Receiver<bool>,
    pub(crate) inbox: mpsc::UnboundedReceiver<Arc<Held>>,
    pub(crate) tick: Duration,
    pub(crate) done: std_mpsc::Sender<()>,
}

pub(crate) fn spawn(context: &'static Context, inputs: Inputs) -> std::io::Result<()> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let signals = {
        let _context = runtime.enter();
        shutdown::listen()
    };
    std::thread::Builder::new()
        .name("mp-license".into())
        .spawn(move || {
            let Inputs {
                stop,
                stopped,
                inbox,
                tick,
                done,
            } = inputs;
            runtime.block_on(async move {
                tokio::spawn(shutdown::stop_on_signal(stop, signals));
                run(context, stopped, inbox, tick).await;
            });
            shutdown::exit_if_signalled();
            let _ = done.send(());
        })?;
    Ok(())
}

async fn run(
    context: &'static Context,
    mut stopped: watch::Receiver<bool>,
    mut inbox: mpsc::UnboundedReceiver<Arc<Held>>,
    tick: Duration,
) {
    // From the check start-up published, not from when this thread got going: a thread
    // started late would otherwise push every re-check back by its delay.
    let mut next_check = context.state.borrow().checked_at + RECHECK;
    let mut ticker = tokio::time::interval(tick);
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            _ = ticker.tick() => {
                let now = context.clock.now();
                if now >= next_check {
                    recheck(context).await;
                    next_check = context.clock.now() + RECHECK;
                }
                extend_due(context).await;
            }
            Some(held) = inbox.recv() => check_in(context, &held).await,
            _ = stopped.changed() => break,
        }
    }
    // The list first, then the inbox: a seat dropped meanwhile is in one or the other.
    let mut last = seat::take_all();
    while let Ok(held) = inbox.try_recv() {
        last.push(held);
    }
    for held in last {
        check_in(context, &held).await;
    }
}

/// One re-check: a new state on success; on a refusal the status changes and the last tier
/// stays; on a failure the state stays as it was.
async fn recheck(context: &Context) {
    let now = context.clock.now();
    match check(&context.client, context.spec, now).await {
        Ok(snapshot) => {
            context.state.send_if_modified(|state| {
                let changed = (state.tier, state.status, state.expires_at, &state.limits)
                    != (
                        snapshot.tier,
                        snapshot.status,
                        snapshot.expires_at,
                        &snapshot.limits,
                    );
                *state = snapshot;
                changed
            });
        }
        Err(CheckError::Call(
            outcome @ (Outcome::Expired(_) | Outcome::NotAllowed(_) | Outcome::NotFound(_)),
        )) => {
            let status = match outcome {
                Outcome::Expired(_) => LicenseStatus::Expired,
                _ => LicenseStatus::NotEntitled,
            };
            operator!(warn, status = format!("{status:?}");
                "contract: the license re-check was refused ({}); running work goes on, the \
                 program decides", outcome.detail());
            context.state.send_if_modified(|state| {
                state.checked_at = now;
                let changed = state.status != status;
                state.status = status;
                changed
            });
        }
        Err(CheckError::Call(outcome)) => {
            bump(&COUNTERS.failures);
            operator!(warn,; "contract: the license re-check failed ({}); the last state stands",
                outcome.detail());
        }
        Err(CheckError::Local(failure)) => {
            bump(&COUNTERS.failures);
            operator!(warn,; "contract: the license re-check failed ({})", failure.message);
        }
    }
}

/// Extends every held seat whose extension is due.
async fn extend_due(context: &Context) {
    for held in seat::held() {
        let now = context.clock.now();
        let due = *held.extend_at.lock().unwrap_or_else(|e| e.into_inner());
        if now < due {
            continue;
        }
        let token = held.token.lock().unwrap_or_else(|e| e.into_inner()).clone();
        match checkout::extend(&context.client, &token).await {
            Ok(token) => {
                bump(&COUNTERS.extensions);
                *held.token.lock().unwrap_or_else(|e| e.into_inner()) = token;
                // From when it was asked: License Manager's 60 minutes start no later.
                *held.extend_at.lock().unwrap_or_else(|e| e.into_inner()) = now + EXTEND_AFTER;
            }
            Err(Outcome::NotFound(detail)) => {
                // License Manager returned it to the pool already: it is no longer held.
                bump(&COUNTERS.failures);
                seat::release_held(&held);
                operator!(warn, entitlement = held.entitlement.name;
                    "contract: a held seat was no longer known when extended ({detail})");
            }
            // Tried again at the next tick; the lifetime leaves 20 minutes for it.
            Err(outcome) => {
                bump(&COUNTERS.failures);
                operator!(warn, entitlement = held.entitlement.name;
                    "contract: extending a held seat failed ({}); retried at the next tick",
                    outcome.detail());
            }
        }
    }
}

async fn check_in(context: &Context, held: &Held) {
    let token = held.token.lock().unwrap_or_else(|e| e.into_inner()).clone();
    let deadline = tokio::time::Instant::now() + CHECK_IN_BOUND;
    loop {
        match checkout::check_in(&context.client, &token).await {
            Ok(()) => {
                bump(&COUNTERS.check_ins);
                return;
            }
            Err(Outcome::Retry(_)) if tokio::time::Instant::now() < deadline => {
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
            // Not returned now: License Manager returns it when its 60 minutes end.
            Err(outcome) => {
                bump(&COUNTERS.failures);
                operator!(warn, entitlement = held.entitlement.name;
                    "contract: checking a seat in failed ({}); it returns to the pool within \
                     60 minutes", outcome.detail());
                return;
            }
        }
    }
}
