//! Property tests of the hourly aggregator, through the real `meter!` counters, with
//! fixed seeds. docs/marketplace-rules.md ("MeterUsage"): one record per dimension per hour, at most
//! 2,147,483,647 units and 2,500 allocations in a record, the allocations within the
//! quantity. What they prove:
//! - the same calls between the same hour boundaries give the same per-hour records, in any
//!   order and whatever drains happen in between (`grouping_...`), equal to a model computed
//!   independently (including the carry past the per-record maximum);
//! - under any sequence of meters, drains, hour boundaries, freezes, sends and "already
//!   taken" answers, no unit is lost, counted twice or billed in an hour before it was
//!   metered, and a frozen record never changes (`random_operations_...`);
//! - past 2,499 tag sets in an hour the total is still exact (`tag_set_cap_...`);
//! - threads metering while another drains lose nothing (`threads_...`).

use super::aggregator::{Aggregator, Key, MAX_QUANTITY, MAX_TAG_SETS, Record, State};
use super::counter::{Dimension, Tags, record, record_tagged};
use super::hour::Hour;
use crate::fixed_seed::config;
use proptest::prelude::*;
use std::collections::BTreeMap;

/// This suite's seed.
const SEED: u64 = 0x6167_6772_6567_6174;

fn hour(n: u64) -> Hour {
    Hour::from_start_secs(n * 3600)
}

const TENANTS: [&str; 4] = ["a", "b", "c", "d"];

/// One `meter!` call: dimension index, quantity, and an optional tenant tag.
#[derive(Clone, Debug)]
struct Call {
    dimension: usize,
    quantity: u64,
    tenant: Option<usize>,
}

/// Mostly small quantities, sometimes near or above the per-record maximum so hours carry.
fn quantity() -> impl Strategy<Value = u64> {
    prop_oneof![
        6 => 0u64..1_000,
        1 => (MAX_QUANTITY / 2)..(MAX_QUANTITY + 10),
        1 => Just(3 * MAX_QUANTITY + 1),
    ]
}

fn call(dimensions: usize) -> impl Strategy<Value = Call> {
    (
        0..dimensions,
        quantity(),
        prop::option::weighted(0.4, 0..TENANTS.len()),
    )
        .prop_map(|(dimension, quantity, tenant)| Call {
            dimension,
            quantity,
            tenant,
        })
}

fn meter(dimensions: &[&'static Dimension], c: &Call) {
    let dimension = dimensions[c.dimension];
    match c.tenant {
        Some(t) => record_tagged(dimension, c.quantity, &[("tenant", TENANTS[t])]),
        None => record(dimension, c.quantity),
    }
}

fn tags(tenant: usize) -> Tags {
    vec![("tenant".to_owned(), TENANTS[tenant].to_owned())]
}

/// Empties the counters: each case starts from zero.
fn reset(dimensions: &[&'static Dimension]) {
    for d in dimensions {
        d.take();
    }
}

/// What the flusher does at shutdown: freeze and send everything, carries included, until
/// nothing is left.
fn send_everything(agg: &mut Aggregator) {
    let far = hour(1_000_000);
    loop {
        let due = agg.due(far, true);
        if due.is_empty() {
            return;
        }
        for key in due {
            agg.freeze(&key);
            agg.set_state(&key, State::Sent);
        }
    }
}

/// Each record's quantity and its non-zero allocations, by key.
type Snapshot = BTreeMap<Key, (u64, Vec<(Tags, u64)>)>;

/// Records with usage, as comparable values: allocations sorted by tags. Zero allocations
/// (`meter!(d, 0, tags = ..)`) are left out: whether one is kept depends on whether the same
/// drain saw other usage of the dimension, and it bills nothing.
fn snapshot(agg: &Aggregator) -> Snapshot {
    agg.records()
        .filter(|r| r.quantity > 0)
        .map(|r| {
            let mut allocations: Vec<_> = r
                .allocations
                .iter()
                .filter(|a| a.quantity > 0)
                .map(|a| (a.tags.clone(), a.quantity))
                .collect();
            allocations.sort();
            (r.key(), (r.quantity, allocations))
        })
        .collect()
}

/// Shape rules every record obeys at any time.
fn check_record_shape(r: &Record) -> Result<(), TestCaseError> {
    prop_assert_eq!(r.key(), (r.hour, r.dimension.clone()));
    prop_assert!(
        r.allocations.len() <= MAX_TAG_SETS,
        "{} allocations",
        r.allocations.len()
    );
    let tagged: u64 = r.allocations.iter().map(|a| a.quantity).sum();
    prop_assert!(
        tagged <= r.quantity,
        "allocations {tagged} > quantity {}",
        r.quantity
    );
    let mut seen: Vec<&Tags> = r.allocations.iter().map(|a| &a.tags).collect();
    seen.sort();
    seen.dedup();
    prop_assert_eq!(
        seen.len(),
        r.allocations.len(),
        "a tag set twice in one record"
    );
    if r.state != State::Open && r.state != State::Taken {
        prop_assert!(
            r.quantity <= MAX_QUANTITY,
            "a frozen record above the maximum"
        );
    }
    Ok(())
}

/// Per-hour quantities computed without the aggregator: each hour's sum plus what the hour
/// before carried, cut at the maximum, the rest carried on.
fn model(per_hour: &[u64]) -> BTreeMap<u64, u64> {
    let mut out = BTreeMap::new();
    let mut carried = 0u64;
    let mut h = 0u64;
    while (h as usize) < per_hour.len() || carried > 0 {
        let q = per_hour.get(h as usize).copied().unwrap_or(0) + carried;
        carried = q.saturating_sub(MAX_QUANTITY);
        if q > 0 {
            out.insert(h, q - carried);
        }
        h += 1;
    }
    out
}

/// Calls per hour, and for each of two schedules: the calls' order within each hour and
/// where extra drains go.
#[derive(Clone, Debug)]
struct Schedule {
    order: Vec<Vec<Call>>,
    drains: Vec<Vec<bool>>,
}

fn schedules(dimensions: usize) -> impl Strategy<Value = (Vec<Vec<Call>>, Schedule, Schedule)> {
    prop::collection::vec(prop::collection::vec(call(dimensions), 0..12), 1..5).prop_flat_map(
        |hours| {
            let schedule = || {
                let order: Vec<_> = hours
                    .iter()
                    .map(|h| Just(h.clone()).prop_shuffle())
                    .collect();
                let drains: Vec<_> = hours
                    .iter()
                    .map(|h| prop::collection::vec(any::<bool>(), h.len()))
                    .collect();
                (order, drains).prop_map(|(order, drains)| Schedule { order, drains })
            };
            (Just(hours.clone()), schedule(), schedule())
        },
    )
}

/// Runs one schedule: the hour's calls in the given order with drains in between, a drain
/// closing each hour, then (as the flusher does at each boundary) the ended hours frozen and
/// sent; at the end everything is sent.
fn run(dimensions: &[&'static Dimension], s: &Schedule) -> Aggregator {
    reset(dimensions);
    let mut agg = Aggregator::default();
    for (h, (calls, drains)) in s.order.iter().zip(&s.drains).enumerate() {
        let h = h as u64;
        for (c, drain) in calls.iter().zip(drains) {
            meter(dimensions, c);
            if *drain {
                agg.drain(hour(h), dimensions);
            }
        }
        agg.drain(hour(h), dimensions);
        for key in agg.due(hour(h + 1), false) {
            agg.freeze(&key);
            agg.set_state(&key, State::Sent);
        }
    }
    send_everything(&mut agg);
    agg
}

proptest! {
    #![proptest_config(config(2_000, SEED))]

    /// Same calls between the same boundaries, any order, any drains: the same records, and
    /// the ones the model predicts.
    #[test]
    fn grouping_and_order_within_an_hour_do_not_change_the_records(
        (hours, first, second) in schedules(2)
    ) {
        static D0: Dimension = Dimension::new("props-grouping-0");
        static D1: Dimension = Dimension::new("props-grouping-1");
        let dimensions: [&'static Dimension; 2] = [&D0, &D1];

        let a = run(&dimensions, &first);
        let b = run(&dimensions, &second);
        for r in a.records().chain(b.records()) {
            check_record_shape(r)?;
        }
        let (sa, sb) = (snapshot(&a), snapshot(&b));
        for (i, d) in dimensions.iter().enumerate() {
            let per_hour: Vec<u64> = hours
                .iter()
                .map(|calls| calls.iter().filter(|c| c.dimension == i).map(|c| c.quantity).sum())
                .collect();
            let expected = model(&per_hour);
            // A carry starts only in an hour that alone passes the maximum.
            let carries = per_hour.iter().any(|q| *q > MAX_QUANTITY);
            for s in [&sa, &sb] {
                let got: BTreeMap<u64, u64> = s
                    .iter()
                    .filter(|((_, name), _)| name == d.name())
                    .map(|((h, _), (q, _))| (h.start_secs() / 3600, *q))
                    .collect();
                prop_assert_eq!(&got, &expected, "dimension {}", d.name());
                // Every tagged unit is attributed once, whatever record it ended in.
                for (t, tenant) in TENANTS.iter().enumerate() {
                    let metered: u64 = hours.iter().flatten()
                        .filter(|c| c.dimension == i && c.tenant == Some(t))
                        .map(|c| c.quantity).sum();
                    let attributed: u64 = s.iter()
                        .filter(|((_, name), _)| name == d.name())
                        .flat_map(|(_, (_, allocations))| allocations)
                        .filter(|(tags, _)| *tags == self::tags(t))
                        .map(|(_, q)| q).sum();
                    prop_assert_eq!(metered, attributed, "tenant {}", tenant);
                }
            }
            if !carries {
                // Without a carry (which takes from tag sets in first-seen order), even the
                // allocations are the same.
                let only = |s: &Snapshot| -> Vec<_> {
                    s.iter().filter(|((_, n), _)| n == d.name()).map(|(k, v)| (k.clone(), v.clone())).collect()
                };
                prop_assert_eq!(only(&sa), only(&sb));
            }
        }
    }
}

/// One step of the random-operations run.
#[derive(Clone, Debug)]
enum Op {
    Meter(Call),
    Drain,
    /// The clock passes an hour boundary (with or without a drain first).
    NextHour {
        drain_first: bool,
    },
    /// Freeze the due records of the current hour (or all, as at shutdown); then each is
    /// answered: sent, failed, or already taken for that hour (its usage moves on).
    Send {
        include_current: bool,
        answer: u8,
    },
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        6 => call(2).prop_map(Op::Meter),
        2 => Just(Op::Drain),
        1 => any::<bool>().prop_map(|drain_first| Op::NextHour { drain_first }),
        2 => (any::<bool>(), any::<u8>()).prop_map(|(include_current, answer)| Op::Send { include_current, answer }),
    ]
}

proptest! {
    #![proptest_config(config(1_000, SEED))]

    /// Whatever happens in whatever order: conservation (records + still-counted == metered,
    /// failed included), no unit billed before the hour it was metered in, frozen records
    /// fixed, one record per (dimension, hour), allocations within quantity.
    #[test]
    fn random_operations_lose_nothing_and_never_change_a_frozen_record(
        ops in prop::collection::vec(op(), 1..80)
    ) {
        static D0: Dimension = Dimension::new("props-random-0");
        static D1: Dimension = Dimension::new("props-random-1");
        let dimensions: [&'static Dimension; 2] = [&D0, &D1];
        reset(&dimensions);

        let mut agg = Aggregator::default();
        let mut now = 0u64;
        // Metered per (dimension, hour metered in); undrained per dimension.
        let mut metered: BTreeMap<(usize, u64), u64> = BTreeMap::new();
        let mut undrained = [0u64; 2];
        let mut frozen: BTreeMap<Key, Record> = BTreeMap::new();
        let mut answers = 0usize;

        for op in &ops {
            match op {
                Op::Meter(c) => {
                    meter(&dimensions, c);
                    *metered.entry((c.dimension, now)).or_default() += c.quantity;
                    undrained[c.dimension] += c.quantity;
                }
                Op::Drain => {
                    agg.drain(hour(now), &dimensions);
                    undrained = [0; 2];
                }
                Op::NextHour { drain_first } => {
                    if *drain_first {
                        agg.drain(hour(now), &dimensions);
                        undrained = [0; 2];
                    }
                    now += 1;
                }
                Op::Send { include_current, answer } => {
                    for key in agg.due(hour(now), *include_current) {
                        agg.freeze(&key);
                        answers += 1;
                        match (answer.wrapping_add(answers as u8)) % 4 {
                            0 | 1 => { agg.set_state(&key, State::Sent); }
                            2 => { agg.set_state(&key, State::Failed); }
                            _ => {
                                agg.move_on(&key);
                                frozen.remove(&key);
                            }
                        }
                    }
                }
            }
            for r in agg.records() {
                check_record_shape(r)?;
                match (r.state, frozen.get(&r.key())) {
                    (State::Open, Some(_)) => prop_assert!(false, "a frozen record reopened"),
                    (State::Open | State::Taken, _) => {}
                    (_, Some(before)) => {
                        prop_assert_eq!(r.quantity, before.quantity, "frozen quantity changed");
                        prop_assert_eq!(&r.allocations, &before.allocations);
                    }
                    (_, None) => {
                        frozen.insert(r.key(), r.clone());
                    }
                }
            }
            for (i, d) in dimensions.iter().enumerate() {
                let mine = || agg.records().filter(|r| r.dimension == d.name());
                let in_records: u64 = mine().map(|r| r.quantity).sum();
                let total: u64 = metered.iter().filter(|((di, _), _)| *di == i).map(|(_, q)| q).sum();
                prop_assert_eq!(in_records + undrained[i], total, "dimension {}", d.name());
                // Up to each hour, records never hold more than was metered by then.
                for upto in 0..=now {
                    let billed: u64 = mine().filter(|r| r.hour <= hour(upto)).map(|r| r.quantity).sum();
                    let by_then: u64 = metered.iter()
                        .filter(|((di, h), _)| *di == i && *h <= upto)
                        .map(|(_, q)| q).sum();
                    prop_assert!(billed <= by_then, "hour {upto}: {billed} billed, {by_then} metered");
                }
            }
        }
    }
}

proptest! {
    // Thousands of tag sets per case: few cases.
    #![proptest_config(config(12, SEED))]

    /// Past 2,499 tag sets in one hour the quantity is still exact, at most 2,499 sets are
    /// kept and the rest is billed untagged (docs/marketplace-rules.md: 2,500 allocations a record).
    #[test]
    fn tag_set_cap_keeps_the_total_exact(
        sets in 2_400usize..2_700,
        untagged in 0u64..100,
        drain_every in 1usize..1_500,
        seed in any::<u64>(),
    ) {
        static D: Dimension = Dimension::new("props-tag-cap");
        reset(&[&D]);
        let mut agg = Aggregator::default();
        let names: Vec<String> = (0..sets).map(|i| format!("t{}", (i as u64).wrapping_mul(seed | 1) % 100_000)).collect();
        let mut distinct = names.clone();
        distinct.sort();
        distinct.dedup();
        record(&D, untagged);
        for (i, name) in names.iter().enumerate() {
            record_tagged(&D, 2u8, &[("tenant", name.as_str())]);
            if i % drain_every == 0 {
                agg.drain(hour(0), &[&D]);
            }
        }
        agg.drain(hour(0), &[&D]);
        let r = agg.get(&(hour(0), D.name().to_owned())).expect("one record");
        check_record_shape(r)?;
        prop_assert_eq!(r.quantity, untagged + 2 * sets as u64);
        prop_assert_eq!(r.allocations.len(), distinct.len().min(MAX_TAG_SETS));
        let over = distinct.len().saturating_sub(MAX_TAG_SETS);
        prop_assert!(r.untagged() >= untagged + 2 * over as u64);
        prop_assert_eq!(agg.records().count(), 1);
    }
}

/// Real threads: four meter (tagged and not) while a fifth drains again and again, moving the
/// hour on every so often; afterwards the records hold exactly what was metered.
#[test]
fn threads_metering_while_another_drains_lose_nothing() {
    static D: Dimension = Dimension::new("props-threads");
    const THREADS: u64 = 4;
    const CALLS: u64 = 50_000;
    reset(&[&D]);
    let (agg, metered) = std::thread::scope(|s| {
        let meters: Vec<_> = (0..THREADS)
            .map(|t| {
                s.spawn(move || {
                    let mut sum = 0;
                    for i in 0..CALLS {
                        let q = (i * 7 + t) % 13;
                        if i % 5 == 0 {
                            record_tagged(&D, q, &[("tenant", TENANTS[t as usize])]);
                        } else {
                            record(&D, q);
                        }
                        sum += q;
                    }
                    sum
                })
            })
            .collect();
        let mut agg = Aggregator::default();
        let mut drains = 0u64;
        while meters.iter().any(|m| !m.is_finished()) {
            agg.drain(hour(drains / 50), &[&D]);
            drains += 1;
        }
        let metered: u64 = meters.into_iter().map(|m| m.join().unwrap()).sum();
        agg.drain(hour(drains / 50), &[&D]);
        (agg, metered)
    });
    let billed: u64 = agg.records().map(|r| r.quantity).sum();
    assert_eq!(billed, metered);
    let hours: Vec<_> = agg.records().map(Record::key).collect();
    let mut unique = hours.clone();
    unique.dedup();
    assert_eq!(hours, unique, "one record per dimension and hour");
    for t in 0..THREADS {
        let expected: u64 = (0..CALLS)
            .filter(|i| i % 5 == 0)
            .map(|i| (i * 7 + t) % 13)
            .sum();
        let attributed: u64 = agg
            .records()
            .flat_map(|r| &r.allocations)
            .filter(|a| a.tags == tags(t as usize))
            .map(|a| a.quantity)
            .sum();
        assert_eq!(attributed, expected, "tenant {}", TENANTS[t as usize]);
    }
}
