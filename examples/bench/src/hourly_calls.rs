//! Item 4: how many MeterUsage calls a million `meter!` calls over two dimensions cost in
//! an hour (the design says one per dimension per hour: 2), and the bytes the program sent
//! to the metering endpoint. Counted by the emulator's ledger and a byte-counting relay.

use crate::byte_counter::ByteCounter;
use crate::child;
use crate::table::{Measured, Row, Target};
use anyhow::bail;
use mp_emulator::{Emulator, EmulatorConfig, Platform};
use std::collections::BTreeSet;
use std::path::Path;
use std::time::Duration;

pub(crate) const CALLS: u64 = 1_000_000;
const DIMENSIONS: u64 = 2;
const GUARD: Duration = Duration::from_secs(120);
/// A run that starts this close to an hour boundary waits for the next hour, so the
/// workload lands in one hour (a boundary in the middle would rightly give 4 calls).
const BOUNDARY_MARGIN_SECS: u64 = 60;

pub(crate) fn measure(metered: &Path) -> anyhow::Result<Vec<Row>> {
    wait_clear_of_hour_boundary();
    let emulator = Emulator::start_blocking(EmulatorConfig::default())?;
    let relay = ByteCounter::start(emulator.addr())?;
    let mut env = emulator.env(Platform::Ecs);
    env.retain(|(k, _)| k != "AWS_ENDPOINT_URL_MARKETPLACE_METERING");
    env.push(("AWS_ENDPOINT_URL_MARKETPLACE_METERING".into(), relay.url()));
    env.push(("AWS_EC2_METADATA_DISABLED".into(), "true".into()));
    // Drain often, so the counters are drained many times within the hour.
    env.push(("MP_TESTING_CHECKPOINT_MS".into(), "20".into()));

    let program = metered.to_path_buf();
    let run = child::run_with_args(&program, &["burst", &CALLS.to_string()], &env, GUARD)?;
    if run.code != Some(0) {
        bail!(
            "hello-metered burst failed (exit {:?}): {}",
            run.code,
            run.last_error_line()
        );
    }
    let ledger = emulator.ledger();
    let metered_total = ledger.records.iter().map(|r| r.quantity).sum::<i64>();
    if metered_total != CALLS as i64 {
        bail!("the ledger holds {metered_total} units, the program metered {CALLS}");
    }
    let hours = ledger
        .records
        .iter()
        .map(|r| r.hour)
        .collect::<BTreeSet<_>>();
    // Every MeterUsage request counts, retries and start-up dry runs included; the dry runs
    // (one per dimension) are start-up, not the hour's flushing.
    let sends = ledger
        .request_count("MeterUsage")
        .saturating_sub(DIMENSIONS);
    let per_hour = sends as f64 / hours.len().max(1) as f64;
    Ok(vec![
        Row::measured(
            format!("4. MeterUsage calls per hour, {CALLS} meter! over 2 dimensions"),
            Measured {
                value: per_hour,
                baseline: None,
                ratio: None,
                unit: "calls",
                target: Target::ValueEquals(DIMENSIONS as f64),
            },
        ),
        Row::informational(
            "4. bytes sent to the metering endpoint (2 start-up dry runs included)",
            relay.sent() as f64,
            "bytes",
        ),
    ])
}

fn wait_clear_of_hour_boundary() {
    let into_hour = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() % 3600)
        .unwrap_or(0);
    if into_hour > 3600 - BOUNDARY_MARGIN_SECS {
        eprintln!("mp-bench: item 4 waits for the hour boundary to pass");
        std::thread::sleep(Duration::from_secs(3600 - into_hour + 2));
    }
}
