//! Item 1: the cost of `meter!` on the hot path, against a bare relaxed atomic add (the
//! floor) and against the `metrics` crate with a real recorder installed (what a seller
//! would otherwise reach for), used both ways: a `Counter` handle fetched once and kept (the
//! fastest way to use that crate), and `counter!` on every call (a registry lookup each
//! time). One thread, and two threads adding to the same counter.
//!
//! Tagged: `meter!` with one `("tenant", id)` tag, with 10, 1,000 and 100,000 distinct
//! tenants on a dimension, against untagged `meter!` (the floor) and the `metrics` crate's
//! labelled counter through the same registry (`counter!("x", "tenant" => id.to_owned())`,
//! what a seller would write with a borrowed id). Every subject is handed the same tenant id
//! each call, so the loop's own cost is the same for all. Before those, the resident memory
//! one dimension takes after 100,000 distinct tenants is printed.
//!
//! `nice -n 19 cargo bench -p mp-bench --bench hot_path`; mp-bench reads the medians.
//! `... --bench hot_path -- tagged` runs the tagged groups only.

use criterion::measurement::WallTime;
use criterion::{BenchmarkGroup, Criterion, criterion_group, criterion_main};
use metrics::{Counter, Key, KeyName, Metadata, Recorder, SharedString, Unit};
use metrics_util::registry::{AtomicStorage, Registry};
use std::hint::black_box;
use std::sync::Barrier;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::time::{Duration, Instant};

/// What metrics exporters do: counters are atomics in a registry keyed by name and labels,
/// looked up on every `counter!` call.
struct AtomicRecorder {
    registry: Registry<Key, AtomicStorage>,
}

impl Recorder for AtomicRecorder {
    fn describe_counter(&self, _: KeyName, _: Option<Unit>, _: SharedString) {}
    fn describe_gauge(&self, _: KeyName, _: Option<Unit>, _: SharedString) {}
    fn describe_histogram(&self, _: KeyName, _: Option<Unit>, _: SharedString) {}

    fn register_counter(&self, key: &Key, _: &Metadata<'_>) -> Counter {
        self.registry
            .get_or_create_counter(key, |c| Counter::from_arc(c.clone()))
    }

    fn register_gauge(&self, key: &Key, _: &Metadata<'_>) -> metrics::Gauge {
        self.registry
            .get_or_create_gauge(key, |g| metrics::Gauge::from_arc(g.clone()))
    }

    fn register_histogram(&self, key: &Key, _: &Metadata<'_>) -> metrics::Histogram {
        self.registry
            .get_or_create_histogram(key, |h| metrics::Histogram::from_arc(h.clone()))
    }
}

// The dimensions `meter!` counts into, declared as a library crate does: `requests`, and
// one per tenant count of the tagged groups, so each starts the run with no tag set.
mp_runtime::dimensions!(
    requests,
    tenants_10,
    tenants_1000,
    tenants_100000,
    tenants_memory
);

static BARE: AtomicU64 = AtomicU64::new(0);

/// What a seller writes; no flusher runs here, so this is the counting alone.
fn meter() {
    mp_runtime::meter!(requests, black_box(1u64));
}

fn bare_atomic() {
    BARE.fetch_add(black_box(1), Relaxed);
}

fn metrics_counter() {
    metrics::counter!("requests").increment(black_box(1));
}

/// Per-call time with `threads` threads each making `iters` calls at once.
fn contended(threads: usize, iters: u64, op: &(impl Fn() + Sync)) -> Duration {
    let start_line = Barrier::new(threads + 1);
    std::thread::scope(|s| {
        for _ in 0..threads {
            s.spawn(|| {
                start_line.wait();
                for _ in 0..iters {
                    op();
                }
            });
        }
        start_line.wait();
        let start = Instant::now();
        // scope joins every thread before returning
        start
    })
    .elapsed()
}

/// Installs the registry-backed recorder, once for every group.
fn install_recorder() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let recorder = AtomicRecorder {
            registry: Registry::atomic(),
        };
        metrics::set_global_recorder(recorder).expect("the only recorder in this process");
    });
}

fn hot_path(c: &mut Criterion) {
    install_recorder();
    // Fetched once, after the recorder is installed: increments go straight to its atomic.
    let handle = metrics::counter!("requests_cached");
    let cached = || handle.increment(black_box(1));

    // Each subject is its own closure type, so each is inlined into the loop as a seller's
    // call site would be.
    let mut one = c.benchmark_group("hot_path_1_thread");
    one.bench_function("atomic_fetch_add", |b| b.iter(bare_atomic));
    one.bench_function("meter", |b| b.iter(meter));
    one.bench_function("metrics_cached_handle", |b| b.iter(cached));
    one.bench_function("metrics_counter", |b| b.iter(metrics_counter));
    one.finish();

    let mut two = c.benchmark_group("hot_path_2_threads");
    two_threads(&mut two, "atomic_fetch_add", bare_atomic);
    two_threads(&mut two, "meter", meter);
    two_threads(&mut two, "metrics_cached_handle", cached);
    two_threads(&mut two, "metrics_counter", metrics_counter);
    two.finish();
}

fn two_threads(group: &mut BenchmarkGroup<'_, WallTime>, name: &str, op: impl Fn() + Sync) {
    group.bench_function(name, |b| b.iter_custom(|iters| contended(2, iters, &op)));
}

/// The tenant ids of one row, and the calls that meter one request for one of them.
struct Tenants {
    ids: Vec<String>,
    untagged: fn(&str),
    tagged: fn(&str),
    labelled: fn(&str),
}

fn tenants(n: usize) -> Tenants {
    let ids = (0..n).map(|i| format!("tenant-{i:06}")).collect();
    macro_rules! row {
        ($dimension:ident, $metric:literal) => {
            Tenants {
                ids,
                untagged: |_| mp_runtime::meter!($dimension, black_box(1u64)),
                tagged: |id| mp_runtime::meter!($dimension, black_box(1u64), tags = [("tenant", id)]),
                labelled: |id| metrics::counter!($metric, "tenant" => id.to_owned()).increment(black_box(1)),
            }
        };
    }
    match n {
        10 => row!(tenants_10, "requests_10"),
        1_000 => row!(tenants_1000, "requests_1000"),
        _ => row!(tenants_100000, "requests_100000"),
    }
}

/// Per-call time with `threads` threads each making `iters` calls at once, thread `t`'s
/// call `i` for tenant `(i + t * n / threads) % n`, so the threads start apart.
fn contended_tenants(threads: usize, iters: u64, ids: &[String], op: fn(&str)) -> Duration {
    let start_line = Barrier::new(threads + 1);
    let n = ids.len();
    std::thread::scope(|s| {
        for t in 0..threads {
            let start_line = &start_line;
            s.spawn(move || {
                start_line.wait();
                let mut at = t * n / threads;
                for _ in 0..iters {
                    op(&ids[at]);
                    at += 1;
                    if at == n {
                        at = 0;
                    }
                }
            });
        }
        start_line.wait();
        Instant::now()
    })
    .elapsed()
}

/// The process's resident set, in bytes (Linux).
fn resident_bytes() -> usize {
    let statm = std::fs::read_to_string("/proc/self/statm").unwrap_or_default();
    let pages: usize = statm
        .split_whitespace()
        .nth(1)
        .and_then(|p| p.parse().ok())
        .unwrap_or(0);
    pages * 4096
}

/// Resident memory added by 100,000 distinct tenants on one dimension, then by as many
/// labelled `metrics` counters, measured in this process before any group runs.
fn memory_after_100_000_tenants() {
    let ids: Vec<String> = (0..100_000).map(|i| format!("tenant-{i:06}")).collect();
    let before = resident_bytes();
    for id in &ids {
        mp_runtime::meter!(tenants_memory, 1u64, tags = [("tenant", id.as_str())]);
    }
    let meter = resident_bytes().saturating_sub(before);
    let before = resident_bytes();
    for id in &ids {
        metrics::counter!("requests_memory", "tenant" => id.clone()).increment(1);
    }
    let labelled = resident_bytes().saturating_sub(before);
    println!(
        "resident memory after 100,000 distinct tenants on one dimension: meter! +{} KiB, \
         metrics labelled counters +{} KiB",
        meter / 1024,
        labelled / 1024
    );
}

fn tagged(c: &mut Criterion) {
    install_recorder();
    memory_after_100_000_tenants();
    for threads in [1, 2] {
        for n in [10, 1_000, 100_000] {
            let row = tenants(n);
            let mut group = c.benchmark_group(format!(
                "tagged_{threads}_thread{}_{n}_tenants",
                if threads == 1 { "" } else { "s" }
            ));
            for (name, op) in [
                ("meter_untagged", row.untagged),
                ("meter_tagged", row.tagged),
                ("metrics_labelled", row.labelled),
            ] {
                group.bench_function(name, |b| {
                    b.iter_custom(|iters| contended_tenants(threads, iters, &row.ids, op))
                });
            }
            group.finish();
        }
    }
}

/// Short runs: the machine is shared, and these are nanosecond operations with tight spreads.
fn config() -> Criterion {
    Criterion::default()
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3))
}

criterion_group! {
    name = benches;
    config = config();
    targets = hot_path, tagged
}
criterion_main!(benches);
