//! `checkout!`: a floating entitlement held as a [`Seat`]. The seat is registered with the
//! keeper, which extends it before its 60 minutes end; dropping it sends it to the keeper to
//! check in, and at SIGTERM the keeper checks in every seat still held. If no extension
//! succeeds before those 60 minutes end, License Manager has lent the seat out again: the
//! keeper then marks it lost here too, so a process cut off from License Manager cannot keep
//! serving sessions whose seats another replica now holds.

use super::call::{self, Denied};
use super::checkout::Ask;
use super::context;
use super::entitlement::Floating;
use aws_sdk_licensemanager::types::CheckoutType;
use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::sync::mpsc::UnboundedSender;

/// How long a checkout lasts without extension.
pub(crate) const LIFETIME: Duration = Duration::from_secs(60 * 60);
/// When a held seat is extended: well before its lifetime ends, so a tick or two of delay
/// and a few retries still fit.
pub(crate) const EXTEND_AFTER: Duration = Duration::from_secs(40 * 60);
const _: () = assert!(
    EXTEND_AFTER.as_secs() + 15 * 60 <= LIFETIME.as_secs(),
    "a due extension has a quarter of an hour of ticks and retries before the seat returns"
);

/// A held consumption.
#[derive(Debug)]
pub(crate) struct Held {
    id: u64,
    pub(crate) entitlement: &'static Floating,
    pub(crate) units: u64,
    pub(crate) token: Mutex<String>,
    /// When the keeper extends it next and when it lapses (the keeper's monotonic clock).
    deadlines: Mutex<Deadlines>,
}

#[derive(Debug, Clone, Copy)]
struct Deadlines {
    extend_at: Instant,
    lapse_at: Instant,
}

impl Deadlines {
    /// From when the checkout or extension was asked: License Manager's 60 minutes start no
    /// earlier, so the seat never lapses later here than there.
    fn counted_from(asked_at: Instant) -> Self {
        Deadlines {
            extend_at: asked_at + EXTEND_AFTER,
            lapse_at: asked_at + LIFETIME,
        }
    }
}

impl Held {
    fn new(
        id: u64,
        entitlement: &'static Floating,
        units: u64,
        token: String,
        asked_at: Instant,
    ) -> Self {
        Held {
            id,
            entitlement,
            units,
            token: Mutex::new(token),
            deadlines: Mutex::new(Deadlines::counted_from(asked_at)),
        }
    }

    fn deadlines(&self) -> Deadlines {
        *self.deadlines.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Whether an extension is due at `now`.
    pub(crate) fn extension_due(&self, now: Instant) -> bool {
        now >= self.deadlines().extend_at
    }

    /// Whether the seat's lifetime ended at `now` with no extension since.
    pub(crate) fn lapsed(&self, now: Instant) -> bool {
        now >= self.deadlines().lapse_at
    }

    /// An extension asked at `asked_at` succeeded with `token`.
    pub(crate) fn extended(&self, asked_at: Instant, token: String) {
        *self.token.lock().unwrap_or_else(|e| e.into_inner()) = token;
        *self.deadlines.lock().unwrap_or_else(|e| e.into_inner()) =
            Deadlines::counted_from(asked_at);
    }
}

/// The seats held, for the keeper.
static HELD: Mutex<Vec<Arc<Held>>> = Mutex::new(Vec::new());
static NEXT_ID: AtomicU64 = AtomicU64::new(1);

pub(crate) fn held() -> Vec<Arc<Held>> {
    lock_held().clone()
}

fn lock_held() -> std::sync::MutexGuard<'static, Vec<Arc<Held>>> {
    HELD.lock().unwrap_or_else(|e| e.into_inner())
}

/// Takes `held` off the held list, if it still is on it.
pub(crate) fn release_held(held: &Held) -> Option<Arc<Held>> {
    let mut list = lock_held();
    let index = list.iter().position(|h| h.id == held.id)?;
    Some(list.swap_remove(index))
}

/// A dropped seat: off the held list and into `inbox` under the one lock, so that
/// [`take_all`] finds every seat either still on the list or already in the inbox.
fn return_to(id: u64, inbox: &UnboundedSender<Arc<Held>>) {
    let mut list = lock_held();
    if let Some(index) = list.iter().position(|h| h.id == id) {
        // A failed send means the keeper is gone: the seat returns when its 60 minutes end.
        let _ = inbox.send(list.swap_remove(index));
    }
}

/// Empties the held list, for the last sweep: every seat dropped before it is in the inbox
/// already, every seat dropped after it finds nothing to return.
pub(crate) fn take_all() -> Vec<Arc<Held>> {
    std::mem::take(&mut *lock_held())
}

/// A held floating entitlement (a seat of a concurrent-users pool, say). Extended while
/// held; returned to the pool when dropped.
#[must_use = "a seat is returned to the pool as soon as it is dropped"]
#[derive(Debug)]
pub struct Seat {
    held: Arc<Held>,
}

impl Seat {
    /// The entitlement's name in the listing.
    pub fn entitlement(&self) -> &'static str {
        self.held.entitlement.name
    }

    /// How many units this seat holds.
    pub fn units(&self) -> u64 {
        self.held.units
    }

    /// Whether the keeper still holds it for this process (false once it was checked in at
    /// SIGTERM, License Manager no longer knew it when it was extended, or it lapsed: no
    /// extension succeeded within its 60 minutes, so License Manager lent it out again).
    pub fn is_held(&self) -> bool {
        lock_held().iter().any(|h| h.id == self.held.id)
    }
}

impl Drop for Seat {
    fn drop(&mut self) {
        if let Some(context) = context::get() {
            return_to(self.held.id, &context.check_ins);
        }
    }
}

/// Why `checkout!` gave no seat.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum CheckoutError {
    /// Every unit of the pool is held: try later, or tell the user the seats are taken.
    PoolEmpty {
        /// The entitlement's name in the listing.
        entitlement: &'static str,
        /// The units asked for.
        requested: u64,
    },
    /// The license expired.
    LicenseExpired,
    /// License Manager did not answer in time (throttling, network), after retries.
    Unavailable(String),
    /// License Manager refused the call for another reason (permissions, validation).
    Refused(String),
    /// This process did not start up with contract pricing.
    NotStarted,
}

impl fmt::Display for CheckoutError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CheckoutError::PoolEmpty {
                entitlement,
                requested,
            } => write!(
                f,
                "no {requested} unit(s) of {entitlement} left in the pool"
            ),
            CheckoutError::LicenseExpired => f.write_str("the license expired"),
            CheckoutError::Unavailable(why) => write!(f, "License Manager unavailable: {why}"),
            CheckoutError::Refused(why) => write!(f, "License Manager refused: {why}"),
            CheckoutError::NotStarted => {
                f.write_str("this process did not start up with contract pricing")
            }
        }
    }
}

impl std::error::Error for CheckoutError {}

/// Checks a floating entitlement out: what `checkout!` expands to.
pub async fn checkout(entitlement: &'static Floating, units: u64) -> Result<Seat, CheckoutError> {
    let ask = Ask {
        name: entitlement.name,
        value: Some(units),
        unit: entitlement.unit,
    };
    let granted = call::checkout(CheckoutType::Provisional, ask)
        .await
        .map_err(|denied| match denied {
            Denied::NotStarted => CheckoutError::NotStarted,
            Denied::NotAllowed => CheckoutError::PoolEmpty {
                entitlement: entitlement.name,
                requested: units,
            },
            Denied::Expired => CheckoutError::LicenseExpired,
            Denied::Unavailable(why) => CheckoutError::Unavailable(why),
            Denied::Refused(why) => CheckoutError::Refused(why),
        })?;
    let held = Arc::new(Held::new(
        NEXT_ID.fetch_add(1, Relaxed),
        entitlement,
        units,
        granted.checked.token.unwrap_or_default(),
        granted.asked_at,
    ));
    lock_held().push(held.clone());
    Ok(Seat { held })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn send<T: Send>(_: &T) {}

    #[test]
    fn the_futures_can_be_spawned() {
        static SEATS: Floating = Floating::new("Seats", "Count");
        static DATA: super::super::Drawdown = super::super::Drawdown::new("Data", "Gigabytes");
        let checkout = checkout(&SEATS, 1);
        send(&checkout);
        let consume = super::super::consume(&DATA, 1);
        send(&consume);
    }

    fn hold(entitlement: &'static Floating) -> u64 {
        let id = NEXT_ID.fetch_add(1, Relaxed);
        let token = format!("token-{id}");
        lock_held().push(Arc::new(Held::new(
            id,
            entitlement,
            1,
            token,
            Instant::now(),
        )));
        id
    }

    #[test]
    fn a_seat_lapses_a_lifetime_after_its_last_successful_extension() {
        static SEATS: Floating = Floating::new("Seats", "Count");
        let checked_out = Instant::now();
        let held = Held::new(0, &SEATS, 1, "t0".into(), checked_out);
        assert!(!held.extension_due(checked_out + EXTEND_AFTER - Duration::from_secs(1)));
        assert!(held.extension_due(checked_out + EXTEND_AFTER));
        // Extensions failing: nothing moves, and the seat lapses with License Manager's.
        assert!(!held.lapsed(checked_out + LIFETIME - Duration::from_secs(1)));
        assert!(held.lapsed(checked_out + LIFETIME));
        // One that succeeded 50 minutes in moves both deadlines from when it was asked.
        let extended = checked_out + Duration::from_secs(50 * 60);
        held.extended(extended, "t1".into());
        assert!(!held.lapsed(checked_out + LIFETIME));
        assert!(held.lapsed(extended + LIFETIME));
        assert!(!held.extension_due(extended + EXTEND_AFTER - Duration::from_secs(1)));
        assert_eq!(*held.token.lock().unwrap(), "t1");
    }

    #[test]
    fn the_last_sweep_finds_every_seat_dropped_before_it_and_none_twice() {
        static SEATS: Floating = Floating::new("Seats", "Count");
        let (inbox, mut received) = tokio::sync::mpsc::unbounded_channel();
        let (dropped, kept, late) = (hold(&SEATS), hold(&SEATS), hold(&SEATS));
        return_to(dropped, &inbox);
        let swept: Vec<u64> = take_all().iter().map(|h| h.id).collect();
        return_to(late, &inbox);
        let mut sent = Vec::new();
        while let Ok(held) = received.try_recv() {
            sent.push(held.id);
        }
        assert_eq!(sent, [dropped], "in the inbox, off the list");
        assert!(swept.contains(&kept) && swept.contains(&late));
        assert!(!swept.contains(&dropped));
    }

    #[test]
    fn without_contract_start_up_nothing_is_checked_out() {
        static SEATS: Floating = Floating::new("Seats", "Count");
        let rt = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        assert_eq!(
            rt.block_on(checkout(&SEATS, 1)).unwrap_err(),
            CheckoutError::NotStarted
        );
    }
}
