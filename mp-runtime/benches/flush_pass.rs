//! What the flusher's pass costs, and how often it writes the journal, at the 1 s checkpoint
//! against the 10 s one it replaced: `cargo bench -p mp-runtime --features bench --bench
//! flush_pass`. Plain `Instant` timing, medians; the baselines (a `meter!` call, the 10 s
//! checkpoint) are measured in the same run.
//!
//! 1. One pass with nothing new (no `meter!` since the last) and one after new usage: time,
//!    heap allocations and journal writes per pass (a write is one `write` and one
//!    `fdatasync`; a pass writes one line per dimension that changed, and this bench meters
//!    one dimension, so lines = writes).
//! 2. The flusher's own loop for `SECS` seconds at each checkpoint, idle and under a steady
//!    `meter!` load on another thread: journal writes per second and the loop thread's CPU
//!    time per second (`/proc/thread-self/schedstat`, Linux).

use std::alloc::{GlobalAlloc, Layout, System};
use std::hint::black_box;
use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering::Relaxed};
use std::time::{Duration, Instant};

mp_runtime::dimensions!(requests);

/// Heap allocations, counted.
struct Counting;

static ALLOCATIONS: AtomicU64 = AtomicU64::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Relaxed);
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

const PASSES: usize = 400;
const CALLS_PER_PASS: u64 = 1000;
const SECS: u64 = 20;

fn meter_calls(n: u64) {
    for _ in 0..n {
        mp_runtime::meter!(requests, black_box(1u64));
    }
}

/// Journal writes so far: the lines of drained (open) states.
fn writes(journal: &Path) -> u64 {
    std::fs::read_to_string(journal)
        .unwrap_or_default()
        .lines()
        .filter(|l| l.contains("\"state\":\"open\""))
        .count() as u64
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

/// Nanoseconds per `meter!` call, the baseline for a pass's cost.
fn meter_ns() -> f64 {
    const CALLS: u64 = 10_000_000;
    let rounds: Vec<f64> = (0..5)
        .map(|_| {
            let started = Instant::now();
            meter_calls(CALLS);
            started.elapsed().as_nanos() as f64 / CALLS as f64
        })
        .collect();
    median(rounds)
}

struct Pass {
    ns: f64,
    allocations: f64,
    writes: f64,
}

/// `PASSES` passes, each after `calls` `meter!` calls (not timed).
fn passes(dir: &Path, name: &str, calls: u64) -> Pass {
    let journal = dir.join(name);
    let mut flushing = mp_runtime::bench::flusher(&journal, Duration::from_secs(1));
    meter_calls(1);
    flushing.pass(); // the hour's record exists from here on, as in a running process
    let writes_before = writes(&journal);
    let (mut times, mut allocations) = (Vec::new(), 0u64);
    for _ in 0..PASSES {
        meter_calls(calls);
        let before = ALLOCATIONS.load(Relaxed);
        let started = Instant::now();
        flushing.pass();
        times.push(started.elapsed().as_nanos() as f64);
        allocations += ALLOCATIONS.load(Relaxed) - before;
    }
    Pass {
        ns: median(times),
        allocations: allocations as f64 / PASSES as f64,
        writes: (writes(&journal) - writes_before) as f64 / PASSES as f64,
    }
}

/// CPU time this thread has used, in nanoseconds.
fn thread_cpu_ns() -> u64 {
    std::fs::read_to_string("/proc/thread-self/schedstat")
        .ok()
        .and_then(|s| s.split_whitespace().next()?.parse().ok())
        .unwrap_or(0)
}

struct Looped {
    writes_per_sec: f64,
    cpu_ns_per_sec: f64,
}

/// The flusher's loop for `SECS` s at `checkpoint`, with a steady `meter!` load or none.
fn looped(dir: &Path, name: &str, checkpoint: Duration, load: bool) -> Looped {
    let journal = dir.join(name);
    let flushing = mp_runtime::bench::flusher(&journal, checkpoint);
    let stop = AtomicBool::new(false);
    std::thread::scope(|s| {
        if load {
            s.spawn(|| {
                while !stop.load(Relaxed) {
                    meter_calls(100);
                    std::thread::sleep(Duration::from_millis(1));
                }
            });
        }
        let cpu = thread_cpu_ns();
        flushing.run_for(Duration::from_secs(SECS));
        let cpu = thread_cpu_ns() - cpu;
        stop.store(true, Relaxed);
        Looped {
            writes_per_sec: writes(&journal) as f64 / SECS as f64,
            cpu_ns_per_sec: cpu as f64 / SECS as f64,
        }
    })
}

fn main() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let meter = meter_ns();
    println!("baseline: meter! {meter:.2} ns/call");
    for (name, calls) in [("nothing new", 0), ("after new usage", CALLS_PER_PASS)] {
        let pass = passes(dir.path(), name, calls);
        println!(
            "one pass, {name}: {:.0} ns ({:.0}x a meter! call), {:.1} allocations, {:.2} \
             journal writes (median of {PASSES})",
            pass.ns,
            pass.ns / meter,
            pass.allocations,
            pass.writes,
        );
    }
    for load in [false, true] {
        let at = |secs| {
            let name = format!("loop-{secs}s-{load}");
            looped(dir.path(), &name, Duration::from_secs(secs), load)
        };
        let (ten, one) = (at(10), at(1));
        println!(
            "flusher loop, {SECS} s, {}: journal writes/s {:.2} at 1 s vs {:.2} at 10 s; loop \
             CPU {:.0} us/s at 1 s vs {:.0} us/s at 10 s ({:.1}x; {:.4}% of a core at 1 s)",
            if load {
                "steady meter! load (100 calls/ms)"
            } else {
                "no load"
            },
            one.writes_per_sec,
            ten.writes_per_sec,
            one.cpu_ns_per_sec / 1e3,
            ten.cpu_ns_per_sec / 1e3,
            one.cpu_ns_per_sec / ten.cpu_ns_per_sec.max(1.0),
            one.cpu_ns_per_sec / 1e7,
        );
    }
}
