//! The optional journal: an append-only file of record states, so usage survives a crash or
//! SIGKILL and the next start (in the same task) sends what is still within the window.
//!
//! Each line is `<checksum> <json record>`; the last line for a (dimension, hour) wins. A
//! record is written when drained (before it is sent, so before the service acknowledged
//! it), again when frozen, and again when sent or given up. On open, a torn or garbage line
//! (a crash mid-write, a disk fault) is skipped with a warning, never a panic; the file is
//! then compacted to the records still worth keeping.

use super::aggregator::{Record, State};
use super::fnv::Fnv128;
use super::hour::Hour;
use std::fs::{File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

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
}

impl Journal {
    /// Opens (or creates) the journal at `path`, recovering what it holds as of `now`.
    pub(crate) fn open(
        path: &Path,
        now: std::time::SystemTime,
    ) -> io::Result<(Journal, Recovered)> {
        let bytes = match std::fs::read(path) {
            Ok(bytes) => bytes,
            Err(e) if e.kind() == io::ErrorKind::NotFound => Vec::new(),
            Err(e) => return Err(e),
        };
        let recovered = recover(&bytes, now);
        compact(path, &recovered.records)?;
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
    let json = serde_json::to_string(record).unwrap_or_default();
    format!("{:016x} {json}\n", checksum(&json))
}

fn checksum(json: &str) -> u64 {
    let mut hash = Fnv128::new();
    hash.write(json.as_bytes());
    hash.0 as u64
}

fn parse(line: &[u8]) -> Option<Record> {
    let line = std::str::from_utf8(line).ok()?;
    let (sum, json) = line.split_once(' ')?;
    let sum = u64::from_str_radix(sum, 16).ok()?;
    (sum == checksum(json))
        .then(|| serde_json::from_str(json).ok())
        .flatten()
}

/// Reads a journal's bytes as of `now`: never panics, whatever the bytes (fuzzed).
pub(crate) fn recover(bytes: &[u8], now: std::time::SystemTime) -> Recovered {
    let mut latest: std::collections::BTreeMap<(Hour, String), Record> = Default::default();
    let mut skipped = 0;
    for raw in bytes.split(|b| *b == b'\n').filter(|l| !l.is_empty()) {
        match parse(raw) {
            Some(record) => {
                latest.insert(record.key(), record);
            }
            None => skipped += 1,
        }
    }
    let mut out = Recovered::default();
    for record in latest.into_values() {
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
    out
}

/// Rewrites the file with `records` only: a temporary file, synced, renamed over it.
fn compact(path: &Path, records: &[Record]) -> io::Result<()> {
    let tmp = path.with_extension("compacting");
    let mut file = File::create(&tmp)?;
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
        }
    }

    #[test]
    fn the_last_state_of_each_record_survives_a_reopen() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("usage.journal");
        let (mut j, rec) = Journal::open(&path, at_hour(100)).unwrap();
        assert!(rec.records.is_empty() && rec.skipped == 0);
        j.write(&[record("a", 100, 5, State::Open)]).unwrap();
        j.write(&[
            record("a", 100, 9, State::Frozen),
            record("b", 99, 1, State::Open),
        ])
        .unwrap();
        j.write(&[record("b", 99, 1, State::Sent)]).unwrap();
        drop(j);
        let (_, rec) = Journal::open(&path, at_hour(101)).unwrap();
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
        let (mut j, rec) = Journal::open(&path, at_hour(100)).unwrap();
        assert_eq!(rec.records, [record("a", 100, 5, State::Open)]);
        assert_eq!(rec.skipped, 3, "garbage, checksum mismatch, torn tail");
        // Compacted: appending after recovery yields a clean file.
        j.write(&[record("b", 100, 6, State::Open)]).unwrap();
        let (_, rec) = Journal::open(&path, at_hour(100)).unwrap();
        assert_eq!(rec.skipped, 0);
        assert_eq!(rec.records.len(), 2);
    }

    #[test]
    fn records_past_their_window_are_reported_expired_and_dropped() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("j");
        let (mut j, _) = Journal::open(&path, at_hour(100)).unwrap();
        j.write(&[
            record("a", 100, 5, State::Open),
            record("b", 100, 5, State::Sent),
            record("a", 104, 1, State::Open),
            record("a", 107, 1, State::Sent),
            record("b", 107, 1, State::Open),
        ])
        .unwrap();
        drop(j);
        let (_, rec) = Journal::open(&path, at_hour(106)).unwrap();
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
    fn an_unreadable_path_is_an_error_not_a_panic() {
        let dir = tempfile::tempdir().unwrap();
        assert!(Journal::open(dir.path(), at_hour(1)).is_err());
    }
}
