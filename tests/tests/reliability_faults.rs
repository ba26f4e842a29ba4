//! The fault matrix: `fx_custom` meters known quantities over simulated hours
//! while mp-emulator plays one fault from the first hour that becomes due. For every hour
//! still inside the 6-hour window the ledger holds exactly what was metered, one record per
//! (dimension, hour) (docs/marketplace-rules.md, "MeterUsage" and "Retries": records are retried
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
use e2e_support::journal::journal_states;
use e2e_support::sim_hours::{PerHour, SimHours, assert_billed_once, billed};
use mp_emulator::{Platform, ledger::Ledger, scenario::Scenario};
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
    // Each expired record is lost, logged with its dimension, hour and quantity, if an
    // attempt may have reached the emulator; one never attempted is carried into a later
    // hour and billed there.
    let logged: Vec<&str> = o
        .run
        .stderr
        .lines()
        .filter(|l| l.contains(EXPIRED_LOG))
        .collect();
    let lost: PerHour = expired
        .iter()
        .filter(|((dimension, hour), quantity)| {
            logged.iter().any(|l| {
                l.contains(dimension.as_str())
                    && l.contains(&format!("hour={hour}"))
                    && l.contains(&format!("quantity={quantity}"))
            })
        })
        .map(|(k, q)| (k.clone(), *q))
        .collect();
    assert_eq!(logged.len(), lost.len(), "{}", o.run.stderr);
    let carried = expired.len() - lost.len();
    let billed = billed(&o.ledger);
    for (key, quantity) in without(o.metered.clone(), &expired) {
        let extra = billed.get(&key).copied().unwrap_or(0) - quantity;
        assert!(
            extra == 0 || (carried > 0 && extra > 0),
            "{key:?}: billed {quantity} + {extra}"
        );
    }
    assert!(expired.keys().all(|k| !billed.contains_key(k)));
    assert_eq!(
        billed.values().sum::<i64>(),
        o.metered.values().sum::<i64>() - lost.values().sum::<i64>(),
        "every unit billed once, except the lost records'"
    );
    // ...and counted, no journal trouble.
    assert_eq!(o.stats["failed"], lost.len() as u64, "{:?}", o.run);
    assert_eq!(o.stats["carried"], carried as u64, "{:?}", o.run);
    assert_eq!(o.stats["journal_errors"], 0);
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

/// Down from 1 h + 1 min to 6 h + 1 min: hour 0's window closes during it (6 h - 1 min
/// after its start); hours 1 to 5 are still inside theirs. Hour 0's records that were
/// attempted (they may have been read) are lost; any never attempted is carried.
/// Usage waits 5 h, inside the default offline limit (6 h; longer ends the process, below).
#[test]
fn an_outage_of_five_hours_loses_exactly_the_expired_hour_logged_and_counted() {
    assert_case(&Case {
        ends_at: Some(6),
        expired: 0..1,
        ..case(
            "outage 5 h (every connection reset)",
            Scenario::entitled().seed(15).resets(1.0),
            Some("ConnectionReset"),
            7,
        )
    });
}

/// The metering endpoint unreachable (every connection reset) from the first due hour on:
/// once usage has waited longer than the default `offline_limit` (6 h), the process
/// journals what it holds, says so in one line and ends with exit 95.
#[test]
fn past_the_offline_limit_the_process_ends_with_exit_95_and_its_usage_journaled() {
    let emu = fx_custom::emulator(Scenario::entitled());
    let dir = tempfile::tempdir().unwrap();
    let hours = SimHours::new(&emu, dir.path());
    let env = hours
        .env(Env::of(&emu, Platform::Ecs), 3)
        .set("MP_TESTING_RETRY_CAP_MS", "20")
        .set("FX_REPORT", "1");
    let child = harness::spawn(FIXTURE, &env);
    wait_for_file(&dir.path().join("started"));
    emu.set_scenario(Scenario::entitled().resets(1.0));
    hours.meter_round(0);
    hours.move_to(1);
    hours.meter_round(1);
    wait_for_ledger(&emu, |l| l.rejection_count("ConnectionReset") > 0);
    // Hour 0's record has waited since hour 1: 5 h at hour 6, 6 h 1 min at hour 7.
    hours.move_to(6);
    hours.move_to(7);
    let run = harness::finish(child);
    assert_eq!(run.code, Some(95), "{run:?}");
    let line = run
        .stderr
        .lines()
        .find(|l| l.ends_with("[exit 95]"))
        .unwrap_or_else(|| panic!("no exit-95 line: {}", run.stderr));
    assert!(
        line.starts_with("mp-runtime: offline limit reached: usage has waited 6h")
            && line.contains("past the offline_limit of 6h")
            && line.contains("metering.marketplace.<region>.amazonaws.com")
            && line.contains("aws-marketplace:MeterUsage"),
        "{line}"
    );
    assert!(emu.ledger().records.is_empty());
    // Hour 1 is still inside its window: its usage waits in the journal for the next start,
    // in its own hour, or carried into the last one if it was never attempted. Hour 0's
    // record was given up if an attempt may have been read, else it was carried too.
    let held = journal_states(&dir.path().join("journal"));
    for (dimension, [hour0, hour1]) in [
        ("requests", [8_000u64, 16_000]),
        ("data_gb", [2_400, 4_800]),
    ] {
        let units_in = |wanted: &[&str]| -> u64 {
            held.iter()
                .filter(|((d, _), (_, state))| d == dimension && wanted.contains(&state.as_str()))
                .map(|(_, (q, _))| q)
                .sum()
        };
        let waiting = units_in(&["open", "frozen"]);
        assert!(
            waiting >= hour1,
            "{dimension}: {waiting} held for the next start: {held:?}"
        );
        assert_eq!(
            waiting + units_in(&["failed"]),
            hour0 + hour1,
            "{dimension}: {held:?}"
        );
    }
}
