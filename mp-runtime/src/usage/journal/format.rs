//! The journal's line format: a header line with the format's version, then one JSON value
//! per line behind its checksum, so a torn or edited line is told from a written one.

use crate::usage::aggregator::Record;
use crate::usage::fnv::Fnv128;

/// The journal format this build writes and reads.
pub(super) const VERSION: &str = "1";
/// The first line of a journal: this prefix and its version.
pub(super) const HEADER_PREFIX: &str = "mp-journal ";

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
