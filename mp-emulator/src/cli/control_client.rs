//! The control API as the subcommands that talk to a running emulator call it: plain
//! HTTP/1.1 on loopback, enough without an HTTP client crate.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

/// `GET url path`: the body of a 200 answer, or what the emulator said was wrong.
pub(crate) fn get(url: &str, path: &str) -> Result<String, String> {
    request(url, "GET", path, None)
}

/// `POST url path` with a JSON `body`.
pub(crate) fn post(url: &str, path: &str, body: &str) -> Result<String, String> {
    request(url, "POST", path, Some(body))
}

fn request(url: &str, method: &str, path: &str, body: Option<&str>) -> Result<String, String> {
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
    let content = match body {
        Some(body) => format!(
            "Content-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
            body.len()
        ),
        None => "\r\n".to_string(),
    };
    write!(
        stream,
        "{method} {path} HTTP/1.1\r\nHost: {authority}\r\nConnection: close\r\n{content}"
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
