//! How long usage has waited to be delivered: what `waiting_secs` reports and the offline
//! limit is checked against.
//!
//! The wait starts when the oldest record not yet settled became due (its hour ended) and
//! ends only when the service settles a record: accepts it, or answers for good (a refusal
//! the record cannot be repaired from). A record given up or carried because its window
//! closed while the endpoint was unreachable does not end it: otherwise an outage longer
//! than the window would restart the count every hour and never reach the limit. It never
//! counts from before the last settled call (start-up's, to begin with).

use std::time::{Duration, SystemTime};

pub(super) struct Waiting {
    /// When the oldest usage still waiting became due.
    since: Option<SystemTime>,
    /// When the service last settled a call.
    last_settled: SystemTime,
}

impl Waiting {
    /// Nothing waits; `started` is when start-up's call was accepted.
    pub(super) fn new(started: SystemTime) -> Self {
        Waiting {
            since: None,
            last_settled: started,
        }
    }

    /// The oldest due record now waiting became due at `due`, if any is.
    pub(super) fn observe(&mut self, due: Option<SystemTime>) {
        if let Some(due) = due {
            self.since = Some(self.since.map_or(due, |since| since.min(due)));
        }
    }

    /// The service settled a call at `at`: what waited before is done with.
    pub(super) fn settled(&mut self, at: SystemTime) {
        self.since = None;
        self.last_settled = self.last_settled.max(at);
    }

    /// How long usage has waited as of `now`; zero while nothing does.
    pub(super) fn at(&self, now: SystemTime) -> Duration {
        self.since.map_or(Duration::ZERO, |since| {
            now.duration_since(since.max(self.last_settled))
                .unwrap_or_default()
        })
    }
}

/// `6h`, `1h30m`, `90s`: a duration as an operator reads it.
pub(super) fn human(d: Duration) -> String {
    let secs = d.as_secs();
    let (h, m, s) = (secs / 3600, secs / 60 % 60, secs % 60);
    match (h, m, s) {
        (0, 0, s) => format!("{s}s"),
        (0, m, 0) => format!("{m}m"),
        (0, m, s) => format!("{m}m{s}s"),
        (h, 0, _) => format!("{h}h"),
        (h, m, _) => format!("{h}h{m}m"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::UNIX_EPOCH;

    fn hour(n: u64) -> SystemTime {
        UNIX_EPOCH + Duration::from_secs(n * 3600)
    }

    const HALF: Duration = Duration::from_secs(1800);

    /// Simulated hours with usage in each: accepted up to hour 1's record, then the endpoint
    /// unreachable for nine hours (records given up or carried as their windows close), then
    /// back.
    #[test]
    fn waiting_runs_from_the_oldest_due_record_until_the_service_settles_one() {
        let mut w = Waiting::new(hour(0) + HALF);
        w.observe(None);
        assert_eq!(w.at(hour(0) + HALF * 3 / 2), Duration::ZERO, "nothing due");
        // Hour 0's record is due at hour 1 and accepted at 1:05.
        w.observe(Some(hour(1)));
        w.settled(hour(1) + Duration::from_secs(300));
        assert_eq!(w.at(hour(1) + HALF), Duration::ZERO);
        // From hour 2 on nothing is accepted; the oldest due record changes as windows close.
        for n in 2..11u64 {
            let oldest_due = n.saturating_sub(5).max(2);
            w.observe(Some(hour(oldest_due)));
            assert_eq!(
                w.at(hour(n) + HALF),
                Duration::from_secs((n - 2) * 3600) + HALF,
                "hour {n}: counted from hour 2, when hour 1's record became due"
            );
        }
        // A window closed and nothing else is due: the wait goes on.
        w.observe(None);
        assert_eq!(w.at(hour(11)), Duration::from_secs(9 * 3600));
        // The endpoint is back: the next accepted call ends it.
        w.settled(hour(11) + HALF);
        w.observe(None);
        assert_eq!(w.at(hour(12)), Duration::ZERO);
        w.observe(Some(hour(12)));
        assert_eq!(w.at(hour(12) + HALF), HALF);
    }

    #[test]
    fn usage_due_before_the_process_started_waits_from_its_start() {
        let mut w = Waiting::new(hour(3) + HALF);
        w.observe(Some(hour(1)));
        assert_eq!(w.at(hour(4)), HALF);
    }

    #[test]
    fn durations_read_as_an_operator_writes_them() {
        let d = Duration::from_secs;
        assert_eq!(human(d(6 * 3600)), "6h");
        assert_eq!(human(d(6 * 3600 + 125)), "6h2m");
        assert_eq!(human(d(90)), "1m30s");
        assert_eq!(human(d(60)), "1m");
        assert_eq!(human(d(5)), "5s");
    }
}
