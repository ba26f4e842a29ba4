//! An example service started as a child process: waits for its `serving on http://ADDR`
//! line, talks HTTP to it, and stops it with SIGTERM as ECS and the kubelet do.

use crate::http_support;
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// Guards against a hung service only; a healthy run is far below.
pub(crate) const HANG_GUARD: Duration = Duration::from_secs(120);

pub(crate) struct Service {
    child: Child,
    addr: String,
    lines: mpsc::Receiver<String>,
}

/// Spawns `command` (stdout piped; the rest as the caller set it) and waits for its
/// `serving on http://ADDR` line.
pub(crate) fn start(command: &mut Command) -> Service {
    let mut child = command
        .stdout(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("starting {:?}: {e}", command.get_program()));
    let (tx, lines) = mpsc::channel();
    let stdout = child.stdout.take().expect("stdout");
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            let _ = tx.send(line);
        }
    });
    // Owned from here, so a failed assertion below still stops the child.
    let mut service = Service {
        child,
        addr: String::new(),
        lines,
    };
    let serving = service
        .lines
        .recv_timeout(HANG_GUARD)
        .expect("the service exited or hung before serving");
    service.addr = serving
        .strip_prefix("serving on http://")
        .and_then(|rest| rest.split_whitespace().next())
        .unwrap_or_else(|| panic!("unexpected first line {serving:?}"))
        .to_owned();
    service
}

impl Service {
    /// One HTTP/1.0 request; the status code and body.
    pub(crate) fn request(&self, method: &str, path: &str, body: &[u8]) -> (u16, String) {
        http_support::request(&self.addr, method, path, body)
    }

    /// SIGTERM, then the exit status and the rest of stdout.
    pub(crate) fn terminate(mut self) -> (ExitStatus, Vec<String>) {
        self.sigterm();
        let status = self.wait_with_guard();
        (status, self.lines.try_iter().collect())
    }

    fn sigterm(&self) {
        // SAFETY: kill(2) on our own child, not yet reaped (we still hold its `Child`).
        let sent = unsafe { libc::kill(self.child.id() as i32, libc::SIGTERM) };
        assert_eq!(sent, 0, "SIGTERM to the service");
    }

    fn wait_with_guard(&mut self) -> ExitStatus {
        let deadline = Instant::now() + HANG_GUARD;
        loop {
            if let Some(status) = self.child.try_wait().expect("wait") {
                return status;
            }
            if Instant::now() > deadline {
                let _ = self.child.kill();
                panic!("the service did not end within {HANG_GUARD:?} of SIGTERM");
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Service {
    /// A failed assertion must not leave the service running.
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}
