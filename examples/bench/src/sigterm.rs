//! Item 5: SIGTERM to exit with a partial hour of usage pending: the flusher must send it
//! before the process ends (emulator answering), and must give up in time for the ECS and
//! Kubernetes 30 s kill when the metering endpoint never answers (emulator black-holed).

use crate::child;
use crate::table::{Measured, Row, Target};
use anyhow::{Context as _, bail};
use mp_emulator::{Emulator, EmulatorConfig, Platform, scenario::Scenario};
use std::path::Path;
use std::time::{Duration, Instant};

const GUARD: Duration = Duration::from_secs(60);
/// After the first line, time for the metering thread to install its signal handler.
const SETTLE: Duration = Duration::from_millis(500);

pub(crate) fn measure(metered: &Path, runs: usize) -> anyhow::Result<Vec<Row>> {
    let answering = (0..runs)
        .map(|_| time_to_exit(metered, false))
        .collect::<anyhow::Result<Vec<_>>>()?;
    let black_holed = time_to_exit(metered, true)?;
    Ok(vec![
        Row::measured(
            format!(
                "5. SIGTERM to exit, partial hour pending, emulator answering, median of {runs}"
            ),
            Measured {
                value: child::median_ms(answering) / 1e3,
                baseline: None,
                ratio: None,
                unit: "s",
                target: Target::ValueAtMost(1.0),
            },
        ),
        Row::measured(
            "5. SIGTERM to exit, partial hour pending, emulator black-holed",
            Measured {
                value: black_holed.as_secs_f64(),
                baseline: None,
                ratio: None,
                unit: "s",
                target: Target::ValueAtMost(25.0),
            },
        ),
    ])
}

/// One run on a fresh emulator (the hour lock is per task and hour).
fn time_to_exit(metered: &Path, black_hole: bool) -> anyhow::Result<Duration> {
    let emulator = Emulator::start_blocking(EmulatorConfig::default())?;
    let mut env = emulator.env(Platform::Ecs);
    env.push(("AWS_EC2_METADATA_DISABLED".into(), "true".into()));
    let child = child::spawn_with_args(metered, &["wait"], &env)?;
    let pid = child.id();
    let mut signalled_at = None;
    let run = child::finish(child, Instant::now(), GUARD, |_| {
        std::thread::sleep(SETTLE);
        if black_hole {
            let mut s = Scenario::entitled();
            s.faults.black_hole = true;
            emulator.set_scenario(s);
        }
        signalled_at = Some(Instant::now());
        // SAFETY: kill(2) on the child we spawned, which has not been reaped.
        unsafe {
            libc::kill(pid as libc::pid_t, libc::SIGTERM);
        }
    })
    .context("item 5")?;
    let Some(at) = signalled_at else {
        bail!(
            "hello-metered never said it was waiting (exit {:?}): {}",
            run.code,
            run.last_error_line()
        );
    };
    let took = run.ended.duration_since(at);
    // hello-metered returns from main on SIGTERM, so main's status (0) stands.
    if run.code != Some(0) {
        bail!(
            "hello-metered ended with {:?} after SIGTERM, expected 0: {}",
            run.code,
            run.last_error_line()
        );
    }
    if !black_hole && emulator.ledger().records.len() != 2 {
        bail!(
            "the partial hour was not delivered before exit: {:?}",
            emulator.ledger().records
        );
    }
    Ok(took)
}
