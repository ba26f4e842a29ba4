//! Reading a journal's lines back into records, whatever the bytes: a torn or damaged line
//! is skipped, a record this runtime cannot have written is rejected (`validate`), and
//! nothing in the file can make this panic, loop or hold more than a bounded amount.

use super::format::{HEADER_PREFIX, READABLE, checksum};
use super::validate::{self, Reason, Rejected};
use crate::usage::aggregator::{
    Allocation, Growth, Key, MAX_QUANTITY, MAX_TAG_SETS, Record, State, Tags,
};
use crate::usage::hour::Hour;
use std::collections::{BTreeMap, HashMap};
use std::io::{self, BufRead, Read};
use std::time::SystemTime;

/// The longest line this runtime writes is a record with 2,499 tag sets of 5 maximal tags,
/// under 5 MB; a longer one is damage, skipped without being held.
const MAX_LINE: usize = 8 << 20;
/// A process keeps one record per dimension and hour for the hours in the window; far more
/// distinct records than any product's dimensions times those hours is no journal.
const MAX_RECORDS: usize = 100_000;

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
    /// Records this runtime cannot have written, ignored.
    pub(crate) rejected: Rejected,
    /// The version a header named when it is not ours: nothing else was read.
    pub(crate) other_version: Option<String>,
    /// The identity line's value, if the file had one.
    pub(crate) identity: Option<String>,
}

/// A journal line: a record's state, what a drain added to an open record, or the process
/// identity.
#[derive(serde::Deserialize)]
#[serde(untagged)]
enum Line {
    Record(Record),
    Grown { grown: Growth },
    Identity { identity: String },
}

/// `grown` lines of one record, merged: tag sets in the order they first grew, as the
/// record that wrote them holds them.
#[derive(Default)]
struct Grown {
    quantity: u64,
    allocations: Vec<Allocation>,
    at: HashMap<Tags, usize>,
    too_many: bool,
}

/// Reads a journal's bytes as of `now`: never panics, whatever the bytes (fuzzed).
#[cfg(any(test, feature = "fuzzing"))]
pub(crate) fn recover(bytes: &[u8], now: SystemTime) -> Recovered {
    // Reading from memory cannot fail.
    recover_from(bytes, now).unwrap_or_default()
}

/// Reads a journal line by line as of `now`, holding one line (at most `MAX_LINE`) and the
/// latest state of each record.
pub(crate) fn recover_from(mut reader: impl BufRead, now: SystemTime) -> io::Result<Recovered> {
    let mut recovery = Recovery::new(now);
    let mut buf = Vec::new();
    let mut first = true;
    loop {
        buf.clear();
        let read = reader
            .by_ref()
            .take(MAX_LINE as u64 + 1)
            .read_until(b'\n', &mut buf)?;
        if read == 0 {
            break;
        }
        let terminated = buf.last() == Some(&b'\n');
        if !terminated && buf.len() > MAX_LINE {
            let terminated = skip_line(&mut reader)?;
            recovery.damaged(terminated);
            first = false;
            continue;
        }
        let line = buf.strip_suffix(b"\n").unwrap_or(&buf);
        if std::mem::take(&mut first)
            && let Some(version) = header_version(line)
        {
            if !READABLE.contains(&version.as_str()) {
                return Ok(Recovered {
                    other_version: Some(version),
                    ..Recovered::default()
                });
            }
            continue;
        }
        recovery.line(line, terminated);
    }
    Ok(recovery.finish())
}

/// Consumes the rest of an overlong line; whether a newline ended it.
fn skip_line(reader: &mut impl BufRead) -> io::Result<bool> {
    loop {
        let buf = reader.fill_buf()?;
        if buf.is_empty() {
            return Ok(false);
        }
        if let Some(at) = buf.iter().position(|b| *b == b'\n') {
            reader.consume(at + 1);
            return Ok(true);
        }
        let len = buf.len();
        reader.consume(len);
    }
}

/// The version a first line names, if it is a header (`None`: a record, or damage).
fn header_version(first: &[u8]) -> Option<String> {
    let rest = first.strip_prefix(HEADER_PREFIX.as_bytes())?;
    Some(String::from_utf8_lossy(rest).into_owned())
}

fn parse(line: &[u8]) -> Option<Line> {
    let line = std::str::from_utf8(line).ok()?;
    let (sum, json) = line.split_once(' ')?;
    let sum = u64::from_str_radix(sum, 16).ok()?;
    (sum == checksum(json))
        .then(|| serde_json::from_str(json).ok())
        .flatten()
}

struct Recovery {
    now: SystemTime,
    current: Hour,
    latest: BTreeMap<Key, Record>,
    /// `grown` lines since each record's last whole state, merged (they carry totals, so the
    /// last one per tag set wins); applied once at the end, so replaying an hour of drains
    /// costs what the lines hold, not lines times tag sets.
    grown: BTreeMap<Key, Grown>,
    skipped: usize,
    rejected: Rejected,
    damaged_beyond_a_tear: bool,
    identity: Option<String>,
}

impl Recovery {
    fn new(now: SystemTime) -> Self {
        Recovery {
            now,
            current: Hour::of(now),
            latest: BTreeMap::new(),
            grown: BTreeMap::new(),
            skipped: 0,
            rejected: Rejected::default(),
            damaged_beyond_a_tear: false,
            identity: None,
        }
    }

    /// A line that is not a valid one; `whole` if its newline is there (so no crash tore it).
    fn damaged(&mut self, whole: bool) {
        self.skipped += 1;
        self.damaged_beyond_a_tear |= whole;
    }

    fn line(&mut self, raw: &[u8], terminated: bool) {
        if raw.is_empty() {
            return;
        }
        match parse(raw) {
            Some(Line::Record(record)) => self.record(record),
            Some(Line::Grown { grown }) => self.grown(grown),
            Some(Line::Identity { identity }) => self.identity = Some(identity),
            None => self.damaged(terminated),
        }
    }

    /// Room for one more (dimension, hour), or it is one already held.
    fn room_for(&self, key: &Key) -> bool {
        self.latest.len() + self.grown.len() < MAX_RECORDS
            || self.latest.contains_key(key)
            || self.grown.contains_key(key)
    }

    fn record(&mut self, record: Record) {
        let verdict = validate::check(&record, self.current).and_then(|()| {
            if self.room_for(&record.key()) {
                Ok(())
            } else {
                Err(Reason::TooMany)
            }
        });
        match verdict {
            Ok(()) => {
                // A whole state holds every growth written before it.
                self.grown.remove(&record.key());
                self.latest.insert(record.key(), record);
            }
            Err(reason) => self.rejected.count(reason),
        }
    }

    fn grown(&mut self, growth: Growth) {
        let key = growth.key();
        if !self.room_for(&key) {
            return self.rejected.count(Reason::TooMany);
        }
        let merged = self.grown.entry(key).or_default();
        merged.quantity = growth.quantity;
        for a in growth.allocations {
            if let Some(&i) = merged.at.get(&a.tags) {
                merged.allocations[i].quantity = a.quantity;
            } else if merged.allocations.len() < MAX_TAG_SETS {
                merged.at.insert(a.tags.clone(), merged.allocations.len());
                merged.allocations.push(a);
            } else {
                // More than any record holds: forged. Held no further, refused at the end.
                merged.too_many = true;
            }
        }
    }

    /// Applies the growths merged since each record's last whole state, then checks the
    /// result as if it had been written whole.
    fn apply_grown(&mut self) {
        for ((hour, dimension), merged) in std::mem::take(&mut self.grown) {
            let key = (hour, dimension.clone());
            let base = self
                .latest
                .get(&key)
                .cloned()
                .unwrap_or_else(|| Record::open(dimension.clone(), hour));
            let growth = Growth {
                dimension,
                hour,
                quantity: merged.quantity,
                allocations: merged.allocations,
            };
            let mut record = base;
            let verdict = if record.state != State::Open {
                Err(Reason::State)
            } else if merged.too_many || !growth.apply(&mut record) {
                Err(Reason::Allocations)
            } else {
                validate::check(&record, self.current)
            };
            match verdict {
                Ok(()) => {
                    self.latest.insert(key, record);
                }
                Err(reason) => self.rejected.count(reason),
            }
        }
    }

    fn finish(mut self) -> Recovered {
        self.apply_grown();
        let mut out = Recovered {
            skipped: self.skipped,
            rejected: self.rejected,
            identity: self.identity,
            ..Recovered::default()
        };
        for mut record in self.latest.into_values() {
            if self.damaged_beyond_a_tear
                && record.state == State::Open
                && record.quantity <= MAX_QUANTITY
            {
                // Its later states may be among the damage: treat it as possibly sent.
                record.state = State::Frozen;
            }
            // Likewise, an attempt after its last intact line may have reached the service.
            record.untransmitted &= !self.damaged_beyond_a_tear;
            let open = matches!(record.state, State::Open | State::Frozen);
            if self.now > record.hour.last_send() {
                if open && record.quantity > 0 {
                    out.expired.push(record);
                }
            } else {
                out.records.push(record);
            }
        }
        out
    }
}
