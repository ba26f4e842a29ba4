//! Replicas: two pods of one Deployment run `fx_custom` in the same hour under one
//! mp-emulator, with the same IRSA role and the same `HOSTNAME` (as a pod spec's `hostname:`
//! gives every replica), each with its own credentials session, as EKS gives every pod. The
//! service keeps one record per product, dimension, hour and task or pod
//! (docs/marketplace-rules.md, "One record per hour per dimension"), so each replica's hour is
//! billed in full: neither replica's client tokens nor its record may be taken for the
//! other's.
//!
//! Replicas that share one journal path (a shared volume): each process holds a journal file
//! of its own, a crashed one's is taken over by the next start, and the ledger bills exactly
//! what all of them metered, once.

#[allow(dead_code)] // each suite uses its own part of the shared harness
mod e2e_support;

use e2e_support::fx_custom::{self, FIXTURE};
use e2e_support::harness::{self, Env, wait_for_file, wait_until};
use e2e_support::journal::journal_records;
use e2e_support::sim_hours::{SimHours, assert_billed_once};
use mp_emulator::{Platform, ledger::Ledger, scenario::Scenario};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::time::Instant;

/// What a pod spec's `hostname:` makes every replica's `HOSTNAME`.
const HOSTNAME: &str = "fx-custom";

/// Quantities per (replica, dimension).
type PerReplica = BTreeMap<(String, String), i64>;

/// What each replica meters: `pod-a` runs the fixture's default mode (8 threads x 10,000
/// calls), `pod-b` one round of `hours:1` (8 threads x 1,000 calls); `data_gb` is 3 every
/// 10th call.
fn metered() -> PerReplica {
    [
        ("pod-a", "requests", 80_000),
        ("pod-a", "data_gb", 24_000),
        ("pod-b", "requests", 8_000),
        ("pod-b", "data_gb", 2_400),
    ]
    .into_iter()
    .map(|(replica, dimension, q)| ((replica.to_owned(), dimension.to_owned()), q))
    .collect()
}

/// What the ledger billed, per (replica, dimension), asserting every record is in `hour`.
fn billed(ledger: &Ledger, hour: u64) -> PerReplica {
    let mut billed = PerReplica::new();
    for r in &ledger.records {
        assert_eq!(
            (r.caller.as_str(), r.hour),
            ("irsa", hour),
            "one role, one hour: {r:?}"
        );
        let replica = r.replica.clone().unwrap_or_else(|| "-".to_owned());
        *billed.entry((replica, r.dimension.clone())).or_default() += r.quantity;
    }
    billed
}

#[test]
fn two_replicas_sharing_one_hostname_and_one_irsa_role_are_each_billed_in_full() {
    let started = Instant::now();
    let emu = fx_custom::emulator(Scenario::entitled());
    let dir = tempfile::tempdir().unwrap();
    // Both clocks one minute into the next hour, so both replicas meter in that one hour
    // whatever the real time.
    let hours = SimHours::new(&emu, dir.path());
    let pod = |name: &str| Env::of_replica(&emu, Platform::Eks, name).set("HOSTNAME", HOSTNAME);

    let a = harness::spawn(FIXTURE, &hours.clock(pod("pod-a")));
    let b = harness::spawn(FIXTURE, &hours.env(pod("pod-b"), 1));
    hours.meter_round(0);
    let (a, b) = (harness::finish(a), harness::finish(b));
    a.assert_succeeded();
    b.assert_succeeded();

    let ledger = emu.ledger();
    let metered = metered();
    let billed = billed(&ledger, hours.hour(0));
    let sum = |m: &PerReplica| m.values().sum::<i64>();
    let duplicated = duplicated(&ledger);
    println!(
        "| two replicas sharing one hostname (and one IRSA role) | {} (pod-a {}, pod-b {}) | {} | {} | {duplicated} | {}, {} |",
        thousands(sum(&metered)),
        thousands(replica_sum(&metered, "pod-a")),
        thousands(replica_sum(&metered, "pod-b")),
        thousands(sum(&billed)),
        thousands(sum(&metered) - sum(&billed)),
        exit(a.code),
        exit(b.code),
    );
    println!(
        "  {} MeterUsage calls, rejections {:?}, {:.1} s wall",
        ledger.request_count("MeterUsage"),
        ledger.rejections,
        started.elapsed().as_secs_f64()
    );

    assert_eq!(billed, metered, "each replica billed what it metered");
    assert_billed_once(&ledger);
    assert_eq!(ledger.records.len(), 4, "{}", ledger.to_table());
    for refusal in ["DuplicateRequestException", "IdempotencyConflictException"] {
        assert_eq!(ledger.rejection_count(refusal), 0, "{}", ledger.to_table());
    }
    // The runtime's client tokens are its own per process, whatever the hostname.
    let tokens: BTreeSet<_> = ledger.records.iter().map(|r| &r.client_token).collect();
    assert_eq!(tokens.len(), 4, "{}", ledger.to_table());
}

/// The journal files at `path` (`<path>`, `<path>.1`, ...), not their locks.
fn journal_files(path: &Path) -> Vec<PathBuf> {
    let dir = path.parent().unwrap();
    let name = path.file_name().unwrap().to_str().unwrap();
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            let n = p.file_name().unwrap().to_str().unwrap();
            n == name
                || n.strip_prefix(name)
                    .and_then(|rest| rest.strip_prefix('.'))
                    .is_some_and(|slot| slot.parse::<u32>().is_ok())
        })
        .collect();
    files.sort();
    files
}

/// Units journaled for `hour` across every journal file at `path`: `[requests, data_gb]`.
fn journaled_everywhere(path: &Path, hour: u64) -> [u64; 2] {
    let mut sums = [0, 0];
    for file in journal_files(path) {
        for ((dimension, h), quantity) in journal_records(&file) {
            match dimension.as_str() {
                "requests" if h == hour => sums[0] += quantity,
                "data_gb" if h == hour => sums[1] += quantity,
                _ => {}
            }
        }
    }
    sums
}

#[test]
fn replicas_sharing_one_journal_path_keep_a_file_each_and_a_crashed_one_s_is_taken_over() {
    let emu = fx_custom::emulator(Scenario::entitled());
    let dir = tempfile::tempdir().unwrap();
    let hours = SimHours::new(&emu, dir.path());
    let journal = dir.path().join("shared.journal");
    let pod = |name: &str, mode: &str| {
        let fx_dir = dir.path().join(format!("{name}-{}", rand_suffix()));
        std::fs::create_dir(&fx_dir).unwrap();
        let env = hours
            .clock(Env::of_replica(&emu, Platform::Eks, name))
            .set("FX_DIR", fx_dir.to_str().unwrap())
            .set("MP_TESTING_CHECKPOINT_MS", "20")
            .set("MARKETPLACE_METERING_JOURNAL", journal.to_str().unwrap());
        let env = if mode.is_empty() {
            env.unset("FX_MODE")
        } else {
            env.set("FX_MODE", mode)
        };
        (fx_dir, env)
    };
    // 8 threads x 10,000 calls: 80,000 requests and 24,000 data_gb per process.
    let (per_process_requests, per_process_data) = (80_000u64, 24_000u64);

    // Two replicas on one journal path, both metering in hour 0.
    let (dir_a, env_a) = pod("pod-a", "wait");
    let (dir_b, env_b) = pod("pod-b", "wait");
    let a = harness::spawn(FIXTURE, &env_a);
    let b = harness::spawn(FIXTURE, &env_b);
    wait_for_file(&dir_a.join("ready"));
    wait_for_file(&dir_b.join("ready"));
    wait_until(
        || {
            journaled_everywhere(&journal, hours.hour(0))
                == [2 * per_process_requests, 2 * per_process_data]
        },
        || format!("never journaled: {:?}", journal_files(&journal)),
    );
    let files = journal_files(&journal);
    assert_eq!(
        files.len(),
        2,
        "one journal file per live process: {files:?}"
    );
    let [a_records, b_records] = [&files[0], &files[1]].map(|f| journal_records(f));
    assert!(
        !a_records.is_empty() && !b_records.is_empty(),
        "each wrote its own"
    );

    // pod-b is SIGKILLed and restarts (same pod): it takes its own file back.
    let mut b = b;
    b.kill().unwrap();
    let _ = b.wait();
    let (_, env_b2) = pod("pod-b", "");
    let restarted = harness::run(FIXTURE, &env_b2);
    restarted.assert_succeeded();

    // pod-a is SIGKILLed too; a new pod starts and takes over both files.
    let mut a = a;
    a.kill().unwrap();
    let _ = a.wait();
    let (_, env_c) = pod("pod-c", "");
    let c = harness::run(FIXTURE, &env_c);
    c.assert_succeeded();
    let adopted: Vec<&str> = c
        .stderr
        .lines()
        .filter(|l| l.contains("metering journal: took over"))
        .collect();
    assert_eq!(adopted.len(), 1, "{}", c.stderr);

    // Two hours later one more start (metering nothing) sends what was carried forward.
    hours.move_to(2);
    let (_, env_d) = pod("pod-d", "hours:0");
    let d = harness::run(FIXTURE, &env_d);
    d.assert_succeeded();

    let ledger = emu.ledger();
    let billed = |dimension: &str| -> u64 {
        ledger
            .records
            .iter()
            .filter(|r| r.dimension == dimension)
            .map(|r| r.quantity as u64)
            .sum()
    };
    let metered = [4 * per_process_requests, 4 * per_process_data];
    let got = [billed("requests"), billed("data_gb")];
    let duplicated = duplicated(&ledger);
    println!(
        "| two replicas on one journal path, one SIGKILLed and restarted, then the other SIGKILLed and a new pod started | {} | {} | {} | {duplicated} | 0 (restart, new pod, last start) |",
        thousands((metered[0] + metered[1]) as i64),
        thousands((got[0] + got[1]) as i64),
        thousands((metered[0] + metered[1]) as i64 - (got[0] + got[1]) as i64),
    );
    println!("{}", ledger.to_table());
    assert_eq!(got, metered, "{}", ledger.to_table());
    assert_billed_once(&ledger);
    assert_eq!(
        journal_files(&journal).len(),
        1,
        "the adopted file is gone: {:?}",
        journal_files(&journal)
    );
}

/// A name no earlier run of the same pod used (each start has a directory of its own).
fn rand_suffix() -> u128 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos()
}

fn replica_sum(m: &PerReplica, replica: &str) -> i64 {
    m.iter()
        .filter(|((r, _), _)| r == replica)
        .map(|(_, q)| q)
        .sum()
}

fn exit(code: Option<i32>) -> String {
    code.map_or("signal".to_owned(), |c| c.to_string())
}

/// `114400` as `114,400`, as the results tables write it.
fn thousands(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    if n < 0 { format!("-{out}") } else { out }
}

/// Records beyond the first for a (replica, dimension, hour): each is usage billed twice.
fn duplicated(ledger: &Ledger) -> usize {
    let tasks: BTreeSet<_> = ledger
        .records
        .iter()
        .map(|r| (&r.replica, &r.dimension, r.hour))
        .collect();
    ledger.records.len() - tasks.len()
}
