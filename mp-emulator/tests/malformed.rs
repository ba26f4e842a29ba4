//! Malformed requests get AWS-style 4xx answers, never a 500 or a panic, and the server keeps
//! serving afterwards.

mod support;

use mp_emulator::*;
use support::*;

const JSON: &str = "application/x-amz-json-1.1";
const METER: &str = "AWSMPMeteringService.MeterUsage";

async fn still_serving(emu: &Emulator) {
    client(emu)
        .register_usage()
        .product_code(DEMO_HOURLY_PRODUCT)
        .public_key_version(1)
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
