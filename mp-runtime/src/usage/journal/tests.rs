use super::recover::recover;
use super::*;
use crate::usage::aggregator::Allocation;
use crate::usage::aggregator::{Record, State};
use crate::usage::hour::Hour;
use std::time::{Duration, UNIX_EPOCH};

fn h(n: u64) -> Hour {
    Hour::from_start_secs(n * 3600)
}

fn at_hour(n: u64) -> std::time::SystemTime {
    UNIX_EPOCH + Duration::from_secs(n * 3600 + 10)
}

fn record(dim: &str, hour: u64, quantity: u64, state: State) -> Record {
    Record {
        dimension: dim.into(),
        hour: h(hour),
        quantity,
        allocations: vec![Allocation {
            tags: vec![("tenant".into(), "acme:eu-1".into())],
            quantity: 1,
        }],
        state,
        salvaged: false,
        untransmitted: false,
        identity: None,
    }
}

#[test]
fn the_last_state_of_each_record_survives_a_reopen() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("usage.journal");
    let (mut j, rec) = Journal::open(&path, at_hour(100), "task-1").unwrap();
    assert!(rec.records.is_empty() && rec.skipped == 0);
    j.write(&[record("a", 100, 5, State::Open)]).unwrap();
    j.write(&[
        record("a", 100, 9, State::Frozen),
        record("b", 99, 1, State::Open),
    ])
    .unwrap();
    j.write(&[record("b", 99, 1, State::Sent)]).unwrap();
    drop(j);
    let (_, rec) = Journal::open(&path, at_hour(101), "task-1").unwrap();
    assert_eq!(
        rec.records,
        [
            record("b", 99, 1, State::Sent),
            record("a", 100, 9, State::Frozen)
        ]
    );
}

#[test]
fn torn_and_garbage_lines_are_skipped_not_fatal() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("j");
    let good = line(&record("a", 100, 5, State::Open));
    let other = line(&record("b", 100, 6, State::Open));
    let mut bytes = good.clone().into_bytes();
    bytes.extend_from_slice(b"\xff\xfe not a record\n");
    bytes.extend_from_slice(other.replace("\"quantity\":6", "\"quantity\":7").as_bytes());
    bytes.extend_from_slice(&other.as_bytes()[..other.len() / 2]); // torn tail
    std::fs::write(&path, &bytes).unwrap();
    let (mut j, rec) = Journal::open(&path, at_hour(100), "task-1").unwrap();
    assert_eq!(
        rec.records,
        [record("a", 100, 5, State::Frozen)],
        "whole damaged lines: it may have been sent"
    );
    assert_eq!(rec.skipped, 3, "garbage, checksum mismatch, torn tail");
    // Compacted: appending after recovery yields a clean file.
    j.write(&[record("b", 100, 6, State::Open)]).unwrap();
    drop(j);
    let (_, rec) = Journal::open(&path, at_hour(100), "task-1").unwrap();
    assert_eq!(rec.skipped, 0);
    assert_eq!(rec.records.len(), 2);
}

#[test]
fn records_past_their_window_are_reported_expired_and_dropped() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("j");
    let (mut j, _) = Journal::open(&path, at_hour(100), "task-1").unwrap();
    j.write(&[
        record("a", 100, 5, State::Open),
        record("b", 100, 5, State::Sent),
        record("a", 104, 1, State::Open),
        record("a", 107, 1, State::Sent),
        record("b", 107, 1, State::Open),
    ])
    .unwrap();
    drop(j);
    let (_, rec) = Journal::open(&path, at_hour(106), "task-1").unwrap();
    assert_eq!(rec.expired, [record("a", 100, 5, State::Open)]);
    assert_eq!(
        rec.records,
        [
            record("a", 104, 1, State::Open),
            record("b", 107, 1, State::Open)
        ],
        "a finished future hour is dropped, carried usage kept"
    );
    assert_eq!((rec.skipped, rec.rejected.total()), (0, 1));
}

#[test]
fn the_identity_of_the_first_open_is_kept_across_reopens() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("j");
    let (_, first) = Journal::open(&path, at_hour(100), "first").unwrap();
    assert_eq!(first.identity.as_deref(), Some("first"));
    let (_, again) = Journal::open(&path, at_hour(100), "second").unwrap();
    assert_eq!(again.identity.as_deref(), Some("first"));
    assert_eq!(again.skipped, 0, "the identity line is no damage");
}

#[test]
fn an_unreadable_path_is_an_error_not_a_panic() {
    let dir = tempfile::tempdir().unwrap();
    assert!(Journal::open(dir.path(), at_hour(1), "task-1").is_err());
}

#[test]
fn a_new_journal_starts_with_its_version_and_a_headerless_one_reads_as_version_1() {
    // Version 1 is what a headerless file is read as; compaction writes the current one.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("j");
    let legacy = line(&record("a", 100, 5, State::Open));
    std::fs::write(&path, &legacy).unwrap();
    let (_, rec) = Journal::open(&path, at_hour(100), "task-1").unwrap();
    assert_eq!(rec.records, [record("a", 100, 5, State::Open)]);
    assert_eq!((rec.skipped, rec.other_version), (0, None));
    let text = std::fs::read_to_string(&path).unwrap();
    assert_eq!(
        text,
        format!("mp-journal 2\n{}{legacy}", identity_line("task-1")),
        "compacted with the header and the identity"
    );
    let (_, rec) = Journal::open(&path, at_hour(100), "task-1").unwrap();
    assert_eq!(
        (rec.records.len(), rec.skipped),
        (1, 0),
        "the header is no damage"
    );
}

#[test]
fn another_version_is_moved_aside_untouched_counted_and_a_fresh_journal_started() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("j");
    let theirs = format!("mp-journal 3\n{}", line(&record("a", 100, 5, State::Open)));
    let errors = STATS
        .journal_errors
        .load(std::sync::atomic::Ordering::Relaxed);
    for aside in ["j.unreadable-360010", "j.unreadable-360010-1"] {
        std::fs::write(&path, &theirs).unwrap();
        let (_, rec) = Journal::open(&path, at_hour(100), "task-1").unwrap();
        assert!(
            rec.records.is_empty() && rec.expired.is_empty(),
            "nothing half-read"
        );
        assert_eq!(rec.other_version, None, "handled by open");
        let moved = std::fs::read_to_string(dir.path().join(aside)).unwrap();
        assert_eq!(
            moved, theirs,
            "moved aside byte for byte, the same second twice"
        );
        assert_eq!(
            std::fs::read_to_string(&path).unwrap(),
            format!("mp-journal 2\n{}", identity_line("task-1"))
        );
    }
    let now = STATS
        .journal_errors
        .load(std::sync::atomic::Ordering::Relaxed);
    assert!(now >= errors + 2, "counted in journal_errors");
}

#[test]
fn another_version_is_read_as_nothing() {
    for header in [
        "mp-journal 3",
        "mp-journal ",
        "mp-journal 1 ",
        "mp-journal \u{ff}",
    ] {
        let bytes = format!("{header}\n{}", line(&record("a", 100, 5, State::Open)));
        let rec = recover(bytes.as_bytes(), at_hour(100));
        assert!(rec.records.is_empty(), "{header:?}");
        assert!(rec.other_version.is_some(), "{header:?}");
    }
}

#[test]
fn truncated_at_any_byte_it_recovers_a_prefix_of_the_states_never_more() {
    let states = [
        record("a", 100, 5, State::Open),
        record("a", 100, 9, State::Open),
        record("a", 100, 9, State::Frozen),
        record("a", 100, 9, State::Sent),
    ];
    let mut bytes = b"mp-journal 1\n".to_vec();
    let mut ends = Vec::new();
    for state in &states {
        bytes.extend_from_slice(line(state).as_bytes());
        ends.push(bytes.len());
    }
    for cut in 0..=bytes.len() {
        let rec = recover(&bytes[..cut], at_hour(100));
        // A line counts once it is whole; its newline may be the byte cut off.
        let whole = ends.iter().filter(|end| **end <= cut + 1).count();
        let expected: Vec<Record> = states[..whole].last().cloned().into_iter().collect();
        assert_eq!(rec.records, expected, "cut at {cut}");
        assert!(
            rec.skipped <= 1,
            "only the torn last line is damage (cut at {cut})"
        );
    }
}

#[test]
fn after_damage_beyond_a_torn_last_line_open_records_come_back_frozen() {
    let states = [
        record("a", 100, 5, State::Open),
        record("a", 100, 9, State::Open),
        record("a", 100, 9, State::Frozen),
        record("a", 100, 9, State::Sent),
        record("b", 100, 2, State::Open),
    ];
    let lines: Vec<String> = states.iter().map(line).collect();
    // A torn last line is a crash mid-write: the rest is exactly as it was.
    let torn = format!("{}{}", lines[..2].concat(), &lines[2][..20]);
    let rec = recover(torn.as_bytes(), at_hour(100));
    assert_eq!(rec.records, [record("a", 100, 9, State::Open)]);
    // Damage in the middle: "a" may have been sent with 9, so 5 is only ever resent
    // under its client token (a DuplicateRequest then counts as delivered), never moved
    // on to bill again.
    let damaged = [
        lines[0].as_str(),
        "x",
        &lines[1][1..],
        &lines[2][1..],
        &lines[3][1..],
        lines[4].as_str(),
    ]
    .join("\n");
    let rec = recover(damaged.as_bytes(), at_hour(100));
    assert_eq!(
        rec.records,
        [
            record("a", 100, 5, State::Frozen),
            record("b", 100, 2, State::Frozen)
        ]
    );
    // The same with the damage at the end: whole lines, so no crash tore them.
    let damaged = [
        lines[0].as_str(),
        &lines[1][1..],
        &lines[2][1..],
        &lines[3][1..],
    ]
    .concat();
    let rec = recover(damaged.as_bytes(), at_hour(100));
    assert_eq!(rec.records, [record("a", 100, 5, State::Frozen)]);
}

#[test]
fn garbage_bytes_open_as_an_empty_journal() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("j");
    let garbage: Vec<u8> = (0u32..4096)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect();
    std::fs::write(&path, &garbage).unwrap();
    let (mut j, rec) = Journal::open(&path, at_hour(100), "task-1").unwrap();
    assert!(rec.records.is_empty() && rec.skipped > 0);
    j.write(&[record("a", 100, 1, State::Open)]).unwrap();
    drop(j);
    let (_, rec) = Journal::open(&path, at_hour(100), "task-1").unwrap();
    assert_eq!((rec.records.len(), rec.skipped), (1, 0));
}

#[test]
fn a_directory_nothing_can_be_created_in_is_an_error_and_the_journal_is_left_as_it_was() {
    let dir = tempfile::tempdir().unwrap();
    // Under a regular file, nothing can be created (mode bits would not stop root).
    let file = dir.path().join("a-file");
    std::fs::write(&file, "").unwrap();
    assert!(Journal::open(&file.join("j"), at_hour(1), "task-1").is_err());
    // A readable journal whose compaction cannot be written is not touched, so its
    // records are sent by the next start that can write, not lost and not sent twice.
    let path = dir.path().join("usage.journal");
    let bytes = line(&record("a", 100, 5, State::Frozen));
    std::fs::write(&path, &bytes).unwrap();
    std::fs::create_dir(dir.path().join("usage.compacting")).unwrap();
    assert!(Journal::open(&path, at_hour(100), "task-1").is_err());
    assert_eq!(std::fs::read_to_string(&path).unwrap(), bytes);
}

#[test]
fn a_fifo_or_a_symlink_is_refused_without_waiting_and_left_alone() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("fifo");
    let c = std::ffi::CString::new(fifo.to_str().unwrap()).unwrap();
    assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
    let why = Journal::open(&fifo, at_hour(100), "task-1").err().unwrap();
    assert!(why.to_string().contains("is a FIFO"), "{why}");
    let target = dir.path().join("elsewhere");
    std::fs::write(&target, line(&record("a", 100, 5, State::Open))).unwrap();
    let link = dir.path().join("link");
    std::os::unix::fs::symlink(&target, &link).unwrap();
    let why = Journal::open(&link, at_hour(100), "task-1").err().unwrap();
    assert!(why.to_string().contains("is a symbolic link"), "{why}");
    assert!(std::fs::symlink_metadata(&link).unwrap().is_symlink());
    assert_eq!(
        std::fs::read_to_string(&target).unwrap(),
        line(&record("a", 100, 5, State::Open)),
        "nothing written through the link"
    );
}

#[test]
fn forged_records_with_good_checksums_are_rejected_counted_and_compacted_away() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("j");
    let good = record("a", 100, 5, State::Open);
    let mut text = format!("mp-journal 1\n{}", line(&good));
    text.push_str(&checksummed(
        r#"{"dimension":"a","hour":18446744073709548000,"quantity":1,"allocations":[],"state":"open"}"#,
    ));
    for hour in 101..110u64 {
        text.push_str(&line(&Record {
            quantity: 0,
            allocations: Vec::new(),
            ..record("a", hour, 0, State::Frozen)
        }));
    }
    std::fs::write(&path, text).unwrap();
    let before = STATS
        .journal_rejected
        .load(std::sync::atomic::Ordering::Relaxed);
    let (_, rec) = Journal::open(&path, at_hour(100), "task-1").unwrap();
    assert_eq!(rec.records, std::slice::from_ref(&good));
    assert_eq!((rec.rejected.total(), rec.skipped), (10, 0));
    let after = STATS
        .journal_rejected
        .load(std::sync::atomic::Ordering::Relaxed);
    assert!(after >= before + 10, "counted in journal_rejected");
    let (_, again) = Journal::open(&path, at_hour(100), "task-1").unwrap();
    assert_eq!((again.records, again.rejected.total()), (vec![good], 0));
}

#[test]
fn a_planted_symlink_at_the_compaction_path_is_not_written_through() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("usage.journal");
    let victim = dir.path().join("victim");
    std::fs::write(&victim, "keep me").unwrap();
    std::os::unix::fs::symlink(&victim, dir.path().join("usage.compacting")).unwrap();
    let (mut j, _) = Journal::open(&path, at_hour(100), "task-1").unwrap();
    j.write(&[record("a", 100, 5, State::Open)]).unwrap();
    assert_eq!(std::fs::read_to_string(&victim).unwrap(), "keep me");
    assert!(std::fs::symlink_metadata(&path).unwrap().is_file());
}

#[test]
fn a_second_live_process_gets_a_file_of_its_own_and_a_dead_one_s_is_taken_over() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("j");
    let (mut first, rec) = Journal::open(&path, at_hour(100), "first").unwrap();
    assert_eq!(rec.identity.as_deref(), Some("first"));
    let (mut second, rec) = Journal::open(&path, at_hour(100), "second").unwrap();
    assert_eq!(
        rec.identity.as_deref(),
        Some("second"),
        "never the live one's"
    );
    assert_eq!(second.path(), dir.path().join("j.1"));
    // The first may have sent its 100:a (frozen); its 100:b was never sent (open); both
    // still hold their hour's sent 99:a.
    first
        .write(&[
            record("a", 99, 3, State::Sent),
            record("a", 100, 5, State::Frozen),
            record("b", 100, 7, State::Open),
        ])
        .unwrap();
    second.write(&[record("b", 100, 2, State::Open)]).unwrap();
    drop(first); // a SIGKILL
    drop(second); // ends, its records open
    let adopted = STATS
        .journals_adopted
        .load(std::sync::atomic::Ordering::Relaxed);
    // The next start takes j (the first's, with its identity) and adopts j.1.
    let (third, rec) = Journal::open(&path, at_hour(100), "third").unwrap();
    assert_eq!(third.path(), path);
    assert_eq!(rec.identity.as_deref(), Some("first"));
    let mut b = record("b", 100, 9, State::Open);
    b.allocations[0].quantity = 2;
    assert_eq!(
        rec.records,
        [
            record("a", 99, 3, State::Sent),
            record("a", 100, 5, State::Frozen),
            b
        ],
        "the open usage added up: never sent, so billed once with this process's"
    );
    assert!(!dir.path().join("j.1").exists(), "the adopted file is gone");
    assert!(
        STATS
            .journals_adopted
            .load(std::sync::atomic::Ordering::Relaxed)
            > adopted
    );
    drop(third);
    let (_, again) = Journal::open(&path, at_hour(100), "fourth").unwrap();
    assert_eq!(
        again.records, rec.records,
        "kept in the taker's own journal"
    );
}

#[test]
fn an_adopted_record_that_may_have_been_sent_keeps_its_identity_and_holds_its_hour() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("j");
    let (mut first, _) = Journal::open(&path, at_hour(100), "first").unwrap();
    let (mut second, _) = Journal::open(&path, at_hour(100), "second").unwrap();
    first.write(&[record("a", 100, 4, State::Open)]).unwrap();
    second.write(&[record("a", 100, 5, State::Frozen)]).unwrap();
    drop(first);
    drop(second);
    let (_, rec) = Journal::open(&path, at_hour(100), "third").unwrap();
    let mut frozen = record("a", 100, 5, State::Frozen);
    frozen.identity = Some("second".into());
    let moved = record("a", 101, 4, State::Open);
    assert_eq!(
        rec.records,
        [frozen, moved],
        "the dead process's token for 100; this one's usage billed in the next hour"
    );
}

/// What a drain writes is what grew: the journal replays drains, freezes and sends of many
/// tag sets to exactly the records the aggregator holds, and each drain's line names only the
/// tag sets metered since the drain before.
mod grown {
    use super::*;
    use crate::fixed_seed::config;
    use crate::usage::aggregator::{Aggregator, Growth, MAX_TAG_SETS};
    use crate::usage::counter::{Dimension, record as meter, record_tagged};
    use proptest::prelude::*;
    use std::collections::BTreeSet;

    #[derive(Clone, Debug)]
    enum Op {
        Meter { tenant: Option<u8>, quantity: u64 },
        Drain,
        NextHour,
        SendEnded,
    }

    fn op() -> impl Strategy<Value = Op> {
        prop_oneof![
            8 => (prop::option::weighted(0.8, 0u8..40), 1u64..1_000)
                .prop_map(|(tenant, quantity)| Op::Meter { tenant, quantity }),
            3 => Just(Op::Drain),
            1 => Just(Op::NextHour),
            1 => Just(Op::SendEnded),
        ]
    }

    proptest! {
        #![proptest_config(config(200, 0x6772_6f77_6e31))]

        #[test]
        fn drains_journal_what_grew_and_replay_to_the_same_records(
            ops in prop::collection::vec(op(), 1..120)
        ) {
            static D: Dimension = Dimension::new("journal-grown");
            D.take();
            let mut agg = Aggregator::default();
            let mut bytes = b"mp-journal 2\n".to_vec();
            let mut now = 100u64;
            let mut since_drain: BTreeSet<u8> = BTreeSet::new();
            for op in &ops {
                match op {
                    Op::Meter { tenant: Some(t), quantity } => {
                        record_tagged(&D, *quantity, &[("tenant", format!("t{t}"))]);
                        since_drain.insert(*t);
                    }
                    Op::Meter { tenant: None, quantity } => meter(&D, *quantity),
                    Op::Drain => {
                        for growth in agg.drain(h(now), &[&D]) {
                            prop_assert!(growth.allocations.len() <= since_drain.len());
                            bytes.extend_from_slice(growth.line().as_bytes());
                        }
                        since_drain.clear();
                    }
                    Op::NextHour => now += 1,
                    Op::SendEnded => {
                        for key in agg.due(h(now), false) {
                            for r in agg.freeze(&key) {
                                bytes.extend_from_slice(r.line().as_bytes());
                            }
                            let sent = agg.set_state(&key, State::Sent).unwrap();
                            bytes.extend_from_slice(sent.line().as_bytes());
                        }
                    }
                }
            }
            let rec = recover(&bytes, at_hour(now));
            prop_assert_eq!(rec.skipped, 0);
            prop_assert_eq!(rec.rejected.total(), 0, "{}", rec.rejected);
            // Records whose window closed are not recovered (their test is elsewhere).
            let expected: Vec<Record> = agg
                .records()
                .filter(|r| at_hour(now) <= r.hour.last_send())
                .cloned()
                .collect();
            prop_assert_eq!(rec.records, expected);
        }
    }

    #[test]
    fn a_growth_on_a_record_no_longer_open_or_past_the_tag_set_limit_is_refused() {
        let frozen = record("a", 100, 5, State::Frozen);
        let growth = |allocations: Vec<Allocation>| Growth {
            dimension: "a".into(),
            hour: h(100),
            quantity: 7,
            allocations,
        };
        let mut bytes = b"mp-journal 2\n".to_vec();
        bytes.extend_from_slice(line(&frozen).as_bytes());
        bytes.extend_from_slice(growth(Vec::new()).line().as_bytes());
        let rec = recover(&bytes, at_hour(100));
        assert_eq!(rec.records, [frozen], "the frozen quantity holds");
        assert_eq!(rec.rejected.total(), 1);

        let many: Vec<Allocation> = (0..=MAX_TAG_SETS)
            .map(|i| Allocation {
                tags: vec![("tenant".into(), format!("t{i}"))],
                quantity: 1,
            })
            .collect();
        let mut bytes = b"mp-journal 2\n".to_vec();
        let mut forged = growth(many);
        forged.quantity = 10_000;
        bytes.extend_from_slice(forged.line().as_bytes());
        let rec = recover(&bytes, at_hour(100));
        assert!(rec.records.is_empty());
        assert_eq!(rec.rejected.total(), 1);
    }
}
