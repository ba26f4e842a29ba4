//! Malformed requests get AWS-style 4xx answers, never a 500 or a panic, and the server keeps
//! serving afterwards.

mod support;

use mp_emulator::metering::DEMO_HOURLY_PRODUCT;
use mp_emulator::{Emulator, MAX_BODY_BYTES};
use support::*;

const JSON: &str = "application/x-amz-json-1.1";
const METER: &str = "AWSMPMeteringService.MeterUsage";

async fn still_serving(emu: &Emulator) {
    register_demo(&client(emu))
        .send()
        .await
        .expect("the server still answers a good request");
}

#[tokio::test]
async fn bad_json_is_a_serialization_error() {
    let emu = emulator().await;
    for body in [
        &b"{not json"[..],
        b"[1,2,3]",
        b"{\"UsageQuantity\": \"ten\"}",
        b"\xff\xfe\x00garbage",
    ] {
        let r = signed_post(&emu, Some(METER), JSON, body.to_vec()).await;
        assert_eq!(
            aws_error(r).await,
            (400, "SerializationException".into()),
            "{body:?}"
        );
    }
    still_serving(&emu).await;
}

#[tokio::test]
async fn missing_required_members_are_validation_errors() {
    let emu = emulator().await;
    let r = signed_post(&emu, Some(METER), JSON, b"{}".to_vec()).await;
    assert_eq!(aws_error(r).await, (400, "ValidationException".into()));
}

#[tokio::test]
async fn unknown_operation_wrong_content_type_and_missing_target() {
    let emu = emulator().await;
    let r = signed_post(
        &emu,
        Some("AWSMPMeteringService.BatchMeterUsage"),
        JSON,
        b"{}".to_vec(),
    )
    .await;
    assert_eq!(
        aws_error(r).await,
        (400, "UnknownOperationException".into())
    );
    let r = signed_post(&emu, Some(METER), "text/plain", b"{}".to_vec()).await;
    assert_eq!(
        aws_error(r).await,
        (400, "UnknownOperationException".into())
    );
    let r = signed_post(&emu, None, JSON, b"{}".to_vec()).await;
    assert_eq!(
        aws_error(r).await,
        (400, "UnknownOperationException".into())
    );
    still_serving(&emu).await;
}

#[tokio::test]
async fn unsigned_request_is_403() {
    let emu = emulator().await;
    let r = http()
        .post(emu.url())
        .header("content-type", JSON)
        .header("x-amz-target", METER)
        .body("{}")
        .send()
        .await
        .unwrap();
    assert_eq!(
        aws_error(r).await,
        (403, "MissingAuthenticationTokenException".into())
    );
}

#[tokio::test]
async fn huge_body_is_413_and_the_server_keeps_serving() {
    let emu = emulator().await;
    let huge = vec![b'x'; MAX_BODY_BYTES + 1];
    let r = http()
        .post(emu.url())
        .header("content-type", JSON)
        .header("x-amz-target", METER)
        .body(huge)
        .send()
        .await
        .unwrap();
    assert_eq!(
        aws_error(r).await,
        (413, "RequestEntityTooLargeException".into())
    );
    still_serving(&emu).await;
}

#[tokio::test]
async fn unknown_path_is_a_404_in_aws_shape() {
    let emu = emulator().await;
    let r = http()
        .get(format!("{}/nope", emu.url()))
        .send()
        .await
        .unwrap();
    assert_eq!(
        aws_error(r).await,
        (404, "UnknownOperationException".into())
    );
}

#[tokio::test]
async fn tampered_body_or_header_fails_the_signature_check() {
    let emu = emulator().await;
    let body = format!(r#"{{"ProductCode": "{DEMO_HOURLY_PRODUCT}", "PublicKeyVersion": 1}}"#);
    let target = "AWSMPMeteringService.RegisterUsage";
    let r = signed_post(&emu, Some(target), JSON, body.clone().into_bytes()).await;
    assert_eq!(r.status(), 200, "the untampered request passes");
    let tampered = body.replace("\"PublicKeyVersion\": 1", "\"PublicKeyVersion\": 1 ");
    let r = signed_builder(&emu, Some(target), JSON, body.clone().into_bytes())
        .body(tampered)
        .send()
        .await
        .unwrap();
    assert_eq!(
        aws_error(r).await,
        (403, "InvalidSignatureException".into())
    );
    let r = signed_builder(&emu, Some(target), JSON, body.into_bytes())
        .header("x-amz-target", "AWSMPMeteringService.MeterUsage")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 403);
    assert_eq!(emu.ledger().registrations.len(), 1);
}

#[tokio::test]
async fn huge_chunked_body_without_length_is_413_too() {
    use std::io::{Read, Write};
    let emu = emulator().await;
    let addr = emu.addr();
    // A raw socket: reqwest would add a Content-Length, which is refused before reading.
    let answer = tokio::task::spawn_blocking(move || {
        let mut s = std::net::TcpStream::connect(addr).unwrap();
        s.set_read_timeout(Some(TIMEOUT)).unwrap();
        write!(
            s,
            "POST / HTTP/1.1\r\nHost: {addr}\r\nContent-Type: {JSON}\r\nX-Amz-Target: {METER}\r\nTransfer-Encoding: chunked\r\n\r\n"
        )
        .unwrap();
        let chunk = vec![b'x'; 1024 * 1024];
        for _ in 0..=(MAX_BODY_BYTES / chunk.len()) {
            // The server may answer and close before everything is sent.
            if write!(s, "{:x}\r\n", chunk.len()).is_err() || s.write_all(&chunk).is_err() || s.write_all(b"\r\n").is_err() {
                break;
            }
        }
        let _ = s.write_all(b"0\r\n\r\n");
        let mut head = [0u8; 12];
        s.read_exact(&mut head).map(|_| String::from_utf8_lossy(&head).into_owned())
    })
    .await
    .unwrap();
    assert_eq!(answer.unwrap(), "HTTP/1.1 413");
    still_serving(&emu).await;
}
