//! RegisterUsage through the real aws-sdk-marketplacemetering client over loopback with real
//! SigV4: success, the PS256 token, and every error name the service model lists
//! (the AWS Marketplace Metering Service API reference, `RegisterUsage`).

mod support;

use aws_sdk_marketplacemetering::operation::register_usage::RegisterUsageError as E;
use mp_emulator::credentials::CredentialSource;
use mp_emulator::keys::{
    TEST_ONLY_KEY_VERSION, TEST_ONLY_OTHER_PRIVATE_KEY_PEM, TEST_ONLY_PUBLIC_KEY_PEM,
    public_key_pem,
};
use mp_emulator::metering::{DEMO_CUSTOM_PRODUCT, DEMO_HOURLY_PRODUCT};
use mp_emulator::scenario::Scenario;
use mp_emulator::{Emulator, EmulatorConfig};
use support::*;

async fn register(
    client: &aws_sdk_marketplacemetering::Client,
    product: &str,
    version: i32,
) -> Result<
    aws_sdk_marketplacemetering::operation::register_usage::RegisterUsageOutput,
    aws_sdk_marketplacemetering::error::SdkError<E, aws_smithy_runtime_api::http::Response>,
> {
    client
        .register_usage()
        .product_code(product)
        .public_key_version(version)
        .nonce("a-fresh-nonce")
        .send()
        .await
}

#[tokio::test]
async fn entitled_call_returns_a_ps256_token_that_verifies_with_the_published_key() {
    let emu = emulator().await;
    let out = register(&client(&emu), DEMO_HOURLY_PRODUCT, 1)
        .await
        .unwrap();
    let token = out.signature().expect("a signature");
    let claims = verify_token(token, TEST_ONLY_PUBLIC_KEY_PEM).expect("verifies");
    assert_eq!(claims.product_code, DEMO_HOURLY_PRODUCT);
    assert_eq!(claims.public_key_version, TEST_ONLY_KEY_VERSION);
    assert_eq!(claims.nonce.as_deref(), Some("a-fresh-nonce"));
    assert!(out.public_key_rotation_timestamp().is_some());

    let ledger = emu.ledger();
    assert_eq!(ledger.registrations.len(), 1);
    assert_eq!(ledger.registrations[0].caller, "ecs-task-role");
    assert_eq!(ledger.request_count("RegisterUsage"), 1);
}

#[tokio::test]
async fn token_signed_with_another_key_fails_verification() {
    let emu =
        Emulator::start(EmulatorConfig::default().signing_key_pem(TEST_ONLY_OTHER_PRIVATE_KEY_PEM))
            .await
            .unwrap();
    let out = register(&client(&emu), DEMO_HOURLY_PRODUCT, 1)
        .await
        .unwrap();
    let token = out.signature().unwrap();
    assert!(verify_token(token, TEST_ONLY_PUBLIC_KEY_PEM).is_err());
    // ...and verifies with the public half of the key it was signed with.
    let other_public = public_key_pem(TEST_ONLY_OTHER_PRIVATE_KEY_PEM).unwrap();
    assert!(verify_token(token, &other_public).is_ok());
}

#[tokio::test]
async fn custom_product_may_register_too() {
    let emu = emulator().await;
    register(&client(&emu), DEMO_CUSTOM_PRODUCT, 1)
        .await
        .unwrap();
}

#[tokio::test]
async fn every_credential_source_is_accepted_and_named_in_the_ledger() {
    let emu = emulator().await;
    for source in CredentialSource::ALL {
        register(
            &client_as(&emu, source, "us-east-1"),
            DEMO_HOURLY_PRODUCT,
            1,
        )
        .await
        .unwrap();
    }
    let callers: Vec<_> = emu
        .ledger()
        .registrations
        .into_iter()
        .map(|r| r.caller)
        .collect();
    assert_eq!(callers, ["ecs-task-role", "irsa", "instance-profile"]);
}

/// Whether an error is the expected typed variant.
type IsVariant = fn(&E) -> bool;

async fn service_error(emu: &Emulator, product: &str, version: i32) -> E {
    register(&client(emu), product, version)
        .await
        .expect_err("the call must fail")
        .into_service_error()
}

#[tokio::test]
async fn scenarios_give_their_typed_errors() {
    let cases: [(Scenario, IsVariant); 6] = [
        (Scenario::not_entitled(), |e| {
            matches!(e, E::CustomerNotEntitledException(_))
        }),
        (Scenario::platform_not_supported(), |e| {
            matches!(e, E::PlatformNotSupportedException(_))
        }),
        (Scenario::disabled_api(), |e| {
            matches!(e, E::DisabledApiException(_))
        }),
        (Scenario::wrong_region(), |e| {
            matches!(e, E::InvalidRegionException(_))
        }),
        (Scenario::unknown_product(), |e| {
            matches!(e, E::InvalidProductCodeException(_))
        }),
        (Scenario::invalid_public_key_version(), |e| {
            matches!(e, E::InvalidPublicKeyVersionException(_))
        }),
    ];
    let emu = emulator().await;
    for (scenario, expected) in cases {
        emu.set_scenario(scenario.clone());
        let e = service_error(&emu, DEMO_HOURLY_PRODUCT, 1).await;
        assert!(expected(&e), "{scenario:?} gave {e:?}");
    }
    assert!(emu.ledger().registrations.is_empty());
}

#[tokio::test]
async fn unknown_or_malformed_product_code_is_invalid_product_code() {
    let emu = emulator().await;
    for code in ["nosuchproduct", "has space", &"x".repeat(256)] {
        let e = service_error(&emu, code, 1).await;
        assert!(
            matches!(e, E::InvalidProductCodeException(_)),
            "{code}: {e:?}"
        );
    }
}

#[tokio::test]
async fn wrong_key_version_is_invalid_public_key_version() {
    let emu = emulator().await;
    for version in [0, 2, -1] {
        let e = service_error(&emu, DEMO_HOURLY_PRODUCT, version).await;
        assert!(
            matches!(e, E::InvalidPublicKeyVersionException(_)),
            "{version}: {e:?}"
        );
    }
}

#[tokio::test]
async fn request_signed_for_another_region_is_invalid_region() {
    let emu = emulator().await;
    let c = client_as(&emu, CredentialSource::EcsTaskRole, "eu-west-1");
    let e = register(&c, DEMO_HOURLY_PRODUCT, 1)
        .await
        .unwrap_err()
        .into_service_error();
    assert!(matches!(e, E::InvalidRegionException(_)), "{e:?}");
}

#[tokio::test]
async fn emulator_in_another_region_rejects_us_east_1_callers() {
    let emu = Emulator::start(EmulatorConfig::default().region("eu-central-1"))
        .await
        .unwrap();
    let c = client_as(&emu, CredentialSource::Irsa, "us-east-1");
    let e = register(&c, DEMO_HOURLY_PRODUCT, 1)
        .await
        .unwrap_err()
        .into_service_error();
    assert!(matches!(e, E::InvalidRegionException(_)), "{e:?}");
    let c = client_as(&emu, CredentialSource::Irsa, "eu-central-1");
    register(&c, DEMO_HOURLY_PRODUCT, 1).await.unwrap();
}

#[tokio::test]
async fn throttling_and_internal_errors_are_typed() {
    let emu = emulator_in(Scenario::entitled().throttle(1.0)).await;
    let e = service_error(&emu, DEMO_HOURLY_PRODUCT, 1).await;
    assert!(matches!(e, E::ThrottlingException(_)), "{e:?}");
    emu.set_scenario(Scenario::entitled().server_errors(1.0));
    let e = service_error(&emu, DEMO_HOURLY_PRODUCT, 1).await;
    assert!(matches!(e, E::InternalServiceErrorException(_)), "{e:?}");
    let ledger = emu.ledger();
    assert_eq!(ledger.rejection_count("ThrottlingException"), 1);
    assert_eq!(ledger.rejection_count("InternalServiceErrorException"), 1);
}

#[tokio::test]
async fn wrong_secret_is_invalid_signature_and_unknown_key_is_unrecognized_client() {
    let emu = emulator().await;
    let good = CredentialSource::EcsTaskRole.credentials();
    let wrong_secret = aws_credential_types::Credentials::new(
        good.access_key_id,
        "not-the-secret",
        Some(good.session_token.to_string()),
        None,
        "test",
    );
    let err = register(
        &client_with(&emu, wrong_secret, "us-east-1"),
        DEMO_HOURLY_PRODUCT,
        1,
    )
    .await
    .unwrap_err();
    assert_eq!(code(&err).as_deref(), Some("InvalidSignatureException"));
    assert_eq!(err.raw_response().unwrap().status().as_u16(), 403);

    let unknown = aws_credential_types::Credentials::new("AKIAUNKNOWN", "s", None, None, "test");
    let err = register(
        &client_with(&emu, unknown, "us-east-1"),
        DEMO_HOURLY_PRODUCT,
        1,
    )
    .await
    .unwrap_err();
    assert_eq!(code(&err).as_deref(), Some("UnrecognizedClientException"));
    assert_eq!(err.raw_response().unwrap().status().as_u16(), 403);
    assert!(emu.ledger().registrations.is_empty());
}

#[tokio::test]
async fn nonce_longer_than_255_is_a_validation_error() {
    let emu = emulator().await;
    let err = register_demo(&client(&emu))
        .nonce("n".repeat(256))
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&err).as_deref(), Some("ValidationException"));
}
