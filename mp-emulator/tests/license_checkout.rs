//! CheckoutLicense through the real aws-sdk-licensemanager client: tiers, floating pools,
//! drawdown, client-token idempotency, throttling, per caller and replica, and the
//! SignedToken (the seller guide's "Contract pricing for container products with AWS License
//! Manager", and License Manager's API reference).

mod support;

use aws_sdk_licensemanager::operation::checkout_license::CheckoutLicenseError as E;
use aws_sdk_licensemanager::types::{CheckoutType, EntitlementDataUnit as Unit};
use mp_emulator::Emulator;
use mp_emulator::credentials::CredentialSource;
use mp_emulator::keys::{
    TEST_ONLY_OTHER_PRIVATE_KEY_PEM, TEST_ONLY_PUBLIC_KEY_PEM, public_key_pem,
};
use mp_emulator::license::{
    DEMO_CONTRACT_SKU, LICENSE_TOKEN_KEY_ID, LicenseTokenClaims, MARKETPLACE_KEY_FINGERPRINT,
    PoolLevel,
};
use mp_emulator::scenario::Scenario;
use support::*;

fn lm(emu: &Emulator) -> aws_sdk_licensemanager::Client {
    license_client(emu, CredentialSource::EcsTaskRole)
}

fn seat(n: u64) -> aws_sdk_licensemanager::types::EntitlementData {
    entitlement("ConcurrentUsers", Some(n), Unit::Count)
}

fn data_gb(n: u64) -> aws_sdk_licensemanager::types::EntitlementData {
    entitlement("DataGB", Some(n), Unit::Gigabytes)
}

fn tier(name: &str) -> aws_sdk_licensemanager::types::EntitlementData {
    entitlement(name, None, Unit::None)
}

fn level(emu: &Emulator, name: &str) -> PoolLevel {
    emu.pool_levels()
        .into_iter()
        .find(|p| p.sku == DEMO_CONTRACT_SKU && p.entitlement == name)
        .unwrap()
}

#[tokio::test]
async fn checking_out_every_tier_returns_the_one_held_with_a_signed_token() {
    let emu = emulator().await;
    let out = checkout(&lm(&emu))
        .entitlements(tier("basic"))
        .entitlements(tier("pro"))
        .send()
        .await
        .unwrap();
    let allowed: Vec<_> = out
        .entitlements_allowed()
        .iter()
        .map(|e| (e.name(), e.unit().as_str(), e.value()))
        .collect();
    assert_eq!(allowed, [("pro", "None", None)]);
    assert_eq!(out.checkout_type(), Some(&CheckoutType::Provisional));
    let arn = out.license_arn().unwrap();
    let id = arn
        .strip_prefix("arn:aws:license-manager::294406891311:license:l-")
        .unwrap();
    assert!(
        id.len() == 32 && id.bytes().all(|b| b.is_ascii_hexdigit()),
        "{arn}"
    );
    let issued = time::OffsetDateTime::parse(
        out.issued_at().unwrap(),
        &time::format_description::well_known::Rfc3339,
    )
    .unwrap();
    let expiration = time::OffsetDateTime::parse(
        out.expiration().unwrap(),
        &time::format_description::well_known::Rfc3339,
    )
    .unwrap();
    assert_eq!((expiration - issued).whole_minutes(), 60);

    let token = out.signed_token().unwrap();
    let header = jsonwebtoken::decode_header(token).unwrap();
    assert_eq!(header.alg, jsonwebtoken::Algorithm::PS256);
    assert_eq!(header.kid.as_deref(), Some(LICENSE_TOKEN_KEY_ID));
    let mut validation = jsonwebtoken::Validation::new(jsonwebtoken::Algorithm::PS256);
    validation.validate_exp = false;
    let key = jsonwebtoken::DecodingKey::from_rsa_pem(TEST_ONLY_PUBLIC_KEY_PEM.as_bytes()).unwrap();
    let claims: LicenseTokenClaims = jsonwebtoken::decode(token, &key, &validation)
        .unwrap()
        .claims;
    assert_eq!(claims.license_arn, arn);
    assert_eq!(claims.product_sku, DEMO_CONTRACT_SKU);
    assert_eq!(claims.key_fingerprint, MARKETPLACE_KEY_FINGERPRINT);
    assert_eq!(
        Some(claims.license_consumption_token.as_str()),
        out.license_consumption_token()
    );
    assert_eq!(claims.entitlements[0].name, "pro");
    assert_eq!(claims.exp - claims.iat, 3600);
    let other = jsonwebtoken::DecodingKey::from_rsa_pem(
        public_key_pem(TEST_ONLY_OTHER_PRIVATE_KEY_PEM)
            .unwrap()
            .as_bytes(),
    )
    .unwrap();
    assert!(jsonwebtoken::decode::<LicenseTokenClaims>(token, &other, &validation).is_err());
}

#[tokio::test]
async fn no_held_tier_among_those_asked_is_no_entitlements_allowed() {
    let emu = emulator().await;
    let e = checkout(&lm(&emu))
        .entitlements(tier("basic"))
        .entitlements(tier("enterprise"))
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(matches!(e, E::NoEntitlementsAllowedException(_)), "{e:?}");
    assert!(e.meta().message().unwrap().contains("holds none"), "{e:?}");
}

#[tokio::test]
async fn a_floating_pool_never_lends_more_than_its_size_and_a_check_in_returns_at_once() {
    let emu = emulator().await;
    let client = lm(&emu);
    let mut tokens = Vec::new();
    for _ in 0..5 {
        let out = checkout(&client)
            .entitlements(seat(1))
            .send()
            .await
            .unwrap();
        tokens.push(out.license_consumption_token().unwrap().to_string());
    }
    assert_eq!(
        (
            level(&emu, "ConcurrentUsers").in_use,
            level(&emu, "ConcurrentUsers").available
        ),
        (5, 0)
    );
    let e = checkout(&client)
        .entitlements(seat(1))
        .send()
        .await
        .unwrap_err();
    assert_eq!(lm_code(e), "EntitlementNotAllowedException");
    client
        .check_in_license()
        .license_consumption_token(&tokens[0])
        .send()
        .await
        .unwrap();
    assert_eq!(level(&emu, "ConcurrentUsers").available, 1);
    checkout(&client)
        .entitlements(seat(1))
        .send()
        .await
        .unwrap();
    // Two seats at once when one is free: refused whole, nothing held.
    client
        .check_in_license()
        .license_consumption_token(&tokens[1])
        .send()
        .await
        .unwrap();
    let e = checkout(&client)
        .entitlements(seat(2))
        .send()
        .await
        .unwrap_err();
    assert_eq!(lm_code(e), "EntitlementNotAllowedException");
    assert_eq!(level(&emu, "ConcurrentUsers").in_use, 4);

    let ledger = emu.ledger();
    let lic = &ledger.licenses;
    assert_eq!((lic.checkouts.len(), lic.check_ins.len()), (6, 2));
    assert_eq!(lic.refusal_count("EntitlementNotAllowedException"), 2);
    assert_eq!(
        lic.pool(DEMO_CONTRACT_SKU, "ConcurrentUsers")
            .unwrap()
            .in_use,
        4
    );
    assert_eq!(ledger.request_count("CheckoutLicense"), 8);
    assert_eq!(ledger.rejection_count("EntitlementNotAllowedException"), 2);
}

#[tokio::test]
async fn drawdown_stops_exactly_at_the_purchased_quantity_and_never_partially() {
    let emu = emulator().await;
    let client = lm(&emu);
    let perpetual = || checkout(&client).checkout_type(CheckoutType::Perpetual);
    perpetual().entitlements(data_gb(60)).send().await.unwrap();
    let e = perpetual()
        .entitlements(data_gb(41))
        .send()
        .await
        .unwrap_err();
    assert_eq!(lm_code(e), "EntitlementNotAllowedException");
    assert_eq!(
        level(&emu, "DataGB").in_use,
        60,
        "a refused drawdown draws nothing"
    );
    perpetual().entitlements(data_gb(40)).send().await.unwrap();
    let e = perpetual()
        .entitlements(data_gb(1))
        .send()
        .await
        .unwrap_err();
    assert_eq!(lm_code(e), "EntitlementNotAllowedException");
    let l = level(&emu, "DataGB");
    assert_eq!((l.size, l.in_use, l.available), (100, 100, 0));
    assert_eq!(
        emu.ledger().licenses.drawn(DEMO_CONTRACT_SKU, "DataGB"),
        100
    );
}

#[tokio::test]
async fn a_repeated_client_token_answers_the_same_and_draws_once() {
    let emu = emulator().await;
    let client = lm(&emu);
    let same = || {
        checkout(&client)
            .checkout_type(CheckoutType::Perpetual)
            .client_token("retry-me")
            .entitlements(data_gb(10))
    };
    let first = same().send().await.unwrap();
    let again = same().send().await.unwrap();
    assert_eq!(
        first.license_consumption_token(),
        again.license_consumption_token()
    );
    assert_eq!(first.signed_token(), again.signed_token());
    assert_eq!(level(&emu, "DataGB").in_use, 10);
    // The same token for another request is a mistake, not a replay.
    let e = same()
        .entitlements(data_gb(1))
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(matches!(e, E::ValidationException(_)), "{e:?}");
    assert!(e.meta().message().unwrap().contains("idempotency"), "{e:?}");
    // A client token belongs to its caller: another role's is its own.
    license_client(&emu, CredentialSource::Irsa)
        .checkout_license()
        .product_sku(DEMO_CONTRACT_SKU)
        .checkout_type(CheckoutType::Perpetual)
        .key_fingerprint(MARKETPLACE_KEY_FINGERPRINT)
        .client_token("retry-me")
        .entitlements(data_gb(10))
        .send()
        .await
        .unwrap();
    assert_eq!(level(&emu, "DataGB").in_use, 20);
    let ledger = emu.ledger();
    assert_eq!(
        (ledger.licenses.drawdowns.len(), ledger.licenses.replays),
        (2, 1)
    );
}

#[tokio::test]
async fn throttled_calls_draw_nothing_and_a_retry_with_the_token_draws_once() {
    let emu = emulator().await;
    emu.throttle_license_calls(2);
    let client = lm(&emu);
    let call = || {
        checkout(&client)
            .checkout_type(CheckoutType::Perpetual)
            .client_token("throttled")
            .entitlements(data_gb(7))
    };
    for _ in 0..2 {
        let e = call().send().await.unwrap_err().into_service_error();
        assert!(matches!(e, E::RateLimitExceededException(_)), "{e:?}");
        assert_eq!(e.meta().message(), Some("Rate exceeded"));
    }
    call().send().await.unwrap();
    call().send().await.unwrap();
    assert_eq!(level(&emu, "DataGB").in_use, 7);
    let ledger = emu.ledger();
    assert_eq!(
        ledger.licenses.refusal_count("RateLimitExceededException"),
        2
    );
    assert_eq!(ledger.licenses.replays, 1);
}

#[tokio::test]
async fn the_scenarios_faults_play_on_license_manager_too() {
    let emu = emulator_in(Scenario::entitled().throttle(1.0)).await;
    let e = checkout(&lm(&emu))
        .entitlements(tier("pro"))
        .send()
        .await
        .unwrap_err();
    assert_eq!(lm_code(e), "RateLimitExceededException");
    emu.set_scenario(Scenario::entitled().server_errors(1.0));
    let e = checkout(&lm(&emu))
        .entitlements(tier("pro"))
        .send()
        .await
        .unwrap_err();
    let raw = e.raw_response().map(|r| r.status().as_u16());
    assert_eq!(raw, Some(500));
    assert_eq!(lm_code(e), "ServerInternalException");
}

#[tokio::test]
async fn replicas_share_the_pool_and_the_ledger_names_who_holds_what() {
    let emu = emulator().await;
    let pod_a = CredentialSource::Irsa.session(Some("pod-a")).unwrap();
    let a = license_client_with(&emu, pod_a.sdk("test"), emu.region());
    let b = license_client(&emu, CredentialSource::Irsa);
    checkout(&a).entitlements(seat(3)).send().await.unwrap();
    checkout(&b).entitlements(seat(2)).send().await.unwrap();
    let e = checkout(&a).entitlements(seat(1)).send().await.unwrap_err();
    assert_eq!(lm_code(e), "EntitlementNotAllowedException");
    let ledger = emu.ledger();
    let holders: Vec<_> = ledger
        .licenses
        .checkouts
        .iter()
        .map(|c| {
            (
                c.caller.as_str(),
                c.replica.as_deref(),
                c.entitlements[0].value,
            )
        })
        .collect();
    assert_eq!(
        holders,
        [("irsa", Some("pod-a"), Some(3)), ("irsa", None, Some(2))]
    );
    assert_eq!(
        ledger.licenses.refusals[0].replica.as_deref(),
        Some("pod-a")
    );
}
