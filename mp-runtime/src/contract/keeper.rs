//! The keeper: its own thread and single-threaded runtime (as the metering thread has, so a
//! sync `main` on a current-thread runtime cannot starve it). On every tick it looks at its
//! clocks (`clock`): every 15 minutes it re-checks the license and publishes the state; a
//! license whose end has passed is published expired, answer or not; past the offline limit
//! without an answered check the process ends (exit 95); a held seat whose extension is due
//! is extended, and one whose lifetime ended unextended is marked lost. Dropped seats arrive
//! in its inbox and are checked in. At SIGTERM, after `main`'s grace period, and when `main`
//! returns, it checks in every seat still held. If the keeper itself stops while `main`
//! runs, nothing would re-check the license any more: the process ends (exit 96).

use super::check::{CheckError, check};
use super::context::Context;
use super::held::{self, Held, LIFETIME};
use super::license_manager;
use super::policy::Outcome;
use super::state::{LicenseStatus, Snapshot};
use super::stats::{COUNTERS, bump, license_stats};
use super::trust::{Trust, expire_if_ended};
use crate::exit;
use crate::failure::Failure;
use crate::notice::operator;
use crate::process::background::Background;
use std::sync::atomic::Ordering::Relaxed;
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant, SystemTime};
use tokio::sync::{mpsc, watch};

/// How often License Manager is asked again, as AWS recommends.
pub(crate) const RECHECK: Duration = Duration::from_secs(15 * 60);
/// How long a check-in may retry.
const CHECK_IN_BOUND: Duration = Duration::from_secs(5);
/// How long the seats still held may take to be checked in before the offline limit ends
/// the process (License Manager was unreachable until then, so they may well not be).
const LAST_CHECK_INS_BOUND: Duration = Duration::from_secs(5);

/// The keeper thread, once started.
static KEEPER: OnceLock<Background> = OnceLock::new();
/// How long `main`'s return waits for the held seats to be checked in.
const FINISH_BOUND: Duration = Duration::from_secs(10);

/// What start-up hands the keeper besides the context.
pub(crate) struct Inputs {
    /// Seats dropped by the seller, to check in.
    pub(crate) inbox: mpsc::UnboundedReceiver<Arc<Held>>,
    pub(crate) tick: Duration,
    /// When start-up's check was asked (monotonic).
    pub(crate) first_asked_at: Instant,
}

/// Starts the keeper thread on `context`.
pub(crate) fn spawn(context: &'static Context, inputs: Inputs) -> Result<(), Failure> {
    let Inputs {
        inbox,
        tick,
        first_asked_at,
    } = inputs;
    let work = move |stopped| run(context, stopped, inbox, tick, first_asked_at);
    let background = Background::spawn("mp-license", work, stopped_early)?;
    let _ = KEEPER.set(background);
    Ok(())
}

/// `main` returned: the held seats are checked in (bounded), then the process ends as
/// `main` says.
pub(crate) fn finish() {
    let Some(keeper) = KEEPER.get() else {
        return;
    };
    if !keeper.finish(FINISH_BOUND) {
        tracing::warn!("contract: the held seats were not all checked in in time; exiting anyway");
    }
}

/// What the keeper's end means: `Some` when it ended (a panic, or a return) while nobody
/// asked it to stop, so `main` would go on with a license nobody re-checks.
fn stopped_early(ran: std::thread::Result<()>, stop_asked: bool) -> Option<Failure> {
    let how = match ran {
        Ok(()) => "it returned".to_owned(),
        Err(panic) => {
            let why = crate::failure::panic_message(&*panic);
            if stop_asked {
                operator!(warn,; "contract: the license keeper panicked while stopping ({why})");
                return None;
            }
            format!("it panicked: {why}")
        }
    };
    if stop_asked {
        return None;
    }
    Some(Failure::new(
        exit::METERING_STOPPED,
        format!(
            "metering stopped: the license keeper ended while main was running ({how}), so \
             the license would no longer be re-checked nor the held seats extended; the \
             process ends rather than run unchecked. Report it to the seller"
        ),
    ))
}

async fn run(
    context: &'static Context,
    mut stopped: watch::Receiver<bool>,
    mut inbox: mpsc::UnboundedReceiver<Arc<Held>>,
    tick: Duration,
    first_asked_at: Instant,
) {
    // From the check start-up made, not from when this thread got going: a thread started
    // late would otherwise push every re-check back by its delay.
    let mut next_check = first_asked_at + RECHECK;
    let mut trust = Trust::new(first_asked_at, context.offline_limit);
    let mut last_failure = String::new();
    let mut ticker = tokio::time::interval(tick);
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            _ = ticker.tick() => {
                if context.clock.monotonic() >= next_check {
                    let asked_at = context.clock.monotonic();
                    match recheck(context).await {
                        Ok(()) => trust.answered(asked_at),
                        Err(failure) => last_failure = failure,
                    }
                    next_check = context.clock.monotonic() + RECHECK;
                }
                let current = context.state.borrow().clone();
                publish(context, current);
                let now = context.clock.monotonic();
                if let Some(limit) = trust.exceeded(now) {
                    let since = trust.since_answer(now);
                    offline_limit_reached(context, limit, since, &last_failure).await;
                }
                lapse_or_extend(context).await;
            }
            Some(held) = inbox.recv() => check_in_dropped(context, &held).await,
            _ = stopped.changed() => break,
        }
    }
    // The list first, then the inbox: a seat dropped meanwhile is in one or the other.
    for held in held::take_all() {
        check_in(context, &held).await;
    }
    while let Ok(held) = inbox.try_recv() {
        check_in_dropped(context, &held).await;
    }
    eprintln!("{}", license_stats().exit_line());
}

/// Checks in a seat its holder dropped, which `license_stats` counts as pending until now.
async fn check_in_dropped(context: &Context, held: &Held) {
    check_in(context, held).await;
    COUNTERS.check_ins_pending.fetch_sub(1, Relaxed);
}

/// Publishes `snapshot` as the license's state, expired if its end has passed on the wall
/// clock; `changed()` fires only when something a seller reads differs.
fn publish(context: &Context, mut snapshot: Snapshot) {
    let ended = expire_if_ended(&mut snapshot, context.clock.wall());
    let expires_at = snapshot.expires_at;
    let changed = context.state.send_if_modified(|state| {
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
    if ended && changed {
        operator!(warn, expires_at = expires_at.map_or_else(String::new, wall_time);
            "contract: the license's end has passed on this host's clock; its status is now \
             Expired (running work goes on, the program decides)");
    }
}

/// A wall time as License Manager writes it.
fn wall_time(time: SystemTime) -> String {
    use aws_smithy_types::date_time::{DateTime, Format};
    DateTime::from(time)
        .fmt(Format::DateTime)
        .unwrap_or_else(|_| format!("{time:?}"))
}

/// One re-check: a new state on success; on a refusal the status changes and the last tier
/// stays; on a failure the state stays as it was and `Err` says why. A refusal is an answer:
/// it counts as a check for the offline limit.
async fn recheck(context: &Context) -> Result<(), String> {
    let now = context.clock.wall();
    match check(&context.client, context.spec, now).await {
        Ok(snapshot) => {
            publish(context, snapshot);
            Ok(())
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
            Ok(())
        }
        Err(CheckError::Call(outcome)) => {
            bump(&COUNTERS.failures);
            operator!(warn,; "contract: the license re-check failed ({}); the last state \
                stands until the offline limit", outcome.detail());
            Err(outcome.detail().to_owned())
        }
        Err(CheckError::Local(failure)) => {
            bump(&COUNTERS.failures);
            operator!(warn,; "contract: the license re-check failed ({})", failure.message);
            Err(failure.message)
        }
    }
}

/// No check answered for longer than the offline limit: the last state is published as no
/// longer trusted, the held seats are checked in if License Manager lets them be, and the
/// process ends.
async fn offline_limit_reached(
    context: &Context,
    limit: Duration,
    since: Duration,
    last_failure: &str,
) -> ! {
    context.state.send_if_modified(|state| {
        let changed = state.status != LicenseStatus::Unverified;
        state.status = LicenseStatus::Unverified;
        changed
    });
    let seats = held::take_all();
    let _ = tokio::time::timeout(LAST_CHECK_INS_BOUND, async {
        for held in seats {
            check_in(context, &held).await;
        }
    })
    .await;
    Failure::new(
        exit::OFFLINE_LIMIT,
        format!(
            "offline limit: the license could not be checked with License Manager for {}s \
             (the program's offline_limit is {}s; last failure: {}), so its last state is no \
             longer trusted. Restore the task's path to the License Manager endpoint and the \
             role's license-manager permissions, then restart",
            since.as_secs(),
            limit.as_secs(),
            if last_failure.is_empty() {
                "none recorded"
            } else {
                last_failure
            }
        ),
    )
    .exit()
}

/// Marks every held seat whose lifetime ended unextended as lost, and extends every other
/// one whose extension is due.
async fn lapse_or_extend(context: &Context) {
    for held in held::held() {
        let now = context.clock.monotonic();
        if held.lapsed(now) {
            // License Manager has returned it to the pool and may lend it to another replica.
            if held::release_held(&held).is_some() {
                bump(&COUNTERS.lost_seats);
                operator!(warn, entitlement = held.entitlement.name, units = held.units;
                    "contract: a held seat lapsed: no extension succeeded within its {} \
                     minutes, so License Manager returned it to the pool; Seat::is_held() is \
                     false from now on", LIFETIME.as_secs() / 60);
            }
            continue;
        }
        if !held.extension_due(now) {
            continue;
        }
        let token = held.token.lock().unwrap_or_else(|e| e.into_inner()).clone();
        match license_manager::extend_license_consumption(&context.client, &token).await {
            Ok(token) => {
                bump(&COUNTERS.extensions);
                held.extended(now, token);
            }
            Err(Outcome::NotFound(detail)) => {
                // License Manager returned it to the pool already: it is no longer held.
                bump(&COUNTERS.failures);
                held::release_held(&held);
                operator!(warn, entitlement = held.entitlement.name;
                    "contract: a held seat was no longer known when extended ({detail})");
            }
            // Tried again at the next tick until the seat lapses.
            Err(outcome) => {
                bump(&COUNTERS.failures);
                operator!(warn, entitlement = held.entitlement.name;
                    "contract: extending a held seat failed ({}); retried at the next tick \
                     until its 60 minutes end", outcome.detail());
            }
        }
    }
}

async fn check_in(context: &Context, held: &Held) {
    let token = held.token.lock().unwrap_or_else(|e| e.into_inner()).clone();
    let deadline = tokio::time::Instant::now() + CHECK_IN_BOUND;
    loop {
        match license_manager::check_in_license(&context.client, &token).await {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_keeper_that_panics_while_main_runs_ends_the_process_with_96() {
        let quiet = std::panic::take_hook();
        std::panic::set_hook(Box::new(|_| {}));
        let panicked = std::panic::catch_unwind(|| panic!("boom"));
        std::panic::set_hook(quiet);
        let failure = stopped_early(panicked, false).expect("fails closed");
        assert_eq!(failure.code, exit::METERING_STOPPED);
        assert!(
            failure.line().starts_with(
                "mp-runtime: metering stopped: the license keeper ended while main was \
                 running (it panicked: boom)"
            ),
            "{}",
            failure.line()
        );
        let returned = stopped_early(Ok(()), false).expect("fails closed");
        assert_eq!(returned.code, exit::METERING_STOPPED);
    }

    #[test]
    fn a_keeper_asked_to_stop_ends_quietly() {
        assert_eq!(stopped_early(Ok(()), true), None);
        let panicked = std::panic::catch_unwind(|| std::panic::resume_unwind(Box::new("late")));
        assert_eq!(stopped_early(panicked, true), None);
    }
}
