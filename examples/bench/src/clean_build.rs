//! Item 6: a clean release build of each hello program as it ships (no features: the
//! attribute's without local-testing), each in its own new target dir, timed, and the
//! stripped binary's size. The build runs on a snapshot of the committed tree
//! (`git archive HEAD`), so half-edited files in the work tree cannot skew or break it, and at
//! `nice -n 19`, since the machine is shared.
//!
//! A clean build of the AWS SDK takes minutes, so the last results are kept beside the
//! target dirs and reused, whatever commit they were built from (the table says which), until
//! `--clean-builds` asks for new ones. Items 2-5 run binaries built from the current commit
//! with the features that let them talk to mp-emulator ([`build_extra`]).

use crate::table::{Measured, Row, Target};
use anyhow::{Context as _, bail};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

/// A hello program built for the comparison.
pub(crate) struct Subject {
    pub package: &'static str,
    /// Features that let it talk to mp-emulator (the attribute needs local-testing); only
    /// items 2-5 use them, item 6 builds what ships.
    pub features: &'static str,
}

pub(crate) const ATTRIBUTE: Subject = Subject {
    package: "hello-attribute",
    features: "local-testing",
};
pub(crate) const RAW_SDK: Subject = Subject {
    package: "hello-raw-sdk",
    features: "",
};
pub(crate) const CONTRACT: Subject = Subject {
    package: "hello-contract",
    features: "local-testing",
};
pub(crate) const RAW_LICENSE_MANAGER: Subject = Subject {
    package: "hello-raw-licensemanager",
    features: "",
};
pub(crate) const METERED: Subject = Subject {
    package: "hello-metered",
    features: "local-testing",
};

/// What a clean build produced.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub(crate) struct Built {
    pub binary: PathBuf,
    pub build_secs: f64,
    /// CPU seconds (user + system) of cargo and every compiler it ran: unlike wall time,
    /// barely moved by other work on a shared machine. Absent in builds kept by older runs.
    #[serde(default)]
    pub cpu_secs: Option<f64>,
    pub stripped_bytes: u64,
    pub commit: String,
    /// Whether this run built it, or reused an earlier run's build.
    #[serde(skip)]
    pub reused: bool,
}

/// Where snapshots, target dirs and kept results live.
pub(crate) fn work_dir() -> PathBuf {
    std::env::temp_dir().join("mp-bench")
}

/// The commit both builds are made from: HEAD when the run starts, so a commit landing
/// in between cannot give the two programs different sources.
pub(crate) fn head(workspace: &Path) -> anyhow::Result<String> {
    git(workspace, &["rev-parse", "--short=12", "HEAD"])
}

/// Builds (or reuses) `subject` from a snapshot of `commit`.
pub(crate) fn build(
    workspace: &Path,
    commit: &str,
    subject: &Subject,
    clean: bool,
) -> anyhow::Result<Built> {
    let work = work_dir();
    let target = work.join(format!("target-{}", subject.package));
    let kept = work.join(format!("{}.json", subject.package));
    if !clean
        && let Some(mut built) = std::fs::read(&kept)
            .ok()
            .and_then(|b| serde_json::from_slice::<Built>(&b).ok())
            .filter(|b| b.binary.exists())
    {
        built.reused = true;
        return Ok(built);
    }
    let source = snapshot(workspace, commit)?;
    if target.exists() {
        std::fs::remove_dir_all(&target)
            .with_context(|| format!("cannot empty {}", target.display()))?;
    }
    eprintln!(
        "mp-bench: clean release build of {} at {commit} (nice -n 19; minutes) ...",
        subject.package
    );
    let start = Instant::now();
    let cpu_before = children_cpu_secs();
    cargo_build(&source, &target, subject.package, "")?;
    let build_secs = start.elapsed().as_secs_f64();
    let cpu_secs = Some(children_cpu_secs() - cpu_before);
    let binary = target.join("release").join(subject.package);
    let stripped_bytes = std::fs::metadata(&binary)
        .with_context(|| format!("no binary at {}", binary.display()))?
        .len();
    let built = Built {
        binary,
        build_secs,
        cpu_secs,
        stripped_bytes,
        commit: commit.to_owned(),
        reused: false,
    };
    std::fs::write(&kept, serde_json::to_vec_pretty(&built)?)?;
    Ok(built)
}

/// A release build of `commit` for items 2-5 (built, not timed), into the attribute hello's
/// target dir, where the dependencies are already compiled: those items measure this commit
/// even when item 6 reuses clean builds of an older one.
pub(crate) fn build_extra(
    workspace: &Path,
    commit: &str,
    subject: &Subject,
) -> anyhow::Result<PathBuf> {
    let source = snapshot(workspace, commit)?;
    let target = work_dir().join(format!("target-{}", ATTRIBUTE.package));
    eprintln!(
        "mp-bench: release build of {} at {commit} ...",
        subject.package
    );
    cargo_build(&source, &target, subject.package, subject.features)?;
    Ok(target.join("release").join(subject.package))
}

/// `nice -n 19 cargo build --release --locked -p <package>`, stripped, output in a log.
fn cargo_build(source: &Path, target: &Path, package: &str, features: &str) -> anyhow::Result<()> {
    let log = work_dir().join(format!("{package}-build.log"));
    let mut cargo = Command::new("nice");
    cargo
        .args(["-n", "19", "cargo", "build", "--release", "--locked", "-p"])
        .arg(package)
        .arg("--target-dir")
        .arg(target)
        .args(["--config", "profile.release.strip=true"])
        .current_dir(source)
        .env_remove("CARGO_TARGET_DIR")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(&log)?);
    if !features.is_empty() {
        cargo.args(["--features", features]);
    }
    let status = cargo
        .status()
        .context("cannot run `nice -n 19 cargo build`")?;
    if !status.success() {
        bail!(
            "the release build of {package} failed ({status}); see {}",
            log.display()
        );
    }
    Ok(())
}

/// `git archive <commit>` unpacked once per commit.
fn snapshot(workspace: &Path, commit: &str) -> anyhow::Result<PathBuf> {
    let dir = work_dir().join(format!("src-{commit}"));
    if dir.join("Cargo.toml").exists() {
        return Ok(dir);
    }
    std::fs::create_dir_all(&dir)?;
    let tar = work_dir().join(format!("src-{commit}.tar"));
    git(
        workspace,
        &[
            "archive",
            "--format=tar",
            "-o",
            &tar.to_string_lossy(),
            "HEAD",
        ],
    )?;
    let status = Command::new("tar")
        .arg("-xf")
        .arg(&tar)
        .arg("-C")
        .arg(&dir)
        .status()
        .context("cannot run tar")?;
    if !status.success() {
        bail!("tar could not unpack {}", tar.display());
    }
    let _ = std::fs::remove_file(&tar);
    Ok(dir)
}

fn git(workspace: &Path, args: &[&str]) -> anyhow::Result<String> {
    let out = Command::new("git")
        .arg("-C")
        .arg(workspace)
        .args(args)
        .output()
        .context("cannot run git (item 6 builds from a snapshot of HEAD)")?;
    if !out.status.success() {
        bail!(
            "git {} failed: {}",
            args.join(" "),
            String::from_utf8_lossy(&out.stderr).trim()
        );
    }
    Ok(String::from_utf8_lossy(&out.stdout).trim().to_owned())
}

/// CPU time of this process's waited-for descendants so far (cargo waits for each rustc).
fn children_cpu_secs() -> f64 {
    // SAFETY: getrusage fills the zeroed struct it is given and reads nothing else.
    let usage = unsafe {
        let mut usage: libc::rusage = std::mem::zeroed();
        libc::getrusage(libc::RUSAGE_CHILDREN, &mut usage);
        usage
    };
    let secs = |t: libc::timeval| t.tv_sec as f64 + t.tv_usec as f64 / 1e6;
    secs(usage.ru_utime) + secs(usage.ru_stime)
}

/// The item-6 rows: build time (CPU and wall) and stripped size, attribute over raw SDK. CPU
/// time and size are held to targets; wall time moves with whatever else the machine runs, so
/// it is only reported.
pub(crate) fn rows(attribute: &Built, raw: &Built) -> Vec<Row> {
    let cpu = match (attribute.cpu_secs, raw.cpu_secs) {
        (Some(a), Some(r)) => Row::measured(
            "6. clean release build CPU time, attribute hello vs raw-SDK hello",
            Measured {
                value: a,
                baseline: Some(r),
                ratio: Some(a / r),
                unit: "s",
                target: Target::RatioAtMost(1.10),
            },
        ),
        _ => Row::pending(
            "6. clean release build CPU time",
            "builds made by this version of mp-bench (--clean-builds)",
        ),
    };
    vec![
        cpu,
        Row::measured(
            "6. clean release build wall time, attribute hello vs raw-SDK hello",
            Measured {
                value: attribute.build_secs,
                baseline: Some(raw.build_secs),
                ratio: Some(attribute.build_secs / raw.build_secs),
                unit: "s",
                target: Target::None,
            },
        ),
        Row::measured(
            "6. stripped binary size, attribute hello vs raw-SDK hello",
            Measured {
                value: attribute.stripped_bytes as f64 / 1_048_576.0,
                baseline: Some(raw.stripped_bytes as f64 / 1_048_576.0),
                ratio: Some(attribute.stripped_bytes as f64 / raw.stripped_bytes as f64),
                unit: "MiB",
                target: Target::RatioAtMost(1.05),
            },
        ),
    ]
}
