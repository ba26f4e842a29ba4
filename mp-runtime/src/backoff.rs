//! One jittered backoff for every retry, at start-up and in the flusher: full jitter, each
//! wait uniform in `0..=min(cap, base * 2^attempt)`, so many tasks failing together do not
//! retry in lockstep.

use rand::Rng;
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

/// A uniform wait in `0..=max`.
pub(crate) fn jitter(max: Duration) -> Duration {
    Duration::from_millis(rand::rng().random_range(0..=max.as_millis() as u64))
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
}
