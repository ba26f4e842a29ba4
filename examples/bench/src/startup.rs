//! Item 2: process start to the seller's first line, against the loopback emulator, for the
//! attribute hello and the hand-written aws-config + SDK hello: hourly (RegisterUsage) and
//! contract (CheckoutLicense). Runs alternate between the two so that drift on a shared
//! machine hits both alike; the figure is the median.

use crate::child::{self, median_ms};
use crate::table::{Measured, Row, Target};
use anyhow::{Context as _, bail};
use mp_emulator::{Emulator, EmulatorConfig, Platform, ledger::Ledger};
use std::path::Path;
use std::time::Duration;

/// One comparison: its figure, the line both programs print once through start-up, and
/// how many start-up calls the emulator's ledger shows (one per run of either program).
pub(crate) struct Pair {
    figure: &'static str,
    first_line: &'static str,
    calls: fn(&Ledger) -> usize,
}

/// hello-attribute vs hello-raw-sdk: RegisterUsage.
pub(crate) const HOURLY: Pair = Pair {
    figure: "2. start to first line, median of {runs}, attribute vs raw SDK",
    first_line: "hello from a registered container",
    calls: |ledger| ledger.registrations.len(),
};

/// hello-contract vs hello-raw-licensemanager: the tiers checked out.
pub(crate) const CONTRACT: Pair = Pair {
    figure: "2. contract start to first line, median of {runs}, attribute vs raw License Manager SDK",
    first_line: "hello from a licensed container",
    calls: |ledger| ledger.licenses.checkouts.len(),
};
const GUARD: Duration = Duration::from_secs(60);
/// Runs thrown away first (page cache, the emulator's first connections).
const WARM_UP: usize = 2;

pub(crate) fn measure(
    pair: &Pair,
    attribute: &Path,
    raw: &Path,
    runs: usize,
) -> anyhow::Result<Row> {
    let emulator = Emulator::start_blocking(EmulatorConfig::default())?;
    let mut env = emulator.env(Platform::Ecs);
    // The region comes from AWS_REGION; instance metadata must never be tried.
    env.push(("AWS_EC2_METADATA_DISABLED".into(), "true".into()));
    let (mut attr_ms, mut raw_ms) = (Vec::new(), Vec::new());
    for i in 0..WARM_UP + runs {
        let a = first_line(pair, attribute, &env)?;
        let r = first_line(pair, raw, &env)?;
        if i >= WARM_UP {
            attr_ms.push(a);
            raw_ms.push(r);
        }
    }
    let calls = (pair.calls)(&emulator.ledger());
    if calls != 2 * (WARM_UP + runs) {
        bail!("the emulator accepted {calls} start-up calls, expected one per run");
    }
    let (value, baseline) = (median_ms(attr_ms), median_ms(raw_ms));
    Ok(Row::measured(
        pair.figure.replace("{runs}", &runs.to_string()),
        Measured {
            value,
            baseline: Some(baseline),
            ratio: Some(value / baseline),
            unit: "ms",
            target: Target::RatioAtMost(1.00),
        },
    ))
}

fn first_line(pair: &Pair, program: &Path, env: &[(String, String)]) -> anyhow::Result<Duration> {
    let run = child::run(program, env, GUARD)?;
    match (&run.first_line, run.code) {
        (Some((at, line)), Some(0)) if line == pair.first_line => Ok(*at),
        _ => Err(anyhow::anyhow!(
            "{} did not start up and print its first line (exit {:?}): {}",
            program.display(),
            run.code,
            run.last_error_line()
        ))
        .context("item 2"),
    }
}
