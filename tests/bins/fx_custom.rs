//! Custom pricing, sync main: THREADS threads meter `requests` (+1 a call) and `data_gb`
//! (3 every 10th call). `FX_MODE` picks what follows:
//! - unset: meter `PER_THREAD` calls per thread, then return;
//! - `wait`: the same, write `FX_DIR/ready`, then wait for a signal;
//! - `hours:N`: N rounds; round `r` waits for `FX_DIR/go-r`, meters `1000 * (r + 1)` calls
//!   per thread, then writes `FX_DIR/done-r` (the test moves the clock between rounds);
//! - `tenants`: instead, 1,000 `requests` tagged with a tenant id taken in turn from
//!   `TENANTS`, two of which hold characters a tag value may not, then return;
//! - `tenant-hours:N`: N rounds as `hours:N`, each 2 threads metering every one of 1,000
//!   tenants (`tenant-0000` ...) `TENANT_CALLS` times: `requests` +1 and `data_gb` +3 a call,
//!   each tagged `("tenant", id)`; after the last round, wait for a signal.
//!
//! `FX_REPORT=1` (with `FX_DIR`) also shows what the runtime did: its tracing events go to
//! stderr, `FX_DIR/started` is written once start-up is over, and when the body is done and
//! `FX_DIR/report` exists (the test's say-so: the runtime caught up), `metering_stats: ...`
//! is printed, the last line on stdout (the final flush comes after it).

mod support;

use mp_runtime::meter;
use std::path::{Path, PathBuf};
use std::time::Duration;

const THREADS: u64 = 8;
const PER_THREAD: u64 = 10_000;
/// Tenant ids as a seller might take them from requests: `!` and `ü` are not allowed in a
/// tag value.
const TENANTS: [&str; 5] = ["acme", "globex", "initech!", "zürich-ag", "umbrella"];
/// `tenant-hours:N`: tenants a process meters, and calls per tenant, thread and round.
const TENANT_COUNT: usize = 1_000;
const TENANT_CALLS: usize = 5;

#[mp_runtime::marketplace_main(
    product_code = "e2ecustom00000000000000001",
    pricing = "custom",
    dimensions(requests, data_gb)
)]
fn main() {
    support::report();
    let dir = std::env::var_os("FX_DIR").map(PathBuf::from);
    let mode = std::env::var("FX_MODE").unwrap_or_default();
    let reporting = std::env::var_os("FX_REPORT").is_some();
    if reporting {
        start_reporting(dir.as_deref());
    }
    body(dir.clone(), &mode);
    if reporting {
        print_stats(&dir.expect("FX_DIR"));
    }
}

fn body(dir: Option<PathBuf>, mode: &str) {
    if mode == "tenants" {
        for i in 0..1000 {
            meter!(
                requests,
                1u8,
                tags = [("tenant", TENANTS[i % TENANTS.len()])]
            );
        }
        return;
    }
    if let Some(rounds) = mode.strip_prefix("tenant-hours:") {
        let dir = dir.expect("FX_DIR");
        let ids: Vec<String> = (0..TENANT_COUNT)
            .map(|i| format!("tenant-{i:04}"))
            .collect();
        for round in 0..rounds.parse::<u64>().expect("tenant-hours:N") {
            while !dir.join(format!("go-{round}")).exists() {
                std::thread::sleep(Duration::from_millis(5));
            }
            meter_tenants(&ids);
            std::fs::write(dir.join(format!("done-{round}")), "").expect("done file");
        }
        loop {
            std::thread::park();
        }
    }
    if let Some(rounds) = mode.strip_prefix("hours:") {
        let dir = dir.expect("FX_DIR");
        for round in 0..rounds.parse::<u64>().expect("hours:N") {
            while !dir.join(format!("go-{round}")).exists() {
                std::thread::sleep(Duration::from_millis(5));
            }
            meter_from_threads(1000 * (round + 1));
            std::fs::write(dir.join(format!("done-{round}")), "").expect("done file");
        }
        return;
    }
    meter_from_threads(PER_THREAD);
    if mode == "wait" {
        std::fs::write(dir.expect("FX_DIR").join("ready"), "").expect("ready file");
        loop {
            std::thread::park();
        }
    }
}

fn meter_from_threads(calls: u64) {
    std::thread::scope(|s| {
        for _ in 0..THREADS {
            s.spawn(move || {
                for i in 0..calls {
                    meter!(requests);
                    if i % 10 == 0 {
                        meter!(data_gb, 3u32);
                    }
                }
            });
        }
    });
}

/// Two threads, each through every tenant from its own starting point, `TENANT_CALLS` times.
fn meter_tenants(ids: &[String]) {
    std::thread::scope(|s| {
        for t in 0..2 {
            s.spawn(move || {
                for call in 0..TENANT_CALLS * ids.len() {
                    let id = ids[(call + t * ids.len() / 2) % ids.len()].as_str();
                    meter!(requests, 1u8, tags = [("tenant", id)]);
                    meter!(data_gb, 3u8, tags = [("tenant", id)]);
                }
            });
        }
    });
}

/// The runtime's warnings and errors on stderr, and a file saying start-up is over.
fn start_reporting(dir: Option<&Path>) {
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_ansi(false)
        .without_time()
        .init();
    if let Some(dir) = dir {
        std::fs::write(dir.join("started"), "").expect("started file");
    }
}

fn print_stats(dir: &Path) {
    while !dir.join("report").exists() {
        std::thread::sleep(Duration::from_millis(5));
    }
    let s = mp_runtime::metering_stats();
    println!(
        "metering_stats: sent={} pending={} failed={} carried={} journal_errors={}",
        s.sent, s.pending, s.failed, s.carried, s.journal_errors
    );
}
