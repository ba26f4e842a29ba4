//! One HTTP/1.0 request to a service on loopback, for the suites that drive the examples.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

/// Guards against a hung service only; a healthy answer is far below.
const HANG_GUARD: Duration = Duration::from_secs(120);

/// Sends `method path` with `body` to `addr` and returns the status code and the body.
pub(crate) fn request(addr: &str, method: &str, path: &str, body: &[u8]) -> (u16, String) {
    let mut stream = TcpStream::connect(addr).unwrap_or_else(|e| panic!("connect {addr}: {e}"));
    stream.set_read_timeout(Some(HANG_GUARD)).expect("timeout");
    let head = format!(
        "{method} {path} HTTP/1.0\r\nHost: localhost\r\nContent-Length: {}\r\n\r\n",
        body.len()
    );
    stream.write_all(head.as_bytes()).expect("write head");
    stream.write_all(body).expect("write body");
    let mut response = String::new();
    stream.read_to_string(&mut response).expect("read");
    let status = response
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("no status in {response:?}"));
    let body = response.split("\r\n\r\n").nth(1).unwrap_or_default();
    (status, body.trim().to_owned())
}
