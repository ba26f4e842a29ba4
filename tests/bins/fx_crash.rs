//! Crash target for the process-fault suite (custom pricing): one thread makes `FX_CALLS`
//! calls, each metering `requests` +1 and, every 10th, `data_gb` +3, pausing 2 ms every 50
//! calls so a run spans many checkpoint drains. After every call it overwrites
//! `FX_DIR/metered` with the units metered so far (`<requests> <data_gb>`, one `pwrite` that a
//! SIGKILL cannot tear), so a test that kills it knows what had been metered. Then:
//! - `FX_WAIT=1`: writes `FX_DIR/ready` and waits for a signal;
//! - otherwise: waits (bounded) until the flusher has drained once, prints
//!   `journal_errors=<n>` (what opening the journal cost), writes `FX_DIR/returned` and
//!   returns, so the runtime's final flush runs.
//!
//! `FX_CALLS=0` meters nothing: a restart that only sends what the journal kept.
//! `FX_LATE_CALLS=<n>`: n more calls once the flusher has drained the first ones, so that
//! only a later drain journals them.

mod support;

use mp_runtime::meter;
use std::fs::File;
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

#[mp_runtime::marketplace_main(
    product_code = "e2ecrash000000000000000001",
    pricing = "custom",
    dimensions(requests, data_gb)
)]
fn main() {
    support::report();
    let dir = PathBuf::from(std::env::var_os("FX_DIR").expect("FX_DIR"));
    let calls: u64 = std::env::var("FX_CALLS").map_or(0, |c| c.parse().expect("FX_CALLS"));
    let late: u64 = std::env::var("FX_LATE_CALLS").map_or(0, |c| c.parse().expect("FX_LATE_CALLS"));
    if calls > 0 {
        meter_and_record(calls, late, &dir);
        wait_for_a_drain();
    }
    println!(
        "journal_errors={}",
        mp_runtime::metering_stats().journal_errors
    );
    if std::env::var_os("FX_WAIT").is_some() {
        std::fs::write(dir.join("ready"), "").expect("ready file");
        loop {
            std::thread::park();
        }
    }
    std::fs::write(dir.join("returned"), "").expect("returned file");
}

fn meter_and_record(calls: u64, late: u64, dir: &Path) {
    let progress = File::create(dir.join("metered")).expect("progress file");
    let (mut requests, mut data_gb) = (0u64, 0u64);
    for i in 0..calls + late {
        if i == calls {
            wait_for_a_drain();
        }
        meter!(requests);
        requests += 1;
        if i % 10 == 0 {
            meter!(data_gb, 3u32);
            data_gb += 3;
        }
        let line = format!("{requests:>12} {data_gb:>12}\n");
        progress
            .write_at(line.as_bytes(), 0)
            .expect("progress write");
        if i % 50 == 49 {
            std::thread::sleep(Duration::from_millis(2));
        }
    }
}

/// Once the flusher holds a record, it has opened (or failed to open) the journal.
fn wait_for_a_drain() {
    let started = Instant::now();
    while started.elapsed() < Duration::from_secs(10) {
        let stats = mp_runtime::metering_stats();
        if stats.pending + stats.sent > 0 {
            return;
        }
        std::thread::sleep(Duration::from_millis(2));
    }
}
