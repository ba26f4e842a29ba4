//! Building, starting and stopping an example service as a child process.

use anyhow::{Context, bail};
use std::path::{Path, PathBuf};
use std::process::{ExitStatus, Stdio};
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

/// How long the service may take to register and start listening.
const START_TIMEOUT: Duration = Duration::from_secs(60);
/// ECS waits 30 s after SIGTERM before it sends SIGKILL; the demo waits no longer.
const STOP_TIMEOUT: Duration = Duration::from_secs(30);
/// The line the examples print once they listen; the URL follows it.
const SERVING_PREFIX: &str = "serving on ";

pub(crate) struct RunningService {
    pub url: String,
    child: Child,
}

/// Builds the examples with `local-testing` and returns the paths of their binaries, in the
/// order given.
///
/// One cargo invocation for all of them and this demo: cargo builds a dependency once per
/// feature set, and building the packages together resolves the features the workspace's
/// test build resolves, so `cargo test` afterwards reuses these builds of the AWS SDK
/// instead of compiling it again (tests/tests/shared_builds.rs keeps the two equal).
/// `cargo run` tells a program which cargo started it (`CARGO`); the binaries land next to
/// this one, in the same profile directory.
pub(crate) fn build<const N: usize>(packages: [&str; N]) -> anyhow::Result<[PathBuf; N]> {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut command = std::process::Command::new(cargo);
    command.args(["build", "--locked", "-p", env!("CARGO_PKG_NAME")]);
    for package in packages {
        command.args(["-p", package]);
    }
    let features: Vec<String> = packages
        .iter()
        .map(|package| format!("{package}/local-testing"))
        .collect();
    command.args(["--features", &features.join(",")]);
    if !cfg!(debug_assertions) {
        command.arg("--release");
    }
    let status = command.status().context("running cargo build")?;
    if !status.success() {
        bail!("cargo build of {} failed: {status}", packages.join(", "));
    }
    let dir = std::env::current_exe()?
        .parent()
        .context("the demo binary has no parent directory")?
        .to_path_buf();
    Ok(packages.map(|package| dir.join(package)))
}

/// Starts the service with exactly `env` (plus `PATH`) and waits until it says it serves.
pub(crate) async fn start(
    binary: &Path,
    env: &[(String, String)],
) -> anyhow::Result<RunningService> {
    let mut child = Command::new(binary)
        .env_clear()
        .envs(env.iter().map(|(k, v)| (k, v)))
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("BIND_ADDR", "127.0.0.1:0")
        .stdout(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .with_context(|| format!("starting {}", binary.display()))?;
    let stdout = child.stdout.take().context("no stdout")?;
    let mut lines = BufReader::new(stdout).lines();
    let url = tokio::time::timeout(START_TIMEOUT, async {
        while let Some(line) = lines.next_line().await? {
            println!("  | {line}");
            if let Some(rest) = line.strip_prefix(SERVING_PREFIX) {
                let url = rest
                    .split_whitespace()
                    .next()
                    .unwrap_or_default()
                    .to_owned();
                return Ok(url);
            }
        }
        bail!("the service exited before serving (see its error above)")
    })
    .await
    .context("the service did not start serving in time")??;
    // Keep echoing what the service prints, so its shutdown lines show too.
    tokio::spawn(async move {
        while let Ok(Some(line)) = lines.next_line().await {
            println!("  | {line}");
        }
    });
    Ok(RunningService { url, child })
}

impl RunningService {
    /// Sends SIGTERM, as ECS and Kubernetes do, and waits for the exit.
    pub(crate) async fn terminate(&mut self) -> anyhow::Result<ExitStatus> {
        let pid = self.child.id().context("the service already exited")?;
        let pid = i32::try_from(pid).context("pid out of range")?;
        // SAFETY: kill(2) with a pid we spawned and still own; no memory is involved.
        if unsafe { libc::kill(pid, libc::SIGTERM) } != 0 {
            bail!("kill(SIGTERM): {}", std::io::Error::last_os_error());
        }
        tokio::time::timeout(STOP_TIMEOUT, self.child.wait())
            .await
            .context("the service did not stop within 30 s of SIGTERM")?
            .context("waiting for the service")
    }
}
