//! Where "now" comes from, as a trait: the metering thread and the flusher take a clock, so
//! tests (and local-testing builds, through `local_testing`) can run many hours in no time.

#[cfg(test)]
use std::time::Duration;
use std::time::SystemTime;

/// Where "now" comes from.
pub(crate) trait Clock: Send + Sync + 'static {
    fn now(&self) -> SystemTime;
}

/// The machine's clock.
pub(crate) struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> SystemTime {
        SystemTime::now()
    }
}

/// A clock tests move by hand.
#[cfg(test)]
pub(crate) struct ManualClock(std::sync::Mutex<SystemTime>);

#[cfg(test)]
impl ManualClock {
    pub(crate) fn at(t: SystemTime) -> std::sync::Arc<ManualClock> {
        std::sync::Arc::new(ManualClock(std::sync::Mutex::new(t)))
    }

    pub(crate) fn set(&self, t: SystemTime) {
        *self.0.lock().unwrap() = t;
    }

    pub(crate) fn advance(&self, by: Duration) {
        let mut now = self.0.lock().unwrap();
        *now += by;
    }
}

#[cfg(test)]
impl Clock for ManualClock {
    fn now(&self) -> SystemTime {
        *self.0.lock().unwrap()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::UNIX_EPOCH;

    fn at(secs: u64) -> SystemTime {
        UNIX_EPOCH + Duration::from_secs(secs)
    }

    #[test]
    fn manual_clock_moves() {
        let clock = ManualClock::at(at(10));
        clock.advance(Duration::from_secs(5));
        assert_eq!(clock.now(), at(15));
        clock.set(at(1));
        assert_eq!(clock.now(), at(1));
    }
}
