//! Runs a benchmark subject with exactly the environment given (nothing of the machine's),
//! timing its first stdout line and its exit. A guard kills a subject that hangs, so a
//! benchmark run always ends.

use anyhow::Context as _;
use std::io::{BufRead, BufReader, Read};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// What one run of a subject did, timed from just before the spawn.
#[derive(Debug)]
pub(crate) struct Timed {
    pub first_line: Option<(Duration, String)>,
    pub exit: Duration,
    /// When the exit was seen.
    pub ended: Instant,
    pub code: Option<i32>,
    pub stderr: String,
}

impl Timed {
    /// The subject's last stderr line (its error message, for the failure benchmarks).
    pub(crate) fn last_error_line(&self) -> &str {
        self.stderr.lines().last().unwrap_or("")
    }
}

/// Spawns `program args...` with only `env`, stdout and stderr piped.
pub(crate) fn spawn_with_args(
    program: &Path,
    args: &[&str],
    env: &[(String, String)],
) -> anyhow::Result<Child> {
    Command::new(program)
        .args(args)
        .env_clear()
        .envs(env.iter().map(|(k, v)| (k, v)))
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .with_context(|| format!("cannot start {}", program.display()))
}

/// Runs `program` to its exit; `guard` is how long before it is killed as hung.
pub(crate) fn run(
    program: &Path,
    env: &[(String, String)],
    guard: Duration,
) -> anyhow::Result<Timed> {
    run_with_args(program, &[], env, guard)
}

/// [`run`] with arguments.
pub(crate) fn run_with_args(
    program: &Path,
    args: &[&str],
    env: &[(String, String)],
    guard: Duration,
) -> anyhow::Result<Timed> {
    let start = Instant::now();
    let child = spawn_with_args(program, args, env)?;
    finish(child, start, guard, |_| {})
}

/// Reads a running child to its exit. `on_first_line` is called as soon as the first line
/// arrives (for benchmarks that act on the child once it is up).
pub(crate) fn finish(
    mut child: Child,
    start: Instant,
    guard: Duration,
    on_first_line: impl FnOnce(&Child),
) -> anyhow::Result<Timed> {
    let watchdog = kill_after(guard, child.id());
    let stderr = child.stderr.take().map(|mut pipe| {
        std::thread::spawn(move || {
            let mut text = String::new();
            let _ = pipe.read_to_string(&mut text);
            text
        })
    });
    let mut first_line = None;
    if let Some(stdout) = child.stdout.take() {
        let mut lines = BufReader::new(stdout).lines();
        if let Some(Ok(line)) = lines.next() {
            first_line = Some((start.elapsed(), line));
            on_first_line(&child);
        }
        for _ in lines {} // drain, so the child never blocks on a full pipe
    }
    let status = child.wait().context("waiting for a benchmark subject")?;
    let ended = Instant::now();
    let exit = ended.duration_since(start);
    drop(watchdog);
    let stderr = stderr.and_then(|t| t.join().ok()).unwrap_or_default();
    Ok(Timed {
        first_line,
        exit,
        ended,
        code: status.code(),
        stderr,
    })
}

/// Sends SIGKILL to `pid` unless the returned sender is dropped within `guard`.
fn kill_after(guard: Duration, pid: u32) -> mpsc::Sender<()> {
    let (done, finished) = mpsc::channel::<()>();
    std::thread::spawn(move || {
        if let Err(mpsc::RecvTimeoutError::Timeout) = finished.recv_timeout(guard) {
            // SAFETY: kill(2) with a pid we spawned and have not reaped yet.
            unsafe {
                libc::kill(pid as libc::pid_t, libc::SIGKILL);
            }
        }
    });
    done
}

/// The median of some durations, in milliseconds.
pub(crate) fn median_ms(mut samples: Vec<Duration>) -> f64 {
    samples.sort();
    match samples.len() {
        0 => f64::NAN,
        n if n % 2 == 1 => samples[n / 2].as_secs_f64() * 1e3,
        n => (samples[n / 2 - 1] + samples[n / 2]).as_secs_f64() * 1e3 / 2.0,
    }
}
