//! Time rules: records are per hour, and the service takes a record only while its
//! timestamp is less than 6 hours old.

/// Seconds in the metering hour a record belongs to.
pub const HOUR_SECS: u64 = 3_600;

/// How old a `MeterUsage` timestamp may be: 6 hours. `RegisterUsage` must likewise come
/// within 6 hours of the task or pod starting.
pub const RECORD_WINDOW_SECS: u64 = 6 * HOUR_SECS;

/// The start of the UTC hour holding `epoch_secs`: the service keeps one record per
/// product, dimension, task or pod, and this hour.
pub const fn hour_start(epoch_secs: u64) -> u64 {
    epoch_secs - epoch_secs % HOUR_SECS
}

/// Whether a record stamped `timestamp_secs` is still inside the window at `now_secs`.
/// A timestamp in the future is outside it too (beyond `future_skew_secs`).
pub const fn in_window(timestamp_secs: u64, now_secs: u64, future_skew_secs: u64) -> bool {
    if timestamp_secs > now_secs {
        timestamp_secs - now_secs <= future_skew_secs
    } else {
        now_secs - timestamp_secs <= RECORD_WINDOW_SECS
    }
}
