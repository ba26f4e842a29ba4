//! Fuzz-style smoke run of journal recovery, in `cargo test` with a fixed seed.
//! What it proves (docs/marketplace-rules.md, "One record per hour per dimension per task/pod"):
//! whatever the file holds (arbitrary bytes, or a valid journal truncated, bit-flipped,
//! spliced with garbage, its lines dropped or repeated), `recover` never panics, yields each
//! (dimension, hour) at most once, and yields only records some intact line carried (an Open
//! one possibly frozen after damage), so it never invents a quantity. On an undamaged journal
//! it yields exactly the last states. Forged lines (any JSON the writer could be made to
//! checksum: any hour, quantity, state, allocations, tags) never panic either, and every
//! record that comes back is one this runtime could have written (`validate::check`).

use super::validate::check;
use super::{checksummed, line, recover};
use crate::fixed_seed::config;
use crate::usage::aggregator::{Allocation, MAX_QUANTITY, Record, State};
use crate::usage::hour::Hour;
use proptest::prelude::*;
use std::collections::{BTreeMap, HashSet};
use std::time::{Duration, UNIX_EPOCH};

/// The hour recovery runs in; records are from it and the five before it, all in the window.
const NOW_HOUR: u64 = 500_000;

/// This suite's seed.
const SEED: u64 = 0x6a6f_7572_6e61_6c31;

fn now() -> std::time::SystemTime {
    UNIX_EPOCH + Duration::from_secs(NOW_HOUR * 3600 + 600)
}

fn state() -> impl Strategy<Value = State> {
    prop_oneof![
        Just(State::Open),
        Just(State::Frozen),
        Just(State::Sent),
        Just(State::Failed),
        Just(State::Taken),
    ]
}

/// A record this runtime can write: its quantity fits its state.
fn record() -> impl Strategy<Value = Record> {
    (
        prop_oneof![Just("requests"), Just("data_gb"), Just("é\n\"x\"")],
        NOW_HOUR - 5..=NOW_HOUR,
        1..=u64::from(u32::MAX),
        state(),
    )
        .prop_map(|(dimension, hour, quantity, state)| Record {
            dimension: dimension.into(),
            hour: Hour::from_start_secs(hour * 3600),
            quantity: match state {
                State::Taken => 0,
                State::Open => quantity,
                _ => quantity.min(MAX_QUANTITY),
            },
            allocations: Vec::new(),
            state,
            salvaged: false,
            untransmitted: false,
            identity: None,
        })
}

/// Anything a forger can put in a record's fields, checksummed as the writer would.
fn forged_line() -> impl Strategy<Value = String> {
    let tag = (
        prop_oneof![Just("tenant".to_owned()), ".{0,3}", "[a-z]{101}"],
        prop_oneof![Just("acme".to_owned()), ".{0,3}"],
    );
    let allocation = (proptest::collection::vec(tag, 0..7), any::<u64>())
        .prop_map(|(tags, quantity)| Allocation { tags, quantity });
    (
        prop_oneof![Just("requests".to_owned()), ".{0,3}", "[a-z]{256}"],
        prop_oneof![
            Just(18_446_744_073_709_548_000u64),
            any::<u64>(),
            (NOW_HOUR - 8..=NOW_HOUR + 3).prop_map(|h| h * 3600),
            (NOW_HOUR - 8..=NOW_HOUR + 3).prop_map(|h| h * 3600 + 1),
        ],
        prop_oneof![
            any::<u64>(),
            Just(0u64),
            Just(MAX_QUANTITY),
            Just(MAX_QUANTITY + 1)
        ],
        proptest::collection::vec(allocation, 0..4),
        state(),
        any::<bool>(),
    )
        .prop_map(
            |(dimension, hour, quantity, allocations, state, salvaged)| {
                let json = serde_json::json!({
                    "dimension": dimension,
                    "hour": hour,
                    "quantity": quantity,
                    "allocations": allocations,
                    "state": state,
                    "salvaged": salvaged,
                });
                checksummed(&json.to_string())
            },
        )
}

/// One way a disk, a crash or a hand edit damages a journal.
#[derive(Debug, Clone)]
enum Damage {
    Truncate(usize),
    Flip(usize, u8),
    Splice(usize, Vec<u8>),
    DropLine(usize),
    RepeatLine(usize),
}

fn damage() -> impl Strategy<Value = Damage> {
    prop_oneof![
        any::<usize>().prop_map(Damage::Truncate),
        (any::<usize>(), 1..=255u8).prop_map(|(at, bit)| Damage::Flip(at, bit)),
        (
            any::<usize>(),
            proptest::collection::vec(any::<u8>(), 0..40)
        )
            .prop_map(|(at, bytes)| Damage::Splice(at, bytes)),
        any::<usize>().prop_map(Damage::DropLine),
        any::<usize>().prop_map(Damage::RepeatLine),
    ]
}

fn apply(bytes: &mut Vec<u8>, damage: &Damage) {
    let len = bytes.len().max(1);
    match damage {
        Damage::Truncate(at) => bytes.truncate(at % len),
        Damage::Flip(at, bit) => {
            if let Some(b) = bytes.get_mut(at % len) {
                *b ^= bit;
            }
        }
        Damage::Splice(at, garbage) => {
            let at = (at % len).min(bytes.len());
            bytes.splice(at..at, garbage.iter().copied());
        }
        Damage::DropLine(n) | Damage::RepeatLine(n) => {
            let mut lines: Vec<Vec<u8>> = bytes
                .split_inclusive(|b| *b == b'\n')
                .map(<[u8]>::to_vec)
                .collect();
            if lines.is_empty() {
                return;
            }
            let n = n % lines.len();
            if matches!(damage, Damage::DropLine(_)) {
                lines.remove(n);
            } else {
                let again = lines[n].clone();
                lines.insert(n, again);
            }
            *bytes = lines.concat();
        }
    }
}

fn journal(records: &[Record], header: bool) -> Vec<u8> {
    let mut bytes = if header {
        b"mp-journal 1\n".to_vec()
    } else {
        Vec::new()
    };
    for record in records {
        bytes.extend_from_slice(line(record).as_bytes());
    }
    bytes
}

/// Each (dimension, hour) at most once, and every record one that a written line carried.
fn assert_sound(bytes: &[u8], written: &[Record]) {
    let rec = recover(bytes, now());
    let mut keys = HashSet::new();
    for r in rec.records.iter().chain(&rec.expired) {
        assert!(keys.insert(r.key()), "{:?} recovered twice", r.key());
        let carried = |w: &Record| {
            w == r
                || (w.state == State::Open && r.state == State::Frozen && {
                    let mut frozen = w.clone();
                    frozen.state = State::Frozen;
                    frozen == *r
                })
        };
        assert!(written.iter().any(carried), "invented: {r:?}");
    }
}

proptest! {
    #![proptest_config(config(512, SEED))]

    #[test]
    fn forged_lines_with_good_checksums_never_panic_and_only_possible_records_come_back(
        forged in proptest::collection::vec(forged_line(), 0..24),
        records in proptest::collection::vec(record(), 0..8),
    ) {
        let mut bytes = journal(&records, true);
        for line in &forged {
            bytes.extend_from_slice(line.as_bytes());
        }
        let rec = recover(&bytes, now());
        for r in rec.records.iter().chain(&rec.expired) {
            let possible = check(r, Hour::of(now()));
            prop_assert!(possible.is_ok(), "{:?}: {:?}", possible, r);
            let _ = (r.hour.start(), r.hour.next(), r.hour.last_send());
        }
    }

    #[test]
    fn arbitrary_bytes_never_panic_nor_yield_a_record(
        bytes in proptest::collection::vec(any::<u8>(), 0..2048),
    ) {
        assert_sound(&bytes, &[]);
    }

    #[test]
    fn a_damaged_journal_yields_only_what_intact_lines_carried_once_each(
        records in proptest::collection::vec(record(), 0..24),
        header in any::<bool>(),
        damages in proptest::collection::vec(damage(), 1..4),
    ) {
        let mut bytes = journal(&records, header);
        for d in &damages {
            apply(&mut bytes, d);
        }
        assert_sound(&bytes, &records);
    }

    #[test]
    fn an_intact_journal_yields_exactly_the_last_state_of_each_record(
        records in proptest::collection::vec(record(), 0..24),
        header in any::<bool>(),
    ) {
        let rec = recover(&journal(&records, header), now());
        let mut last = BTreeMap::new();
        for r in &records {
            last.insert(r.key(), r.clone());
        }
        let expected: Vec<Record> = last.into_values().collect();
        prop_assert_eq!(rec.records, expected);
        prop_assert_eq!(rec.skipped, 0);
    }
}
