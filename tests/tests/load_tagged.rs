//! Tagged metering under load, end to end: 4 `fx_custom` processes (a replica each) meter 2
//! dimensions for 1,000 tenants each from 2 threads, over 3 simulated hours (the test moves
//! the processes' clock and the emulator's together), then get SIGTERM. The ledger holds
//! exactly what was metered per replica, dimension and hour, and per tenant in each record's
//! allocations; nothing went untagged (1,000 tag sets is under the 2,499 a record carries).
//! Prints the emulator's request rate and the processes' CPU time (`--nocapture`).

#[allow(dead_code)] // each suite uses its own part of the shared harness
mod e2e_support;

use e2e_support::fx_custom::{FIXTURE, emulator};
use e2e_support::harness::{self, Env, wait_for_file, wait_until};
use e2e_support::journal::journal_records;
use e2e_support::sim_hours::{SimHours, assert_billed_once};
use mp_emulator::{Platform, scenario::Scenario};
use std::collections::BTreeMap;
use std::time::Instant;

const PROCESSES: usize = 4;
const HOURS: u64 = 3;
const TENANTS: usize = 1_000;
/// What one process meters for one tenant in one hour: 2 threads x 5 calls.
const CALLS_PER_TENANT: i64 = 2 * 5;
/// Per tenant and hour: `requests` +1 a call, `data_gb` +3.
const PER_TENANT: [(&str, i64); 2] = [
    ("requests", CALLS_PER_TENANT),
    ("data_gb", 3 * CALLS_PER_TENANT),
];

#[test]
fn four_processes_two_dimensions_a_thousand_tenants_over_three_hours_bill_exactly() {
    let emu = emulator(Scenario::entitled());
    let root = tempfile::tempdir().unwrap();
    let hours = SimHours::new(&emu, root.path());
    let dirs: Vec<_> = (0..PROCESSES)
        .map(|p| {
            let dir = root.path().join(format!("p{p}"));
            std::fs::create_dir(&dir).unwrap();
            dir
        })
        .collect();
    let started = Instant::now();
    let children: Vec<_> = dirs
        .iter()
        .enumerate()
        .map(|(p, dir)| {
            let env = Env::of_replica(&emu, Platform::Ecs, &format!("replica-{p}"));
            let env = hours
                .clock(env)
                .set("FX_MODE", &format!("tenant-hours:{HOURS}"))
                .set("FX_DIR", dir.to_str().unwrap())
                .set("MP_TESTING_CHECKPOINT_MS", "20")
                .set(
                    "MARKETPLACE_METERING_JOURNAL",
                    dir.join("journal").to_str().unwrap(),
                );
            harness::spawn(FIXTURE, &env)
        })
        .collect();
    for round in 0..HOURS {
        hours.move_to(round);
        for dir in &dirs {
            std::fs::write(dir.join(format!("go-{round}")), "").unwrap();
        }
        for dir in &dirs {
            wait_for_file(&dir.join(format!("done-{round}")));
            // Drained into the round's hour before the clocks move on.
            let hour = hours.hour(round);
            wait_until(
                || {
                    let journaled = journal_records(&dir.join("journal"));
                    PER_TENANT.iter().all(|(dimension, q)| {
                        journaled.get(&(dimension.to_string(), hour)).copied()
                            >= Some((q * TENANTS as i64) as u64)
                    })
                },
                || format!("round {round} never journaled in {}", dir.display()),
            );
        }
    }
    for child in &children {
        let term = std::process::Command::new("kill")
            .args(["-TERM", &child.id().to_string()])
            .status()
            .unwrap();
        assert!(term.success());
    }
    let runs: Vec<_> = children.into_iter().map(harness::finish).collect();
    let elapsed = started.elapsed();
    for run in &runs {
        assert_eq!(run.code, Some(128 + 15), "{run:?}");
    }

    let ledger = emu.ledger();
    assert_billed_once(&ledger);
    let mut billed: BTreeMap<(String, String, u64), Billed> = BTreeMap::new();
    for r in &ledger.records {
        let key = (
            r.replica.clone().unwrap_or_default(),
            r.dimension.clone(),
            r.hour,
        );
        let Billed {
            quantity,
            tenants,
            untagged,
        } = billed.entry(key).or_default();
        *quantity += r.quantity;
        for a in &r.allocations {
            match a.tags.as_slice() {
                [] => *untagged += a.quantity,
                [tag] if tag.key == "tenant" => {
                    *tenants.entry(tag.value.clone()).or_default() += a.quantity
                }
                other => panic!("tags not metered: {other:?}"),
            }
        }
    }
    assert_eq!(billed.len(), PROCESSES * 2 * HOURS as usize, "{billed:?}");
    for (
        (replica, dimension, hour),
        Billed {
            quantity,
            tenants,
            untagged,
        },
    ) in &billed
    {
        let per_tenant = PER_TENANT.iter().find(|(d, _)| d == dimension).unwrap().1;
        let at = format!("{replica} {dimension} {hour}");
        assert_eq!(*quantity, per_tenant * TENANTS as i64, "{at}");
        assert_eq!(*untagged, 0, "{at}: nothing went untagged");
        assert_eq!(tenants.len(), TENANTS, "{at}");
        assert!(tenants.values().all(|q| *q == per_tenant), "{at}");
    }

    let requests: u64 = ledger.requests.values().sum();
    let cpu = children_cpu_secs();
    println!(
        "load: {PROCESSES} processes x 2 dimensions x {TENANTS} tenants x {HOURS} hours, \
         {} meter! calls: {} requests at the emulator in {:.1} s ({:.1} requests/s); \
         the processes' CPU time {:.2} s (user + sys, all {PROCESSES}); untagged 0",
        PROCESSES as i64 * HOURS as i64 * TENANTS as i64 * CALLS_PER_TENANT * 2,
        requests,
        elapsed.as_secs_f64(),
        requests as f64 / elapsed.as_secs_f64(),
        cpu
    );
}

/// One (replica, dimension, hour) in the ledger: its quantity, each tenant's share, and the
/// untagged share.
#[derive(Debug, Default)]
struct Billed {
    quantity: i64,
    tenants: BTreeMap<String, i64>,
    untagged: i64,
}

/// User + system CPU seconds of every child this test process waited for (this suite's
/// only test, so the fixtures' alone).
fn children_cpu_secs() -> f64 {
    // SAFETY: getrusage writes into the struct it is given.
    let usage = unsafe {
        let mut usage = std::mem::zeroed::<libc::rusage>();
        libc::getrusage(libc::RUSAGE_CHILDREN, &mut usage);
        usage
    };
    let secs = |t: libc::timeval| t.tv_sec as f64 + t.tv_usec as f64 / 1e6;
    secs(usage.ru_utime) + secs(usage.ru_stime)
}
