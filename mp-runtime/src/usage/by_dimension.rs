//! The units of each dimension, and the process's totals the seller reads
//! ([`metering_stats`]): metered, sent and lost as they happen, pending as of the flusher's
//! last count, plus what `meter!` holds undrained when read. Written by the flusher's thread
//! only, under one lock that `meter!` never takes.

use super::counter;
use super::stats::{Counters, MeteringStats, Pending, STATS, Units};
use std::collections::BTreeMap;
use std::sync::Mutex;

/// One dimension's units, from [`metering_stats_by_dimension`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct DimensionStats {
    /// The dimension's API name.
    pub dimension: String,
    /// Units `meter!` counted, including those not yet drained into hourly records.
    pub metered_units: u64,
    /// Units in records the service accepted.
    pub sent_units: u64,
    /// Units not yet sent: in records waiting to be sent, and counted by `meter!` since the
    /// last drain.
    pub pending_units: u64,
    /// Records waiting to be sent, as the flusher last counted them (see
    /// [`MeteringStats::pending`](crate::MeteringStats::pending)).
    pub pending_records: u64,
    /// Units in records given up on: refused by the service (a dimension the listing does
    /// not have, the buyer unsubscribed) or still unsent when their 6-hour window closed.
    pub lost_units: u64,
}

#[derive(Clone, Copy, Default)]
struct Tally {
    metered: u64,
    sent: u64,
    lost: u64,
    pending: Pending,
}

type Tallies = BTreeMap<String, Tally>;

static BY_DIMENSION: Mutex<Tallies> = Mutex::new(BTreeMap::new());

fn tallies() -> std::sync::MutexGuard<'static, Tallies> {
    BY_DIMENSION.lock().unwrap_or_else(|e| e.into_inner())
}

/// Adds `units` of `kind` to the process's total and to `dimension`'s.
pub(crate) fn count_units(kind: Units, dimension: &str, units: u64) {
    let total = match kind {
        Units::Metered => &STATS.metered_units,
        Units::Sent => &STATS.sent_units,
        Units::Lost => &STATS.lost_units,
    };
    Counters::add(total, units);
    count(kind, dimension, units);
}

/// Sent, pending and failed hourly records, and the other counts in [`MeteringStats`].
///
/// Each field is read on its own while metering goes on, so a drain or a send that
/// completes during the call may show in one field and not yet in another. Reading takes
/// the read locks of each dimension's tag sets, one shard at a time; a tagged `meter!` takes
/// them too, so neither waits for the other. The same per dimension:
/// [`metering_stats_by_dimension`](crate::metering_stats_by_dimension).
///
/// For the seller's own health checks and logs:
///
/// ```
/// let stats = mp_runtime::metering_stats();
/// if stats.failed > 0 || stats.journal_errors > 0 {
///     eprintln!("usage records lost or at risk: {stats:?}");
/// }
/// # assert_eq!(stats.sent, 0, "nothing is metered outside a custom-pricing program");
/// ```
pub fn metering_stats() -> MeteringStats {
    let mut stats = STATS.snapshot();
    let undrained = counter::undrained()
        .iter()
        .fold(0u64, |sum, (_, units)| sum.saturating_add(*units));
    stats.metered_units = stats.metered_units.saturating_add(undrained);
    stats.pending_units = stats.pending_units.saturating_add(undrained);
    stats
}

/// Adds `units` to the dimension's count of `kind`.
pub(crate) fn count(kind: Units, dimension: &str, units: u64) {
    let mut all = tallies();
    let tally = match all.get_mut(dimension) {
        Some(tally) => tally,
        None => all.entry(dimension.to_owned()).or_default(),
    };
    let slot = match kind {
        Units::Metered => &mut tally.metered,
        Units::Sent => &mut tally.sent,
        Units::Lost => &mut tally.lost,
    };
    *slot = slot.saturating_add(units);
}

/// What waits per dimension now; a dimension missing from `pending` has nothing waiting.
pub(crate) fn set_pending(pending: BTreeMap<String, Pending>) {
    replace_pending(&mut tallies(), pending);
}

fn replace_pending(all: &mut Tallies, mut pending: BTreeMap<String, Pending>) {
    for (dimension, tally) in all.iter_mut() {
        tally.pending = pending.remove(dimension).unwrap_or_default();
    }
    for (dimension, waiting) in pending {
        all.entry(dimension).or_default().pending = waiting;
    }
}

/// [`metering_stats`](crate::metering_stats) per dimension, in name order: every dimension
/// this process metered or recovered from its journal.
///
/// ```
/// for d in mp_runtime::metering_stats_by_dimension() {
///     println!("{}: {} metered, {} sent, {} lost", d.dimension, d.metered_units, d.sent_units, d.lost_units);
/// }
/// ```
pub fn metering_stats_by_dimension() -> Vec<DimensionStats> {
    let mut all = tallies().clone();
    for (dimension, units) in counter::undrained() {
        let tally = all.entry(dimension.to_owned()).or_default();
        tally.metered = tally.metered.saturating_add(units);
        tally.pending.units = tally.pending.units.saturating_add(units);
    }
    all.into_iter()
        .map(|(dimension, t)| DimensionStats {
            dimension,
            metered_units: t.metered,
            sent_units: t.sent,
            pending_units: t.pending.units,
            pending_records: t.pending.records,
            lost_units: t.lost,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::usage::counter::{Dimension, record as meter};

    fn of(dimension: &str) -> DimensionStats {
        metering_stats_by_dimension()
            .into_iter()
            .find(|d| d.dimension == dimension)
            .unwrap_or_default()
    }

    #[test]
    fn undrained_usage_counts_as_metered_and_pending_at_once() {
        static D: Dimension = Dimension::new("by_dimension_undrained");
        meter(&D, 5u8);
        let d = of("by_dimension_undrained");
        assert_eq!((d.metered_units, d.pending_units, d.sent_units), (5, 5, 0));
        assert_eq!(d.pending_records, 0, "records are counted by the flusher");
        assert_eq!(D.take().0, 5);
    }

    #[test]
    fn counts_add_up() {
        let name = "by_dimension_counts";
        count(Units::Metered, name, 7);
        count(Units::Sent, name, 4);
        count(Units::Lost, name, 1);
        count(Units::Sent, name, 2);
        let d = of(name);
        assert_eq!((d.metered_units, d.sent_units, d.lost_units), (7, 6, 1));
    }

    /// On a map of its own: the flusher tests running alongside set the process's.
    #[test]
    fn pending_is_replaced_as_a_whole() {
        let waiting = |records, units| Pending { records, units };
        let mut all = Tallies::new();
        replace_pending(
            &mut all,
            BTreeMap::from([
                ("a".to_owned(), waiting(1, 2)),
                ("b".to_owned(), waiting(2, 9)),
            ]),
        );
        replace_pending(&mut all, BTreeMap::from([("b".to_owned(), waiting(1, 3))]));
        assert_eq!(
            all["a"].pending,
            Pending::default(),
            "nothing waits for a any more"
        );
        assert_eq!(all["b"].pending, waiting(1, 3));
    }
}
