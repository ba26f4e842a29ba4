//! Item 1 in the table: the criterion results of `cargo bench -p mp-bench --bench hot_path`
//! (medians read from criterion's `estimates.json`), so one table holds every figure.
//! Criterion does the measuring; this only reads what it left in the target dir.

use crate::table::{Measured, Row, Target};
use std::path::{Path, PathBuf};

/// Criterion's group per contention level, and the three functions in each.
pub const GROUPS: [(&str, &str); 2] = [
    ("hot_path_1_thread", "1 thread"),
    ("hot_path_2_threads", "2 threads contending"),
];
pub const ATOMIC: &str = "atomic_fetch_add";
pub const METER: &str = "meter";
pub const METRICS: &str = "metrics_counter";

pub fn rows(target_dir: &Path) -> Vec<Row> {
    let criterion = target_dir.join("criterion");
    let mut rows = Vec::new();
    for (group, label) in GROUPS {
        let median = |f: &str| median_ns(&criterion.join(group).join(f));
        let vs_atomic = format!("1. meter! vs bare AtomicU64 add, {label}");
        let vs_metrics = format!("1. meter! vs metrics counter!, {label}");
        match (median(METER), median(ATOMIC), median(METRICS)) {
            (Some(meter), Some(atomic), Some(metrics)) => {
                rows.push(Row::measured(
                    vs_atomic,
                    Measured {
                        value: meter,
                        baseline: Some(atomic),
                        ratio: Some(meter / atomic),
                        unit: "ns",
                        target: Target::RatioAtMost(1.5),
                    },
                ));
                rows.push(Row::measured(
                    vs_metrics,
                    Measured {
                        value: meter,
                        baseline: Some(metrics),
                        ratio: Some(metrics / meter),
                        unit: "ns",
                        target: Target::RatioAtLeast(10.0),
                    },
                ));
            }
            (None, Some(_), Some(_)) => {
                let needs = "meter! usable from outside mp-runtime (custom pricing wiring), \
                             then `cargo bench -p mp-bench --bench hot_path`";
                rows.push(Row::pending(vs_atomic, needs));
                rows.push(Row::pending(vs_metrics, needs));
            }
            _ => {
                let needs = "`nice -n 19 cargo bench -p mp-bench --bench hot_path` run first";
                rows.push(Row::pending(vs_atomic, needs));
                rows.push(Row::pending(vs_metrics, needs));
            }
        }
    }
    rows
}

/// The median time per iteration criterion estimated, in nanoseconds.
fn median_ns(bench_dir: &Path) -> Option<f64> {
    let path: PathBuf = bench_dir.join("new").join("estimates.json");
    let json: serde_json::Value = serde_json::from_slice(&std::fs::read(path).ok()?).ok()?;
    json["median"]["point_estimate"].as_f64()
}
