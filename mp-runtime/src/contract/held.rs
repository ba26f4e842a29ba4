//! The floating checkouts this process holds, for the keeper: each one's consumption token
//! and deadlines (when to extend it, when License Manager lends it out again), on one list
//! that a dropped [`Seat`](super::Seat) leaves under the same lock it enters the keeper's
//! inbox with.

use super::entitlement::Floating;
use super::stats::COUNTERS;
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

/// Puts a new checkout on the held list.
pub(crate) fn hold(
    entitlement: &'static Floating,
    units: u64,
    token: String,
    asked_at: Instant,
) -> Arc<Held> {
    let id = NEXT_ID.fetch_add(1, Relaxed);
    let held = Arc::new(Held::new(id, entitlement, units, token, asked_at));
    lock_held().push(held.clone());
    held
}

/// Whether `held` is still on the held list (not checked in, lost or lapsed).
pub(crate) fn is_held(held: &Held) -> bool {
    lock_held().iter().any(|h| h.id == held.id)
}

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
pub(crate) fn return_to(held: &Held, inbox: &UnboundedSender<Arc<Held>>) {
    let mut list = lock_held();
    if let Some(index) = list.iter().position(|h| h.id == held.id) {
        // A failed send means the keeper is gone: the seat returns when its 60 minutes end.
        if inbox.send(list.swap_remove(index)).is_ok() {
            COUNTERS.check_ins_pending.fetch_add(1, Relaxed);
        }
    }
}

/// Empties the held list, for the last sweep: every seat dropped before it is in the inbox
/// already, every seat dropped after it finds nothing to return.
pub(crate) fn take_all() -> Vec<Arc<Held>> {
    std::mem::take(&mut *lock_held())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hold_one(entitlement: &'static Floating) -> Arc<Held> {
        hold(entitlement, 1, "token".into(), Instant::now())
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
        let (dropped, kept, late) = (hold_one(&SEATS), hold_one(&SEATS), hold_one(&SEATS));
        return_to(&dropped, &inbox);
        let swept: Vec<u64> = take_all().iter().map(|h| h.id).collect();
        return_to(&late, &inbox);
        let (dropped, kept, late) = (dropped.id, kept.id, late.id);
        let mut sent = Vec::new();
        while let Ok(held) = received.try_recv() {
            sent.push(held.id);
        }
        assert_eq!(sent, [dropped], "in the inbox, off the list");
        assert!(swept.contains(&kept) && swept.contains(&late));
        assert!(!swept.contains(&dropped));
    }
}
