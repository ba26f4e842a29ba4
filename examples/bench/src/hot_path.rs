//! Item 1 in the table: the criterion results of `cargo bench -p mp-bench --bench hot_path`
//! (medians read from criterion's `estimates.json`), so one table holds every figure.
//! Criterion does the measuring; this only reads what it left in the target dir.

use crate::table::{Measured, Row, Target};
use std::path::{Path, PathBuf};

/// Criterion's group per contention level, and the functions in each.
pub(crate) const GROUPS: [(&str, &str); 2] = [
    ("hot_path_1_thread", "1 thread"),
    ("hot_path_2_threads", "2 threads contending"),
];
pub(crate) const ATOMIC: &str = "atomic_fetch_add";
pub(crate) const METER: &str = "meter";
pub(crate) const METRICS_CACHED: &str = "metrics_cached_handle";
pub(crate) const METRICS: &str = "metrics_counter";

/// `meter!` is held to the floor (within 1.2x of one relaxed atomic add) and must beat the
/// fastest way to use the `metrics` crate; against `counter!` per call it is only reported.
pub(crate) fn rows(target_dir: &Path) -> Vec<Row> {
    let criterion = target_dir.join("criterion");
    let mut rows = Vec::new();
    for (group, label) in GROUPS {
        let median = |f: &str| median_ns(&criterion.join(group).join(f));
        let figures = [
            format!("1. meter! vs bare AtomicU64 add, {label}"),
            format!("1. meter! vs cached metrics::Counter handle, {label}"),
            format!("1. meter! vs metrics::counter! on every call, {label}"),
        ];
        let (Some(meter), Some(atomic), Some(cached), Some(lookup)) = (
            median(METER),
            median(ATOMIC),
            median(METRICS_CACHED),
            median(METRICS),
        ) else {
            for figure in figures {
                rows.push(Row::pending(
                    figure,
                    "`nice -n 19 cargo bench -p mp-bench --bench hot_path` run first",
                ));
            }
            continue;
        };
        let [vs_atomic, vs_cached, vs_lookup] = figures;
        let versus = |figure: String, baseline: f64, ratio: f64, target: Target| {
            Row::measured(
                figure,
                Measured {
                    value: meter,
                    baseline: Some(baseline),
                    ratio: Some(ratio),
                    unit: "ns",
                    target,
                },
            )
        };
        rows.extend([
            versus(vs_atomic, atomic, meter / atomic, Target::RatioAtMost(1.2)),
            // How many times faster meter! is: above 1 means faster.
            versus(vs_cached, cached, cached / meter, Target::RatioAtLeast(1.0)),
            versus(vs_lookup, lookup, lookup / meter, Target::None),
        ]);
    }
    rows
}

/// The median time per iteration criterion estimated, in nanoseconds.
fn median_ns(bench_dir: &Path) -> Option<f64> {
    let path: PathBuf = bench_dir.join("new").join("estimates.json");
    let json: serde_json::Value = serde_json::from_slice(&std::fs::read(path).ok()?).ok()?;
    json["median"]["point_estimate"].as_f64()
}
