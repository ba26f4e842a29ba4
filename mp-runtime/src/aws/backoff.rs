//! One jittered backoff for every retry, at start-up and in the flusher: full jitter, each
//! wait uniform in `0..=min(cap, base * 2^attempt)`, so many tasks failing together do not
//! retry in lockstep.

use std::time::Duration;

/// How a retry loop grows its waits.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Backoff {
    pub(crate) base: Duration,
    pub(crate) cap: Duration,
}

impl Backoff {
    /// The wait before retry number `attempt` (0-based).
    pub(crate) fn wait(self, attempt: u32) -> Duration {
        let ceiling = self
            .base
            .saturating_mul(1u32.checked_shl(attempt.min(20)).unwrap_or(u32::MAX))
            .min(self.cap);
        jitter(ceiling)
    }
}

/// A wait in `0..=max`, to the millisecond. The OS generator's `u64` reduced modulo the
/// range: its bias is below 2^-40 for any wait this crate uses, far below what spreading a
/// fleet's retries needs.
pub(crate) fn jitter(max: Duration) -> Duration {
    let span = u64::try_from(max.as_millis())
        .unwrap_or(u64::MAX)
        .saturating_add(1);
    // No OS randomness: no jitter, still a bounded wait.
    let draw = getrandom::u64().unwrap_or(0);
    Duration::from_millis(draw.checked_rem(span).unwrap_or(draw))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn waits_are_jittered_within_an_exponential_cap() {
        let backoff = Backoff {
            base: Duration::from_millis(100),
            cap: Duration::from_secs(3),
        };
        for attempt in 0..40 {
            let ceiling = (backoff.base * 2u32.pow(attempt.min(16))).min(backoff.cap);
            for _ in 0..50 {
                assert!(backoff.wait(attempt) <= ceiling);
            }
        }
    }

    #[test]
    fn jitter_spreads_over_the_whole_range() {
        let max = Duration::from_millis(1000);
        let waits: Vec<Duration> = (0..200).map(|_| jitter(max)).collect();
        assert!(waits.iter().all(|w| *w <= max));
        assert!(waits.iter().any(|w| *w < max / 4) && waits.iter().any(|w| *w > max * 3 / 4));
        assert_eq!(jitter(Duration::ZERO), Duration::ZERO);
    }
}
