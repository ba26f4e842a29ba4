//! The optional journal: an append-only file of record states, so usage survives a crash or
//! SIGKILL and the next start (in the same task) sends what is still within the window.
//!
//! Each line is `<checksum> <json record>`; the last line for a (dimension, hour) wins. A
//! record is written when drained (before it is sent, so before the service acknowledged
//! it), again when frozen, and again when sent or given up. On open, a torn or garbage line
//! (a crash mid-write, a disk fault) is skipped with a warning, never a panic; the file is
//! then compacted to the records still worth keeping.
//!
//! A crash leaves at most one torn line: the unterminated end of the file (every line a send
//! depends on was synced before it, and the next start rewrites the file first). Any other
//! damage (a disk fault, an edit) may have taken a record's later states, so its last intact
//! state may be older than what was sent. Then Open records are recovered frozen: if the
//! service answers that it already holds the hour, that counts as delivered instead of moving
//! the older quantity to the next hour and billing it twice (new usage of that hour is billed
//! in the next one).
//!
//! The line after the header names the process identity the records' client tokens were
//! derived from, `<checksum> {"identity":"..."}`: a restart that replays the journal keeps
//! sending under the same tokens, so a record the service already took is answered with
//! the first result instead of billed again.
//!
//! The file starts with a version line, `mp-journal 1` (a file without one, as written before
//! the marker existed, is read as version 1). A journal of another version is never half-read
//! nor overwritten: it is moved aside to `<path>.unreadable-<unix secs>` with one warning
//! naming both paths, counted in `journal_errors`, and metering goes on with a fresh journal
//! (stopping the product would cost the buyer their service over a file; the moved file keeps
//! its usage for the build that wrote it). A directory path, or a directory where nothing can
//! be written, is an error: the caller meters without a journal and leaves the file untouched,
//! so its records are sent, not lost, once the volume is writable again.

use super::aggregator::{MAX_QUANTITY, Record, State};
use super::fnv::Fnv128;
use super::hour::Hour;
use super::stats::{Counters, STATS};
use std::fs::{File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

/// The journal format this build writes and reads.
const VERSION: &str = "1";
/// The first line of a journal: this prefix and its version.
const HEADER_PREFIX: &str = "mp-journal ";

pub(crate) struct Journal {
    path: PathBuf,
    file: File,
}

/// What the file held.
#[derive(Debug, Default)]
pub(crate) struct Recovered {
    /// Records still to send, and finished ones of hours still in the window (so new usage
    /// is not merged into an hour the service already holds).
    pub(crate) records: Vec<Record>,
    /// Unsent records whose window had closed: lost, reported by the caller.
    pub(crate) expired: Vec<Record>,
    /// Lines that were not valid records.
    pub(crate) skipped: usize,
    /// The version a header named when it is not ours: nothing else was read.
    pub(crate) other_version: Option<String>,
    /// The identity line's value, if the file had one.
    pub(crate) identity: Option<String>,
}

/// A journal line: the process identity, or a record's state.
#[derive(serde::Deserialize)]
#[serde(untagged)]
enum Line {
    Identity { identity: String },
    Record(Record),
}

impl Journal {
    /// Opens (or creates) the journal at `path`, recovering what it holds as of `now`. The
    /// identity it names is kept; a journal without one gets `fresh_identity`, and
    /// `Recovered::identity` is the one in force either way.
    pub(crate) fn open(
        path: &Path,
        now: std::time::SystemTime,
        fresh_identity: &str,
    ) -> io::Result<(Journal, Recovered)> {
        let bytes = match std::fs::read(path) {
            Ok(bytes) => bytes,
            Err(e) if e.kind() == io::ErrorKind::NotFound => Vec::new(),
            Err(e) => return Err(e),
        };
        let mut recovered = recover(&bytes, now);
        if let Some(version) = recovered.other_version.take() {
            let aside = move_aside(path, now)?;
            Counters::bump(&STATS.journal_errors);
            tracing::warn!(
                journal = %path.display(),
                moved_to = %aside.display(),
                "metering journal: {} is a version {version:?} journal this build cannot read; \
                 moved it to {} untouched and started a fresh journal",
                path.display(),
                aside.display()
            );
        }
        let identity = recovered
            .identity
            .get_or_insert_with(|| fresh_identity.to_owned());
        compact(path, identity, &recovered.records)?;
        let file = OpenOptions::new().append(true).open(path)?;
        Ok((
            Journal {
                path: path.to_owned(),
                file,
            },
            recovered,
        ))
    }

    /// Appends the records' new states and waits for the disk.
    pub(crate) fn write(&mut self, records: &[Record]) -> io::Result<()> {
        if records.is_empty() {
            return Ok(());
        }
        let mut buf = Vec::new();
        for record in records {
            buf.extend_from_slice(line(record).as_bytes());
        }
        self.file.write_all(&buf)?;
        self.file.sync_data()
    }

    pub(crate) fn path(&self) -> &Path {
        &self.path
    }
}

fn line(record: &Record) -> String {
    // A Record always serialises (plain strings and numbers).
    checksummed(&serde_json::to_string(record).unwrap_or_default())
}

fn identity_line(identity: &str) -> String {
    checksummed(&serde_json::json!({ "identity": identity }).to_string())
}

fn checksummed(json: &str) -> String {
    format!("{:016x} {json}\n", checksum(json))
}

fn checksum(json: &str) -> u64 {
    let mut hash = Fnv128::new();
    hash.write(json.as_bytes());
    hash.0 as u64
}

fn parse(line: &[u8]) -> Option<Line> {
    let line = std::str::from_utf8(line).ok()?;
    let (sum, json) = line.split_once(' ')?;
    let sum = u64::from_str_radix(sum, 16).ok()?;
    (sum == checksum(json))
        .then(|| serde_json::from_str(json).ok())
        .flatten()
}

/// The version a first line names, if it is a header (`None`: a record, or damage).
fn header_version(first: &[u8]) -> Option<String> {
    let rest = first.strip_prefix(HEADER_PREFIX.as_bytes())?;
    Some(String::from_utf8_lossy(rest).into_owned())
}

/// Reads a journal's bytes as of `now`: never panics, whatever the bytes (fuzzed).
pub(crate) fn recover(bytes: &[u8], now: std::time::SystemTime) -> Recovered {
    let mut latest: std::collections::BTreeMap<(Hour, String), Record> = Default::default();
    let mut skipped = 0;
    let mut lines = bytes.split(|b| *b == b'\n').peekable();
    if let Some(version) = lines.peek().and_then(|first| header_version(first)) {
        if version != VERSION {
            return Recovered {
                other_version: Some(version),
                ..Recovered::default()
            };
        }
        lines.next();
    }
    let lines: Vec<&[u8]> = lines.collect();
    let mut damaged_beyond_a_tear = false;
    let mut identity_seen = None;
    for (n, raw) in lines.iter().enumerate().filter(|(_, l)| !l.is_empty()) {
        match parse(raw) {
            Some(Line::Record(record)) => {
                latest.insert(record.key(), record);
            }
            Some(Line::Identity { identity }) => identity_seen = Some(identity),
            None => {
                skipped += 1;
                damaged_beyond_a_tear |= n + 1 < lines.len(); // a whole line, newline and all
            }
        }
    }
    let mut out = Recovered::default();
    for mut record in latest.into_values() {
        if damaged_beyond_a_tear && record.state == State::Open && record.quantity <= MAX_QUANTITY {
            // Its later states may be among the damage: treat it as possibly sent.
            record.state = State::Frozen;
        }
        // Likewise, an attempt after its last intact line may have reached the service.
        record.untransmitted &= !damaged_beyond_a_tear;
        let open = matches!(record.state, State::Open | State::Frozen);
        if !open && record.hour > Hour::of(now) {
            // A finished record of a future hour is no real record (a hand-edited file would
            // otherwise push new usage ever later); usage carried forward stays.
            skipped += 1;
            continue;
        }
        if now > record.hour.last_send() {
            if open && record.quantity > 0 {
                out.expired.push(record);
            }
        } else {
            out.records.push(record);
        }
    }
    out.skipped = skipped;
    out.identity = identity_seen;
    out
}

/// Renames a journal this build cannot read to `<path>.unreadable-<unix secs>` (or
/// `...-<secs>-<n>` if that exists: an earlier start moved one aside the same second).
fn move_aside(path: &Path, now: SystemTime) -> io::Result<PathBuf> {
    let secs = now.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs());
    let mut name = path.as_os_str().to_owned();
    name.push(format!(".unreadable-{secs}"));
    let first = PathBuf::from(name);
    let aside = (0..1000)
        .map(|n| match n {
            0 => first.clone(),
            n => PathBuf::from(format!("{}-{n}", first.display())),
        })
        .find(|p| std::fs::symlink_metadata(p).is_err())
        .ok_or_else(|| io::Error::other("too many unreadable journals moved aside already"))?;
    std::fs::rename(path, &aside)?;
    Ok(aside)
}

/// Rewrites the file with its header, identity and `records` only: a temporary file,
/// synced, renamed over it.
fn compact(path: &Path, identity: &str, records: &[Record]) -> io::Result<()> {
    let tmp = path.with_extension("compacting");
    let mut file = File::create(&tmp)?;
    file.write_all(format!("{HEADER_PREFIX}{VERSION}\n").as_bytes())?;
    file.write_all(identity_line(identity).as_bytes())?;
    for record in records {
        file.write_all(line(record).as_bytes())?;
    }
    file.sync_all()?;
    std::fs::rename(&tmp, path)?;
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        // The rename itself must reach the disk; not every platform lets a directory sync.
        let _ = File::open(dir).and_then(|d| d.sync_all());
    }
    Ok(())
}

#[cfg(test)]
mod fuzz;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::usage::aggregator::Allocation;
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
                tags: vec![("tenant \"x\"\n".into(), "é".into())],
                quantity: 1,
            }],
            state,
            salvaged: false,
            untransmitted: false,
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
        assert_eq!(rec.skipped, 1);
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
            format!("mp-journal 1\n{}{legacy}", identity_line("task-1")),
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
        let theirs = format!("mp-journal 2\n{}", line(&record("a", 100, 5, State::Open)));
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
                format!("mp-journal 1\n{}", identity_line("task-1"))
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
            "mp-journal 2",
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
}
