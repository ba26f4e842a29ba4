//! Process faults, end to end with `fx_crash` under mp-emulator.
//!
//! - SIGTERM mid-hour: the partial hour is delivered and the process ends as the signal
//!   would (143), within the 30 s that ECS (`stopTimeout`) and Kubernetes
//!   (`terminationGracePeriodSeconds`) allow before SIGKILL; with the endpoint black-holed the
//!   runtime's bound (5 s grace + 15 s flush) still ends it, and the journal keeps the hour.
//! - SIGKILL at seeded points over a run's life (start-up, metering across checkpoint drains,
//!   the final flush with MeterUsage calls in flight), then a restart in the same task with
//!   the same journal: the ledger is exactly what the journal held at the kill, each
//!   (dimension, hour) once (docs/marketplace-rules.md, "One record per hour per dimension per
//!   task/pod": the same quantity again is accepted, so a resend under the same client token
//!   is never a second record). What was metered but not yet journaled when the kill hit
//!   (at most one checkpoint's worth) is lost by design and reported.
//! - Damaged journals (torn, garbage, another version, unwritable, a directory): the product
//!   runs, bills what the readable part held plus the new usage, never twice.
//!
//! Figures are printed (`--nocapture`) as rows for target/reliability/process.md; no
//! assertion is on time.

#[allow(dead_code)] // each suite uses its own part of the shared harness
mod e2e_support;

use e2e_support::crash::{Withholder, Xorshift, metered, terminate};
use e2e_support::harness::{self, Env, Run, wait_for_file, wait_for_ledger, wait_until};
use e2e_support::journal::journal_states;
use e2e_support::sim_hours::{PerHour, assert_billed_once, billed};
use mp_emulator::{Emulator, EmulatorConfig, Platform, metering::Pricing, scenario::Scenario};
use std::collections::{BTreeMap, HashSet};
use std::path::Path;
use std::time::{Duration, Instant};

const FIXTURE: &str = env!("CARGO_BIN_EXE_fx_crash");
const PRODUCT: &str = "e2ecrash000000000000000001";
const JOURNAL_VAR: &str = "MARKETPLACE_METERING_JOURNAL";
/// Calls per run: ~3000 calls with a 2 ms pause every 50 span several 20 ms checkpoints.
const CALLS: u64 = 3000;
const SEED: u64 = 0x5eed_0008;
/// Kill points; at least 20 are required, a few spare in case one lands after the exit.
const POINTS: u64 = 24;
/// In the final flush, each MeterUsage answer takes this long, so sends are in flight.
const LATENCY_MS: u64 = 250;

fn emulator() -> Emulator {
    Emulator::start_blocking(EmulatorConfig::default().product(
        PRODUCT,
        Pricing::Custom,
        &["requests", "data_gb"],
    ))
    .expect("emulator starts")
}

/// ECS, drains every 20 ms, the fixture's files in `dir`, the journal at `journal`.
fn env(emu: &Emulator, dir: &Path, journal: &Path, calls: u64) -> Env {
    Env::of(emu, Platform::Ecs)
        .set("FX_DIR", dir.to_str().unwrap())
        .set("FX_CALLS", &calls.to_string())
        .set("MP_TESTING_CHECKPOINT_MS", "20")
        .set(JOURNAL_VAR, journal.to_str().unwrap())
}

/// The journal's quantities per (dimension, hour), as the ledger would hold them.
fn journaled(journal: &Path) -> PerHour {
    quantities(journal_states(journal))
}

fn quantities(states: BTreeMap<(String, u64), (u64, String)>) -> PerHour {
    states
        .into_iter()
        .filter(|(_, (quantity, _))| *quantity > 0)
        .map(|(key, (quantity, _))| (key, quantity as i64))
        .collect()
}

fn total(per_hour: &PerHour) -> u64 {
    per_hour.values().sum::<i64>() as u64
}

/// The `journal_errors=<n>` line `fx_crash` prints.
fn journal_errors(run: &Run) -> u64 {
    run.stdout
        .lines()
        .find_map(|l| l.strip_prefix("journal_errors="))
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no journal_errors line: {run:?}"))
}

#[test]
fn sigterm_mid_hour_delivers_the_partial_hour_then_ends_as_the_signal() {
    let emu = emulator();
    let dir = tempfile::tempdir().unwrap();
    let journal = dir.path().join("journal");
    let child = harness::spawn(
        FIXTURE,
        &env(&emu, dir.path(), &journal, CALLS).set("FX_WAIT", "1"),
    );
    wait_for_file(&dir.path().join("ready"));
    let signalled = Instant::now();
    terminate(&child);
    let run = harness::finish(child);
    let took = signalled.elapsed();
    assert_eq!(run.code, Some(128 + 15), "{run:?}");
    let ledger = emu.ledger();
    assert_billed_once(&ledger);
    let [requests, data_gb] = metered(dir.path());
    assert_eq!(ledger.total(PRODUCT, "requests"), requests as i64);
    assert_eq!(ledger.total(PRODUCT, "data_gb"), data_gb as i64);
    assert!(
        journal_states(&journal).values().all(|(_, s)| s == "sent"),
        "the journal says delivered"
    );
    println!(
        "| SIGTERM mid-hour | {CALLS} calls, main ignores the signal; SIGTERM->exit {:.2} s \
         (5 s seller grace + flush; ECS/Kubernetes stop timeout 30 s) | {} | {} | 0 | 0 | {:?} | \
         sigterm_mid_hour_delivers_the_partial_hour_then_ends_as_the_signal |",
        took.as_secs_f64(),
        requests + data_gb,
        total(&billed(&ledger)),
        run.code,
    );
}

#[test]
fn sigterm_with_the_endpoint_black_holed_ends_within_the_bound_and_the_journal_keeps_it() {
    let emu = emulator();
    let dir = tempfile::tempdir().unwrap();
    let journal = dir.path().join("journal");
    let env = env(&emu, dir.path(), &journal, CALLS);
    let child = harness::spawn(FIXTURE, &env.clone().set("FX_WAIT", "1"));
    wait_for_file(&dir.path().join("ready"));
    emu.set_scenario(Scenario::entitled().black_hole());
    let signalled = Instant::now();
    terminate(&child);
    let run = harness::finish(child);
    let took = signalled.elapsed();
    assert_eq!(run.code, Some(128 + 15), "{run:?}");
    assert!(emu.ledger().records.is_empty(), "nothing got through");
    let [requests, data_gb] = metered(dir.path());
    // The next start in the same task sends what the journal kept.
    emu.set_scenario(Scenario::entitled());
    harness::run(FIXTURE, &env.set("FX_CALLS", "0")).assert_succeeded();
    let ledger = emu.ledger();
    assert_billed_once(&ledger);
    assert_eq!(ledger.total(PRODUCT, "requests"), requests as i64);
    assert_eq!(ledger.total(PRODUCT, "data_gb"), data_gb as i64);
    println!(
        "| SIGTERM, endpoint black-holed | {CALLS} calls; SIGTERM->exit {:.2} s (bound 5 s + \
         15 s; stop timeout 30 s); restart in the same task sends the journal | {} | {} | 0 | 0 | \
         {:?} | sigterm_with_the_endpoint_black_holed_ends_within_the_bound_and_the_journal_keeps_it |",
        took.as_secs_f64(),
        requests + data_gb,
        total(&billed(&ledger)),
        run.code,
    );
}

/// Where in a run's life a kill lands.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Phase {
    StartUp,
    Metering,
    FinalFlush,
    /// The run had ended by itself before the kill.
    Exited,
}

/// What one kill point saw.
struct Point {
    phase: Phase,
    metered: u64,
    journaled: u64,
    billed: u64,
    /// Records frozen in the journal at the kill: a MeterUsage was in flight.
    in_flight: usize,
    /// Of those, the ones the service had accepted before the kill: the restart sent them
    /// again under the same client token.
    accepted_unacknowledged: usize,
    sent_before_kill: usize,
}

/// Spawns a run, kills it where `rng` says within `phase`, restarts it in the same task
/// with the same journal (metering nothing), and checks the ledger against the journal.
fn kill_and_restart(aim: Phase, rng: &mut Xorshift) -> Point {
    let emu = emulator();
    let dir = tempfile::tempdir().unwrap();
    let journal = dir.path().join("journal");
    let env = env(&emu, dir.path(), &journal, CALLS);
    let mut child = harness::spawn(FIXTURE, &env);
    match aim {
        Phase::StartUp | Phase::Exited => std::thread::sleep(Duration::from_millis(rng.below(60))),
        Phase::Metering => {
            let at = 1 + rng.below(CALLS - 1);
            wait_until(
                || metered(dir.path())[0] >= at,
                || format!("never metered {at} calls"),
            );
        }
        Phase::FinalFlush => {
            wait_for_file(&dir.path().join("metered")); // start-up is over
            emu.set_scenario(Scenario::entitled().latency_ms(LATENCY_MS));
            wait_for_file(&dir.path().join("returned"));
            std::thread::sleep(Duration::from_millis(rng.below(2 * LATENCY_MS)));
        }
    }
    let _ = child.kill(); // SIGKILL
    // On a loaded machine a late kill can find the run already over: then it is no kill
    // point (reported), and its ledger must still equal its journal.
    let killed = harness::finish(child).code.is_none();
    let phase = if !killed {
        Phase::Exited
    } else if dir.path().join("returned").exists() {
        Phase::FinalFlush
    } else if dir.path().join("metered").exists() {
        Phase::Metering
    } else {
        Phase::StartUp
    };
    let at_kill = journaled(&journal);
    let before = billed(&emu.ledger());
    let frozen: Vec<_> = journal_states(&journal)
        .into_iter()
        .filter(|(_, (_, state))| state == "frozen")
        .map(|(key, _)| key)
        .collect();
    let metered = metered(dir.path()).iter().sum::<u64>();

    emu.set_scenario(Scenario::entitled());
    harness::run(FIXTURE, &env.set("FX_CALLS", "0")).assert_succeeded();
    let ledger = emu.ledger();
    assert_billed_once(&ledger);
    let tokens: HashSet<_> = ledger.records.iter().map(|r| &r.client_token).collect();
    assert_eq!(
        tokens.len(),
        ledger.records.len(),
        "one client token per record"
    );
    assert_eq!(
        billed(&ledger),
        at_kill,
        "{aim:?}: the ledger is what the journal held at the kill"
    );
    Point {
        phase,
        metered: metered.max(total(&at_kill)),
        journaled: total(&at_kill),
        billed: total(&billed(&ledger)),
        in_flight: frozen.len(),
        accepted_unacknowledged: frozen.iter().filter(|k| before.contains_key(k)).count(),
        sent_before_kill: before.len(),
    }
}

#[test]
fn sigkill_at_seeded_points_then_a_restart_bills_exactly_the_journal_once() {
    let mut rng = Xorshift(SEED);
    let aims = [Phase::StartUp, Phase::Metering, Phase::FinalFlush];
    let mut points = Vec::new();
    for n in 0..POINTS {
        let aim = aims[(n % 3) as usize];
        let point = kill_and_restart(aim, &mut rng);
        println!(
            "| SIGKILL point {n} ({:?}) | {CALLS} calls; journaled {}, records sent {}, in \
             flight {} (accepted, unacknowledged {}); restart | {} | {} | {} | 0 | killed; restart 0 | \
             sigkill_at_seeded_points_then_a_restart_bills_exactly_the_journal_once |",
            point.phase,
            point.journaled,
            point.sent_before_kill,
            point.in_flight,
            point.accepted_unacknowledged,
            point.metered,
            point.billed,
            point.metered - point.journaled,
        );
        points.push(point);
    }
    let sum = |f: fn(&Point) -> u64| points.iter().map(f).sum::<u64>();
    let count = |phase| points.iter().filter(|p| p.phase == phase).count();
    let sends = |f: fn(&Point) -> usize| points.iter().map(f).sum::<usize>();
    println!(
        "| SIGKILL, all {POINTS} points (seed {SEED:#x}) | killed in start-up {}, metering {}, \
         final flush {} (ended before the kill {}); journaled {}; MeterUsage in flight {}, of \
         which accepted but unacknowledged {} | {} | {} | {} (metered, not yet journaled) | 0 | \
         killed; restarts 0 | sigkill_at_seeded_points_then_a_restart_bills_exactly_the_journal_once |",
        count(Phase::StartUp),
        count(Phase::Metering),
        count(Phase::FinalFlush),
        count(Phase::Exited),
        sum(|p| p.journaled),
        sends(|p| p.in_flight),
        sends(|p| p.accepted_unacknowledged),
        sum(|p| p.metered),
        sum(|p| p.billed),
        sum(|p| p.metered - p.journaled),
    );
    assert_eq!(sum(|p| p.billed), sum(|p| p.journaled));
}

#[test]
fn sigkill_after_the_service_accepted_a_record_but_before_its_answer_bills_it_once() {
    let emu = emulator();
    let relay = Withholder::start(emu.addr());
    let dir = tempfile::tempdir().unwrap();
    let journal = dir.path().join("journal");
    let direct = env(&emu, dir.path(), &journal, CALLS);
    let child = harness::spawn(
        FIXTURE,
        &direct
            .clone()
            .set("AWS_ENDPOINT_URL_MARKETPLACE_METERING", &relay.url()),
    );
    wait_for_file(&dir.path().join("metered")); // start-up is over
    relay.withhold();
    wait_for_ledger(&emu, |l| !l.records.is_empty());
    let mut child = child;
    let _ = child.kill();
    assert_eq!(harness::finish(child).code, None, "killed");
    let accepted = billed(&emu.ledger());
    let at_kill = journal_states(&journal);
    let unacknowledged: Vec<_> = accepted
        .keys()
        .filter(|k| at_kill.get(*k).is_some_and(|(_, s)| s == "frozen"))
        .collect();
    assert!(
        !unacknowledged.is_empty(),
        "accepted, still frozen: {at_kill:?}"
    );
    let sends_before = emu.ledger().request_count("MeterUsage");
    harness::run(FIXTURE, &direct.set("FX_CALLS", "0")).assert_succeeded();
    let ledger = emu.ledger();
    assert_billed_once(&ledger);
    assert_eq!(
        billed(&ledger),
        quantities(at_kill),
        "what the journal held, once"
    );
    let resent = ledger.request_count("MeterUsage") - sends_before;
    println!(
        "| SIGKILL after MeterUsage was accepted, before its answer | {CALLS} calls; a relay \
         withholds the answers; {} record(s) accepted but unacknowledged; restart makes {resent} MeterUsage \
         request(s), dry runs included | {} | {} | 0 | 0 | killed; restart 0 | \
         sigkill_after_the_service_accepted_a_record_but_before_its_answer_bills_it_once |",
        unacknowledged.len(),
        metered(dir.path()).iter().sum::<u64>(),
        total(&billed(&ledger)),
    );
}

/// With the default checkpoint, the journal holds every unit within a second of its
/// `meter!`: usage metered after a drain, then a SIGKILL 2 s later, is billed in full by the
/// restart. (The 2 s wait sets the scene; nothing is asserted on time.)
#[test]
fn sigkill_two_seconds_after_the_last_meter_loses_nothing() {
    let emu = emulator();
    let dir = tempfile::tempdir().unwrap();
    let journal = dir.path().join("journal");
    let env = env(&emu, dir.path(), &journal, 1000)
        .unset("MP_TESTING_CHECKPOINT_MS")
        .set("FX_LATE_CALLS", "500")
        .set("FX_WAIT", "1");
    let mut child = harness::spawn(FIXTURE, &env);
    wait_for_file(&dir.path().join("ready")); // the last meter! is done
    std::thread::sleep(Duration::from_secs(2));
    let _ = child.kill();
    assert_eq!(harness::finish(child).code, None, "killed");
    let at_kill = journaled(&journal);
    harness::run(FIXTURE, &env.unset("FX_WAIT").set("FX_CALLS", "0")).assert_succeeded();
    let ledger = emu.ledger();
    assert_billed_once(&ledger);
    let [requests, data_gb] = metered(dir.path());
    assert_eq!(ledger.total(PRODUCT, "requests"), requests as i64);
    assert_eq!(ledger.total(PRODUCT, "data_gb"), data_gb as i64);
    println!(
        "| SIGKILL 2 s after the last meter! (default 1 s checkpoint) | 1000 calls, a drain, \
         500 more, SIGKILL 2 s later; journaled {}; restart in the same task | {} | {} | 0 | 0 | \
         killed; restart 0 | sigkill_two_seconds_after_the_last_meter_loses_nothing |",
        total(&at_kill),
        requests + data_gb,
        total(&billed(&ledger)),
    );
}

/// A panic in the metering thread ends the process with exit 96 and one line, while `main`
/// still runs (it waits for a signal that never comes); what was journaled before the panic is
/// billed by the next start.
#[test]
fn a_panic_in_the_metering_thread_ends_the_process_with_96() {
    let emu = emulator();
    let dir = tempfile::tempdir().unwrap();
    let journal = dir.path().join("journal");
    let env = env(&emu, dir.path(), &journal, CALLS);
    let run = harness::run(
        FIXTURE,
        &env.clone()
            .set("FX_WAIT", "1")
            .set("MP_TESTING_METERING_PANIC_PASS", "10"),
    );
    assert_eq!(
        run.code,
        Some(mp_runtime::exit::METERING_STOPPED),
        "{run:?}"
    );
    assert!(run.user_code_ran(), "{run:?}");
    let stopped: Vec<&str> = run
        .stderr
        .lines()
        .filter(|l| l.contains("metering stopped"))
        .collect();
    assert_eq!(stopped.len(), 1, "{}", run.stderr);
    assert!(
        stopped[0].starts_with("mp-runtime: metering stopped (the metering thread panicked: ")
            && stopped[0].ends_with("[exit 96]"),
        "{}",
        stopped[0]
    );
    let at_exit = journaled(&journal);
    harness::run(FIXTURE, &env.set("FX_CALLS", "0")).assert_succeeded();
    let ledger = emu.ledger();
    assert_billed_once(&ledger);
    assert_eq!(billed(&ledger), at_exit, "what the journal held, once");
    println!(
        "| metering thread panics (pass 10) while main runs | {CALLS} calls; exit {:?}, one \
         line; journaled {}; restart in the same task | {} | {} | {} (counted since the last \
         pass) | 0 | 96; restart 0 | a_panic_in_the_metering_thread_ends_the_process_with_96 |",
        run.code,
        total(&at_exit),
        metered(dir.path()).iter().sum::<u64>(),
        total(&billed(&ledger)),
        metered(dir.path()).iter().sum::<u64>()
            - total(&at_exit).min(metered(dir.path()).iter().sum::<u64>()),
    );
}

/// Calls a restart makes on top of a damaged journal.
const CALLS_AFTER: u64 = 500;

/// A journal as a SIGKILLed run leaves it (its header, then drained records), and what it
/// holds. Nothing was sent: the run was killed mid-hour.
fn journal_of_a_killed_run(emu: &Emulator, dir: &Path, journal: &Path) -> PerHour {
    let child = harness::spawn(FIXTURE, &env(emu, dir, journal, 1000).set("FX_WAIT", "1"));
    wait_for_file(&dir.join("ready"));
    let all = metered(dir).iter().sum::<u64>();
    wait_until(
        || total(&journaled(journal)) == all,
        || "the usage was never journaled".to_owned(),
    );
    let mut child = child;
    let _ = child.kill();
    assert_eq!(harness::finish(child).code, None);
    std::fs::remove_file(dir.join("ready")).unwrap();
    journaled(journal)
}

/// How a restart on a damaged journal bills its new usage.
#[derive(PartialEq)]
enum NewUsage {
    /// With what the journal held, in this hour.
    BilledNow,
    /// In the next hour, kept in the journal until then: after damage inside the file the
    /// recovered hours are frozen (they may have been sent), so new usage moves on.
    Carried,
}

/// A damaged-journal case: restarts on `journal` metering `CALLS_AFTER` calls and checks
/// that the ledger is `recovered` plus the new usage (or, carried, `recovered` alone), once.
fn restart_on(
    name: &str,
    test: &str,
    (emu, dir, journal): (&Emulator, &Path, &Path),
    recovered: &PerHour,
    new_usage: NewUsage,
) -> Run {
    let run = harness::run(FIXTURE, &env(emu, dir, journal, CALLS_AFTER));
    run.assert_succeeded();
    let ledger = emu.ledger();
    assert_billed_once(&ledger);
    let new = metered(dir);
    let of = |dimension: &str| -> i64 {
        recovered
            .iter()
            .filter(|((d, _), _)| d == dimension)
            .map(|(_, q)| q)
            .sum()
    };
    let now = if new_usage == NewUsage::BilledNow {
        new
    } else {
        [0, 0]
    };
    assert_eq!(
        ledger.total(PRODUCT, "requests"),
        of("requests") + now[0] as i64
    );
    assert_eq!(
        ledger.total(PRODUCT, "data_gb"),
        of("data_gb") + now[1] as i64
    );
    if new_usage == NewUsage::Carried {
        let kept: u64 = journal_states(journal)
            .values()
            .filter(|(_, state)| state == "open")
            .map(|(quantity, _)| quantity)
            .sum();
        assert_eq!(
            kept,
            new.iter().sum::<u64>(),
            "the journal keeps the new usage"
        );
    }
    println!(
        "| journal {name} | restart meters {CALLS_AFTER} calls; journal_errors={} | {} \
         recovered + {} new{} | {} | 0 | 0 | {:?} | {test} |",
        journal_errors(&run),
        total(recovered),
        new.iter().sum::<u64>(),
        if new_usage == NewUsage::Carried {
            " (carried to the next hour, journaled)"
        } else {
            ""
        },
        total(&billed(&ledger)),
        run.code,
    );
    run
}

#[test]
fn a_journal_torn_mid_line_recovers_the_whole_lines() {
    let (emu, dir) = (emulator(), tempfile::tempdir().unwrap());
    let journal = dir.path().join("journal");
    let whole = journal_of_a_killed_run(&emu, dir.path(), &journal);
    let bytes = std::fs::read(&journal).unwrap();
    let last_line = bytes[..bytes.len() - 1]
        .iter()
        .rev()
        .position(|b| *b == b'\n')
        .unwrap();
    std::fs::write(&journal, &bytes[..bytes.len() - last_line / 2]).unwrap();
    let recovered = journaled(&journal);
    // The torn line's state is lost (a real crash tears a line whose send never began).
    let torn_off = total(&whole) - total(&recovered);
    let run = restart_on(
        &format!("torn mid-line (its last state, +{torn_off} units, lost with it)"),
        "a_journal_torn_mid_line_recovers_the_whole_lines",
        (&emu, dir.path(), &journal),
        &recovered,
        NewUsage::BilledNow,
    );
    assert_eq!(journal_errors(&run), 0, "a torn line is no journal error");
}

#[test]
fn garbage_inside_a_journal_is_skipped_the_rest_billed_and_new_usage_carried() {
    let (emu, dir) = (emulator(), tempfile::tempdir().unwrap());
    let journal = dir.path().join("journal");
    let recovered = journal_of_a_killed_run(&emu, dir.path(), &journal);
    let text = std::fs::read(&journal).unwrap();
    let header_end = text.iter().position(|b| *b == b'\n').unwrap() + 1;
    let mut damaged = text[..header_end].to_vec();
    damaged.extend_from_slice(b"\xff\xfe\x00 {\"quantity\": 999999}\n0000000000000000 {}\n");
    damaged.extend_from_slice(&text[header_end..]);
    damaged.extend_from_slice(b"\x13\x37garbage without a newline");
    std::fs::write(&journal, damaged).unwrap();
    restart_on(
        "garbage",
        "garbage_inside_a_journal_is_skipped_the_rest_billed_and_new_usage_carried",
        (&emu, dir.path(), &journal),
        &recovered,
        NewUsage::Carried,
    );
}

#[test]
fn damage_inside_a_journal_of_sent_hours_never_bills_them_twice() {
    let (emu, dir) = (emulator(), tempfile::tempdir().unwrap());
    let journal = dir.path().join("journal");
    // A killed run leaves Open records; the next run (compacting them to the first lines)
    // adds to them and sends: each record's first line is an older, smaller quantity.
    let older = journal_of_a_killed_run(&emu, dir.path(), &journal);
    let env = env(&emu, dir.path(), &journal, 1000);
    harness::run(FIXTURE, &env).assert_succeeded();
    let sent = emu.ledger();
    assert!(journal_states(&journal).values().all(|(_, s)| s == "sent"));
    assert!(total(&older) < total(&billed(&sent)), "{older:?}");
    // Every line of a record but its first fails its checksum, as a disk fault would leave
    // it: the last intact state is older than what was sent.
    let text = std::fs::read_to_string(&journal).unwrap();
    let mut seen = HashSet::new();
    let damaged: String = text
        .lines()
        .map(|line| match line.split_once(' ') {
            Some((sum, json)) if json.starts_with('{') => {
                // Whole states and drains' `grown` lines alike name it.
                let dimension = json
                    .split("\"dimension\":\"")
                    .nth(1)
                    .and_then(|rest| rest.split('"').next())
                    .unwrap_or("")
                    .to_owned();
                if seen.insert(dimension) {
                    format!("{line}\n")
                } else {
                    format!("{}x {json}\n", &sum[1..])
                }
            }
            _ => format!("{line}\n"),
        })
        .collect();
    std::fs::write(&journal, &damaged).unwrap();
    let run = harness::run(FIXTURE, &env.set("FX_CALLS", "0"));
    run.assert_succeeded();
    let ledger = emu.ledger();
    assert_eq!(ledger.records, sent.records, "nothing billed again");
    assert!(
        journal_states(&journal)
            .values()
            .all(|(_, s)| s == "sent" || s == "frozen"),
        "no older quantity moved on to a later hour: {:?}",
        journal_states(&journal)
    );
    println!(
        "| journal damaged inside, hours already sent | 1000 + 1000 calls sent; all but each \
         record's first line damaged (an older Open {} intact); restart meters nothing | {} | {} | 0 | 0 | \
         {:?} | damage_inside_a_journal_of_sent_hours_never_bills_them_twice |",
        total(&older),
        total(&billed(&sent)),
        total(&billed(&ledger)),
        run.code
    );
}

#[test]
fn a_journal_of_another_version_is_moved_aside_untouched_and_a_fresh_one_started() {
    let (emu, dir) = (emulator(), tempfile::tempdir().unwrap());
    let journal = dir.path().join("journal");
    journal_of_a_killed_run(&emu, dir.path(), &journal);
    let text = std::fs::read_to_string(&journal).unwrap();
    let theirs = text.replacen("mp-journal 2\n", "mp-journal 3\n", 1);
    assert_ne!(theirs, text, "the journal had a version line");
    std::fs::write(&journal, &theirs).unwrap();
    let run = restart_on(
        "of another version",
        "a_journal_of_another_version_is_moved_aside_untouched_and_a_fresh_one_started",
        (&emu, dir.path(), &journal),
        &PerHour::new(),
        NewUsage::BilledNow,
    );
    assert_eq!(journal_errors(&run), 1, "counted");
    let aside: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.to_string_lossy().contains("journal.unreadable-"))
        .collect();
    assert_eq!(aside.len(), 1, "{aside:?}");
    assert_eq!(
        std::fs::read_to_string(&aside[0]).unwrap(),
        theirs,
        "untouched"
    );
    assert!(
        std::fs::read_to_string(&journal)
            .unwrap()
            .starts_with("mp-journal 2\n")
    );
}

#[test]
fn an_unwritable_journal_directory_meters_in_memory_and_counts_the_error() {
    let (emu, dir) = (emulator(), tempfile::tempdir().unwrap());
    // Nothing can be created under a regular file (mode bits would not stop root).
    let file = dir.path().join("a-file");
    std::fs::write(&file, "").unwrap();
    let run = restart_on(
        "in an unwritable directory",
        "an_unwritable_journal_directory_meters_in_memory_and_counts_the_error",
        (&emu, dir.path(), &file.join("journal")),
        &PerHour::new(),
        NewUsage::BilledNow,
    );
    assert_eq!(journal_errors(&run), 1, "counted once");
}

#[test]
fn a_journal_path_that_is_a_directory_meters_in_memory_and_counts_the_error() {
    let (emu, dir) = (emulator(), tempfile::tempdir().unwrap());
    let run = restart_on(
        "path is a directory",
        "a_journal_path_that_is_a_directory_meters_in_memory_and_counts_the_error",
        (&emu, dir.path(), dir.path()),
        &PerHour::new(),
        NewUsage::BilledNow,
    );
    assert_eq!(journal_errors(&run), 1, "counted once");
}
