//! What the keeper concludes from its own clocks between License Manager's answers. A buyer
//! can stop those answers (egress blocked, the role's policy detached), so neither the
//! license's end nor the seller's offline limit may wait for one: past the end on the wall
//! clock the license is expired, and once no check has been answered for longer than the
//! limit (monotonic) the last state is no longer trusted.

use super::state::{LicenseStatus, Snapshot};
use std::time::{Duration, Instant, SystemTime};

/// Marks an active license whose end has passed at `now` as expired; whether it did.
pub(crate) fn expire_if_ended(snapshot: &mut Snapshot, now: SystemTime) -> bool {
    let ended = snapshot.status == LicenseStatus::Active
        && snapshot.expires_at.is_some_and(|end| now >= end);
    if ended {
        snapshot.status = LicenseStatus::Expired;
    }
    ended
}

/// How long the last answered check is trusted.
#[derive(Debug)]
pub(crate) struct Trust {
    /// When the last check License Manager answered (a state, or an explicit refusal) was
    /// asked.
    answered_at: Instant,
    /// The seller's `offline_limit`; `None` when turned off.
    limit: Option<Duration>,
}

impl Trust {
    pub(crate) fn new(answered_at: Instant, limit: Option<Duration>) -> Self {
        Trust { answered_at, limit }
    }

    /// A check asked at `asked_at` was answered.
    pub(crate) fn answered(&mut self, asked_at: Instant) {
        self.answered_at = self.answered_at.max(asked_at);
    }

    /// The limit, if no check has been answered for longer than it at `now`.
    pub(crate) fn exceeded(&self, now: Instant) -> Option<Duration> {
        self.limit
            .filter(|limit| now.saturating_duration_since(self.answered_at) >= *limit)
    }

    /// How long ago the last answered check was asked.
    pub(crate) fn since_answer(&self, now: Instant) -> Duration {
        now.saturating_duration_since(self.answered_at)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HOUR: Duration = Duration::from_secs(3600);

    fn active_until(end: Option<SystemTime>) -> Snapshot {
        Snapshot {
            status: LicenseStatus::Active,
            expires_at: end,
            ..Snapshot::unknown()
        }
    }

    #[test]
    fn the_end_passing_on_the_clock_expires_the_license_without_an_answer() {
        let now = SystemTime::now();
        let mut ends_later = active_until(Some(now + HOUR));
        assert!(!expire_if_ended(&mut ends_later, now));
        assert_eq!(ends_later.status, LicenseStatus::Active);
        let mut ended = active_until(Some(now));
        assert!(expire_if_ended(&mut ended, now));
        assert_eq!(ended.status, LicenseStatus::Expired);
        // Once only: an expired license is not expired again.
        assert!(!expire_if_ended(&mut ended, now + HOUR));
        let mut endless = active_until(None);
        assert!(!expire_if_ended(&mut endless, now + 1000 * HOUR));
        // A refusal's status stands.
        let mut refused = Snapshot {
            status: LicenseStatus::NotEntitled,
            ..active_until(Some(now))
        };
        assert!(!expire_if_ended(&mut refused, now));
        assert_eq!(refused.status, LicenseStatus::NotEntitled);
    }

    #[test]
    fn the_last_state_is_trusted_for_the_limit_after_the_last_answer() {
        let start = Instant::now();
        let mut trust = Trust::new(start, Some(6 * HOUR));
        assert_eq!(
            trust.exceeded(start + 6 * HOUR - Duration::from_secs(1)),
            None
        );
        assert_eq!(trust.exceeded(start + 6 * HOUR), Some(6 * HOUR));
        trust.answered(start + 5 * HOUR);
        assert_eq!(trust.exceeded(start + 10 * HOUR), None);
        assert_eq!(trust.exceeded(start + 11 * HOUR), Some(6 * HOUR));
        assert_eq!(trust.since_answer(start + 11 * HOUR), 6 * HOUR);
        // An answer to an older question does not move it back.
        trust.answered(start + HOUR);
        assert_eq!(trust.since_answer(start + 11 * HOUR), 6 * HOUR);
    }

    #[test]
    fn the_limit_turned_off_trusts_the_last_state_for_ever() {
        let start = Instant::now();
        let trust = Trust::new(start, None);
        assert_eq!(trust.exceeded(start + 10_000 * HOUR), None);
    }
}
