//! Fuzz-style smoke runs of the emulator's request handling, fixed seeds, over
//! loopback: arbitrary and mutated MeterUsage / RegisterUsage requests (request line,
//! X-Amz-Target, Content-Type, SigV4 headers, Content-Length lies, chunking, bodies).
//! What they prove: the server never panics or hangs; every answer is a well-formed AWS JSON
//! 1.1 error (or hyper's bare 4xx / a close when the HTTP framing itself is garbage); an
//! unsigned or tampered request is never billed; a correctly signed request is billed exactly
//! when it is answered 200 (the AWS Marketplace Metering Service API reference, `MeterUsage`:
//! one record per product, dimension and hour; `RegisterUsage`). Longer runs: `fuzz/`, target
//! `emulator_request`.

mod support;

use mp_emulator::metering::{DEMO_CUSTOM_DIMENSIONS, DEMO_CUSTOM_PRODUCT, DEMO_HOURLY_PRODUCT};
use mp_emulator::{Emulator, EmulatorConfig};
use proptest::prelude::*;
use serde_json::{Value, json};
use std::io::{Read, Write};
use std::net::{Shutdown, SocketAddr, TcpStream};
use support::*;

const JSON: &str = "application/x-amz-json-1.1";
const METER: &str = "AWSMPMeteringService.MeterUsage";
const REGISTER: &str = "AWSMPMeteringService.RegisterUsage";

/// One HTTP answer read off the wire.
#[derive(Debug)]
struct Answer {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Answer {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

/// Sends raw bytes and reads every answer until the server closes. The client closes its
/// write side once the first answer is in (so pipelined leftovers end), or at once when the
/// request is `incomplete` (it promised more than it sent: a client that gives up). A server
/// that neither answers nor closes within the hang guard fails the test.
fn exchange(addr: SocketAddr, request: &[u8], incomplete: bool) -> Vec<Answer> {
    let mut s = TcpStream::connect(addr).expect("connect to the emulator on loopback");
    s.set_read_timeout(Some(TIMEOUT)).unwrap();
    s.set_write_timeout(Some(TIMEOUT)).unwrap();
    // The server may answer and close before reading everything: that is allowed.
    let _ = s.write_all(request);
    let mut shut = incomplete && s.shutdown(Shutdown::Write).is_ok();
    let (mut raw, mut buf) = (Vec::new(), [0u8; 8192]);
    loop {
        match s.read(&mut buf) {
            Ok(0) => return parse_answers(&raw, true),
            Ok(n) => {
                raw.extend_from_slice(&buf[..n]);
                if !shut && first_answer_is_whole(&raw) {
                    shut = s.shutdown(Shutdown::Write).is_ok();
                }
            }
            Err(e) => {
                assert!(
                    !matches!(
                        e.kind(),
                        std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                    ),
                    "the emulator hung on {:?}",
                    String::from_utf8_lossy(request)
                );
                // A reset: closing on garbage with bytes unread.
                return parse_answers(&raw, false);
            }
        }
    }
}

fn first_answer_is_whole(raw: &[u8]) -> bool {
    let Some(end) = raw.windows(4).position(|w| w == b"\r\n\r\n") else {
        return false;
    };
    let head = String::from_utf8_lossy(&raw[..end]).to_ascii_lowercase();
    let length = head
        .lines()
        .find_map(|l| l.strip_prefix("content-length:"))
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(0);
    raw.len() >= end + 4 + length
}

/// Splits what the server sent into answers (several when the request bytes held several
/// requests, e.g. after a short Content-Length). After a reset the last answer may be cut
/// short; otherwise every answer must be whole.
fn parse_answers(mut raw: &[u8], closed_cleanly: bool) -> Vec<Answer> {
    let mut answers = Vec::new();
    while !raw.is_empty() {
        let Some(end) = raw.windows(4).position(|w| w == b"\r\n\r\n") else {
            assert!(
                !closed_cleanly,
                "a truncated answer: {:?}",
                String::from_utf8_lossy(raw)
            );
            break;
        };
        let head = std::str::from_utf8(&raw[..end]).expect("an ASCII answer head");
        let mut lines = head.split("\r\n");
        let status_line = lines.next().unwrap();
        assert!(status_line.starts_with("HTTP/1."), "{status_line}");
        let status: u16 = status_line[9..12].parse().expect("a status code");
        let headers: Vec<(String, String)> = lines
            .filter_map(|l| l.split_once(':'))
            .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_owned()))
            .collect();
        let rest = &raw[end + 4..];
        let length = headers
            .iter()
            .find(|(k, _)| k == "content-length")
            .map_or(rest.len(), |(_, v)| {
                v.parse().expect("a numeric content-length")
            });
        if length > rest.len() {
            assert!(!closed_cleanly, "an answer shorter than its content-length");
            break;
        }
        answers.push(Answer {
            status,
            headers,
            body: rest[..length].to_vec(),
        });
        raw = &rest[length..];
    }
    answers
}

/// The shape every error answer has: an AWS JSON 1.1 error whose `__type` matches
/// `x-amzn-errortype`, or hyper's own bare 4xx when the HTTP framing is unparseable.
fn check_error(a: &Answer) -> Result<(), TestCaseError> {
    prop_assert!(a.status >= 400, "status {} for a bad request", a.status);
    if a.body.is_empty() && a.header("x-amzn-errortype").is_none() {
        prop_assert!(
            matches!(a.status, 400 | 413 | 414 | 431 | 501 | 505),
            "a bare {} from the HTTP layer",
            a.status
        );
        return Ok(());
    }
    prop_assert_eq!(a.header("content-type"), Some(JSON));
    let body: Value = serde_json::from_slice(&a.body)
        .map_err(|e| TestCaseError::fail(format!("error body is not JSON: {e}")))?;
    let name = body["__type"].as_str().unwrap_or("");
    prop_assert!(!name.is_empty(), "{}", body);
    prop_assert!(
        body["message"].as_str().is_some_and(|m| !m.is_empty()),
        "{}",
        body
    );
    prop_assert_eq!(a.header("x-amzn-errortype"), Some(name));
    Ok(())
}

/// What kinds of answer a run produced (`cargo test ... -- --nocapture` prints it): shows
/// which checks the generated requests reached.
#[derive(Default)]
struct Tally(std::sync::Mutex<std::collections::BTreeMap<String, u32>>);

impl Tally {
    fn add(&self, answers: &[Answer]) {
        let mut t = self.0.lock().unwrap();
        if answers.is_empty() {
            *t.entry("closed without an answer".into()).or_default() += 1;
        }
        for a in answers {
            let kind = a.header("x-amzn-errortype").unwrap_or("(no error type)");
            *t.entry(format!("{} {kind}", a.status)).or_default() += 1;
        }
    }

    fn print(&self, test: &str) {
        println!("{test}: {:?}", self.0.lock().unwrap());
    }
}

fn now_secs(emu: &Emulator) -> i64 {
    emu.now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

/// A MeterUsage or RegisterUsage body near a valid one: each member valid, wrong, of the
/// wrong type or absent; extra members; sometimes not JSON at all.
fn body(now: i64) -> impl Strategy<Value = (bool, Vec<u8>)> {
    let text = |valid: &'static str| {
        prop_oneof![
            6 => Just(json!(valid)),
            1 => Just(json!("")),
            1 => Just(json!("x".repeat(300))),
            1 => Just(json!("unknownproduct00000000001")),
            1 => Just(json!(7)),
            1 => Just(Value::Null),
            1 => "\\PC{0,12}".prop_map(Value::from),
        ]
    };
    let number = |valid: i64| {
        prop_oneof![
            6 => Just(json!(valid)),
            1 => Just(json!(-1)),
            1 => Just(json!(i64::from(i32::MAX) + 1)),
            1 => Just(json!(1.5)),
            1 => Just(json!("1")),
            1 => Just(json!(u64::MAX)),
            1 => Just(json!(1e300)),
            1 => any::<i64>().prop_map(Value::from),
        ]
    };
    let allocations = prop_oneof![
        4 => Just(None),
        1 => Just(Some(json!([]))),
        1 => (0i64..4).prop_map(|q| Some(json!([{"AllocatedUsageQuantity": q, "Tags": [{"Key": "tenant", "Value": "a"}]}]))),
        1 => (0i64..4).prop_map(|q| Some(json!([{"AllocatedUsageQuantity": q}]))),
        1 => Just(Some(json!([{"AllocatedUsageQuantity": 1, "Tags": []}]))),
        1 => Just(Some(json!([{"Tags": [{"Key": "", "Value": "a"}]}]))),
        1 => Just(Some(json!("not a list"))),
    ];
    let meter = (
        text(DEMO_CUSTOM_PRODUCT),
        number(now),
        prop::sample::select(vec![json!(now - 7 * 3600), json!(now + 3600), json!("today"), json!(now as f64 + 0.5)]),
        any::<bool>(),
        text(DEMO_CUSTOM_DIMENSIONS[0]),
        number(3),
        prop::option::of(any::<bool>()),
        allocations,
        prop::option::weighted(0.3, "[a-z0-9-]{0,70}"),
    )
        .prop_map(|(product, ts, odd_ts, odd, dimension, quantity, dry, allocations, token)| {
            let mut b = json!({"ProductCode": product, "Timestamp": if odd { odd_ts } else { ts },
                "UsageDimension": dimension, "UsageQuantity": quantity});
            if let Some(dry) = dry {
                b["DryRun"] = json!(dry);
            }
            if let Some(a) = allocations {
                b["UsageAllocations"] = a;
            }
            if let Some(t) = token {
                b["ClientToken"] = json!(t);
            }
            (true, b)
        });
    let register = (
        text(DEMO_HOURLY_PRODUCT),
        number(1),
        prop::option::of(text("nonce-1")),
    )
        .prop_map(|(product, version, nonce)| {
            let mut b = json!({"ProductCode": product, "PublicKeyVersion": version});
            if let Some(n) = nonce {
                b["Nonce"] = n;
            }
            (false, b)
        });
    (
        prop_oneof![meter, register],
        prop::option::weighted(0.1, (any::<usize>(), any::<u8>())),
        prop::option::weighted(0.1, proptest::collection::vec(any::<u8>(), 0..200)),
        any::<bool>(),
    )
        .prop_map(|((is_meter, b), flip, garbage, unknown)| {
            let mut b = b;
            if unknown {
                b["Unknown"] = json!({"nested": [1, 2]});
            }
            let mut bytes = garbage.unwrap_or_else(|| b.to_string().into_bytes());
            if let (Some((at, bit)), false) = (flip, bytes.is_empty()) {
                let i = at % bytes.len();
                bytes[i] ^= 1 << (bit % 8);
            }
            (is_meter, bytes)
        })
}

/// The headers and body of a correctly signed request, as reqwest would send them.
fn signed_parts(emu: &Emulator, target: &str, body: &[u8]) -> Vec<(String, String)> {
    let request = signed_builder(emu, Some(target), JSON, body.to_vec())
        .build()
        .expect("a signed request");
    let mut headers = vec![("host".to_owned(), emu.addr().to_string())];
    for (k, v) in request.headers() {
        headers.push((k.as_str().to_owned(), v.to_str().unwrap().to_owned()));
    }
    headers
}

/// How the bytes on the wire are spoiled.
#[derive(Clone, Debug)]
enum Spoil {
    /// No Authorization at all (the headers otherwise plausible).
    Unsigned,
    /// Signed, then one signed thing changed: body byte, target, content type, host, date,
    /// security token or signature.
    Tampered(u8, usize),
    /// Signed with a garbage or half-formed Authorization header.
    BadAuthorization(String),
}

fn spoil() -> impl Strategy<Value = Spoil> {
    prop_oneof![
        2 => Just(Spoil::Unsigned),
        4 => (0u8..7, any::<usize>()).prop_map(|(what, at)| Spoil::Tampered(what, at)),
        2 => prop::sample::select(vec![
            "garbage",
            "AWS4-HMAC-SHA256 ",
            "AWS4-HMAC-SHA256 Credential=AKIA/20260101/us-east-1/aws-marketplace/aws4_request, SignedHeaders=host, Signature=00",
            "AWS4-HMAC-SHA256 Credential=/////, SignedHeaders=;;;, Signature=",
            "AWS4-HMAC-SHA256 Credential=a/b/c/d/aws4_request,Credential=x, SignedHeaders=host",
            "Basic dXNlcjpwYXNz",
        ]).prop_map(|s| Spoil::BadAuthorization(s.to_owned())),
        1 => "[ -~]{0,200}".prop_map(Spoil::BadAuthorization),
    ]
}

/// How the request is framed: Content-Length honest, short, long, absent, garbage or doubled,
/// or chunked.
fn framing() -> impl Strategy<Value = u8> {
    prop_oneof![4 => Just(0u8), 4 => 1u8..8]
}

fn frame(headers: &[(String, String)], body: &[u8], how: u8, path: &str) -> Vec<u8> {
    let mut out = format!("POST {path} HTTP/1.1\r\n").into_bytes();
    for (k, v) in headers.iter().filter(|(k, _)| k != "content-length") {
        out.extend_from_slice(format!("{k}: {v}\r\n").as_bytes());
    }
    let n = body.len();
    let length = match how {
        1 => Some(n.saturating_sub(1 + n / 2).to_string()),
        2 => Some((n + 10).to_string()),
        3 => None,
        4 => Some("abc".to_owned()),
        5 => Some(format!("{n}\r\ncontent-length: {}", n + 1)),
        6 => Some("99999999999999999999".to_owned()),
        7 => {
            out.extend_from_slice(b"transfer-encoding: chunked\r\n\r\n");
            out.extend_from_slice(format!("{n:x}\r\n").as_bytes());
            out.extend_from_slice(body);
            out.extend_from_slice(b"\r\n0\r\n\r\n");
            return out;
        }
        _ => Some(n.to_string()),
    };
    if let Some(l) = length {
        out.extend_from_slice(format!("content-length: {l}\r\n").as_bytes());
    }
    out.extend_from_slice(b"\r\n");
    out.extend_from_slice(body);
    out
}

/// Applies a spoil to a correctly signed request; `false` if it happened to change nothing.
fn apply(spoil: &Spoil, headers: &mut Vec<(String, String)>, body: &mut [u8]) -> bool {
    let set = |headers: &mut Vec<(String, String)>, name: &str, f: &dyn Fn(&str) -> String| {
        let before = headers.clone();
        for (_, v) in headers.iter_mut().filter(|(k, _)| k == name) {
            *v = f(v);
        }
        *headers != before
    };
    match spoil {
        Spoil::Unsigned => {
            headers.retain(|(k, _)| k != "authorization");
            true
        }
        Spoil::BadAuthorization(a) => set(headers, "authorization", &|_| a.clone()),
        Spoil::Tampered(0, at) if !body.is_empty() => {
            let i = at % body.len();
            body[i] = if body[i] == b' ' { b'\t' } else { b' ' };
            true
        }
        Spoil::Tampered(1 | 0, _) => set(headers, "x-amz-target", &|v| {
            if v == METER {
                REGISTER.into()
            } else {
                METER.into()
            }
        }),
        Spoil::Tampered(2, _) => set(headers, "content-type", &|v| format!("{v}; charset=utf-8")),
        Spoil::Tampered(3, _) => set(headers, "host", &|_| "127.0.0.2:1".into()),
        Spoil::Tampered(4, at) => set(headers, "x-amz-date", &|v| {
            let mut d: Vec<u8> = v.bytes().collect();
            let i = 9 + at % 6; // a digit of the time
            d[i] = if d[i] == b'0' { b'1' } else { b'0' };
            String::from_utf8(d).unwrap()
        }),
        Spoil::Tampered(5, _) => set(headers, "x-amz-security-token", &|v| format!("{v}x")),
        Spoil::Tampered(_, at) => set(headers, "authorization", &|v| {
            let mut a: Vec<u8> = v.bytes().collect();
            let i = a.len() - 1 - at % 64; // a hex digit of the signature
            a[i] = if a[i] == b'0' { b'1' } else { b'0' };
            String::from_utf8(a).unwrap()
        }),
    }
}

fn emulator_blocking() -> Emulator {
    Emulator::start_blocking(EmulatorConfig::default()).expect("the emulator starts")
}

fn nothing_billed(emu: &Emulator) -> Result<(), TestCaseError> {
    let ledger = emu.ledger();
    prop_assert!(ledger.records.is_empty(), "billed: {:?}", ledger.records);
    prop_assert!(
        ledger.registrations.is_empty(),
        "registered: {:?}",
        ledger.registrations
    );
    Ok(())
}

#[test]
fn unsigned_or_tampered_requests_are_refused_in_aws_shape_and_never_billed() {
    let emu = emulator_blocking();
    let now = now_secs(&emu);
    let tally = Tally::default();
    let mut runner = proptest::test_runner::TestRunner::new(proptest_config(1_000));
    let strategy = (body(now), spoil(), framing());
    runner
        .run(&strategy, |((is_meter, body), spoil, how)| {
            let target = if is_meter { METER } else { REGISTER };
            let mut headers = signed_parts(&emu, target, &body);
            let mut body = body;
            prop_assume!(apply(&spoil, &mut headers, &mut body));
            let answers = exchange(emu.addr(), &frame(&headers, &body, how, "/"), how == 2);
            tally.add(&answers);
            for answer in &answers {
                check_error(answer)?;
            }
            nothing_billed(&emu)
        })
        .unwrap();
    tally.print("unsigned_or_tampered_requests_are_refused_in_aws_shape_and_never_billed");
    // The server still serves a good request afterwards.
    let body = format!(r#"{{"ProductCode":"{DEMO_HOURLY_PRODUCT}","PublicKeyVersion":1}}"#);
    let headers = signed_parts(&emu, REGISTER, body.as_bytes());
    let answers = exchange(emu.addr(), &frame(&headers, body.as_bytes(), 0, "/"), false);
    assert_eq!(answers[0].status, 200);
    assert_eq!(emu.ledger().registrations.len(), 1);
}

/// Request lines and header sets that are not a metering request at all, or raw bytes (which
/// may be an unfinished request, so the client gives up after sending them).
fn garbage_request() -> impl Strategy<Value = (Vec<u8>, bool)> {
    // Mostly a valid request line, so most cases get past HTTP parsing to the emulator.
    let line = (
        prop_oneof![6 => Just("POST"), 1 => prop::sample::select(vec!["GET", "PUT", "P0ST", "", "POST POST"])],
        prop_oneof![6 => Just("/"), 1 => prop::sample::select(vec!["//", "/?a=b", "*", "/_emulator/ledger/..", "/%ff", ""])],
        prop_oneof![6 => Just("HTTP/1.1"), 1 => prop::sample::select(vec!["HTTP/1.0", "HTTP/2", "HTTP/9.9", "", "HTTP/1.1 x"])],
    );
    let header = prop::sample::select(vec![
        "x-amz-target: AWSMPMeteringService.",
        "x-amz-target: awsmpmeteringservice.meterusage",
        "x-amz-target: AWSMPMeteringService.MeterUsage\r\nx-amz-target: AWSMPMeteringService.RegisterUsage",
        "x-amz-target: \u{7f}",
        "content-type: application/x-amz-json-1.0",
        "x-amz-date: 99999999T999999Z",
        "x-amz-security-token: ",
        "authorization: AWS4-HMAC-SHA256 Credential=A/B/C/D/aws4_request",
        "no-colon-here",
        ": empty-name",
        "host:",
    ]);
    (
        line,
        prop::collection::vec(header, 0..5),
        prop::collection::vec(any::<u8>(), 0..300),
        prop::bool::weighted(0.2),
    )
        .prop_map(|((method, path, version), headers, tail, raw)| {
            if raw {
                return (tail, true);
            }
            let mut out = format!("{method} {path} {version}\r\n").into_bytes();
            for h in headers {
                out.extend_from_slice(h.as_bytes());
                out.extend_from_slice(b"\r\n");
            }
            out.extend_from_slice(format!("content-length: {}\r\n\r\n", tail.len()).as_bytes());
            out.extend_from_slice(&tail);
            (out, false)
        })
}

#[test]
fn garbage_on_the_wire_gets_an_error_or_a_close_never_a_hang() {
    let emu = emulator_blocking();
    let tally = Tally::default();
    let mut runner = proptest::test_runner::TestRunner::new(proptest_config(1_000));
    runner
        .run(&garbage_request(), |(request, incomplete)| {
            let answers = exchange(emu.addr(), &request, incomplete);
            tally.add(&answers);
            for answer in answers {
                // GET /_emulator/... are the control endpoints: the only 2xx allowed here.
                if answer.status < 400 {
                    prop_assert!(
                        request.starts_with(b"GET /"),
                        "{} for {:?}",
                        answer.status,
                        String::from_utf8_lossy(&request)
                    );
                    continue;
                }
                check_error(&answer)?;
            }
            nothing_billed(&emu)
        })
        .unwrap();
    tally.print("garbage_on_the_wire_gets_an_error_or_a_close_never_a_hang");
}

#[test]
fn signed_requests_are_billed_exactly_when_answered_200() {
    let emu = emulator_blocking();
    let now = now_secs(&emu);
    let tally = Tally::default();
    let mut runner = proptest::test_runner::TestRunner::new(proptest_config(1_000));
    let accepted = std::cell::Cell::new(0u32);
    runner
        .run(&(body(now), framing()), |((is_meter, body), how)| {
            let target = if is_meter { METER } else { REGISTER };
            // Honest framing only: a lie about the length spoils the signed body.
            let how = if how == 7 { how } else { 0 };
            let headers = signed_parts(&emu, target, &body);
            let before = emu.ledger();
            let answers = exchange(emu.addr(), &frame(&headers, &body, how, "/"), false);
            tally.add(&answers);
            let after = emu.ledger();
            prop_assert_eq!(answers.len(), 1);
            let answer = &answers[0];
            if answer.status != 200 {
                check_error(answer)?;
                prop_assert_eq!(&after.records, &before.records);
                prop_assert_eq!(&after.registrations, &before.registrations);
                return Ok(());
            }
            accepted.set(accepted.get() + 1);
            let sent: Value = serde_json::from_slice(&body).expect("an accepted body is JSON");
            if !is_meter {
                prop_assert_eq!(after.registrations.len(), before.registrations.len() + 1);
                prop_assert_eq!(&after.records, &before.records);
                return Ok(());
            }
            prop_assert_eq!(&after.registrations, &before.registrations);
            let new: Vec<_> = after
                .records
                .iter()
                .filter(|r| !before.records.contains(r))
                .collect();
            if sent["DryRun"] == json!(true) {
                prop_assert!(new.is_empty(), "a dry run billed {:?}", new);
            } else if new.is_empty() {
                // An idempotent replay: the same record is already billed.
                let replayed = before.records.iter().any(|r| {
                    json!(r.quantity) == sent["UsageQuantity"]
                        && json!(r.dimension) == sent["UsageDimension"]
                });
                prop_assert!(replayed, "200 without a record for {}", sent);
            } else {
                prop_assert_eq!(new.len(), 1);
                prop_assert_eq!(
                    json!(new[0].quantity),
                    sent.get("UsageQuantity").cloned().unwrap_or(json!(0))
                );
                prop_assert_eq!(json!(new[0].dimension), sent["UsageDimension"].clone());
            }
            Ok(())
        })
        .unwrap();
    tally.print("signed_requests_are_billed_exactly_when_answered_200");
    // The generator does reach the accepting path.
    assert!(accepted.get() > 0, "no signed request was accepted");
}
