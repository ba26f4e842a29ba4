//! Reading a metering journal from outside the process: lines are `<checksum> <json>`, the
//! last line of a (dimension, hour) is its current state. A drain writes `{"grown": ...}`:
//! the open record's new quantity (a total, not an increment).

use std::collections::BTreeMap;
use std::path::Path;

/// The last journaled `(quantity, state)` of each (dimension, hour), checksums not checked
/// (a torn line is not valid JSON, so it is skipped as the runtime skips it).
pub(crate) fn journal_states(journal: &Path) -> BTreeMap<(String, u64), (u64, String)> {
    let bytes = std::fs::read(journal).unwrap_or_default();
    let mut latest = BTreeMap::new();
    for line in bytes.split(|b| *b == b'\n') {
        let Some(json) = line.splitn(2, |b| *b == b' ').nth(1) else {
            continue;
        };
        let Ok(mut r) = serde_json::from_slice::<serde_json::Value>(json) else {
            continue;
        };
        if let Some(grown) = r.get_mut("grown").map(serde_json::Value::take) {
            r = grown;
            r["state"] = "open".into();
        }
        let (Some(dimension), Some(hour)) = (r["dimension"].as_str(), r["hour"].as_u64()) else {
            continue;
        };
        let quantity = r["quantity"].as_u64().unwrap_or(0);
        let state = r["state"].as_str().unwrap_or("").to_owned();
        latest.insert((dimension.to_owned(), hour), (quantity, state));
    }
    latest
}

/// The latest journaled quantity of each (dimension, hour).
pub(crate) fn journal_records(journal: &Path) -> BTreeMap<(String, u64), u64> {
    journal_states(journal)
        .into_iter()
        .map(|(key, (quantity, _))| (key, quantity))
        .collect()
}

/// The journaled quantities of `requests` and `data_gb`: for one hour, or all hours summed.
pub(crate) fn journaled(journal: &Path, hour: Option<u64>) -> [u64; 2] {
    let mut sums = [0, 0];
    for ((dimension, h), quantity) in journal_records(journal) {
        if hour.is_some_and(|hour| hour != h) {
            continue;
        }
        match dimension.as_str() {
            "requests" => sums[0] += quantity,
            "data_gb" => sums[1] += quantity,
            _ => {}
        }
    }
    sums
}

/// `json` as a journal line with the checksum the runtime's writer gives it: what a buyer
/// who edits the file can write (the checksum is unkeyed).
pub(crate) fn forged_line(json: &str) -> String {
    mp_runtime::fuzzing::checksummed_line(json)
}
