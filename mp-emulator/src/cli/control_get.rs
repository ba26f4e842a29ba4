//! A GET on a running emulator's control API, shared by `env` and `health`.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

/// A plain HTTP/1.1 GET on loopback, enough for the control API without an HTTP client crate.
pub(super) fn get(url: &str, path: &str) -> Result<String, String> {
    let authority = url
        .strip_prefix("http://")
        .ok_or_else(|| format!("--url must look like http://127.0.0.1:PORT, got `{url}`"))?
        .trim_end_matches('/');
    let unreachable = |e: std::io::Error| {
        format!("cannot reach the emulator at {url}: {e} (is `mp-emulator serve` running?)")
    };
    let mut stream = TcpStream::connect(authority).map_err(unreachable)?;
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .map_err(unreachable)?;
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: {authority}\r\nConnection: close\r\n\r\n"
    )
    .map_err(unreachable)?;
    let mut response = String::new();
    stream.read_to_string(&mut response).map_err(unreachable)?;
    let (head, body) = response
        .split_once("\r\n\r\n")
        .ok_or_else(|| format!("{url} sent a malformed HTTP response"))?;
    if !head.starts_with("HTTP/1.1 200") {
        let why = serde_json::from_str::<serde_json::Value>(body)
            .ok()
            .and_then(|v| v["error"].as_str().map(|e| format!(": {e}")))
            .unwrap_or_default();
        return Err(format!(
            "{url}{path} answered `{}`{why}",
            head.lines().next().unwrap_or("")
        ));
    }
    Ok(body.to_string())
}
