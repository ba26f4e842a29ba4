//! Runs a fixture program the way ECS or EKS would (only the environment given, nothing of
//! the machine's) and collects what it left behind.

use mp_emulator::{Emulator, Platform, ledger::Ledger};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The first line every fixture prints once the seller's code runs.
pub(crate) const USER_CODE_RAN: &str = "USER CODE RAN";
/// Only a guard against a hung fixture; no case comes near it.
const HANG_GUARD: Duration = Duration::from_secs(120);

/// A process environment as a list, edited per case.
#[derive(Clone)]
pub(crate) struct Env(pub Vec<(String, String)>);

impl Env {
    pub(crate) fn of(emulator: &Emulator, platform: Platform) -> Env {
        Env(emulator.env(platform))
    }

    /// One replica's environment (a task on ECS, a pod on EKS): a credentials session of its
    /// own, as AWS gives every task or pod.
    pub(crate) fn of_replica(emulator: &Emulator, platform: Platform, replica: &str) -> Env {
        Env(emulator
            .env_for_replica(platform, replica)
            .expect("a replica's environment"))
    }

    pub(crate) fn set(mut self, key: &str, value: &str) -> Env {
        self = self.unset(key);
        self.0.push((key.to_owned(), value.to_owned()));
        self
    }

    pub(crate) fn unset(mut self, key: &str) -> Env {
        self.0.retain(|(k, _)| k != key);
        self
    }
}

/// What a fixture run left behind.
/// How every start of a local-testing build begins its stderr.
const LOCAL_TESTING_NOTICE: &str = "mp-runtime: local-testing build:";

#[derive(Debug)]
pub(crate) struct Run {
    pub code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    pub(crate) fn user_code_ran(&self) -> bool {
        self.stdout.lines().next() == Some(USER_CODE_RAN)
    }

    /// The `registered: ...` line the fixture prints after the marker.
    pub(crate) fn registered(&self) -> &str {
        self.stdout.lines().nth(1).unwrap_or("")
    }

    /// Whether mp-runtime said, as every local-testing build must, that it is one.
    pub(crate) fn announced_local_testing_build(&self) -> bool {
        self.stderr
            .lines()
            .any(|l| l.starts_with(LOCAL_TESTING_NOTICE))
    }

    /// The one line mp-runtime printed besides the local-testing notice, asserting there is
    /// exactly one.
    pub(crate) fn runtime_line(&self) -> &str {
        let lines: Vec<&str> = self
            .stderr
            .lines()
            .filter(|l| l.starts_with("mp-runtime:") && !l.starts_with(LOCAL_TESTING_NOTICE))
            .collect();
        assert_eq!(
            lines.len(),
            1,
            "expected one mp-runtime line on stderr, got:\n{}",
            self.stderr
        );
        lines[0]
    }

    /// A start-up failure: the code, one line ending in `[exit N]`, and no user code.
    pub(crate) fn assert_failed(&self, code: i32) -> &str {
        assert_eq!(self.code, Some(code), "{self:?}");
        assert!(!self.user_code_ran(), "user code ran: {self:?}");
        assert!(self.stdout.is_empty(), "{self:?}");
        let line = self.runtime_line();
        assert!(line.ends_with(&format!(". [exit {code}]")), "{line}");
        line
    }

    pub(crate) fn assert_succeeded(&self) {
        assert_eq!(self.code, Some(0), "{self:?}");
        assert!(self.user_code_ran(), "{self:?}");
    }
}

pub(crate) fn spawn(fixture: &str, env: &Env) -> Child {
    Command::new(fixture)
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .envs(env.0.iter().map(|(k, v)| (k, v)))
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("fixture starts")
}

pub(crate) fn finish(mut child: Child) -> Run {
    let started = Instant::now();
    while child.try_wait().expect("wait on fixture").is_none() {
        if started.elapsed() > HANG_GUARD {
            let _ = child.kill();
            panic!("fixture still running after {HANG_GUARD:?}");
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    let output = child.wait_with_output().expect("fixture output");
    Run {
        code: output.status.code(),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

pub(crate) fn run(fixture: &str, env: &Env) -> Run {
    finish(spawn(fixture, env))
}

/// Waits (bounded by the hang guard) until the ledger shows `seen`, then returns.
pub(crate) fn wait_for_ledger(emulator: &Emulator, seen: impl Fn(&Ledger) -> bool) {
    wait_until(
        || seen(&emulator.ledger()),
        || format!("the ledger never showed it: {:?}", emulator.ledger()),
    );
}

/// Polls `done` until it holds. Only a guard against a hung fixture, never a timing
/// assertion: past the hang guard it fails with `why()`.
pub(crate) fn wait_until(done: impl Fn() -> bool, why: impl Fn() -> String) {
    let started = Instant::now();
    while !done() {
        assert!(started.elapsed() < HANG_GUARD, "{}", why());
        std::thread::sleep(Duration::from_millis(5));
    }
}

/// Waits for `path` to exist, bounded by the hang guard.
pub(crate) fn wait_for_file(path: &std::path::Path) {
    wait_until(
        || path.exists(),
        || format!("gave up waiting for {}", path.display()),
    );
}
