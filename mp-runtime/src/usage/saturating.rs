//! A counter that saturates instead of wrapping: what `meter!` adds to, untagged or per tag
//! set. One relaxed `fetch_add` for any realistic quantity.

use std::sync::atomic::{AtomicU64, Ordering::Relaxed};

/// Where a counter saturates instead of wrapping. Half the range, so it never wraps: an add
/// that crosses it is clamped back after its `fetch_add`, and meanwhile a concurrent `take()`
/// must read the true sum. (Undoing a wrap after the fact cannot work: a `take()` between the
/// wrap and the undo drains a small wrong number, and the undo then wraps the emptied counter
/// to near 2^64, which bills the per-record maximum every hour.)
pub(crate) const CEILING: u64 = 1 << 63;
/// Quantities up to this take the fast path, one relaxed `fetch_add`. Passing the ceiling from
/// there would take 2^23 such adds in flight at once; larger quantities take a
/// compare-exchange loop that stops at the ceiling.
pub(crate) const FAST_UNITS: u64 = 1 << 40;

pub(crate) struct Saturating(AtomicU64);

impl Saturating {
    pub(crate) const fn new() -> Self {
        Saturating(AtomicU64::new(0))
    }

    /// Adds `units`, saturating at [`CEILING`]. Returns the units refused (0 unless the count
    /// since the last drain would pass the ceiling).
    #[inline]
    pub(crate) fn add(&self, units: u64) -> u64 {
        if units > FAST_UNITS {
            return self.add_large(units);
        }
        let before = self.0.fetch_add(units, Relaxed);
        if before <= CEILING - units {
            return 0;
        }
        self.clamp()
    }

    /// After a fast add that went past the ceiling: brings the counter back to it. If a
    /// `take()` drained it in between, there is nothing to clamp and nothing was refused.
    #[cold]
    fn clamp(&self) -> u64 {
        let mut refused = 0;
        let _ = self.0.fetch_update(Relaxed, Relaxed, |now| {
            refused = now.saturating_sub(CEILING);
            (refused > 0).then_some(CEILING)
        });
        refused
    }

    #[cold]
    fn add_large(&self, units: u64) -> u64 {
        let mut refused = 0;
        let _ = self.0.fetch_update(Relaxed, Relaxed, |now| {
            let room = CEILING.saturating_sub(now);
            refused = units.saturating_sub(room);
            Some(now + (units - refused))
        });
        refused
    }

    /// What is counted, without taking it.
    pub(crate) fn peek(&self) -> u64 {
        self.0.load(Relaxed)
    }

    pub(crate) fn take(&self) -> u64 {
        self.0.swap(0, Relaxed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The two steps of an add that crosses the ceiling, with a drain between them: the drain
    /// gets the true sum and the counter is left empty. (Wrapping then undoing with a
    /// `fetch_sub` would drain a small wrong number and leave the counter near 2^64.)
    #[test]
    fn a_drain_between_an_add_past_the_ceiling_and_its_clamp_leaves_no_wrapped_count() {
        let line = Saturating::new();
        assert_eq!(
            line.add(CEILING - 1),
            0,
            "the large path stops at the ceiling"
        );
        line.0.fetch_add(5, Relaxed); // the fast path's first step
        assert_eq!(line.take(), CEILING + 4, "the drain reads the true sum");
        assert_eq!(line.clamp(), 0, "nothing left to clamp, nothing refused");
        assert_eq!(line.take(), 0);
        // Without a drain in between, the clamp refuses what passed the ceiling.
        line.add(CEILING - 1);
        line.0.fetch_add(5, Relaxed);
        assert_eq!(line.clamp(), 4);
        assert_eq!(line.take(), CEILING);
        // Both paths together.
        assert_eq!(line.add(u64::MAX), CEILING - 1, "past the ceiling: refused");
        assert_eq!(line.add(7), 7);
        assert_eq!(line.take(), CEILING);
    }

    /// Threads adding near the ceiling while another drains: the drains add up to exactly
    /// what the adds kept (a wrap would create units out of nothing, or lose them), and no
    /// drain reads more than the ceiling plus the adds in flight.
    #[test]
    fn threads_adding_near_the_ceiling_while_draining_never_wrap() {
        const THREADS: usize = 3;
        const ADDS: usize = 20_000;
        let line = Saturating::new();
        let kept = |units: u64, refused: u64| i128::from(units) - i128::from(refused);
        let (added, drained, largest) = std::thread::scope(|s| {
            let adders: Vec<_> = (0..THREADS)
                .map(|_| {
                    s.spawn(|| {
                        (0..ADDS)
                            .map(|_| kept(FAST_UNITS, line.add(FAST_UNITS)))
                            .sum::<i128>()
                    })
                })
                .collect();
            let (mut added, mut drained, mut largest) = (0i128, 0i128, 0u64);
            while adders.iter().any(|a| !a.is_finished()) {
                let taken = line.take();
                largest = largest.max(taken);
                drained += i128::from(taken);
                // Back up to where one more fast add would wrap a plain 64-bit counter.
                let preload = u64::MAX - FAST_UNITS;
                added += kept(preload, line.add(preload));
            }
            for adder in adders {
                added += adder.join().unwrap();
            }
            (added, drained + i128::from(line.take()), largest)
        });
        assert_eq!(drained, added, "every unit kept is drained once");
        assert!(
            largest <= CEILING + THREADS as u64 * FAST_UNITS,
            "{largest}"
        );
    }
}
