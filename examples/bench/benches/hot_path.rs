//! Item 1: the cost of `meter!` on the hot path, against a bare relaxed atomic add (the
//! floor) and against the `metrics` crate with a real recorder installed (what a seller
//! would otherwise reach for), used both ways: a `Counter` handle fetched once and kept (the
//! fastest way to use that crate), and `counter!` on every call (a registry lookup each
//! time). One thread, and two threads adding to the same counter.
//!
//! `nice -n 19 cargo bench -p mp-bench --bench hot_path`; mp-bench reads the medians.

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

// The dimension `meter!` counts into, declared as a library crate does.
mp_runtime::dimensions!(requests);

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

fn hot_path(c: &mut Criterion) {
    let recorder = AtomicRecorder {
        registry: Registry::atomic(),
    };
    metrics::set_global_recorder(recorder).expect("the only recorder in this process");
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

/// Short runs: the machine is shared, and these are nanosecond operations with tight spreads.
fn config() -> Criterion {
    Criterion::default()
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3))
}

criterion_group! {
    name = benches;
    config = config();
    targets = hot_path
}
criterion_main!(benches);
