//! Counts of License Manager activity, beside [`crate::metering_stats`]: for health checks
//! and logs. Relaxed atomics: reports, not synchronisation.

use std::sync::atomic::{AtomicU64, Ordering::Relaxed};

/// A snapshot of this process's License Manager activity, from [`license_stats`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct LicenseStats {
    /// Checkouts License Manager granted: start-up, re-checks, seats and draws.
    pub checkouts: u64,
    /// Held seats extended for another 60 minutes.
    pub extensions: u64,
    /// Seats returned to the pool (dropped, at SIGTERM, or when `main` returned).
    pub check_ins: u64,
    /// Seats dropped whose check-in is still on its way: a dropped seat is returned by the
    /// license keeper, a moment later, so right after `drop(seat)` it counts here, then in
    /// `check_ins` (or in `failures`).
    pub check_ins_pending: u64,
    /// Units drawn down for good by `consume!`.
    pub drawn_units: u64,
    /// Seats refused because the pool was empty, draws refused as exhausted.
    pub refusals: u64,
    /// Calls that failed for any other reason (after their retries), logged.
    pub failures: u64,
    /// Held seats that lapsed: no extension succeeded within their 60 minutes, so License
    /// Manager returned them to the pool and [`crate::Seat::is_held`] turned false.
    pub lost_seats: u64,
}

pub(crate) struct Counters {
    pub(crate) checkouts: AtomicU64,
    pub(crate) extensions: AtomicU64,
    pub(crate) check_ins: AtomicU64,
    pub(crate) check_ins_pending: AtomicU64,
    pub(crate) drawn_units: AtomicU64,
    pub(crate) refusals: AtomicU64,
    pub(crate) failures: AtomicU64,
    pub(crate) lost_seats: AtomicU64,
}

pub(crate) static COUNTERS: Counters = Counters {
    checkouts: AtomicU64::new(0),
    extensions: AtomicU64::new(0),
    check_ins: AtomicU64::new(0),
    check_ins_pending: AtomicU64::new(0),
    drawn_units: AtomicU64::new(0),
    refusals: AtomicU64::new(0),
    failures: AtomicU64::new(0),
    lost_seats: AtomicU64::new(0),
};

impl LicenseStats {
    /// The line printed on stderr when the license keeper ends (SIGTERM, `main` returned),
    /// beside metering's: what License Manager granted and what went back to the pools.
    pub(crate) fn exit_line(&self) -> String {
        format!(
            "mp-runtime: licenses at exit: {} checkout(s), {} seat(s) checked in, {} unit(s) \
             drawn down, {} seat(s) lapsed, {} call(s) failed",
            self.checkouts, self.check_ins, self.drawn_units, self.lost_seats, self.failures
        )
    }
}

/// Adds one to `counter`.
pub(crate) fn bump(counter: &AtomicU64) {
    counter.fetch_add(1, Relaxed);
}

/// What License Manager granted, refused and failed so far in this process.
pub fn license_stats() -> LicenseStats {
    let c = &COUNTERS;
    LicenseStats {
        checkouts: c.checkouts.load(Relaxed),
        extensions: c.extensions.load(Relaxed),
        check_ins: c.check_ins.load(Relaxed),
        check_ins_pending: c.check_ins_pending.load(Relaxed),
        drawn_units: c.drawn_units.load(Relaxed),
        refusals: c.refusals.load(Relaxed),
        failures: c.failures.load(Relaxed),
        lost_seats: c.lost_seats.load(Relaxed),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_exit_line_says_what_was_granted_and_returned() {
        let stats = LicenseStats {
            checkouts: 4,
            check_ins: 2,
            drawn_units: 7,
            ..LicenseStats::default()
        };
        assert_eq!(
            stats.exit_line(),
            "mp-runtime: licenses at exit: 4 checkout(s), 2 seat(s) checked in, 7 unit(s) drawn \
             down, 0 seat(s) lapsed, 0 call(s) failed"
        );
    }
}
