//! What License Manager refuses and how: no license, an expired one, tiers changing on the
//! emulator clock, every input rule with its exact error, and SigV4 for `license-manager`
//! only. Errors carry the model's `Message` member.

mod support;

use aws_sdk_licensemanager::operation::checkout_license::CheckoutLicenseError as E;
use aws_sdk_licensemanager::types::{CheckoutType, EntitlementDataUnit as Unit};
use mp_emulator::credentials::CredentialSource;
use mp_emulator::license::{DEMO_CONTRACT_SKU, MARKETPLACE_KEY_FINGERPRINT};
use mp_emulator::sigv4::{LICENSE_MANAGER_SIGNING_NAME, SIGNING_NAME};
use mp_emulator::{Emulator, EmulatorConfig};
use serde_json::json;
use std::time::{Duration, SystemTime};
use support::*;

fn lm(emu: &Emulator) -> aws_sdk_licensemanager::Client {
    license_client(emu, CredentialSource::EcsTaskRole)
}

fn tier(name: &str) -> aws_sdk_licensemanager::types::EntitlementData {
    entitlement(name, None, Unit::None)
}

async fn with_license(sku: &str, spec: &str) -> Emulator {
    Emulator::start(EmulatorConfig::default().license(sku, spec.parse().unwrap()))
        .await
        .unwrap()
}

/// The tier a checkout of every tier gets.
async fn held_tier(emu: &Emulator, sku: &str) -> Result<String, E> {
    checkout(&lm(emu))
        .product_sku(sku)
        .entitlements(tier("basic"))
        .entitlements(tier("pro"))
        .entitlements(tier("enterprise"))
        .send()
        .await
        .map(|out| out.entitlements_allowed()[0].name().to_string())
        .map_err(|e| e.into_service_error())
}

#[tokio::test]
async fn no_license_is_no_entitlements_allowed() {
    let emu = Emulator::start(EmulatorConfig::default().no_license(DEMO_CONTRACT_SKU))
        .await
        .unwrap();
    let e = held_tier(&emu, DEMO_CONTRACT_SKU).await.unwrap_err();
    assert!(matches!(e, E::NoEntitlementsAllowedException(_)), "{e:?}");
    assert!(e.meta().message().unwrap().contains("no license"), "{e:?}");
    let e = held_tier(&emu, "prod-unknown").await.unwrap_err();
    assert!(matches!(e, E::NoEntitlementsAllowedException(_)), "{e:?}");
    let ledger = emu.ledger();
    assert_eq!(
        ledger.licenses.refusals[1].sku.as_deref(),
        Some("prod-unknown")
    );
    assert_eq!(
        ledger.licenses.refusals[1].caller.as_deref(),
        Some("ecs-task-role")
    );
}

#[tokio::test]
async fn taking_the_license_away_at_run_time_refuses_the_next_checkout() {
    let emu = emulator().await;
    assert_eq!(held_tier(&emu, DEMO_CONTRACT_SKU).await.unwrap(), "pro");
    emu.remove_license(DEMO_CONTRACT_SKU);
    let e = held_tier(&emu, DEMO_CONTRACT_SKU).await.unwrap_err();
    assert!(matches!(e, E::NoEntitlementsAllowedException(_)), "{e:?}");
}

#[tokio::test]
async fn an_expired_license_is_no_entitlements_allowed_saying_so() {
    let emu = with_license("prod-old", "tier:pro;expires:-1h").await;
    let e = held_tier(&emu, "prod-old").await.unwrap_err();
    assert!(matches!(e, E::NoEntitlementsAllowedException(_)), "{e:?}");
    assert!(e.meta().message().unwrap().contains("expired"), "{e:?}");
}

#[tokio::test]
async fn a_license_expires_when_the_clock_passes_its_end() {
    let emu = with_license("prod-term", "tier:pro;floating:Seats=2;expires:+2h").await;
    assert_eq!(held_tier(&emu, "prod-term").await.unwrap(), "pro");
    emu.set_clock(SystemTime::now() + Duration::from_secs(2 * 3600 + 5));
    let e = held_tier(&emu, "prod-term").await.unwrap_err();
    assert!(e.meta().message().unwrap().contains("expired"), "{e:?}");
}

#[tokio::test]
async fn a_tier_upgrade_takes_effect_at_its_clock_time() {
    let emu = with_license("prod-up", "tier:basic;upgrade:+2h=pro").await;
    assert_eq!(held_tier(&emu, "prod-up").await.unwrap(), "basic");
    emu.set_clock(SystemTime::now() + Duration::from_secs(2 * 3600 - 60));
    assert_eq!(held_tier(&emu, "prod-up").await.unwrap(), "basic");
    emu.set_clock(SystemTime::now() + Duration::from_secs(2 * 3600 + 5));
    assert_eq!(held_tier(&emu, "prod-up").await.unwrap(), "pro");
    // And one scheduled at run time.
    let at = emu.now() + Duration::from_secs(600);
    emu.change_tier_at("prod-up", "enterprise", at).unwrap();
    assert_eq!(held_tier(&emu, "prod-up").await.unwrap(), "pro");
    emu.set_clock(at + Duration::from_secs(1));
    assert_eq!(held_tier(&emu, "prod-up").await.unwrap(), "enterprise");
    let changes: Vec<_> = emu
        .ledger()
        .licenses
        .tier_changes
        .iter()
        .map(|t| (t.from.clone().unwrap(), t.to.clone()))
        .collect();
    assert_eq!(
        changes,
        [
            ("basic".into(), "pro".into()),
            ("pro".into(), "enterprise".into())
        ]
    );
}

/// Sends a checkout of the demo license and returns its ValidationException message.
async fn validation_message(
    b: aws_sdk_licensemanager::operation::checkout_license::builders::CheckoutLicenseFluentBuilder,
) -> String {
    let e = b.send().await.unwrap_err().into_service_error();
    assert!(matches!(e, E::ValidationException(_)), "{e:?}");
    e.meta().message().unwrap().to_string()
}

#[tokio::test]
async fn every_input_rule_is_a_validation_exception_naming_it() {
    let emu = emulator().await;
    let client = lm(&emu);
    let seat = |value: Option<u64>, unit: Unit| entitlement("ConcurrentUsers", value, unit);
    for (b, says) in [
        (
            checkout(&client)
                .key_fingerprint("aws:111122223333:someone:issuer-fingerprint")
                .entitlements(tier("pro")),
            "KeyFingerprint",
        ),
        (
            checkout(&client).entitlements(seat(Some(1), Unit::Gigabytes)),
            "counted in Count, not Gigabytes",
        ),
        (
            checkout(&client)
                .checkout_type(CheckoutType::Perpetual)
                .entitlements(seat(Some(1), Unit::Count)),
            "CheckoutType PROVISIONAL",
        ),
        (
            checkout(&client).entitlements(entitlement("DataGB", Some(1), Unit::Gigabytes)),
            "CheckoutType PERPETUAL",
        ),
        (
            checkout(&client).entitlements(seat(None, Unit::Count)),
            "Value of at least 1",
        ),
        (
            checkout(&client).entitlements(seat(Some(0), Unit::Count)),
            "Value of at least 1",
        ),
        (
            checkout(&client).entitlements(
                aws_sdk_licensemanager::types::EntitlementData::builder()
                    .name("ConcurrentUsers")
                    .value("lots")
                    .unit(Unit::Count)
                    .build()
                    .unwrap(),
            ),
            "not a whole number",
        ),
        (
            checkout(&client)
                .checkout_type(CheckoutType::from("LEASE"))
                .entitlements(tier("pro")),
            "'checkoutType'",
        ),
        (
            checkout(&client).entitlements(seat(Some(1), Unit::from("Users"))),
            "'entitlements.1.member.unit'",
        ),
        (checkout(&client), "'entitlements'"),
        (
            checkout(&client).product_sku("").entitlements(tier("pro")),
            "'productSKU' failed to satisfy constraint: ProductSKU cannot be empty",
        ),
        (
            checkout(&client).entitlements(tier("")),
            "'entitlements.1.member.name' failed to satisfy constraint: entitlement Name cannot be empty",
        ),
        (
            checkout(&client)
                .entitlements(tier("pro"))
                .client_token("two words"),
            "'clientToken'",
        ),
    ] {
        let message = validation_message(b).await;
        assert!(message.contains(says), "{says}: {message}");
    }
    assert!(
        emu.pool_levels().iter().all(|p| p.in_use == 0),
        "nothing refused drew anything"
    );
}

/// Status, `__type` and body of a License Manager answer.
async fn answer(response: reqwest::Response) -> (u16, String, serde_json::Value) {
    let status = response.status().as_u16();
    let header = response
        .headers()
        .get("x-amzn-errortype")
        .map(|v| v.to_str().unwrap().to_string());
    let body: serde_json::Value = response.json().await.unwrap();
    let name = body["__type"].as_str().unwrap_or_default().to_string();
    assert_eq!(header.as_deref(), Some(name.as_str()), "{body}");
    (status, name, body)
}

#[tokio::test]
async fn a_missing_member_is_a_validation_exception_with_the_models_message_member() {
    let emu = emulator().await;
    let body = json!({
        "ProductSKU": DEMO_CONTRACT_SKU,
        "CheckoutType": "PROVISIONAL",
        "KeyFingerprint": MARKETPLACE_KEY_FINGERPRINT,
        "Entitlements": [{"Name": "pro", "Unit": "None"}],
    });
    let response = license_post(&emu, LICENSE_MANAGER_SIGNING_NAME, "CheckoutLicense", body).await;
    let (status, name, body) = answer(response).await;
    assert_eq!((status, name.as_str()), (400, "ValidationException"));
    let message = body["Message"].as_str().unwrap();
    assert!(
        message.contains("'clientToken'") && message.contains("must not be null"),
        "{body}"
    );
    assert!(body.get("message").is_none(), "{body}");
}

#[tokio::test]
async fn sigv4_is_checked_for_license_manager_and_only_for_it() {
    let emu = emulator().await;
    let body = json!({"LicenseConsumptionToken": "x"});
    // Signed for the Metering Service: refused before anything is looked at.
    let r = license_post(&emu, SIGNING_NAME, "CheckInLicense", body.clone()).await;
    let (status, name, body_json) = answer(r).await;
    assert_eq!((status, name.as_str()), (403, "InvalidSignatureException"));
    assert!(
        body_json["message"]
            .as_str()
            .unwrap()
            .contains("'license-manager'"),
        "{body_json}"
    );
    // Signed for License Manager but sent to the Metering Service.
    let r = signed_builder_for(
        &emu,
        LICENSE_MANAGER_SIGNING_NAME,
        Some("AWSMPMeteringService.MeterUsage"),
        "application/x-amz-json-1.1",
        b"{}".to_vec(),
    )
    .send()
    .await
    .unwrap();
    assert_eq!(answer(r).await.1, "InvalidSignatureException");
    // Signed right: the request itself is judged.
    let r = license_post(&emu, LICENSE_MANAGER_SIGNING_NAME, "CheckInLicense", body).await;
    assert_eq!(answer(r).await.1, "ResourceNotFoundException");

    // The real client, signing for another region, and with unknown keys.
    let other_region = license_client_with(
        &emu,
        sdk_credentials(CredentialSource::EcsTaskRole),
        "eu-west-1",
    );
    let e = checkout(&other_region)
        .entitlements(tier("pro"))
        .send()
        .await
        .unwrap_err();
    assert_eq!(lm_code(e), "InvalidSignatureException");
    let stranger = license_client_with(
        &emu,
        aws_credential_types::Credentials::new("AKIASTRANGER", "secret", None, None, "test"),
        emu.region(),
    );
    let e = checkout(&stranger)
        .entitlements(tier("pro"))
        .send()
        .await
        .unwrap_err();
    assert_eq!(lm_code(e), "UnrecognizedClientException");

    let ledger = emu.ledger();
    assert_eq!(ledger.rejection_count("InvalidSignatureException"), 3);
    assert_eq!(
        ledger.licenses.refusal_count("InvalidSignatureException"),
        2
    );
    assert_eq!(ledger.request_count("CheckInLicense"), 2);
}

#[tokio::test]
async fn an_operation_the_emulator_does_not_play_is_unknown() {
    let emu = emulator().await;
    let r = license_post(
        &emu,
        LICENSE_MANAGER_SIGNING_NAME,
        "CreateLicense",
        json!({}),
    )
    .await;
    let (status, name, body) = answer(r).await;
    assert_eq!((status, name.as_str()), (400, "UnknownOperationException"));
    assert!(
        body["message"]
            .as_str()
            .unwrap()
            .contains("CheckoutLicense"),
        "{body}"
    );
}

#[tokio::test]
async fn a_body_that_is_not_the_operations_json_is_a_serialization_exception() {
    let emu = emulator().await;
    let r = license_post(
        &emu,
        LICENSE_MANAGER_SIGNING_NAME,
        "CheckoutLicense",
        json!({"ProductSKU": 7}),
    )
    .await;
    assert_eq!(answer(r).await.1, "SerializationException");
}

/// An arbitrary CheckoutLicense body: mostly right entitlements, with near-misses of names,
/// units, values, types, issuers and client tokens mixed in, members sometimes missing.
fn arbitrary_checkout() -> impl proptest::strategy::Strategy<Value = serde_json::Value> {
    use proptest::prelude::*;
    let near_miss = (
        prop::sample::select(vec![
            "pro",
            "ConcurrentUsers",
            "DataGB",
            "concurrentusers",
            "",
        ]),
        prop::sample::select(vec!["None", "Count", "Gigabytes", "Bytes/Second", "count"]),
        prop::sample::select(vec!["", "0", "-1", "1e3", "18446744073709551616"]),
    )
        .prop_map(|(n, u, v)| json!({"Name": n, "Unit": u, "Value": v}));
    let entitlement = prop_oneof![
        4 => prop::sample::select(vec!["pro", "basic"]).prop_map(|n| json!({"Name": n, "Unit": "None"})),
        4 => (1u64..4).prop_map(|v| json!({"Name": "ConcurrentUsers", "Unit": "Count", "Value": v.to_string()})),
        4 => (1u64..40).prop_map(|v| json!({"Name": "DataGB", "Unit": "Gigabytes", "Value": v.to_string()})),
        1 => near_miss,
    ];
    (
        prop::collection::vec(entitlement, 0..3),
        prop::sample::select(vec!["PROVISIONAL", "PROVISIONAL", "PERPETUAL", "PERPETUAL", "provisional"]),
        prop_oneof![9 => Just(MARKETPLACE_KEY_FINGERPRINT), 1 => Just("aws:1:x:issuer-fingerprint")],
        prop_oneof![20 => (0u32..1000).prop_map(|n| format!("t{n}")), 1 => Just(String::new()), 1 => Just("a b".to_string())],
        prop_oneof![9 => Just(DEMO_CONTRACT_SKU), 1 => Just("prod-other")],
        any::<u8>(),
    )
        .prop_map(|(entitlements, kind, issuer, token, sku, drop)| {
            let mut body = json!({
                "ProductSKU": sku, "CheckoutType": kind, "KeyFingerprint": issuer,
                "Entitlements": entitlements, "ClientToken": token,
            });
            let members = ["ProductSKU", "CheckoutType", "KeyFingerprint", "Entitlements", "ClientToken"];
            if let Some(member) = members.get(usize::from(drop)) {
                body.as_object_mut().unwrap().remove(*member);
            }
            body
        })
}

#[test]
fn arbitrary_checkouts_are_answered_in_aws_shape_and_never_over_draw() {
    let emu = Emulator::start_blocking(EmulatorConfig::default()).unwrap();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let mut runner = proptest::test_runner::TestRunner::new(proptest_config(96));
    runner
        .run(&arbitrary_checkout(), |body| {
            let response = rt.block_on(license_post(
                &emu,
                LICENSE_MANAGER_SIGNING_NAME,
                "CheckoutLicense",
                body.clone(),
            ));
            let status = response.status().as_u16();
            let answer: serde_json::Value = rt.block_on(response.json()).unwrap();
            if status == 200 {
                proptest::prop_assert!(answer["LicenseConsumptionToken"].is_string(), "{answer}");
            } else {
                proptest::prop_assert!(answer["__type"].is_string(), "{body} -> {answer}");
                let message = answer.get("Message").or_else(|| answer.get("message"));
                proptest::prop_assert!(message.is_some_and(|m| m.is_string()), "{answer}");
            }
            for pool in emu.pool_levels() {
                proptest::prop_assert!(pool.in_use <= pool.size, "{pool:?} after {body}");
            }
            Ok(())
        })
        .unwrap();
    let ledger = emu.ledger();
    let drawn = ledger.licenses.drawn(DEMO_CONTRACT_SKU, "DataGB");
    let level = ledger.licenses.pool(DEMO_CONTRACT_SKU, "DataGB").unwrap();
    assert_eq!(
        drawn, level.in_use,
        "the ledger's drawdowns are the pool's level"
    );
    assert!(
        ledger.licenses.checkouts.len() + ledger.licenses.drawdowns.len() > 0,
        "some were granted"
    );
    assert!(
        ledger
            .licenses
            .refusal_count("EntitlementNotAllowedException")
            > 0,
        "the pools ran dry along the way"
    );
}
