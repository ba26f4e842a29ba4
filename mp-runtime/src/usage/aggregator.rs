//! Counters -> hourly records, one per (dimension, hour), the unit MeterUsage takes.
//!
//! Usage drained at time `t` belongs to the hour of `t` (the flusher drains at every
//! checkpoint and right after each hour boundary, so at most the seconds before a drain can
//! land in the next hour; a unit is never attributed to an hour before it happened). A record
//! is Open while its hour runs, Frozen once a send was attempted (its quantity is then fixed,
//! so a retry can never bill a different amount), then Sent, Failed, or Taken.
//!
//! The service keeps ONE record per hour per dimension, with a quantity of at most
//! 2,147,483,647. A larger hour is not split into several records (the service would refuse
//! the second as a duplicate) nor cut (that would drop billable usage): the record is sent
//! with the maximum and the excess is carried into the next hour's record, with a warning.
//! Usage that arrives for an hour whose record is already frozen also goes to the next hour.
//!
//! A record that never left the process (never attempted, or every attempt failed to
//! connect) and whose window is closing is carried into the current hour: the service never
//! saw it, so billing its units in a later hour bills them once.
//!
//! A record takes at most 2,500 allocations. Past 2,499 tag sets in one hour, a new tag set's
//! usage is billed in the record's untagged share (the last slot): the total is never cut,
//! only the attribution of that tail is lost, and it is logged and counted.

use super::by_dimension;
use super::counter::Dimension;
use super::hour::Hour;
use super::stats::{Pending, STATS, Units};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::Ordering::Relaxed;

pub(crate) use super::counter::{MAX_TAG_SETS, Tags};
pub(crate) use mp_marketplace_rules::MAX_QUANTITY;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum State {
    /// Still accumulating.
    Open,
    /// Quantity fixed; being sent.
    Frozen,
    /// Accepted by the service.
    Sent,
    /// Given up on (refused, or its window closed).
    Failed,
    /// The service already held another quantity for this hour; the usage moved on.
    Taken,
    /// Never transmitted and its window closed: the usage moved to the hour then open.
    Carried,
}

/// A share of a record attributed to a tag set.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Allocation {
    pub(crate) tags: Tags,
    pub(crate) quantity: u64,
}

/// One dimension's usage for one hour.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Record {
    pub(crate) dimension: String,
    pub(crate) hour: Hour,
    pub(crate) quantity: u64,
    /// Tagged shares; the rest of `quantity` was metered without tags.
    pub(crate) allocations: Vec<Allocation>,
    pub(crate) state: State,
    /// The service refused the allocations; the total goes out without them, under a
    /// client token of its own.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub(crate) salvaged: bool,
    /// Frozen, yet every attempt so far failed before a request left the process (no
    /// connection). Cleared while an attempt is under way, so a crash mid-attempt leaves
    /// "may have been transmitted"; absent (an older journal) means the same.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub(crate) untransmitted: bool,
    /// The identity of the process whose client token the record goes out under, when not
    /// this one's: a record a dead process may have sent, taken over from its journal.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) identity: Option<String>,
}

impl Record {
    /// A record of nothing yet, open for `dimension` in `hour`.
    pub(crate) fn open(dimension: String, hour: Hour) -> Record {
        Record {
            dimension,
            hour,
            quantity: 0,
            allocations: Vec::new(),
            state: State::Open,
            salvaged: false,
            untransmitted: false,
            identity: None,
        }
    }

    pub(crate) fn key(&self) -> Key {
        (self.hour, self.dimension.clone())
    }

    /// No request for this record can have reached the service, so its usage may be billed
    /// in another hour.
    pub(crate) fn never_transmitted(&self) -> bool {
        match self.state {
            State::Open => true,
            State::Frozen => self.untransmitted,
            State::Sent | State::Failed | State::Taken | State::Carried => false,
        }
    }

    /// What `quantity` holds beyond the tagged shares.
    pub(crate) fn untagged(&self) -> u64 {
        let tagged: u64 = self.allocations.iter().map(|a| a.quantity).sum();
        self.quantity.saturating_sub(tagged)
    }

    /// Adds usage; returns the allocations that changed, with their new quantities. Each
    /// incoming tag set is found through an index built for the call, so a drain of n tag
    /// sets into a record of m costs n + m, not n * m.
    fn absorb(&mut self, quantity: u64, allocations: Vec<Allocation>) -> Vec<Allocation> {
        self.quantity = self.quantity.saturating_add(quantity);
        let plan = self.plan(&allocations);
        let (mut over_sets, mut over_units) = (0u64, 0u64);
        let mut changed = Vec::new();
        for (a, slot) in allocations.into_iter().zip(plan) {
            match slot {
                Slot::Zero => {}
                Slot::At(i) => {
                    let mine = &mut self.allocations[i];
                    mine.quantity = mine.quantity.saturating_add(a.quantity);
                    changed.push(i);
                }
                Slot::New => {
                    changed.push(self.allocations.len());
                    self.allocations.push(a);
                }
                Slot::Over => {
                    // Already in `quantity`, so it is billed in the untagged share.
                    over_sets += 1;
                    over_units = over_units.saturating_add(a.quantity);
                }
            }
        }
        if over_sets > 0 {
            STATS.untagged_overflow.fetch_add(over_units, Relaxed);
            tracing::warn!(
                dimension = %self.dimension,
                hour = self.hour.start_secs(),
                tag_sets = over_sets,
                quantity = over_units,
                "metering: more than {MAX_TAG_SETS} tag sets in one hour; this usage is billed \
                 untagged (MeterUsage takes 2,500 allocations per record)"
            );
        }
        changed.sort_unstable();
        changed.dedup();
        changed
            .into_iter()
            .map(|i| self.allocations[i].clone())
            .collect()
    }

    /// Where each incoming allocation goes, looked up without copying a tag set.
    fn plan(&self, incoming: &[Allocation]) -> Vec<Slot> {
        if incoming.is_empty() {
            return Vec::new();
        }
        let mut at: HashMap<&Tags, usize> = self
            .allocations
            .iter()
            .enumerate()
            .map(|(i, a)| (&a.tags, i))
            .collect();
        let mut next = self.allocations.len();
        incoming
            .iter()
            .map(|a| {
                if a.quantity == 0 {
                    // A zero share bills nothing and would only take one of the 2,500 slots.
                    return Slot::Zero;
                }
                if let Some(&i) = at.get(&a.tags) {
                    return Slot::At(i);
                }
                if next >= MAX_TAG_SETS {
                    return Slot::Over;
                }
                at.insert(&a.tags, next);
                next += 1;
                Slot::New
            })
            .collect()
    }
}

/// Where one incoming allocation goes in a record.
enum Slot {
    Zero,
    At(usize),
    New,
    Over,
}

/// What a drain changed in an Open record: its new quantity and the new quantities of the
/// tag sets that grew. The journal writes this instead of the whole record, so a drain costs
/// what changed, not every tag set of the hour.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Growth {
    pub(crate) dimension: String,
    pub(crate) hour: Hour,
    pub(crate) quantity: u64,
    pub(crate) allocations: Vec<Allocation>,
}

impl Growth {
    pub(crate) fn key(&self) -> Key {
        (self.hour, self.dimension.clone())
    }

    /// Applies to `record` (Open, of the same key): quantities are totals, so a growth
    /// applied twice changes nothing more. Returns false, leaving `record` as it was, if its
    /// new tag sets would not fit in one record.
    pub(crate) fn apply(&self, record: &mut Record) -> bool {
        let at: HashMap<&Tags, usize> = record
            .allocations
            .iter()
            .enumerate()
            .map(|(i, a)| (&a.tags, i))
            .collect();
        let slots: Vec<Option<usize>> = self
            .allocations
            .iter()
            .map(|a| at.get(&a.tags).copied())
            .collect();
        let new = slots.iter().filter(|slot| slot.is_none()).count();
        if record.allocations.len() + new > MAX_TAG_SETS {
            return false;
        }
        record.quantity = self.quantity;
        for (a, slot) in self.allocations.iter().zip(slots) {
            match slot {
                Some(i) => record.allocations[i].quantity = a.quantity,
                None => record.allocations.push(a.clone()),
            }
        }
        true
    }
}

/// Oldest hour first, then dimension: the order a backlog is sent in.
pub(crate) type Key = (Hour, String);

#[derive(Default)]
pub(crate) struct Aggregator {
    records: BTreeMap<Key, Record>,
}

impl Aggregator {
    /// Picks up records recovered from a journal.
    pub(crate) fn restore(records: impl IntoIterator<Item = Record>) -> Self {
        Aggregator {
            records: records.into_iter().map(|r| (r.key(), r)).collect(),
        }
    }

    /// Drains every counter into the records of `now`'s hour; returns what grew.
    pub(crate) fn drain(&mut self, hour: Hour, dimensions: &[&'static Dimension]) -> Vec<Growth> {
        let mut grown = Vec::new();
        for dimension in dimensions {
            let (quantity, tagged) = dimension.drain(hour.start_secs());
            if quantity == 0 {
                continue;
            }
            by_dimension::count_units(Units::Metered, dimension.name(), quantity);
            let allocations = tagged
                .into_iter()
                .map(|(tags, quantity)| Allocation { tags, quantity })
                .collect();
            grown.push(self.grow(dimension.name(), hour, quantity, allocations));
        }
        grown
    }

    /// Adds usage to `hour`'s record, or to the first later hour still open; returns that
    /// record.
    pub(crate) fn add(
        &mut self,
        dimension: &str,
        hour: Hour,
        quantity: u64,
        allocations: Vec<Allocation>,
    ) -> Record {
        let growth = self.grow(dimension, hour, quantity, allocations);
        self.records[&growth.key()].clone()
    }

    /// [`add`](Self::add), returning only what changed.
    fn grow(
        &mut self,
        dimension: &str,
        mut hour: Hour,
        quantity: u64,
        allocations: Vec<Allocation>,
    ) -> Growth {
        loop {
            let key = (hour, dimension.to_owned());
            let record = self
                .records
                .entry(key)
                .or_insert_with(|| Record::open(dimension.to_owned(), hour));
            if record.state == State::Open {
                let allocations = record.absorb(quantity, allocations);
                return Growth {
                    dimension: dimension.to_owned(),
                    hour,
                    quantity: record.quantity,
                    allocations,
                };
            }
            hour = hour.next();
        }
    }

    /// Records to send now, oldest first: every unsent record of an hour that has ended (or,
    /// at shutdown, every unsent record up to the current hour).
    pub(crate) fn due(&self, current: Hour, include_current: bool) -> Vec<Key> {
        self.records
            .values()
            .filter(|r| matches!(r.state, State::Open | State::Frozen))
            .filter(|r| r.hour < current || (include_current && r.hour == current))
            .filter(|r| r.quantity > 0)
            .map(Record::key)
            .collect()
    }

    pub(crate) fn get(&self, key: &Key) -> Option<&Record> {
        self.records.get(key)
    }

    /// Fixes the record's quantity before its first send, carrying anything above the
    /// per-record maximum to the next hour. Returns the records changed (frozen one first).
    pub(crate) fn freeze(&mut self, key: &Key) -> Vec<Record> {
        let Some(record) = self.records.get_mut(key) else {
            return Vec::new();
        };
        if record.state != State::Open {
            return vec![record.clone()];
        }
        record.state = State::Frozen;
        let excess = record.quantity.saturating_sub(MAX_QUANTITY);
        if excess == 0 {
            return vec![record.clone()];
        }
        let moved = take_excess(record, excess);
        let frozen = record.clone();
        let dimension = frozen.dimension.clone();
        let carried = self.add(&dimension, frozen.hour.next(), excess, moved);
        vec![frozen, carried]
    }

    /// Sets a record's state; returns it.
    pub(crate) fn set_state(&mut self, key: &Key, state: State) -> Option<Record> {
        let record = self.records.get_mut(key)?;
        record.state = state;
        Some(record.clone())
    }

    /// The service already holds another quantity for this hour: mark it Taken and move the
    /// usage to the next open hour. Returns the records changed.
    pub(crate) fn move_on(&mut self, key: &Key) -> Vec<Record> {
        self.shift(key, State::Taken, key.0.next())
    }

    /// A record that never left the process and whose window is closing: mark it Carried and
    /// add its usage to `into` (the current hour), or the first later hour still open. The
    /// usage goes out under that hour's client token. Returns the records changed.
    pub(crate) fn carry(&mut self, key: &Key, into: Hour) -> Vec<Record> {
        self.shift(key, State::Carried, into)
    }

    /// Empties a record into the first open hour from `into` on, leaving it in `state`.
    fn shift(&mut self, key: &Key, state: State, into: Hour) -> Vec<Record> {
        let Some(record) = self.records.get_mut(key) else {
            return Vec::new();
        };
        record.state = state;
        record.untransmitted = false;
        let (quantity, allocations) = (record.quantity, std::mem::take(&mut record.allocations));
        record.quantity = 0;
        let left = record.clone();
        let moved = self.add(&left.dimension, into, quantity, allocations);
        vec![left, moved]
    }

    /// Records whether every attempt at a frozen record failed before it left the process;
    /// returns the record if that changed.
    pub(crate) fn set_untransmitted(&mut self, key: &Key, untransmitted: bool) -> Option<Record> {
        let record = self.records.get_mut(key)?;
        if record.untransmitted == untransmitted {
            return None;
        }
        record.untransmitted = untransmitted;
        Some(record.clone())
    }

    /// Drops a frozen record's allocations (the service refused them) so its total can be
    /// sent on its own. Returns the record, or `None` if it has none to drop.
    pub(crate) fn strip_allocations(&mut self, key: &Key) -> Option<Record> {
        let record = self.records.get_mut(key)?;
        if record.allocations.is_empty() {
            return None;
        }
        record.allocations.clear();
        record.salvaged = true;
        Some(record.clone())
    }

    /// Unsent records with usage.
    pub(crate) fn pending(&self) -> u64 {
        self.pending_by_dimension()
            .values()
            .map(|p| p.records)
            .sum()
    }

    /// Units in unsent records.
    pub(crate) fn pending_units(&self) -> u64 {
        self.pending_by_dimension().values().map(|p| p.units).sum()
    }

    /// Unsent records with usage, and their units, per dimension.
    pub(crate) fn pending_by_dimension(&self) -> BTreeMap<String, Pending> {
        let mut out: BTreeMap<String, Pending> = BTreeMap::new();
        let unsent = self
            .records
            .values()
            .filter(|r| matches!(r.state, State::Open | State::Frozen) && r.quantity > 0);
        for record in unsent {
            let pending = out.entry(record.dimension.clone()).or_default();
            pending.records += 1;
            pending.units = pending.units.saturating_add(record.quantity);
        }
        out
    }

    /// Every record.
    #[cfg(test)]
    pub(crate) fn records(&self) -> impl Iterator<Item = &Record> {
        self.records.values()
    }

    /// Forgets finished records of hours before `oldest` (memory stays bounded).
    pub(crate) fn forget_before(&mut self, oldest: Hour) {
        self.records.retain(|(hour, _), r| {
            *hour >= oldest || matches!(r.state, State::Open | State::Frozen)
        });
    }
}

/// Takes `excess` out of a record: from the untagged part first, then from the tag sets in
/// order. Returns the tagged shares taken.
fn take_excess(record: &mut Record, excess: u64) -> Vec<Allocation> {
    let from_untagged = excess.min(record.untagged());
    let mut left = excess - from_untagged;
    let mut moved = Vec::new();
    for a in &mut record.allocations {
        if left == 0 {
            break;
        }
        let n = left.min(a.quantity);
        a.quantity -= n;
        left -= n;
        moved.push(Allocation {
            tags: a.tags.clone(),
            quantity: n,
        });
    }
    record.allocations.retain(|a| a.quantity > 0);
    record.quantity -= excess;
    moved
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::usage::counter::record as meter;

    fn h(n: u64) -> Hour {
        Hour::from_start_secs(n * 3600)
    }

    fn totals(agg: &Aggregator, dimension: &str) -> BTreeMap<Hour, u64> {
        agg.records()
            .filter(|r| r.dimension == dimension && r.quantity > 0)
            .map(|r| (r.hour, r.quantity))
            .collect()
    }

    /// Exhaustive over drain schedules: adds happen in time order over three hours, and a
    /// drain may or may not happen after each add (plus one at the end). Whatever the
    /// schedule, nothing is lost or counted twice, and no unit lands in an hour before the
    /// one it was metered in; with a drain closing each hour, per-hour totals are exact.
    #[test]
    fn any_drain_schedule_keeps_every_unit_in_its_hour_or_later() {
        static D: Dimension = Dimension::new("schedule");
        let adds: [(u64, u64); 7] = [(0, 1), (0, 2), (1, 4), (1, 8), (1, 16), (2, 32), (2, 64)];
        for schedule in 0u32..(1 << adds.len()) {
            let mut agg = Aggregator::default();
            let mut expected_earliest: BTreeMap<Hour, u64> = BTreeMap::new();
            let mut undrained: Vec<(u64, u64)> = Vec::new();
            for (i, &(hour, q)) in adds.iter().enumerate() {
                meter(&D, q);
                undrained.push((hour, q));
                if schedule & (1 << i) != 0 {
                    agg.drain(h(hour), &[&D]);
                    for (added_in, q) in undrained.drain(..) {
                        assert!(added_in <= hour);
                        *expected_earliest.entry(h(hour)).or_default() += q;
                    }
                }
            }
            agg.drain(h(2), &[&D]);
            for (_, q) in undrained.drain(..) {
                *expected_earliest.entry(h(2)).or_default() += q;
            }
            let got = totals(&agg, "schedule");
            assert_eq!(got.values().sum::<u64>(), 127, "schedule {schedule:b}");
            assert_eq!(got, expected_earliest, "schedule {schedule:b}");
            let closes_each_hour = [1, 4, 6].iter().all(|i| schedule & (1 << i) != 0);
            if closes_each_hour {
                assert_eq!(
                    got,
                    BTreeMap::from([(h(0), 3), (h(1), 28), (h(2), 96)]),
                    "schedule {schedule:b}"
                );
            }
        }
    }

    #[test]
    fn one_record_per_dimension_and_hour_merging_drains() {
        let mut agg = Aggregator::default();
        agg.add("a", h(1), 2, vec![]);
        agg.add("a", h(1), 3, vec![]);
        agg.add("b", h(1), 1, vec![]);
        agg.add("a", h(0), 7, vec![]);
        assert_eq!(agg.records().count(), 3);
        assert_eq!(
            agg.due(h(1), false),
            [(h(0), "a".to_string())],
            "the current hour waits"
        );
        assert_eq!(
            agg.due(h(1), true),
            [(h(0), "a".into()), (h(1), "a".into()), (h(1), "b".into())],
            "oldest first"
        );
        assert_eq!(agg.pending(), 3);
    }

    #[test]
    fn usage_for_a_frozen_hour_goes_to_the_next_hour() {
        let mut agg = Aggregator::default();
        agg.add("a", h(1), 5, vec![]);
        agg.freeze(&(h(1), "a".into()));
        let r = agg.add("a", h(1), 2, vec![]);
        assert_eq!((r.hour, r.quantity), (h(2), 2));
        assert_eq!(agg.get(&(h(1), "a".into())).unwrap().quantity, 5);
    }

    #[test]
    fn above_the_maximum_the_excess_is_carried_untagged_first() {
        let mut agg = Aggregator::default();
        let tags: Tags = vec![("tenant".into(), "t".into())];
        let over = MAX_QUANTITY + 10;
        agg.add(
            "a",
            h(1),
            over,
            vec![Allocation {
                tags: tags.clone(),
                quantity: over - 4,
            }],
        );
        let changed = agg.freeze(&(h(1), "a".into()));
        let (frozen, carried) = (&changed[0], &changed[1]);
        assert_eq!(
            (frozen.quantity, frozen.state),
            (MAX_QUANTITY, State::Frozen)
        );
        assert_eq!(frozen.untagged(), 0);
        assert_eq!(frozen.allocations[0].quantity, MAX_QUANTITY);
        assert_eq!((carried.hour, carried.quantity), (h(2), 10));
        assert_eq!(carried.allocations, [Allocation { tags, quantity: 6 }]);
    }

    #[test]
    fn a_zero_share_takes_no_allocation_slot() {
        let mut agg = Aggregator::default();
        let tags: Tags = vec![("tenant".into(), "t".into())];
        let r = agg.add("a", h(1), 0, vec![Allocation { tags, quantity: 0 }]);
        assert!(r.allocations.is_empty(), "{r:?}");
    }

    #[test]
    fn past_the_allocation_limit_tagged_usage_is_billed_untagged() {
        let mut agg = Aggregator::default();
        let tagged = |i: usize| Allocation {
            tags: vec![("tenant".into(), format!("t{i}"))],
            quantity: 2,
        };
        let before = STATS.untagged_overflow.load(Relaxed);
        for i in 0..MAX_TAG_SETS + 3 {
            agg.add("a", h(1), 2, vec![tagged(i)]);
        }
        agg.add("a", h(1), 2, vec![tagged(0)]); // a known tag set still adds up
        let r = agg.get(&(h(1), "a".into())).unwrap();
        assert_eq!(r.quantity, 2 * (MAX_TAG_SETS as u64 + 4), "nothing cut");
        assert_eq!(r.allocations.len(), MAX_TAG_SETS);
        assert_eq!(r.allocations[0].quantity, 4);
        assert_eq!(r.untagged(), 6, "three tag sets over the limit");
        assert!(STATS.untagged_overflow.load(Relaxed) - before >= 6);
    }

    #[test]
    fn a_taken_hour_moves_its_usage_on() {
        let mut agg = Aggregator::default();
        agg.add("a", h(1), 5, vec![]);
        let changed = agg.move_on(&(h(1), "a".into()));
        assert_eq!(changed[0].state, State::Taken);
        assert_eq!((changed[1].hour, changed[1].quantity), (h(2), 5));
        assert_eq!(agg.pending(), 1);
        agg.set_state(&(h(2), "a".into()), State::Sent);
        agg.forget_before(h(3));
        assert_eq!(agg.records().count(), 0);
    }
}
