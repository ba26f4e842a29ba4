//! Item 2: process start to the seller's first line, against the loopback emulator, for the
//! attribute hello and the hand-written aws-config + SDK hello. Runs alternate between the
//! two so that drift on a shared machine hits both alike; the figure is the median.

use crate::child::{self, median_ms};
use crate::table::{Measured, Row, Target};
use anyhow::{Context as _, bail};
use mp_emulator::{Emulator, EmulatorConfig, Platform};
use std::path::Path;
use std::time::Duration;

/// What both hello programs print once registered.
pub const FIRST_LINE: &str = "hello from a registered container";
const GUARD: Duration = Duration::from_secs(60);
/// Runs thrown away first (page cache, the emulator's first connections).
const WARM_UP: usize = 2;

pub fn measure(attribute: &Path, raw: &Path, runs: usize) -> anyhow::Result<Row> {
    let emulator = Emulator::start_blocking(EmulatorConfig::default())?;
    let mut env = emulator.env(Platform::Ecs);
    // The region comes from AWS_REGION; instance metadata must never be tried.
    env.push(("AWS_EC2_METADATA_DISABLED".into(), "true".into()));
    let (mut attr_ms, mut raw_ms) = (Vec::new(), Vec::new());
    for i in 0..WARM_UP + runs {
        let a = first_line(attribute, &env)?;
        let r = first_line(raw, &env)?;
        if i >= WARM_UP {
            attr_ms.push(a);
            raw_ms.push(r);
        }
    }
    let registered = emulator.ledger().registrations.len();
    if registered != 2 * (WARM_UP + runs) {
        bail!("the emulator accepted {registered} RegisterUsage calls, expected one per run");
    }
    let (value, baseline) = (median_ms(attr_ms), median_ms(raw_ms));
    Ok(Row::measured(
        format!("2. start to first line, median of {runs}, attribute vs raw SDK"),
        Measured {
            value,
            baseline: Some(baseline),
            ratio: Some(value / baseline),
            unit: "ms",
            target: Target::RatioAtMost(1.00),
        },
    ))
}

fn first_line(program: &Path, env: &[(String, String)]) -> anyhow::Result<Duration> {
    let run = child::run(program, env, GUARD)?;
    match (&run.first_line, run.code) {
        (Some((at, line)), Some(0)) if line == FIRST_LINE => Ok(*at),
        _ => Err(anyhow::anyhow!(
            "{} did not register and print its first line (exit {:?}): {}",
            program.display(),
            run.code,
            run.last_error_line()
        ))
        .context("item 2"),
    }
}
