//! The hot path of `meter!` against a bare `AtomicU64::fetch_add`, on one thread and with
//! two threads contending: `cargo bench -p mp-runtime --bench meter`. Plain `Instant`
//! timing, best of several rounds, with nothing but mp-runtime to build: a quick check. The
//! criterion bench in examples/bench (`cargo bench -p mp-bench --bench hot_path`) adds the
//! `metrics` baselines and is what BENCHMARKS.md reports.

use std::hint::black_box;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::time::{Duration, Instant};

mp_runtime::dimensions!(requests);

const CALLS: u64 = 20_000_000;
const ROUNDS: usize = 5;

static BARE: AtomicU64 = AtomicU64::new(0);

fn bare() {
    BARE.fetch_add(black_box(1), Relaxed);
}

fn metered() {
    mp_runtime::meter!(requests, black_box(1u64));
}

/// Best nanoseconds per call over the rounds, with `threads` threads calling `f`.
fn ns_per_call(threads: usize, f: fn()) -> f64 {
    (0..ROUNDS)
        .map(|_| {
            let started = Instant::now();
            std::thread::scope(|s| {
                for _ in 0..threads {
                    s.spawn(|| {
                        for _ in 0..CALLS {
                            f();
                        }
                    });
                }
            });
            started.elapsed()
        })
        .min()
        .unwrap_or(Duration::ZERO)
        .as_nanos() as f64
        / CALLS as f64
}

fn main() {
    for threads in [1, 2] {
        let bare = ns_per_call(threads, bare);
        let metered = ns_per_call(threads, metered);
        println!(
            "{threads} thread(s), {CALLS} calls each: AtomicU64::fetch_add {bare:.2} ns/call, \
             meter! {metered:.2} ns/call ({:.2}x)",
            metered / bare
        );
    }
}
