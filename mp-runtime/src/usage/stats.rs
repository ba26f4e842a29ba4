//! Counts the seller can read for health checks and logs: what was sent, what waits, what
//! was lost and why. Plain relaxed atomics: they are reports, not synchronisation.

use std::sync::atomic::{AtomicU64, Ordering::Relaxed};

/// A snapshot of this process's metering, from [`metering_stats`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct MeteringStats {
    /// Hourly records the Metering Service accepted.
    pub sent: u64,
    /// Records waiting to be sent (the current hour's, and any backlog), as the flusher
    /// last counted them: after each drain of the `meter!` counters (every second, and just
    /// before each hour ends) and after each send. A dimension's first `meter!` of an hour
    /// therefore shows here up to 1 s later; its units show in `pending_units` at once.
    pub pending: u64,
    /// Records given up on: refused by the service, or still unsent when their 6-hour window
    /// closed. Each one is logged with its dimension, hour and quantity.
    pub failed: u64,
    /// `meter!` calls refused at run time (a negative quantity, or units that would take the
    /// count since the last drain past 2^63), logged.
    pub rejected_calls: u64,
    /// `CustomerNotEntitledException` after start-up: logged, never fatal.
    pub entitlement_errors: u64,
    /// Quantities moved to a later hour (over 2,147,483,647 in an hour, or an hour the
    /// service already held with another quantity).
    pub carried: u64,
    /// Journal writes that failed (the usage stayed in memory).
    pub journal_errors: u64,
    /// Units metered with tags but billed untagged: the hour already had 2,499 tag sets for
    /// the dimension (MeterUsage takes 2,500 allocations per record). Billed, not lost.
    pub untagged_overflow: u64,
    /// Units metered with tags the Metering Service would refuse (a character outside
    /// letters, digits and `+ -=._:/@`, a key or value too long, more than 5 tags, a key
    /// twice): billed in the untagged share, logged once per drain. Billed, not lost.
    pub tags_untagged: u64,
    /// Records whose allocations the service refused: resent without them, so the total
    /// was billed and only its attribution by tag lost.
    pub salvaged: u64,
    /// `IdempotencyConflictException` answers: the service holds an earlier send of the
    /// record with other parameters (after journal damage). Counted delivered if the record
    /// was sent before, else its usage moved to the next hour.
    pub conflicts: u64,
    /// Sends refused because the endpoint's certificate does not chain to the Amazon roots
    /// (something intercepted the connection); the usage is kept and retried.
    pub intercepted: u64,
    /// Sends retried because the service refused the call's credentials or authorisation
    /// (`AccessDeniedException`, `ExpiredTokenException`, `UnrecognizedClientException`, a
    /// refused signature): credentials rotating, an IAM policy redeployed, clock skew. The
    /// record is kept and retried with fresh credentials until its window closes.
    pub credential_retries: u64,
    /// Units moved to a later hour: over the per-record maximum, an hour the service already
    /// held, or a record never transmitted whose window was closing. Billed later, not lost.
    pub carried_units: u64,
    /// Journal lines ignored because their contents cannot be true (an hour not aligned or in
    /// the future, a quantity past the rules' limits, a state that cannot exist for the
    /// hour): each is logged and none of them is billed.
    pub journal_rejected: u64,
    /// Journals of processes that ended without delivering their usage (a crash, a SIGKILL),
    /// found beside this process's own on the same volume and delivered under their own
    /// identity.
    pub journals_adopted: u64,
    /// `meter!` calls with a quantity of 0 at run time: nothing to bill, counted so that a
    /// quantity computed wrongly does not vanish unseen.
    pub zero_calls: u64,
    /// How long usage has been waiting to be delivered: seconds since the oldest record still
    /// unsettled became due (its hour ended), or since the service last settled a record
    /// (accepted it, or refused it for good) if that is later; 0 while nothing is due. A
    /// record given up or carried because its window closed does not end the wait. Past the
    /// attribute's `offline_limit` the process ends (exit 95): a seller can degrade before
    /// that.
    pub waiting_secs: u64,
    /// Units `meter!` counted, including those not yet drained into hourly records.
    pub metered_units: u64,
    /// Units in records the service accepted.
    pub sent_units: u64,
    /// Units in records given up on (refused, or past their 6-hour window).
    pub lost_units: u64,
    /// Units not yet sent: in records waiting to be sent, and counted by `meter!` since the
    /// last drain (read when this snapshot is taken, so it does not lag `meter!`).
    pub pending_units: u64,
}

#[derive(Default)]
pub(crate) struct Counters {
    pub(crate) sent: AtomicU64,
    pub(crate) pending: AtomicU64,
    pub(crate) failed: AtomicU64,
    pub(crate) rejected_calls: AtomicU64,
    pub(crate) entitlement_errors: AtomicU64,
    pub(crate) carried: AtomicU64,
    pub(crate) journal_errors: AtomicU64,
    pub(crate) untagged_overflow: AtomicU64,
    pub(crate) tags_untagged: AtomicU64,
    pub(crate) salvaged: AtomicU64,
    pub(crate) conflicts: AtomicU64,
    pub(crate) intercepted: AtomicU64,
    pub(crate) credential_retries: AtomicU64,
    pub(crate) carried_units: AtomicU64,
    pub(crate) journal_rejected: AtomicU64,
    pub(crate) journals_adopted: AtomicU64,
    pub(crate) zero_calls: AtomicU64,
    pub(crate) waiting_secs: AtomicU64,
    pub(crate) metered_units: AtomicU64,
    pub(crate) sent_units: AtomicU64,
    pub(crate) lost_units: AtomicU64,
    /// Units in unsent records, as of the flusher's last count (without the undrained).
    pub(crate) pending_units: AtomicU64,
}

impl Counters {
    pub(crate) const fn new() -> Self {
        Counters {
            sent: AtomicU64::new(0),
            pending: AtomicU64::new(0),
            failed: AtomicU64::new(0),
            rejected_calls: AtomicU64::new(0),
            entitlement_errors: AtomicU64::new(0),
            carried: AtomicU64::new(0),
            journal_errors: AtomicU64::new(0),
            untagged_overflow: AtomicU64::new(0),
            tags_untagged: AtomicU64::new(0),
            salvaged: AtomicU64::new(0),
            conflicts: AtomicU64::new(0),
            intercepted: AtomicU64::new(0),
            credential_retries: AtomicU64::new(0),
            carried_units: AtomicU64::new(0),
            journal_rejected: AtomicU64::new(0),
            journals_adopted: AtomicU64::new(0),
            zero_calls: AtomicU64::new(0),
            waiting_secs: AtomicU64::new(0),
            metered_units: AtomicU64::new(0),
            sent_units: AtomicU64::new(0),
            lost_units: AtomicU64::new(0),
            pending_units: AtomicU64::new(0),
        }
    }

    pub(crate) fn bump(counter: &AtomicU64) {
        counter.fetch_add(1, Relaxed);
    }

    pub(crate) fn add(counter: &AtomicU64, units: u64) {
        counter.fetch_add(units, Relaxed);
    }

    pub(crate) fn snapshot(&self) -> MeteringStats {
        MeteringStats {
            sent: self.sent.load(Relaxed),
            pending: self.pending.load(Relaxed),
            failed: self.failed.load(Relaxed),
            rejected_calls: self.rejected_calls.load(Relaxed),
            entitlement_errors: self.entitlement_errors.load(Relaxed),
            carried: self.carried.load(Relaxed),
            journal_errors: self.journal_errors.load(Relaxed),
            untagged_overflow: self.untagged_overflow.load(Relaxed),
            tags_untagged: self.tags_untagged.load(Relaxed),
            salvaged: self.salvaged.load(Relaxed),
            conflicts: self.conflicts.load(Relaxed),
            intercepted: self.intercepted.load(Relaxed),
            credential_retries: self.credential_retries.load(Relaxed),
            carried_units: self.carried_units.load(Relaxed),
            journal_rejected: self.journal_rejected.load(Relaxed),
            journals_adopted: self.journals_adopted.load(Relaxed),
            zero_calls: self.zero_calls.load(Relaxed),
            waiting_secs: self.waiting_secs.load(Relaxed),
            metered_units: self.metered_units.load(Relaxed),
            sent_units: self.sent_units.load(Relaxed),
            lost_units: self.lost_units.load(Relaxed),
            pending_units: self.pending_units.load(Relaxed),
        }
    }
}

impl MeteringStats {
    /// The line printed on stderr when metering ends, whatever the logging set-up: what was
    /// metered, billed, lost, and what still waits (`pending_units`, kept by the journal or
    /// lost with the process).
    pub(crate) fn exit_line(&self, pending_units: u64, journal: bool) -> String {
        let waiting = match (pending_units, journal) {
            (0, _) => String::new(),
            (n, true) => {
                format!("; {n} unit(s) not yet sent, kept in the journal for the next start")
            }
            (n, false) => {
                format!("; {n} unit(s) not yet sent and lost with the process (no journal)")
            }
        };
        format!(
            "mp-runtime: metering at exit: {} unit(s) metered, {} sent in {} record(s), {} lost \
             in {} record(s) refused or past their window{waiting}",
            self.metered_units, self.sent_units, self.sent, self.lost_units, self.failed
        )
    }
}

/// The process's counters.
pub(crate) static STATS: Counters = Counters::new();

/// What waits to be sent for one dimension.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Pending {
    pub(crate) records: u64,
    pub(crate) units: u64,
}

/// Where units went: counted for the process and for their dimension.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Units {
    /// Drained from `meter!` counters into a record.
    Metered,
    /// In a record the service accepted.
    Sent,
    /// In a record given up on.
    Lost,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snapshot_reads_each_counter() {
        let c = Counters::new();
        Counters::bump(&c.sent);
        Counters::bump(&c.failed);
        Counters::bump(&c.failed);
        c.pending.store(3, Relaxed);
        let s = c.snapshot();
        assert_eq!((s.sent, s.failed, s.pending, s.carried), (1, 2, 3, 0));
    }

    #[test]
    fn the_exit_line_says_what_was_billed_lost_and_left() {
        let c = Counters::new();
        Counters::add(&c.metered_units, 10);
        Counters::add(&c.sent_units, 7);
        Counters::bump(&c.sent);
        assert_eq!(
            c.snapshot().exit_line(3, false),
            "mp-runtime: metering at exit: 10 unit(s) metered, 7 sent in 1 record(s), 0 lost in \
             0 record(s) refused or past their window; 3 unit(s) not yet sent and lost with the \
             process (no journal)"
        );
    }
}
