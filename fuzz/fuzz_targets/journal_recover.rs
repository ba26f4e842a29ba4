//! Metering journal recovery (mp-runtime `usage::journal::recover`) on fuzzed files. The
//! first byte picks the mode:
//! - 0: the rest as the file's bytes: never a panic, and no more records out than lines in;
//! - 1: the rest, line by line, as text a forger put in the file with the checksum the
//!   writer gives it (the checksum is unkeyed, so a buyer can): never a panic, and every
//!   record kept is one the runtime can have written (an hour start, not after the next
//!   hour, within the window, a quantity within the rules' limit unless still open);
//! - else: the rest, 8 bytes at a time, as records the runtime can write, written by the
//!   real journal writer, then the remaining bytes appended as damage. Checks
//!   (docs/marketplace-rules.md, "MeterUsage": 6-hour window): the last state written for each
//!   (dimension, hour) is what comes back, every unsent record within the window is kept with
//!   its quantity, the ones past it are counted as expired, and damage after good lines
//!   never loses any of them.

#![no_main]

use libfuzzer_sys::fuzz_target;
use mp_runtime::fuzzing::{checksummed_line, recover_journal, write_journal};
use serde_json::json;
use std::collections::BTreeMap;
use std::path::PathBuf;

/// Recovery runs at a fixed instant: hour 500,000 (about 2027), 30 minutes in.
const HOUR: u64 = 3600;
const NOW: u64 = 500_000 * HOUR + 1800;
const STATES: [&str; 5] = ["open", "frozen", "sent", "failed", "taken"];

fn path() -> PathBuf {
    let dir = if std::path::Path::new("/dev/shm").is_dir() {
        PathBuf::from("/dev/shm")
    } else {
        std::env::temp_dir()
    };
    dir.join(format!("mp-fuzz-journal-{}", std::process::id()))
}

fn lines(bytes: &[u8]) -> usize {
    bytes
        .split(|b| *b == b'\n')
        .filter(|l| !l.is_empty())
        .count()
}

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    if mode == 0 {
        let r = recover_journal(rest, NOW);
        assert!(r.kept.len() + r.expired <= lines(rest), "{r:?}");
        return;
    }
    if mode == 1 {
        let forged: String = String::from_utf8_lossy(rest)
            .split('\n')
            .map(checksummed_line)
            .collect();
        let r = recover_journal(forged.as_bytes(), NOW);
        let current = NOW / HOUR * HOUR;
        for (hour, _, _) in &r.kept {
            assert_eq!(hour % HOUR, 0, "{r:?}");
            assert!(*hour <= current + HOUR, "{r:?}");
            assert!(NOW <= hour + 6 * HOUR - 60, "{r:?}");
        }
        return;
    }
    // Records: dimension (of 3), hour (from 8 before now to 1 after), quantity, state.
    let count = (usize::from(mode) % 16).min(rest.len() / 8);
    let (records, damage) = rest.split_at(count * 8);
    let mut last: BTreeMap<(u64, String), (u64, &str)> = BTreeMap::new();
    let jsons: Vec<Vec<u8>> = records
        .chunks_exact(8)
        .map(|c| {
            let dimension = format!("d{}", c[0] % 3);
            let hour = (NOW / HOUR - 8 + u64::from(c[1] % 10)) * HOUR;
            let quantity = u64::from(u32::from_le_bytes([c[2], c[3], c[4], c[5]]));
            let state = STATES[usize::from(c[6]) % STATES.len()];
            // Only what the runtime writes: a taken record handed its usage on, a frozen,
            // sent or given-up one holds 1 to 2,147,483,647 units, and only open usage
            // carried forward sits in the next hour.
            let quantity = match state {
                "taken" => 0,
                "open" => quantity,
                _ => quantity.clamp(1, 2_147_483_647),
            };
            let hour = if state == "open" { hour } else { hour.min(NOW / HOUR * HOUR) };
            last.insert((hour, dimension.clone()), (quantity, state));
            json!({"dimension": dimension, "hour": hour, "quantity": quantity,
                   "allocations": [], "state": state})
            .to_string()
            .into_bytes()
        })
        .collect();
    let refs: Vec<&[u8]> = jsons.iter().map(Vec::as_slice).collect();
    let file = write_journal(&path(), &refs, NOW).expect("the journal writes to a temp file");
    let clean = recover_journal(&file, NOW);

    let mut expired = 0;
    for ((hour, dimension), (quantity, state)) in &last {
        let unsent = matches!(*state, "open" | "frozen");
        let in_window = NOW <= hour + 6 * HOUR - 60;
        let kept = clean
            .kept
            .iter()
            .any(|(h, d, q)| h == hour && d == dimension && q == quantity);
        if unsent && in_window {
            assert!(kept, "lost {dimension} @{hour} = {quantity}: {clean:?}");
        }
        if unsent && !in_window && *quantity > 0 {
            expired += 1;
        }
    }
    assert_eq!(clean.expired, expired, "{clean:?}");
    assert_eq!((clean.skipped, clean.rejected), (0, 0), "{clean:?}");

    let mut damaged = file.clone();
    damaged.extend_from_slice(damage);
    let after = recover_journal(&damaged, NOW);
    for record in &clean.kept {
        assert!(
            after.kept.contains(record),
            "damage after it lost {record:?}: {after:?}"
        );
    }
    let _ = std::fs::remove_file(path());
});
