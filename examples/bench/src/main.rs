//! mp-bench: the benchmarks of BENCHMARKS.md in one table.
//!
//! ```text
//! nice -n 19 cargo bench -p mp-bench --bench hot_path     # item 1 (criterion)
//! nice -n 19 cargo run --release -p mp-bench [-- --runs N] [--clean-builds]
//! ```
//!
//! Items 2-6 run against an in-process mp-emulator and loopback listeners only. Item 6
//! builds both hello programs as they ship from a snapshot of HEAD; items 2-5 run builds of
//! the same snapshot with the features that let them talk to the emulator.

mod black_hole;
mod byte_counter;
mod child;
mod clean_build;
mod hot_path;
mod hourly_calls;
mod no_region;
mod sigterm;
mod startup;
mod table;

use anyhow::{Context as _, bail};
use std::path::{Path, PathBuf};
use table::Row;

const USAGE: &str = "usage: mp-bench [--runs N] [--clean-builds] [--contract-startup-only]
  --runs N        runs per side for the start-up figures (default 25; the failure figure uses N/5, at least 3)
  --clean-builds  redo item 6's clean release builds even if this commit's are kept
  --contract-startup-only  only the contract start-up figure (builds just its two programs)";

struct Options {
    runs: usize,
    clean_builds: bool,
    contract_startup_only: bool,
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
        contract_startup_only: false,
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
            "--contract-startup-only" => options.contract_startup_only = true,
            "-h" | "--help" => {
                println!("{USAGE}");
                std::process::exit(0);
            }
            other => bail!("unknown argument {other:?}\n{USAGE}"),
        }
    }
    Ok(options)
}

/// The contract start-up figure: hello-contract vs hello-raw-licensemanager, built from a
/// snapshot of HEAD with the features that let them talk to the emulator.
fn contract_startup(workspace: &Path, commit: &str, runs: usize) -> Vec<Row> {
    eprintln!("mp-bench: item 2, contract start to first line ...");
    let measured =
        clean_build::build_extra(workspace, commit, &clean_build::CONTRACT).and_then(|attribute| {
            let raw =
                clean_build::build_extra(workspace, commit, &clean_build::RAW_LICENSE_MANAGER)?;
            startup::measure(&startup::CONTRACT, &attribute, &raw, runs)
        });
    vec![measured.unwrap_or_else(|e| {
        Row::pending(
            "2. contract start to first line",
            format!("a run that works: {e:#}"),
        )
    })]
}

fn run(options: &Options) -> anyhow::Result<()> {
    let workspace = workspace_root();
    if options.contract_startup_only {
        let commit = clean_build::head(&workspace)?;
        let rows = contract_startup(&workspace, &commit, options.runs);
        println!("{}", table::render(&rows));
        return Ok(());
    }
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

    // Items 2-5 measure this commit: the kept clean builds above may come from an older one.
    let current = |subject| clean_build::build_extra(&workspace, &commit, subject);
    let attribute_now = current(&clean_build::ATTRIBUTE)?;
    let raw_now = current(&clean_build::RAW_SDK)?;

    // A figure that cannot be measured becomes a row saying why; the others still run.
    let or_row = |figure: &str, result: anyhow::Result<Vec<Row>>| {
        result.unwrap_or_else(|e| vec![Row::pending(figure, format!("a run that works: {e:#}"))])
    };
    eprintln!("mp-bench: item 2, start to first line ...");
    rows.extend(or_row(
        "2. start to first line",
        startup::measure(&startup::HOURLY, &attribute_now, &raw_now, options.runs).map(|r| vec![r]),
    ));
    rows.extend(contract_startup(&workspace, &commit, options.runs));

    eprintln!("mp-bench: item 3, no region source answers ...");
    let few = (options.runs / 5).max(3);
    let no_region = no_region::measure(&attribute_now, &raw_now, few).map(|outcome| {
        notes.push(format!(
            "item 3, attribute says: {}",
            outcome.attribute_message
        ));
        notes.push(format!(
            "item 3, aws-config + SDK says: {}",
            outcome.raw_message
        ));
        outcome.rows
    });
    rows.extend(or_row("3. no-region failure", no_region));

    match clean_build::build_extra(&workspace, &commit, &clean_build::METERED) {
        Ok(metered) => {
            eprintln!("mp-bench: item 4, MeterUsage calls for a million meter! calls ...");
            rows.extend(or_row(
                "4. MeterUsage calls per hour",
                hourly_calls::measure(&metered),
            ));
            eprintln!("mp-bench: item 5, SIGTERM, partial hour pending (one run waits ~20 s) ...");
            rows.extend(or_row(
                "5. SIGTERM to exit",
                sigterm::measure(&metered, few),
            ));
        }
        Err(e) => {
            let needs = format!("hello-metered built from HEAD (custom pricing wired): {e:#}");
            rows.push(Row::pending("4. MeterUsage calls per hour", needs.clone()));
            rows.push(Row::pending("5. SIGTERM to exit", needs));
        }
    }

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
