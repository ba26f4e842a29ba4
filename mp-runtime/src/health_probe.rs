//! The container health check for services built on this crate: `GET /health` on loopback,
//! success on `200`. It never registers or meters.
//!
//! A health check must not run the service binary itself: every run of a
//! `#[marketplace_main]` program calls `RegisterUsage` (or dry-runs its dimensions). So an
//! image carries a second, tiny binary for `HEALTHCHECK` and the ECS task definition's
//! `healthCheck`, whose whole `main` is this module's [`run`]:
//!
//! ```no_run
//! // src/bin/health-probe.rs
//! fn main() -> std::process::ExitCode {
//!     mp_runtime::health_probe::run()
//! }
//! ```
//!
//! It sends `GET /health` to `127.0.0.1:<port of BIND_ADDR>` (default 8080), or to the address
//! given as its only argument, and exits 0 on `200`, 1 otherwise with one line on stderr.
//! Standard library only: linking it pulls in none of the runtime's AWS code.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::process::ExitCode;
use std::time::Duration;

/// The port when `BIND_ADDR` is unset (where the examples listen by default).
const DEFAULT_PORT: u16 = 8080;
/// Short, so a hung service fails the check rather than the probe outliving its interval.
const TIMEOUT: Duration = Duration::from_secs(2);

/// Probes the service once and returns the process's exit code (the health check's answer).
pub fn run() -> ExitCode {
    match probe() {
        Ok(()) => ExitCode::SUCCESS,
        Err(why) => {
            eprintln!("health-probe: unhealthy: {why}");
            ExitCode::FAILURE
        }
    }
}

fn probe() -> Result<(), String> {
    let target = target(
        std::env::args().nth(1).as_deref(),
        std::env::var("BIND_ADDR").ok().as_deref(),
    )?;
    let mut stream =
        TcpStream::connect_timeout(&target, TIMEOUT).map_err(|e| format!("{target}: {e}"))?;
    let io = |e: std::io::Error| format!("{target}: {e}");
    stream.set_read_timeout(Some(TIMEOUT)).map_err(io)?;
    stream.set_write_timeout(Some(TIMEOUT)).map_err(io)?;
    stream
        .write_all(b"GET /health HTTP/1.0\r\nHost: localhost\r\n\r\n")
        .map_err(io)?;
    let mut head = [0u8; 64];
    let n = stream.read(&mut head).map_err(io)?;
    let status_line = String::from_utf8_lossy(&head[..n]);
    let status_line = status_line.lines().next().unwrap_or_default();
    if is_ok(status_line) {
        Ok(())
    } else {
        Err(format!("{target}/health answered {status_line:?}"))
    }
}

/// The argument if given, else loopback on `BIND_ADDR`'s port (the service may bind 0.0.0.0).
fn target(arg: Option<&str>, bind_addr: Option<&str>) -> Result<SocketAddr, String> {
    if let Some(arg) = arg {
        return arg
            .parse()
            .map_err(|e| format!("argument {arg:?} is not host:port ({e})"));
    }
    let port = match bind_addr {
        Some(addr) => addr
            .parse::<SocketAddr>()
            .map_err(|e| format!("BIND_ADDR={addr:?} is not host:port ({e})"))?
            .port(),
        None => DEFAULT_PORT,
    };
    Ok(SocketAddr::from(([127, 0, 0, 1], port)))
}

fn is_ok(status_line: &str) -> bool {
    let mut parts = status_line.split_whitespace();
    matches!(
        (parts.next(), parts.next()),
        (Some(v), Some("200")) if v.starts_with("HTTP/1.")
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn probes_loopback_on_the_bind_port() {
        assert_eq!(
            target(None, Some("0.0.0.0:9000")),
            Ok("127.0.0.1:9000".parse().unwrap())
        );
        assert_eq!(target(None, None), Ok("127.0.0.1:8080".parse().unwrap()));
        assert_eq!(
            target(Some("127.0.0.1:7"), Some("0.0.0.0:9000")),
            Ok("127.0.0.1:7".parse().unwrap())
        );
        assert!(target(None, Some("nonsense")).is_err());
    }

    #[test]
    fn only_200_is_healthy() {
        assert!(is_ok("HTTP/1.1 200 OK"));
        assert!(is_ok("HTTP/1.0 200 OK"));
        assert!(!is_ok("HTTP/1.1 503 Service Unavailable"));
        assert!(!is_ok(""));
    }
}
