//! The journal's line format: a header line with the format's version, then one JSON value
//! per line behind its checksum, so a torn or edited line is told from a written one. A line
//! is a record's whole state, `{"grown": ...}` (what a drain added to an open record: its new
//! quantity and the tag sets that changed), or the process identity.

use crate::usage::aggregator::{Growth, Record};
use crate::usage::fnv::Fnv128;

/// The journal format this build writes. Version 2 added the `grown` line.
pub(super) const VERSION: &str = "2";
/// The versions this build reads: version 1 is version 2 without `grown` lines.
pub(super) const READABLE: [&str; 2] = ["1", VERSION];
/// The first line of a journal: this prefix and its version.
pub(super) const HEADER_PREFIX: &str = "mp-journal ";

/// What the journal appends.
pub(crate) trait Appended {
    fn line(&self) -> String;
}

impl Appended for Record {
    fn line(&self) -> String {
        line(self)
    }
}

impl Appended for Growth {
    fn line(&self) -> String {
        // Plain strings and numbers: it always serialises.
        checksummed(&serde_json::json!({ "grown": self }).to_string())
    }
}

pub(super) fn line(record: &Record) -> String {
    // A Record always serialises (plain strings and numbers).
    checksummed(&serde_json::to_string(record).unwrap_or_default())
}

pub(super) fn identity_line(identity: &str) -> String {
    checksummed(&serde_json::json!({ "identity": identity }).to_string())
}

pub(crate) fn checksummed(json: &str) -> String {
    format!("{:016x} {json}\n", checksum(json))
}

pub(super) fn checksum(json: &str) -> u64 {
    let mut hash = Fnv128::new();
    hash.write(json.as_bytes());
    hash.0 as u64
}
