//! Reading a metering journal from outside the process: lines are `<checksum> <json>`, the
//! last line of a (dimension, hour) is its current state.

use std::collections::BTreeMap;
use std::path::Path;

/// The latest journaled quantity of each (dimension, hour): lines are `<checksum> <json>`.
pub fn journal_records(journal: &Path) -> BTreeMap<(String, u64), u64> {
    let text = std::fs::read_to_string(journal).unwrap_or_default();
    let mut latest = BTreeMap::new();
    for line in text.lines() {
        let Some((_, json)) = line.split_once(' ') else {
            continue;
        };
        let Ok(r) = serde_json::from_str::<serde_json::Value>(json) else {
            continue;
        };
        let (Some(dimension), Some(hour)) = (r["dimension"].as_str(), r["hour"].as_u64()) else {
            continue;
        };
        let quantity = r["quantity"].as_u64().unwrap_or(0);
        latest.insert((dimension.to_owned(), hour), quantity);
    }
    latest
}

/// The journaled quantities of `requests` and `data_gb`: for one hour, or all hours summed.
pub fn journaled(journal: &Path, hour: Option<u64>) -> [u64; 2] {
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
