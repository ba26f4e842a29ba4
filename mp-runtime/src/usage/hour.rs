//! UTC hours, the unit AWS meters in: a record's timestamp is its hour's start, and a record
//! can be sent until that timestamp is 6 hours old. The clock is a trait so tests can run
//! many hours in no time.

use serde::{Deserialize, Serialize};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

pub(crate) use mp_marketplace_rules::time::HOUR_SECS;
use mp_marketplace_rules::time::{RECORD_WINDOW_SECS, hour_start};

/// MeterUsage accepts timestamps up to 6 hours old.
pub(crate) const WINDOW: Duration = Duration::from_secs(RECORD_WINDOW_SECS);
/// Stop retrying a little before the window closes, so a slow last call is not refused.
const WINDOW_MARGIN: Duration = Duration::from_secs(60);

/// The start of the latest hour arithmetic on hours reaches (about the year 36800): far
/// beyond any real clock, and with room for a window on top in every `SystemTime`.
const LATEST_START: u64 = hour_start(1 << 40);

/// A UTC hour, as the epoch second it starts at.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub(crate) struct Hour(u64);

impl Hour {
    /// The hour `t` falls in (times before 1970 count as the first hour).
    pub(crate) fn of(t: SystemTime) -> Hour {
        let secs = t.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs());
        Hour(hour_start(secs))
    }

    #[cfg(test)]
    pub(crate) fn from_start_secs(secs: u64) -> Hour {
        Hour(hour_start(secs))
    }

    /// Epoch seconds of the hour's start: the record's timestamp.
    pub(crate) fn start_secs(self) -> u64 {
        self.0
    }

    /// The hour's start as a time; an hour past what a `SystemTime` holds (only a forged
    /// journal line can name one) saturates to the latest hour there is.
    pub(crate) fn start(self) -> SystemTime {
        UNIX_EPOCH + Duration::from_secs(self.0.min(LATEST_START))
    }

    /// The hour after; the latest hour there is has no later one and stays itself.
    pub(crate) fn next(self) -> Hour {
        Hour(self.0.saturating_add(HOUR_SECS).min(LATEST_START))
    }

    /// After this, a record of this hour is no longer worth sending.
    pub(crate) fn last_send(self) -> SystemTime {
        self.start() + WINDOW - WINDOW_MARGIN
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(secs: u64) -> SystemTime {
        UNIX_EPOCH + Duration::from_secs(secs)
    }

    #[test]
    fn truncates_to_the_utc_hour() {
        assert_eq!(Hour::of(at(7200)).start_secs(), 7200);
        assert_eq!(Hour::of(at(10799)).start_secs(), 7200);
        assert_eq!(Hour::of(at(10800)).start_secs(), 10800);
        assert_eq!(
            Hour::of(UNIX_EPOCH - Duration::from_secs(5)).start_secs(),
            0
        );
        assert_eq!(Hour::of(at(3601)).next().start_secs(), 7200);
    }

    #[test]
    fn window_closes_a_minute_before_six_hours() {
        let h = Hour::of(at(3600));
        assert_eq!(h.last_send(), at(3600 + 6 * 3600 - 60));
    }

    #[test]
    fn an_hour_past_any_clock_saturates_instead_of_overflowing() {
        let forged = Hour(18_446_744_073_709_548_000);
        assert_eq!(forged.start(), Hour(LATEST_START).start());
        assert!(forged.last_send() > forged.start());
        assert_eq!(forged.next(), Hour(LATEST_START));
        assert_eq!(Hour(u64::MAX).next().start_secs() % HOUR_SECS, 0);
    }
}
