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
    pub(crate) drawn_units: AtomicU64,
    pub(crate) refusals: AtomicU64,
    pub(crate) failures: AtomicU64,
    pub(crate) lost_seats: AtomicU64,
}

pub(crate) static COUNTERS: Counters = Counters {
    checkouts: AtomicU64::new(0),
    extensions: AtomicU64::new(0),
    check_ins: AtomicU64::new(0),
    drawn_units: AtomicU64::new(0),
    refusals: AtomicU64::new(0),
    failures: AtomicU64::new(0),
    lost_seats: AtomicU64::new(0),
};

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
        drawn_units: c.drawn_units.load(Relaxed),
        refusals: c.refusals.load(Relaxed),
        failures: c.failures.load(Relaxed),
        lost_seats: c.lost_seats.load(Relaxed),
    }
}
