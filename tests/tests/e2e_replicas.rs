//! Replicas: two pods of one Deployment run `fx_custom` in the same hour under one
//! mp-emulator, with the same IRSA role and the same `HOSTNAME` (as a pod spec's `hostname:`
//! gives every replica), each with its own credentials session, as EKS gives every pod. The
//! service keeps one record per product, dimension, hour and task or pod
//! (docs/metering-rules.md, "One record per hour per dimension"), so each replica's hour is
//! billed in full: neither replica's client tokens nor its record may be taken for the
//! other's.

#[allow(dead_code)] // each suite uses its own part of the shared harness
mod e2e_support;

use e2e_support::fx_custom::{self, FIXTURE};
use e2e_support::harness::{self, Env};
use e2e_support::sim_hours::{SimHours, assert_billed_once};
use mp_emulator::{Ledger, Platform, Scenario};
use std::collections::{BTreeMap, BTreeSet};
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
    let tasks: BTreeSet<_> = ledger
        .records
        .iter()
        .map(|r| (&r.replica, &r.dimension, r.hour))
        .collect();
    let duplicated = ledger.records.len() - tasks.len();
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
