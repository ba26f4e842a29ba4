//! Shared by the tests that drive the emulator with another language's AWS SDK (boto3, the
//! JavaScript SDK): the skip-or-fail rule when the SDK is missing, and a script run under
//! `mp-emulator run` with nothing of this machine's environment but `PATH`.

use mp_emulator::ledger::Ledger;
use std::ffi::OsStr;
use std::io::Write;
use std::path::Path;
use std::process::{Command, Output};

const BIN: &str = env!("CARGO_BIN_EXE_mp-emulator");

/// Whether the test can run: `Ok` does; `Err(why)` skips with `why` printed, unless
/// `require` (an environment variable CI sets) is set, when it fails the test instead.
pub(crate) fn ready_or_skip(ready: Result<(), String>, require: &str) -> bool {
    match ready {
        Ok(()) => true,
        Err(why) => {
            assert!(
                std::env::var_os(require).is_none(),
                "{require} is set but {why}"
            );
            // Straight to the process's stderr: the harness captures eprintln! of passing tests.
            let _ = writeln!(std::io::stderr(), "SKIPPED: {why}");
            false
        }
    }
}

/// Runs `command` under `mp-emulator run --platform PLATFORM` in a clean environment (PATH
/// only, HOME a fresh directory) and returns its output and the ledger `--ledger-out` wrote.
pub(crate) fn run_under_emulator<S: AsRef<OsStr>>(
    platform: &str,
    command: &[S],
) -> (Output, Ledger) {
    let dir = tempfile::tempdir().unwrap();
    let ledger_file = dir.path().join("ledger.json");
    let out = Command::new(BIN)
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", dir.path())
        .args(["run", "--platform", platform, "--ledger-out"])
        .arg(&ledger_file)
        .arg("--")
        .args(command)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out, read_ledger(&ledger_file))
}

fn read_ledger(path: &Path) -> Ledger {
    let text = std::fs::read_to_string(path)
        .unwrap_or_else(|e| panic!("the ledger at {}: {e}", path.display()));
    serde_json::from_str(&text).expect("ledger JSON")
}
