//! Local-testing builds only: time the tests can move, so many "hours" run in seconds
//! together with mp-emulator's clock control. Production builds ignore all these variables
//! (the buyer controls the environment, and the clock must not be theirs to move).
//!
//! - `MP_TESTING_CLOCK_FILE=<path>`: the file holds an offset in seconds added to the
//!   system clock, re-read at every use (a missing or unreadable file means 0). Contract
//!   pricing's keeper adds it to its monotonic clock too (which never goes back), so the
//!   re-checks, seat extensions and offline limit it schedules move with the test's hours.
//! - `MP_TESTING_CHECKPOINT_MS=<n>`: how often counters are drained (default 1 s).
//! - `MP_TESTING_RETRY_CAP_MS=<n>`: the ceiling of the flusher's retry backoff (default
//!   300 s): the backoff waits in real time while the hours are simulated, so a fault
//!   suite would otherwise wait minutes between retries.
//! - `MP_TESTING_METERING_PANIC_PASS=<n>`: the metering thread panics in its n-th pass (from
//!   1), so a test can see the process end with exit 96 instead of serving unmetered.
//! - `MP_TESTING_LICENSE_TICK_MS=<n>`: how often contract pricing's keeper looks at the clock
//!   to re-check the license and extend held seats (default 60 s).

use crate::build_mode::BuildMode;
use crate::env::Env;
use crate::process::clock::{Clock, SystemClock};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

const CLOCK_FILE_VAR: &str = "MP_TESTING_CLOCK_FILE";
const CHECKPOINT_VAR: &str = "MP_TESTING_CHECKPOINT_MS";
const RETRY_CAP_VAR: &str = "MP_TESTING_RETRY_CAP_MS";
const METERING_PANIC_VAR: &str = "MP_TESTING_METERING_PANIC_PASS";
#[cfg(feature = "contract")]
const LICENSE_TICK_VAR: &str = "MP_TESTING_LICENSE_TICK_MS";

/// The offset the tests write in the clock file, in seconds, re-read at every use.
#[derive(Debug)]
pub(crate) struct ClockOffset(PathBuf);

impl ClockOffset {
    pub(crate) fn secs(&self) -> i64 {
        std::fs::read_to_string(&self.0)
            .ok()
            .and_then(|s| s.trim().parse::<i64>().ok())
            .unwrap_or(0)
    }
}

/// `time` moved by `secs` (back, as far as it can go, when negative).
pub(crate) fn shifted<T>(time: T, secs: i64) -> T
where
    T: Copy + std::ops::Add<Duration, Output = T>,
    T: CheckedSub,
{
    let shift = Duration::from_secs(secs.unsigned_abs());
    if secs >= 0 {
        time + shift
    } else {
        time.checked_back(shift).unwrap_or(time)
    }
}

/// Moving back, for both the wall clock's and the monotonic clock's time types.
pub(crate) trait CheckedSub: Sized {
    fn checked_back(&self, by: Duration) -> Option<Self>;
}

impl CheckedSub for SystemTime {
    fn checked_back(&self, by: Duration) -> Option<Self> {
        self.checked_sub(by)
    }
}

impl CheckedSub for std::time::Instant {
    fn checked_back(&self, by: Duration) -> Option<Self> {
        self.checked_sub(by)
    }
}

/// The system clock, shifted by the offset in a file.
struct FileOffsetClock(ClockOffset);

impl Clock for FileOffsetClock {
    fn now(&self) -> SystemTime {
        shifted(SystemTime::now(), self.0.secs())
    }
}

/// The test's clock offset in this build: `None` in production builds or without the file.
pub(crate) fn clock_offset(mode: BuildMode, env: &dyn Env) -> Option<ClockOffset> {
    match (mode, env.var(CLOCK_FILE_VAR)) {
        (BuildMode::LocalTesting, Some(path)) => Some(ClockOffset(path.into())),
        _ => None,
    }
}

/// The clock the flusher uses in this build.
pub(crate) fn clock(mode: BuildMode, env: &dyn Env) -> Arc<dyn Clock> {
    match clock_offset(mode, env) {
        Some(offset) => Arc::new(FileOffsetClock(offset)),
        None => Arc::new(SystemClock),
    }
}

/// The checkpoint interval in this build.
pub(crate) fn checkpoint(mode: BuildMode, env: &dyn Env, default: Duration) -> Duration {
    millis(mode, env, CHECKPOINT_VAR).unwrap_or(default)
}

/// The retry backoff's ceiling in this build.
pub(crate) fn retry_cap(mode: BuildMode, env: &dyn Env, default: Duration) -> Duration {
    millis(mode, env, RETRY_CAP_VAR).unwrap_or(default)
}

/// The metering pass that panics on purpose in this build, if any.
pub(crate) fn metering_panic_pass(mode: BuildMode, env: &dyn Env) -> Option<u64> {
    number(mode, env, METERING_PANIC_VAR)
}

/// How often the contract keeper wakes in this build.
#[cfg(feature = "contract")]
pub(crate) fn license_tick(mode: BuildMode, env: &dyn Env, default: Duration) -> Duration {
    millis(mode, env, LICENSE_TICK_VAR).unwrap_or(default)
}

/// A duration in milliseconds (at least 1) from `var`, in local-testing builds only.
fn millis(mode: BuildMode, env: &dyn Env, var: &str) -> Option<Duration> {
    number(mode, env, var).map(|ms| Duration::from_millis(ms).max(Duration::from_millis(1)))
}

/// A whole number from `var`, in local-testing builds only: production builds ignore it.
fn number(mode: BuildMode, env: &dyn Env, var: &str) -> Option<u64> {
    match mode {
        BuildMode::LocalTesting => env.var(var).and_then(|v| v.parse().ok()),
        BuildMode::Production => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::env::env_of;

    #[test]
    fn only_local_testing_builds_move_time() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("offset");
        std::fs::write(&file, "7200\n").unwrap();
        let env = env_of(&[
            (CLOCK_FILE_VAR, file.to_str().unwrap()),
            (CHECKPOINT_VAR, "25"),
            (RETRY_CAP_VAR, "40"),
        ]);
        let moved = clock(BuildMode::LocalTesting, &env).now();
        let ahead = moved.duration_since(SystemTime::now()).unwrap();
        assert!(ahead > Duration::from_secs(7100), "{ahead:?}");
        let fixed = clock(BuildMode::Production, &env).now();
        assert!(fixed <= SystemTime::now());
        let default = Duration::from_secs(10);
        assert_eq!(
            checkpoint(BuildMode::LocalTesting, &env, default),
            Duration::from_millis(25)
        );
        assert_eq!(checkpoint(BuildMode::Production, &env, default), default);
        let cap = Duration::from_secs(300);
        assert_eq!(
            retry_cap(BuildMode::LocalTesting, &env, cap),
            Duration::from_millis(40)
        );
        assert_eq!(retry_cap(BuildMode::Production, &env, cap), cap);
    }

    #[test]
    fn only_local_testing_builds_panic_on_purpose() {
        let env = env_of(&[(METERING_PANIC_VAR, "3")]);
        assert_eq!(metering_panic_pass(BuildMode::LocalTesting, &env), Some(3));
        assert_eq!(metering_panic_pass(BuildMode::Production, &env), None);
        let garbage = env_of(&[(METERING_PANIC_VAR, "soon")]);
        assert_eq!(metering_panic_pass(BuildMode::LocalTesting, &garbage), None);
    }

    #[test]
    fn a_missing_or_garbage_file_means_no_offset() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("offset");
        let env = env_of(&[(CLOCK_FILE_VAR, file.to_str().unwrap())]);
        let c = clock(BuildMode::LocalTesting, &env);
        assert!(c.now() <= SystemTime::now());
        std::fs::write(&file, "soon").unwrap();
        assert!(c.now() <= SystemTime::now());
        std::fs::write(&file, "-3600").unwrap();
        assert!(c.now() < SystemTime::now() - Duration::from_secs(3500));
    }
}
