//! The emulator's notion of "now", settable so tests can cover the 6-hour MeterUsage window
//! without waiting. Time keeps flowing from the point it was set to.

use std::sync::Mutex;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

#[derive(Debug, Default)]
pub(crate) struct Clock {
    /// Seconds added to the real clock (may be negative).
    offset_secs: Mutex<f64>,
}

impl Clock {
    pub(crate) fn now(&self) -> SystemTime {
        let offset = *self.offset_secs.lock().unwrap_or_else(|e| e.into_inner());
        shift(SystemTime::now(), offset)
    }

    pub(crate) fn now_epoch_secs(&self) -> f64 {
        epoch_secs(self.now())
    }

    pub(crate) fn set_now(&self, now: SystemTime) {
        self.set_offset(epoch_secs(now) - epoch_secs(SystemTime::now()));
    }

    pub(crate) fn set_offset(&self, offset_secs: f64) {
        *self.offset_secs.lock().unwrap_or_else(|e| e.into_inner()) = offset_secs;
    }
}

/// Seconds since the Unix epoch, negative before it.
pub(crate) fn epoch_secs(t: SystemTime) -> f64 {
    match t.duration_since(UNIX_EPOCH) {
        Ok(d) => d.as_secs_f64(),
        Err(e) => -e.duration().as_secs_f64(),
    }
}

/// The time `secs` seconds after the Unix epoch (before it if negative).
pub(crate) fn from_epoch_secs(secs: f64) -> SystemTime {
    shift(UNIX_EPOCH, secs)
}

/// `2026-01-01T12:00:00Z`: RFC 3339 in UTC, whole seconds, as AWS writes timestamps in
/// credentials documents and License Manager's ISO 8601 members.
pub(crate) fn rfc3339(t: SystemTime) -> String {
    let t = time::OffsetDateTime::from(t)
        .replace_nanosecond(0)
        .unwrap_or_else(|_| t.into());
    t.format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}

fn shift(t: SystemTime, secs: f64) -> SystemTime {
    let d = Duration::try_from_secs_f64(secs.abs()).unwrap_or(Duration::ZERO);
    if secs >= 0.0 {
        t.checked_add(d).unwrap_or(t)
    } else {
        t.checked_sub(d).unwrap_or(t)
    }
}

/// `2026-01-01T12:00:00Z` for epoch seconds: License Manager's ISO 8601 strings.
pub(crate) fn iso8601(epoch_secs: f64) -> String {
    rfc3339(from_epoch_secs(epoch_secs))
}

/// `2026-01-01T12:00Z` for an hour's start in epoch seconds: the ledger table's hours, which
/// never have seconds.
pub(crate) fn utc_hour(epoch_secs: u64) -> String {
    let full = iso8601(epoch_secs as f64);
    match full.strip_suffix(":00Z") {
        Some(minutes) if full.len() == "2026-01-01T12:00:00Z".len() => format!("{minutes}Z"),
        _ => full,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn set_now_moves_the_clock_and_time_keeps_flowing() {
        let clock = Clock::default();
        let past = UNIX_EPOCH + Duration::from_secs(1_000_000);
        clock.set_now(past);
        let now = epoch_secs(clock.now());
        assert!((1_000_000.0..1_000_060.0).contains(&now), "{now}");
    }

    #[test]
    fn hours_and_times_read_as_utc_date_times() {
        assert_eq!(utc_hour(1_796_302_800), "2026-12-03T13:00Z");
        assert_eq!(iso8601(1_796_302_824.75), "2026-12-03T13:00:24Z");
    }
}
