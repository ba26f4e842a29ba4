//! mp-emulator's request handling on fuzzed requests, over loopback to an emulator running in
//! this process. The first byte picks the mode:
//! - 0: the rest as headers, a blank line and a body, sent as `POST /` with an honest
//!   Content-Length (so the request is always complete and any wait is a hang). Unsigned:
//!   never billed, answered with an AWS JSON 1.1 error (an STS XML error for a form body, or
//!   hyper's bare 4xx for unparseable headers);
//! - 1 / 2: the rest as the body of a MeterUsage / RegisterUsage request correctly signed
//!   with the emulator's ECS task role credentials: answered 200 (and billed at most once) or
//!   with an AWS JSON error (and not billed).
//!
//! The server's own panics are caught by its runtime; this target checks what a client sees.

#![no_main]

use libfuzzer_sys::fuzz_target;
use mp_emulator::{
    Emulator, EmulatorConfig, credentials::CredentialSource, sigv4::client_signature,
};
use std::io::{Read, Write};
use std::net::{Shutdown, TcpStream};
use std::sync::OnceLock;
use std::time::Duration;

/// Hang guard: a loaded machine answers well within it.
const TIMEOUT: Duration = Duration::from_secs(10);
const JSON: &str = "application/x-amz-json-1.1";

fn emulator() -> &'static Emulator {
    static EMU: OnceLock<Emulator> = OnceLock::new();
    EMU.get_or_init(|| Emulator::start_blocking(EmulatorConfig::default()).unwrap())
}

/// Fuzzed header lines (framing headers dropped) and body, framed honestly.
fn unsigned(rest: &[u8]) -> Vec<u8> {
    let split = rest.windows(2).position(|w| w == b"\n\n");
    let (head, body) = match split {
        Some(i) => (&rest[..i], &rest[i + 2..]),
        None => (rest, &[][..]),
    };
    let mut out = b"POST / HTTP/1.1\r\n".to_vec();
    for line in head.split(|b| *b == b'\n') {
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        let lower = line.to_ascii_lowercase();
        if line.is_empty()
            || lower.starts_with(b"content-length")
            || lower.starts_with(b"transfer-encoding")
        {
            continue;
        }
        out.extend_from_slice(line);
        out.extend_from_slice(b"\r\n");
    }
    out.extend_from_slice(format!("content-length: {}\r\n\r\n", body.len()).as_bytes());
    out.extend_from_slice(body);
    out
}

/// A request signed as the SDK signs it.
fn signed(target: &str, body: &[u8]) -> Vec<u8> {
    let emu = emulator();
    let host = emu.addr().to_string();
    let headers = [
        ("host", host.as_str()),
        ("content-type", JSON),
        ("x-amz-target", target),
    ];
    let url = format!("{}/", emu.url());
    let signature = client_signature(
        CredentialSource::EcsTaskRole,
        emu.region(),
        &url,
        &headers,
        body,
    )
    .unwrap();
    let mut out = b"POST / HTTP/1.1\r\n".to_vec();
    let signature = signature.iter().map(|(k, v)| (k.as_str(), v.as_str()));
    for (k, v) in headers.into_iter().chain(signature) {
        out.extend_from_slice(format!("{k}: {v}\r\n").as_bytes());
    }
    out.extend_from_slice(format!("content-length: {}\r\n\r\n", body.len()).as_bytes());
    out.extend_from_slice(body);
    out
}

/// The first answer: status, lower-cased head, body. `None` if the server closed first.
fn exchange(request: &[u8]) -> Option<(u16, String, Vec<u8>)> {
    let mut s = TcpStream::connect(emulator().addr()).unwrap();
    s.set_read_timeout(Some(TIMEOUT)).unwrap();
    let _ = s.write_all(request);
    let (mut raw, mut buf) = (Vec::new(), [0u8; 16384]);
    loop {
        match s.read(&mut buf) {
            Ok(0) => return None,
            Ok(n) => raw.extend_from_slice(&buf[..n]),
            Err(e)
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                ) =>
            {
                panic!(
                    "the emulator hung on {:?}",
                    String::from_utf8_lossy(request)
                )
            }
            Err(_) => return None,
        }
        let Some(end) = raw.windows(4).position(|w| w == b"\r\n\r\n") else {
            continue;
        };
        let head = String::from_utf8_lossy(&raw[..end]).to_ascii_lowercase();
        let length: usize = head
            .lines()
            .find_map(|l| l.strip_prefix("content-length:"))
            .and_then(|v| v.trim().parse().ok())
            .unwrap_or(0);
        if raw.len() >= end + 4 + length {
            let _ = s.shutdown(Shutdown::Both);
            let status = head
                .get(9..12)
                .and_then(|s| s.parse().ok())
                .expect("a status line");
            return Some((status, head, raw[end + 4..end + 4 + length].to_vec()));
        }
    }
}

/// An error in AWS JSON 1.1 shape (or STS XML, or hyper's bare 4xx).
fn check_error(status: u16, head: &str, body: &[u8]) {
    assert!(status >= 400, "status {status}");
    if body.is_empty() && !head.contains("x-amzn-errortype") {
        assert!(
            matches!(status, 400 | 413 | 414 | 431 | 501 | 505),
            "bare {status}"
        );
        return;
    }
    if head.contains("content-type: text/xml") {
        return; // STS query protocol (a form body without X-Amz-Target)
    }
    assert!(
        head.contains("content-type: application/x-amz-json-1.1"),
        "{head}"
    );
    let v: serde_json::Value = serde_json::from_slice(body).expect("a JSON error body");
    let name = v["__type"].as_str().expect("__type");
    assert!(v["message"].as_str().is_some_and(|m| !m.is_empty()), "{v}");
    assert!(
        head.contains(&format!("x-amzn-errortype: {}", name.to_ascii_lowercase())),
        "{head}"
    );
}

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    let emu = emulator();
    let before = emu.ledger();
    let (request, target) = match mode % 3 {
        0 => (unsigned(rest), None),
        1 => (signed("AWSMPMeteringService.MeterUsage", rest), Some(true)),
        _ => (
            signed("AWSMPMeteringService.RegisterUsage", rest),
            Some(false),
        ),
    };
    let answer = exchange(&request);
    let after = emu.ledger();
    let grew = (after.records.len() - before.records.len())
        + (after.registrations.len() - before.registrations.len());
    match (answer, target) {
        (Some((200, _, _)), Some(_)) => assert!(grew <= 1, "one request billed {grew} times"),
        (Some((status, head, body)), _) => {
            check_error(status, &head, &body);
            assert_eq!(grew, 0, "a refused request was billed");
        }
        (None, _) => assert_eq!(grew, 0, "an unanswered request was billed"),
    }
});
