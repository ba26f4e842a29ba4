//! The tag rules the runtime checks before it sends a tag set (mp-marketplace-rules'
//! `check_tags`, `check_tag_key`, `check_tag_value`) agree with the emulator's answer to a
//! real signed MeterUsage from the real SDK client carrying those tags: 200 exactly when the
//! rules accept them, `InvalidTagException` otherwise. The strings sit around the rules'
//! edges: the length limits, the allowed punctuation and the characters just outside it,
//! non-ASCII and control characters.

mod support;

use aws_sdk_marketplacemetering::types::{Tag, UsageAllocation};
use aws_smithy_types::DateTime;
use mp_emulator::metering::DEMO_CUSTOM_PRODUCT;
use mp_emulator::{Emulator, EmulatorConfig};
use mp_marketplace_rules::{self as rules, MAX_TAG_KEY_LEN, MAX_TAG_VALUE_LEN, TAG_PUNCTUATION};
use proptest::prelude::*;
use std::cell::Cell;
use std::time::{Duration, Instant, UNIX_EPOCH};
use support::*;

/// Each case sends one request: a few hundred keep the run to seconds.
const CASES: u32 = 400;

/// Characters the rules refuse that a tag might plausibly hold: ASCII punctuation next to the
/// allowed set, non-ASCII letters and spaces, control characters.
const NEAR_MISSES: &[char] = &[
    '!', '#', '<', ',', ';', '\\', '*', '"', '\'', '>', '?', '[', '`', '~', '\t', '\n', '\r', '\0',
    '\u{1b}', '\u{7f}', 'é', 'ü', 'ß', 'Ω', '€', '日', '\u{a0}', '\u{200b}', '😀',
];

fn allowed_char() -> impl Strategy<Value = char> {
    let punctuation: Vec<char> = TAG_PUNCTUATION.chars().collect();
    prop_oneof![
        4 => prop::char::range('a', 'z'),
        1 => prop::char::range('A', 'Z'),
        1 => prop::char::range('0', '9'),
        2 => prop::sample::select(punctuation),
    ]
}

/// A key or value whose limit is `max`: allowed characters at a length on either side of
/// `max` (or of the other limit) or short, sometimes with one character swapped for a near
/// miss or any printable ASCII; or any characters at all.
fn text(max: usize) -> impl Strategy<Value = String> {
    let len = prop_oneof![
        3 => prop::sample::select(vec![0, 1, max, max + 1]),
        1 => prop::sample::select(vec![MAX_TAG_KEY_LEN + 1, MAX_TAG_VALUE_LEN, MAX_TAG_VALUE_LEN + 1]),
        5 => 1usize..16,
    ];
    let swap = prop_oneof![
        2 => prop::sample::select(NEAR_MISSES),
        1 => prop::char::range(' ', '~'),
    ];
    let edged = (
        len.prop_flat_map(|n| prop::collection::vec(allowed_char(), n)),
        prop::option::weighted(0.15, (any::<prop::sample::Index>(), swap)),
    )
        .prop_map(|(mut chars, swap)| {
            if let (Some((at, c)), false) = (swap, chars.is_empty()) {
                let i = at.index(chars.len());
                chars[i] = c;
            }
            chars.into_iter().collect()
        });
    prop_oneof![
        12 => edged,
        1 => prop::collection::vec(any::<char>(), 0..12).prop_map(String::from_iter),
    ]
}

fn tag() -> impl Strategy<Value = (String, String)> {
    (text(MAX_TAG_KEY_LEN), text(MAX_TAG_VALUE_LEN))
}

/// Mostly one tag; sometimes 0 to 6, or one key twice.
fn tag_set() -> impl Strategy<Value = Vec<(String, String)>> {
    prop_oneof![
        8 => tag().prop_map(|t| vec![t]),
        2 => prop::collection::vec(tag(), 0..=6),
        1 => (tag(), text(MAX_TAG_VALUE_LEN)).prop_map(|((k, a), b)| vec![(k.clone(), a), (k, b)]),
    ]
}

fn allocation(tags: &[(String, String)]) -> UsageAllocation {
    let tags = tags
        .iter()
        .map(|(k, v)| Tag::builder().key(k).value(v).build().unwrap())
        .collect();
    UsageAllocation::builder()
        .allocated_usage_quantity(1)
        .set_tags(Some(tags))
        .build()
        .unwrap()
}

#[test]
fn the_emulator_accepts_exactly_the_tags_the_rules_accept() {
    let emu = Emulator::start_blocking(EmulatorConfig::default()).expect("the emulator starts");
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let client = client(&emu);
    let start = Instant::now();
    // A recorded case moves the clock an hour on, so the hour lock never answers for it.
    let hour = Cell::new(1_800_000_000u64);
    emu.set_clock(UNIX_EPOCH + Duration::from_secs(hour.get()));
    let (accepted, refused) = (Cell::new(0u32), Cell::new(0u32));
    let mut runner = proptest::test_runner::TestRunner::new(proptest_config(CASES));
    runner
        .run(&(tag_set(), any::<bool>()), |(tags, dry_run)| {
            let rules_accept = rules::check_tags(&tags).is_ok();
            if let [(key, value)] = tags.as_slice() {
                let each =
                    rules::check_tag_key(key).is_ok() && rules::check_tag_value(value).is_ok();
                prop_assert_eq!(rules_accept, each);
            }
            if !dry_run {
                hour.set(hour.get() + 3600);
                emu.set_clock(UNIX_EPOCH + Duration::from_secs(hour.get()));
            }
            let sent = rt.block_on(
                client
                    .meter_usage()
                    .product_code(DEMO_CUSTOM_PRODUCT)
                    .usage_dimension("requests")
                    .usage_quantity(1)
                    .timestamp(DateTime::from_secs(hour.get() as i64))
                    .dry_run(dry_run)
                    .usage_allocations(allocation(&tags))
                    .send(),
            );
            match sent {
                Ok(_) => {
                    prop_assert!(rules_accept, "the emulator accepted {:?}", tags);
                    accepted.set(accepted.get() + 1);
                    if !dry_run {
                        let ledger = emu.ledger();
                        let recorded = &ledger.records.last().unwrap().allocations[0].tags;
                        let recorded: Vec<_> = recorded
                            .iter()
                            .map(|t| (t.key.clone(), t.value.clone()))
                            .collect();
                        prop_assert_eq!(&recorded, &tags);
                    }
                }
                Err(e) => {
                    let e = e.into_service_error();
                    prop_assert!(e.is_invalid_tag_exception(), "{:?} for {:?}", e, tags);
                    prop_assert!(!rules_accept, "the emulator refused {:?}", tags);
                    refused.set(refused.get() + 1);
                }
            }
            Ok(())
        })
        .unwrap();
    println!(
        "{CASES} cases: {} accepted, {} refused, {:?}",
        accepted.get(),
        refused.get(),
        start.elapsed()
    );
    // Both verdicts are reached often enough to mean something.
    assert!(accepted.get() >= CASES / 10 && refused.get() >= CASES / 10);
}
