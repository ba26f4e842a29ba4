//! The keeper's two clocks. The wall clock is compared with the license's end, which
//! License Manager gives as a wall time. Everything the keeper schedules or bounds (the next
//! re-check, a seat's next extension and its lapse, how long since the last successful
//! check) runs on the monotonic clock, so a wall clock set back or forward moves none of it.
//! In local-testing builds the tests' clock offset moves both, the monotonic one never back.

use crate::build_mode::BuildMode;
use crate::env::Env;
use crate::local_testing::{self, ClockOffset, shifted};
use std::sync::Mutex;
use std::time::{Instant, SystemTime};

#[derive(Debug)]
pub(crate) struct LicenseClock {
    offset: Option<ClockOffset>,
    /// The latest monotonic time handed out: a smaller offset never moves it back.
    floor: Mutex<Option<Instant>>,
}

impl LicenseClock {
    pub(crate) fn new(mode: BuildMode, env: &dyn Env) -> Self {
        LicenseClock {
            offset: local_testing::clock_offset(mode, env),
            floor: Mutex::new(None),
        }
    }

    fn offset_secs(&self) -> i64 {
        self.offset.as_ref().map_or(0, ClockOffset::secs)
    }

    /// Now on the wall clock: for the license's end and the published `checked_at`.
    pub(crate) fn wall(&self) -> SystemTime {
        shifted(SystemTime::now(), self.offset_secs())
    }

    /// Now on the monotonic clock: for every deadline the keeper keeps.
    pub(crate) fn monotonic(&self) -> Instant {
        let now = shifted(Instant::now(), self.offset_secs());
        let mut floor = self.floor.lock().unwrap_or_else(|e| e.into_inner());
        let now = floor.map_or(now, |floor| floor.max(now));
        *floor = Some(now);
        now
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::env::env_of;
    use std::time::Duration;

    #[test]
    fn the_test_offset_moves_both_clocks_and_the_monotonic_one_never_back() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("offset");
        let env = env_of(&[("MP_TESTING_CLOCK_FILE", file.to_str().unwrap())]);
        let clock = LicenseClock::new(BuildMode::LocalTesting, &env);
        let start = clock.monotonic();
        std::fs::write(&file, "3600").unwrap();
        assert!(clock.monotonic() >= start + Duration::from_secs(3600));
        assert!(clock.wall() > SystemTime::now() + Duration::from_secs(3500));
        // The wall clock set back: the monotonic one stays where it was.
        std::fs::write(&file, "-7200").unwrap();
        assert!(clock.wall() < SystemTime::now() - Duration::from_secs(7100));
        assert!(clock.monotonic() >= start + Duration::from_secs(3600));
    }

    #[test]
    fn production_builds_ignore_the_offset() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("offset");
        std::fs::write(&file, "3600").unwrap();
        let env = env_of(&[("MP_TESTING_CLOCK_FILE", file.to_str().unwrap())]);
        let clock = LicenseClock::new(BuildMode::Production, &env);
        assert!(clock.wall() <= SystemTime::now());
        assert!(clock.monotonic() <= Instant::now());
    }
}
