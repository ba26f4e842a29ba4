//! Entry points for the cargo-fuzz targets in `fuzz/` (cargo feature `fuzzing`, for fuzzing
//! only, never shipped): the two parsers that read outside input, Signature verification and
//! journal recovery, reachable without making them public API. Not a stable API.

use crate::startup::signature::{Expected, verify};
use crate::usage::{Journal, Record, checksummed, recover};
use std::path::Path;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// `RegisterUsage` Signature verification, as start-up runs it.
pub fn verify_signature(
    token: &str,
    public_key_pem: &str,
    nonce: &str,
    product_code: &str,
    key_version: u32,
) -> Result<(), String> {
    let expected = Expected {
        nonce,
        product_code,
        key_version,
    };
    verify(token, public_key_pem, &expected)
}

/// What journal recovery made of a file's bytes.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct JournalRecovery {
    /// Records kept to send (or to hold their hour), as `(hour start, dimension, quantity)`.
    pub kept: Vec<(u64, String, u64)>,
    /// Unsent records whose window had closed.
    pub expired: usize,
    /// Lines that were not valid records.
    pub skipped: usize,
    /// Records this runtime cannot have written.
    pub rejected: usize,
    /// The version a header named when it is not this build's.
    pub other_version: Option<String>,
}

fn at(now_secs: u64) -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(now_secs)
}

/// Recovers a journal from its bytes at `now_secs` (epoch seconds), as start-up does.
pub fn recover_journal(bytes: &[u8], now_secs: u64) -> JournalRecovery {
    let r = recover(bytes, at(now_secs));
    JournalRecovery {
        kept: r
            .records
            .iter()
            .map(|r| (r.hour.start_secs(), r.dimension.clone(), r.quantity))
            .collect(),
        expired: r.expired.len(),
        skipped: r.skipped,
        rejected: r.rejected.total(),
        other_version: r.other_version,
    }
}

/// Writes records with the real journal writer to a fresh file at `path` and returns the
/// file's bytes. Each JSON text in `records` that is a record in the journal's form is
/// written; the others are left out. Lets a fuzzer reach past the line checksums.
pub fn write_journal(path: &Path, records: &[&[u8]], now_secs: u64) -> std::io::Result<Vec<u8>> {
    let _ = std::fs::remove_file(path);
    let (mut journal, _) = Journal::open(path, at(now_secs), "fuzz")?;
    let records: Vec<Record> = records
        .iter()
        .filter_map(|json| serde_json::from_slice(json).ok())
        .collect();
    journal.write(records.as_slice())?;
    std::fs::read(path)
}

/// `text` as a journal line with the checksum the writer gives it: lets a fuzzer forge lines
/// as a buyer can (the checksum is unkeyed).
pub fn checksummed_line(text: &str) -> String {
    checksummed(text)
}
