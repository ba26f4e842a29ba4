//! The fault matrix: `fx_custom` meters known quantities over simulated hours
//! while mp-emulator plays one fault from the first hour that becomes due. For every hour
//! still inside the 6-hour window the ledger holds exactly what was metered, one record per
//! (dimension, hour) (docs/metering-rules.md, "MeterUsage" and "Retries": records are retried
//! until their timestamp is 6 hours old). Past that window the loss is exactly the expired
//! hours, each logged on stderr and counted in `metering_stats().failed`.
//!
//! Faults that let requests through (throttling, 5xx, resets, latency) stay on to the end
//! and every hour must be billed before the clocks move on; outages (a black hole, or
//! every connection reset) end at a set round, after which the backlog must arrive.
//! The runtime's backoff ceiling is lowered to 20 ms (`MP_TESTING_RETRY_CAP_MS`): its
//! waits are real-time while the hours are simulated.

#[allow(dead_code)] // each suite uses its own part of the shared harness
mod e2e_support;

use e2e_support::fx_custom::{self, FIXTURE};
use e2e_support::harness::{self, Env, Run, wait_for_file, wait_for_ledger};
use e2e_support::sim_hours::{PerHour, SimHours, assert_billed_once, billed};
use mp_emulator::{Ledger, Platform, Scenario};
use std::collections::BTreeMap;
use std::ops::Range;
use std::time::Instant;

/// What the runtime logs for each record whose window closed.
const EXPIRED_LOG: &str = "record not delivered: its 6-hour window closed";

/// One row of the matrix.
struct Case {
    name: &'static str,
    /// In force from the moment round 0's hour becomes due (start-up is never faulted).
    fault: Scenario,
    /// The rejection the emulator counts for this fault, proving it fired.
    fired: Option<&'static str>,
    rounds: u64,
    /// An outage: the round it ends in, once the runtime has drained that round (so it saw
    /// the hour). `None`: the fault stays on to the end.
    ends_at: Option<u64>,
    /// Rounds whose hour's window closed during the outage.
    expired: Range<u64>,
}

/// What a case left behind.
struct Outcome {
    metered: PerHour,
    ledger: Ledger,
    run: Run,
    stats: BTreeMap<String, u64>,
    hours: Vec<u64>,
}

fn run(case: &Case) -> Outcome {
    let started = Instant::now();
    let emu = fx_custom::emulator(Scenario::entitled());
    let dir = tempfile::tempdir().unwrap();
    let hours = SimHours::new(&emu, dir.path());
    let env = hours
        .env(Env::of(&emu, Platform::Ecs), case.rounds)
        .set("MP_TESTING_RETRY_CAP_MS", "20")
        .set("FX_REPORT", "1");
    let child = harness::spawn(FIXTURE, &env);
    wait_for_file(&dir.path().join("started"));
    for round in 0..case.rounds {
        if round == 1 {
            emu.set_scenario(case.fault.clone());
        }
        hours.move_to(round);
        hours.meter_round(round);
        // The outage ends once the fault has fired and the runtime has seen this hour (it
        // drained the round in it), so no send of an earlier hour is still in flight.
        if Some(round) == case.ends_at {
            let fired = case
                .fired
                .expect("an outage says how it shows in the ledger");
            wait_for_ledger(&emu, |l| l.rejection_count(fired) > 0);
            let ledger = emu.ledger();
            assert!(
                ledger.records.is_empty(),
                "billed during the outage: {ledger:?}"
            );
            emu.set_scenario(Scenario::entitled());
        }
        // Outside an outage, every due hour still in its window is billed before the
        // clocks move on.
        if case.ends_at.is_none_or(|end| round >= end) {
            let due = without(
                hours.metered(0..round),
                &hours.metered(case.expired.clone()),
            );
            wait_for_ledger(&emu, |l| due.keys().all(|k| billed(l).contains_key(k)));
        }
    }
    std::fs::write(dir.path().join("report"), "").unwrap();
    let run = harness::finish(child);
    let outcome = Outcome {
        metered: hours.metered(0..case.rounds),
        ledger: emu.ledger(),
        stats: stats(&run),
        hours: (0..case.rounds).map(|r| hours.hour(r)).collect(),
        run,
    };
    report(case, &outcome, started);
    outcome
}

/// The matrix's assertions, the same for every case.
fn assert_case(case: &Case) {
    let o = run(case);
    o.run.assert_succeeded();
    assert_billed_once(&o.ledger);
    let expired: PerHour = o
        .metered
        .iter()
        .filter(|((_, hour), _)| case.expired.clone().any(|r| o.hours[r as usize] == *hour))
        .map(|(k, q)| (k.clone(), *q))
        .collect();
    assert_eq!(
        billed(&o.ledger),
        without(o.metered.clone(), &expired),
        "every hour inside its window billed with what was metered, and nothing else"
    );
    // Lost: exactly the expired hours, each logged with its dimension, hour and quantity...
    let logged: Vec<&str> = o
        .run
        .stderr
        .lines()
        .filter(|l| l.contains(EXPIRED_LOG))
        .collect();
    assert_eq!(logged.len(), expired.len(), "{}", o.run.stderr);
    for ((dimension, hour), quantity) in &expired {
        assert!(
            logged.iter().any(|l| l.contains(dimension)
                && l.contains(&format!("hour={hour}"))
                && l.contains(&format!("quantity={quantity}"))),
            "{dimension} {hour} {quantity} not logged: {logged:?}"
        );
    }
    // ...and counted, nothing carried to another hour, no journal trouble.
    assert_eq!(o.stats["failed"], expired.len() as u64, "{:?}", o.run);
    assert_eq!((o.stats["carried"], o.stats["journal_errors"]), (0, 0));
    if let Some(rejection) = case.fired {
        assert!(o.ledger.rejection_count(rejection) > 0, "{:?}", o.ledger);
    }
}

fn without(mut all: PerHour, gone: &PerHour) -> PerHour {
    all.retain(|k, _| !gone.contains_key(k));
    all
}

/// `metering_stats: sent=.. failed=..`, the fixture's last line on stdout.
fn stats(run: &Run) -> BTreeMap<String, u64> {
    let line = run
        .stdout
        .lines()
        .find_map(|l| l.strip_prefix("metering_stats: "))
        .unwrap_or_else(|| panic!("no metering_stats line: {run:?}"));
    line.split_whitespace()
        .filter_map(|kv| kv.split_once('='))
        .map(|(k, v)| (k.to_owned(), v.parse().unwrap()))
        .collect()
}

/// One row for the results table (`--nocapture` shows it): | case | workload | metered |
/// billed | lost | duplicated | exit code | test |. The wall time is reported, never asserted.
fn report(case: &Case, o: &Outcome, started: Instant) {
    let sum = |m: &PerHour| m.values().sum::<i64>();
    let billed = billed(&o.ledger);
    let fired = case.fired.map_or(String::new(), |name| {
        format!(", {} x {name}", o.ledger.rejection_count(name))
    });
    let lost = sum(&o.metered) - sum(&billed);
    let lost = if case.expired.is_empty() {
        lost.to_string()
    } else {
        format!(
            "{lost} = hours {}..{} (expired), {} records logged, failed={}",
            case.expired.start,
            case.expired.end - 1,
            o.run.stderr.matches(EXPIRED_LOG).count(),
            o.stats["failed"]
        )
    };
    println!(
        "| {} | {} simulated hours of 8 threads metering requests and data_gb{}; {} MeterUsage calls{fired}; {:.1} s wall | {} | {} | {lost} | {} | {} | {} |",
        case.name,
        case.rounds,
        case.ends_at.map_or(String::new(), |end| format!(
            ", fault cleared at hour {end}"
        )),
        o.ledger.request_count("MeterUsage"),
        started.elapsed().as_secs_f64(),
        sum(&o.metered),
        sum(&billed),
        o.ledger.records.len() - billed.len(),
        o.run.code.map_or("signal".to_owned(), |c| c.to_string()),
        std::thread::current().name().unwrap_or("?"),
    );
}

fn case(name: &'static str, fault: Scenario, fired: Option<&'static str>, rounds: u64) -> Case {
    Case {
        name,
        fault,
        fired,
        rounds,
        ends_at: None,
        expired: 0..0,
    }
}

#[test]
fn throttling_half_the_calls_loses_nothing_and_bills_once() {
    assert_case(&case(
        "throttling 50%",
        Scenario::entitled().seed(11).throttle(0.5),
        Some("ThrottlingException"),
        4,
    ));
}

#[test]
fn server_errors_on_a_third_of_the_calls_lose_nothing_and_bill_once() {
    assert_case(&case(
        "5xx 30%",
        Scenario::entitled().seed(12).server_errors(0.3),
        Some("InternalServiceErrorException"),
        4,
    ));
}

#[test]
fn connection_resets_lose_nothing_and_bill_once() {
    assert_case(&case(
        "connection resets 30%",
        Scenario::entitled().seed(13).resets(0.3),
        Some("ConnectionReset"),
        4,
    ));
}

/// Two hours only: every call, the final flush's too, takes 2 s.
#[test]
fn two_second_latency_loses_nothing_and_bills_once() {
    assert_case(&case(
        "latency 2 s",
        Scenario::entitled().latency_ms(2000),
        None,
        2,
    ));
}

/// Each call into the hole costs the runtime's 10 s attempt timeout, so the hole lasts one
/// hour boundary.
#[test]
fn a_black_hole_delays_but_loses_nothing() {
    assert_case(&Case {
        ends_at: Some(2),
        ..case(
            "black hole, 1 h",
            Scenario::entitled().black_hole(),
            Some("BlackHole"),
            3,
        )
    });
}

/// Down from 1 h + 1 min to 5 h + 1 min: hour 0's window is still open (until 6 h - 1 min).
#[test]
fn an_outage_of_four_hours_is_caught_up_oldest_first_without_loss() {
    assert_case(&Case {
        ends_at: Some(5),
        ..case(
            "outage 4 h (every connection reset)",
            Scenario::entitled().seed(14).resets(1.0),
            Some("ConnectionReset"),
            6,
        )
    });
}

/// Down from 1 h + 1 min to 8 h + 1 min: the windows of hours 0, 1 and 2 close during it
/// (each at its start + 6 h - 1 min); hours 3 to 7 are still inside theirs.
#[test]
fn an_outage_of_seven_hours_loses_exactly_the_expired_hours_logged_and_counted() {
    assert_case(&Case {
        ends_at: Some(8),
        expired: 0..3,
        ..case(
            "outage 7 h (every connection reset)",
            Scenario::entitled().seed(15).resets(1.0),
            Some("ConnectionReset"),
            9,
        )
    });
}
