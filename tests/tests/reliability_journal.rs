//! The journal is on a volume the buyer controls: what is at its path is treated as hostile.
//! Each case runs the real `fx_custom` fixture under mp-emulator (8 threads meter 80,000
//! `requests` and 24,000 `data_gb`, then main returns) with the journal the buyer prepared,
//! and checks that the process serves, says so in one line, and that the ledger bills
//! exactly what was metered, in the hour it was metered.

#[allow(dead_code)] // each suite uses its own part of the shared harness
mod e2e_support;

use e2e_support::fx_custom::{self, FIXTURE};
use e2e_support::harness::{Env, Run, run};
use e2e_support::journal::forged_line;
use mp_emulator::{Emulator, Platform, ledger::Ledger, scenario::Scenario};
use std::path::Path;
use std::time::{SystemTime, UNIX_EPOCH};

const METERED: [(&str, i64); 2] = [("requests", 80_000), ("data_gb", 24_000)];

/// Runs the fixture with `journal` as its journal path.
fn run_with_journal(emu: &Emulator, journal: &Path) -> Run {
    let env = Env::of(emu, Platform::Eks).set(
        "MARKETPLACE_METERING_JOURNAL",
        journal.to_str().expect("a UTF-8 path"),
    );
    run(FIXTURE, &env)
}

/// Billed exactly what was metered, in hours that have begun (none pushed into the future).
fn assert_billed_exactly(ledger: &Ledger) {
    let now_hour = now_secs() / 3600 * 3600;
    for (dimension, quantity) in METERED {
        let billed: i64 = ledger
            .records
            .iter()
            .filter(|r| r.dimension == dimension)
            .map(|r| r.quantity)
            .sum();
        assert_eq!(billed, quantity, "{dimension}: {}", ledger.to_table());
    }
    for r in &ledger.records {
        assert!(r.hour <= now_hour, "billed in a later hour: {r:?}");
    }
}

fn now_secs() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

/// The process served, ended on its own, and printed its exit summary.
fn assert_served(run: &Run) {
    run.assert_succeeded();
    assert!(
        run.stderr
            .lines()
            .any(|l| l.starts_with("mp-runtime: metering at exit:")),
        "{run:?}"
    );
}

/// The runtime's lines that mention `needle`.
fn lines_with<'a>(run: &'a Run, needle: &str) -> Vec<&'a str> {
    run.stderr.lines().filter(|l| l.contains(needle)).collect()
}

#[test]
fn a_fifo_as_the_journal_is_refused_in_one_line_and_the_usage_billed() {
    let emu = fx_custom::emulator(Scenario::entitled());
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("usage.journal");
    let path = std::ffi::CString::new(fifo.to_str().unwrap()).unwrap();
    // SAFETY: a valid NUL-terminated path.
    assert_eq!(unsafe { libc::mkfifo(path.as_ptr(), 0o600) }, 0);
    let run = run_with_journal(&emu, &fifo);
    assert_served(&run);
    let refused = lines_with(&run, "cannot open the metering journal");
    assert_eq!(refused.len(), 1, "{run:?}");
    assert!(
        refused[0].contains("is a FIFO, not a regular file"),
        "{run:?}"
    );
    assert_billed_exactly(&emu.ledger());
    println!(
        "| FIFO as the journal | 104,000 | {} records, 104,000 billed | refused in one line |",
        emu.ledger().records.len()
    );
}

#[test]
fn a_forged_line_with_an_hour_past_any_clock_is_rejected_and_the_usage_billed() {
    let emu = fx_custom::emulator(Scenario::entitled());
    let dir = tempfile::tempdir().unwrap();
    let journal = dir.path().join("usage.journal");
    let forged = forged_line(
        r#"{"dimension":"requests","hour":18446744073709548000,"quantity":1,"allocations":[],"state":"open"}"#,
    );
    std::fs::write(&journal, format!("mp-journal 1\n{forged}")).unwrap();
    let run = run_with_journal(&emu, &journal);
    assert_served(&run);
    assert!(!run.stderr.contains("panicked"), "{run:?}");
    let rejected = lines_with(&run, "metering journal: ignored");
    assert_eq!(rejected.len(), 1, "{run:?}");
    assert!(
        rejected[0].contains("ignored 1 record(s)")
            && rejected[0].contains("an hour that has not come yet"),
        "{run:?}"
    );
    assert_billed_exactly(&emu.ledger());
}

#[test]
fn zero_quantity_frozen_lines_for_a_year_ahead_are_rejected_and_the_usage_billed_now() {
    let emu = fx_custom::emulator(Scenario::entitled());
    let dir = tempfile::tempdir().unwrap();
    let journal = dir.path().join("usage.journal");
    let current = now_secs() / 3600 * 3600;
    let hours = 24 * 366;
    let mut text = String::from("mp-journal 1\n");
    for dimension in ["requests", "data_gb"] {
        for n in 0..=hours {
            let hour = current + n * 3600;
            text.push_str(&forged_line(&format!(
                r#"{{"dimension":"{dimension}","hour":{hour},"quantity":0,"allocations":[],"state":"frozen"}}"#
            )));
        }
    }
    std::fs::write(&journal, text).unwrap();
    let run = run_with_journal(&emu, &journal);
    assert_served(&run);
    let rejected = lines_with(&run, "metering journal: ignored");
    assert_eq!(rejected.len(), 1, "one line for them all: {run:?}");
    let total = 2 * (hours + 1);
    assert!(
        rejected[0].contains(&format!("ignored {total} record(s)")),
        "{run:?}"
    );
    assert_billed_exactly(&emu.ledger());
}
