//! mp-bench: the benchmarks of issue 7 in one table (see BENCHMARKS.md).
//!
//! ```text
//! nice -n 19 cargo bench -p mp-bench --bench hot_path     # item 1 (criterion)
//! nice -n 19 cargo run --release -p mp-bench [-- --runs N] [--clean-builds]
//! ```
//!
//! Items 2-6 run against an in-process mp-emulator and loopback listeners only. Item 6
//! builds both hello programs from a snapshot of HEAD; items 2 and 3 run those binaries.

mod black_hole;
mod child;
mod clean_build;
mod hot_path;
mod no_region;
mod startup;
mod table;

use anyhow::{Context as _, bail};
use std::path::{Path, PathBuf};
use table::Row;

const USAGE: &str = "usage: mp-bench [--runs N] [--clean-builds]
  --runs N        runs per side for the start-up figure (default 25; the failure figure uses N/5, at least 3)
  --clean-builds  redo item 6's clean release builds even if this commit's are kept";

struct Options {
    runs: usize,
    clean_builds: bool,
}

fn main() -> std::process::ExitCode {
    match options().and_then(|o| run(&o)) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("mp-bench: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}

fn options() -> anyhow::Result<Options> {
    let mut options = Options {
        runs: 25,
        clean_builds: false,
    };
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--runs" => {
                let n = args.next().context("--runs needs a number")?;
                options.runs = n
                    .parse()
                    .ok()
                    .filter(|n| *n > 0)
                    .with_context(|| format!("--runs takes a positive number, not {n:?}"))?;
            }
            "--clean-builds" => options.clean_builds = true,
            "-h" | "--help" => {
                println!("{USAGE}");
                std::process::exit(0);
            }
            other => bail!("unknown argument {other:?}\n{USAGE}"),
        }
    }
    Ok(options)
}

fn run(options: &Options) -> anyhow::Result<()> {
    let workspace = workspace_root();
    let mut rows: Vec<Row> = hot_path::rows(&target_dir(&workspace));
    let mut notes = Vec::new();

    let commit = clean_build::head(&workspace)?;
    let build = |subject| clean_build::build(&workspace, &commit, subject, options.clean_builds);
    let attribute = build(&clean_build::ATTRIBUTE)?;
    let raw = build(&clean_build::RAW_SDK)?;
    for built in [&attribute, &raw] {
        let how = if built.reused {
            "reused from an earlier run (--clean-builds redoes it)"
        } else {
            "built by this run"
        };
        notes.push(format!(
            "item 6: {} is the clean build of commit {}, {how}",
            built.binary.display(),
            built.commit
        ));
    }

    eprintln!("mp-bench: item 2, start to first line ...");
    rows.push(startup::measure(
        &attribute.binary,
        &raw.binary,
        options.runs,
    )?);

    eprintln!("mp-bench: item 3, no region source answers ...");
    let no_region = no_region::measure(&attribute.binary, &raw.binary, (options.runs / 5).max(3))?;
    rows.extend(no_region.rows);
    notes.push(format!(
        "item 3, attribute says: {}",
        no_region.attribute_message
    ));
    notes.push(format!(
        "item 3, aws-config + SDK says: {}",
        no_region.raw_message
    ));

    let wiring = "custom pricing (meter! and the flusher) wired into mp-runtime";
    rows.push(Row::pending(
        "4. MeterUsage calls per simulated hour, 1M meter! over 2 dimensions",
        wiring,
    ));
    rows.push(Row::pending("4. bytes sent for that hour", wiring));
    rows.push(Row::pending(
        "5. SIGTERM to exit with a pending partial hour, emulator answering",
        wiring,
    ));
    rows.push(Row::pending(
        "5. SIGTERM to exit with a pending partial hour, emulator black-holed",
        wiring,
    ));

    rows.extend(clean_build::rows(&attribute, &raw));

    println!("{}", table::render(&rows));
    for note in notes {
        println!("- {note}");
    }
    Ok(())
}

/// examples/bench -> the workspace root.
fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .ancestors()
        .nth(2)
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from("."))
}

fn target_dir(workspace: &Path) -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace.join("target"))
}
