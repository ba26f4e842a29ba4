//! Custom pricing end to end: the `fx_custom` fixture under mp-emulator. Start-up dry-runs
//! each dimension (docs/marketplace-rules.md, "DryRun"); the usage of 8 threads is flushed when
//! `main` returns or on SIGTERM, and the ledger holds exactly what was metered, one record
//! per dimension per hour (docs/marketplace-rules.md, "One record per hour per dimension"). Several
//! hours run in seconds: the test moves the fixture's clock (a local-testing feature) and
//! the emulator's together.

#[allow(dead_code)] // each suite uses its own part of the shared harness
mod e2e_support;

use e2e_support::fx_custom::{FIXTURE, PRODUCT, emulator};
use e2e_support::harness::{self, Env, wait_for_file, wait_until};
use e2e_support::journal::journaled;
use e2e_support::sim_hours::{SimHours, assert_billed_once, billed};
use mp_emulator::{
    Platform,
    ledger::Ledger,
    scenario::{DryRunAnswer, Scenario},
};

/// What the fixture meters: 8 threads x 10,000 calls; data_gb 3 every 10th call.
const REQUESTS: i64 = 80_000;
const DATA_GB: i64 = 24_000;

/// Everything metered is in the ledger, once: no (dimension, hour) twice.
fn assert_billed_exactly(ledger: &Ledger) {
    assert_eq!(ledger.total(PRODUCT, "requests"), REQUESTS, "{ledger:?}");
    assert_eq!(ledger.total(PRODUCT, "data_gb"), DATA_GB, "{ledger:?}");
    assert_billed_once(ledger);
}

#[test]
fn usage_is_flushed_when_main_returns() {
    let emu = emulator(Scenario::entitled());
    let run = harness::run(FIXTURE, &Env::of(&emu, Platform::Eks));
    run.assert_succeeded();
    assert_eq!(
        run.registered(),
        format!("registered: product={PRODUCT} tier=paid pricing=custom region=us-east-1")
    );
    let ledger = emu.ledger();
    assert!(
        ledger.registrations.is_empty(),
        "custom pricing never calls RegisterUsage"
    );
    assert_billed_exactly(&ledger);
}

#[test]
fn a_dry_run_operation_answer_means_entitled() {
    let emu = emulator(Scenario::entitled().dry_run_answer(DryRunAnswer::DryRunOperation));
    harness::run(FIXTURE, &Env::of(&emu, Platform::Ecs)).assert_succeeded();
    assert_billed_exactly(&emu.ledger());
}

#[test]
fn tag_values_the_service_refuses_lose_no_usage() {
    let emu = emulator(Scenario::entitled());
    let run = harness::run(
        FIXTURE,
        &Env::of(&emu, Platform::Eks).set("FX_MODE", "tenants"),
    );
    run.assert_succeeded();
    let ledger = emu.ledger();
    assert_eq!(ledger.total(PRODUCT, "requests"), 1000, "{ledger:?}");
    assert_eq!(ledger.rejection_count("InvalidTagException"), 0);
    assert_billed_once(&ledger);
    let mut shares: Vec<(String, i64)> = ledger
        .records
        .iter()
        .flat_map(|r| &r.allocations)
        .map(|a| {
            let tags: Vec<String> = a
                .tags
                .iter()
                .map(|t| format!("{}={}", t.key, t.value))
                .collect();
            (tags.join(","), a.quantity)
        })
        .collect();
    shares.sort();
    assert_eq!(
        shares,
        [
            (String::new(), 400),
            ("tenant=acme".to_owned(), 200),
            ("tenant=globex".to_owned(), 200),
            ("tenant=umbrella".to_owned(), 200),
        ],
        "the two refusable tenants' usage is billed in the untagged share (no tags)"
    );
    // Always, at exit: what was metered and billed.
    assert!(
        run.stderr.lines().any(|l| l.starts_with(
            "mp-runtime: metering at exit: 1000 unit(s) metered, 1000 sent in 1 record(s), 0 lost"
        )),
        "{}",
        run.stderr
    );
    // No tracing subscriber in the fixture: the warning still reaches the operator.
    assert!(
        run.stderr.lines().any(|l| l.starts_with("mp-runtime: warn: metering: 400 unit(s) were metered with tags the Metering Service would refuse")),
        "{}",
        run.stderr
    );
}

#[test]
fn not_entitled_stops_before_user_code() {
    let emu = emulator(Scenario::not_entitled());
    let run = harness::run(FIXTURE, &Env::of(&emu, Platform::Ecs));
    let line = run.assert_failed(80);
    assert!(line.contains("DryRun MeterUsage"), "{line}");
    assert!(emu.ledger().records.is_empty());
}

#[test]
fn sigterm_mid_hour_flushes_the_partial_hour_then_exits() {
    let emu = emulator(Scenario::entitled());
    let dir = tempfile::tempdir().unwrap();
    let env = Env::of(&emu, Platform::Ecs)
        .set("FX_MODE", "wait")
        .set("FX_DIR", dir.path().to_str().unwrap());
    let child = harness::spawn(FIXTURE, &env);
    wait_for_file(&dir.path().join("ready"));
    let killed = std::process::Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let run = harness::finish(child);
    assert_eq!(run.code, Some(128 + 15), "{run:?}");
    assert_billed_exactly(&emu.ledger());
}

#[test]
fn three_hours_in_seconds_each_hour_billed_once_with_what_it_metered() {
    const HOURS: u64 = 3;
    let emu = emulator(Scenario::entitled());
    let dir = tempfile::tempdir().unwrap();
    let hours = SimHours::new(&emu, dir.path());
    let child = harness::spawn(FIXTURE, &hours.env(Env::of(&emu, Platform::Ecs), HOURS));
    for round in 0..HOURS {
        hours.move_to(round);
        hours.meter_round(round);
    }
    harness::finish(child).assert_succeeded();
    let ledger = emu.ledger();
    assert_billed_once(&ledger);
    assert_eq!(billed(&ledger), hours.metered(0..HOURS));
}

#[test]
fn sigkill_mid_hour_with_a_journal_loses_nothing_and_bills_once() {
    let emu = emulator(Scenario::entitled());
    let dir = tempfile::tempdir().unwrap();
    let journal = dir.path().join("journal");
    let env = Env::of(&emu, Platform::Ecs)
        .set("FX_DIR", dir.path().to_str().unwrap())
        .set("MP_TESTING_CHECKPOINT_MS", "20")
        .set("MARKETPLACE_METERING_JOURNAL", journal.to_str().unwrap());
    let child = harness::spawn(FIXTURE, &env.clone().set("FX_MODE", "wait"));
    wait_for_file(&dir.path().join("ready"));
    wait_until(
        || journaled(&journal, None) == [REQUESTS as u64, DATA_GB as u64],
        || "the usage was never journaled".to_owned(),
    );
    let killed = std::process::Command::new("kill")
        .args(["-KILL", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    assert_eq!(harness::finish(child).code, None, "killed by the signal");
    assert!(
        emu.ledger().records.is_empty(),
        "nothing was sent before the kill"
    );
    // The next start in the same task meters nothing itself and sends what the journal kept.
    harness::run(FIXTURE, &env.set("FX_MODE", "hours:0")).assert_succeeded();
    assert_billed_exactly(&emu.ledger());
}

#[test]
fn throttling_and_5xx_storms_still_bill_exactly_once() {
    let emu = emulator(
        Scenario::entitled()
            .seed(11)
            .throttle(0.5)
            .server_errors(0.3),
    );
    harness::run(FIXTURE, &Env::of(&emu, Platform::Ecs)).assert_succeeded();
    let ledger = emu.ledger();
    let refused = ledger.rejection_count("ThrottlingException")
        + ledger.rejection_count("InternalServiceErrorException");
    assert!(refused > 0, "the storm happened: {ledger:?}");
    assert_billed_exactly(&ledger);
}
