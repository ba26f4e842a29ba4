//! License tokens, the credentials of a product off AWS compute, with the real License
//! Manager and STS clients: `CreateToken`, then `GetAccessToken` unsigned, then
//! `AssumeRoleWithWebIdentity` with the access token, then License Manager with those
//! credentials. And each refusal: a token the emulator did not sign, an expired one (the
//! emulator clock moved), a revoked one, one whose license is gone, a role the token does not
//! name, another product's license, and metering, which AWS does not do off its compute.

mod support;

use aws_sdk_licensemanager::operation::get_access_token::GetAccessTokenError;
use aws_sdk_licensemanager::types::EntitlementDataUnit as Unit;
use aws_smithy_types::error::metadata::ProvideErrorMetadata;
use mp_emulator::credentials::{CredentialSource, LICENSE_TOKEN_ROLE_ARN};
use mp_emulator::license::{
    ACCESS_TOKEN_SECS, AccessTokenClaims, DEMO_CONTRACT_LICENSE, DEMO_CONTRACT_SKU, LicenseToken,
    REFRESH_TOKEN_KEY_ID, RefreshTokenClaims,
};
use mp_emulator::{Emulator, EmulatorConfig, Platform};
use std::time::Duration;
use support::*;

const OTHER_SKU: &str = "prod-othercontract01";
const OTHER_ROLE: &str = "arn:aws:iam::111122223333:role/someone-else";

/// An emulator whose buyer holds the demo contract license and another product's.
async fn two_licenses() -> Emulator {
    let config = EmulatorConfig::default()
        .license(DEMO_CONTRACT_SKU, DEMO_CONTRACT_LICENSE.parse().unwrap())
        .license(OTHER_SKU, "tier:basic".parse().unwrap());
    Emulator::start(config).await.unwrap()
}

/// The buyer's administrator (signed, any role of the account).
fn admin(emu: &Emulator) -> aws_sdk_licensemanager::Client {
    license_client(emu, CredentialSource::EcsTaskRole)
}

async fn license_arn(emu: &Emulator, sku: &str) -> String {
    let out = admin(emu)
        .list_received_licenses()
        .filters(
            aws_sdk_licensemanager::types::Filter::builder()
                .name("ProductSKU")
                .values(sku)
                .build(),
        )
        .send()
        .await
        .unwrap();
    out.licenses()[0].license_arn().unwrap().to_string()
}

async fn access_token(emu: &Emulator, refresh: &str) -> Result<String, GetAccessTokenError> {
    anonymous_license_client(emu)
        .get_access_token()
        .token(refresh)
        .send()
        .await
        .map(|out| out.access_token().unwrap().to_string())
        .map_err(|e| e.into_service_error())
}

/// STS's answer to an access token for `role`: the credentials, or the error code.
async fn assume(
    emu: &Emulator,
    access: &str,
    role: &str,
) -> Result<aws_sdk_sts::types::Credentials, String> {
    sts_client(emu)
        .assume_role_with_web_identity()
        .role_arn(role)
        .role_session_name("on-prem-pod")
        .web_identity_token(access)
        .send()
        .await
        .map(|out| out.credentials().unwrap().clone())
        .map_err(|e| e.code().unwrap_or("no code").to_string())
}

/// A License Manager client signing with what STS answered.
fn client_from(
    emu: &Emulator,
    c: &aws_sdk_sts::types::Credentials,
) -> aws_sdk_licensemanager::Client {
    let creds = aws_credential_types::Credentials::new(
        c.access_key_id(),
        c.secret_access_key(),
        Some(c.session_token().to_string()),
        None,
        "license-token-test",
    );
    license_client_with(emu, creds, emu.region())
}

/// The whole exchange for `token`, as the default role.
async fn token_credentials(emu: &Emulator, token: &LicenseToken) -> aws_sdk_licensemanager::Client {
    let access = access_token(emu, &token.token).await.unwrap();
    let creds = assume(emu, &access, LICENSE_TOKEN_ROLE_ARN).await.unwrap();
    client_from(emu, &creds)
}

fn tier(name: &str) -> aws_sdk_licensemanager::types::EntitlementData {
    entitlement(name, None, Unit::None)
}

fn code_of<E: ProvideErrorMetadata>(e: &E) -> String {
    e.code().unwrap_or("no code").to_string()
}

fn claims_of<T: serde::de::DeserializeOwned>(jwt: &str) -> T {
    use base64::Engine;
    let payload = jwt.split('.').nth(1).unwrap();
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload)
        .unwrap();
    serde_json::from_slice(&bytes).unwrap()
}

#[tokio::test]
async fn create_token_then_access_token_then_sts_then_checkout() {
    let emu = emulator().await;
    let arn = license_arn(&emu, DEMO_CONTRACT_SKU).await;
    let created = admin(&emu)
        .create_token()
        .license_arn(&arn)
        .token_properties("cluster:on-prem-1")
        .client_token("create-1")
        .send()
        .await
        .unwrap();
    assert_eq!(
        created.token_type(),
        Some(&aws_sdk_licensemanager::types::TokenType::RefreshToken)
    );
    let refresh = created.token().unwrap().to_string();
    let claims: RefreshTokenClaims = claims_of(&refresh);
    assert_eq!(claims.aud, arn);
    assert_eq!(claims.role_arns, [LICENSE_TOKEN_ROLE_ARN]);
    assert_eq!(claims.amr, ["cluster:on-prem-1"]);
    assert_eq!(Some(claims.jti.as_str()), created.token_id());
    assert_eq!(claims.exp - claims.iat, 365 * 86_400);

    let access = access_token(&emu, &refresh).await.unwrap();
    let access_claims: AccessTokenClaims = claims_of(&access);
    assert_eq!(access_claims.aud, arn);
    assert_eq!(access_claims.exp - access_claims.iat, ACCESS_TOKEN_SECS);

    let creds = assume(&emu, &access, LICENSE_TOKEN_ROLE_ARN).await.unwrap();
    let expiration = creds.expiration().secs() as u64;
    assert!(
        expiration <= access_claims.exp,
        "{expiration} > {}",
        access_claims.exp
    );
    let lm = client_from(&emu, &creds);
    let out = checkout(&lm)
        .entitlements(tier("pro"))
        .send()
        .await
        .unwrap();
    assert_eq!(out.entitlements_allowed()[0].name(), "pro");
    lm.check_in_license()
        .license_consumption_token(out.license_consumption_token().unwrap())
        .send()
        .await
        .unwrap();
    let licenses = lm.get_license().license_arn(&arn).send().await.unwrap();
    assert_eq!(
        licenses.license().unwrap().product_sku(),
        Some(DEMO_CONTRACT_SKU)
    );

    let ledger = emu.ledger();
    assert_eq!(ledger.licenses.checkouts[0].caller, "license-token");
    assert_eq!(ledger.licenses.check_ins[0].caller, "license-token");
}

#[tokio::test]
async fn create_token_is_idempotent_and_needs_a_granted_license() {
    let emu = emulator().await;
    let arn = license_arn(&emu, DEMO_CONTRACT_SKU).await;
    let create = || {
        admin(&emu)
            .create_token()
            .license_arn(&arn)
            .client_token("same")
    };
    let first = create().send().await.unwrap();
    let again = create().send().await.unwrap();
    assert_eq!(first.token_id(), again.token_id());
    let e = create().expiration_in_days(2).send().await.unwrap_err();
    assert_eq!(lm_code(e), "ValidationException");
    let e = admin(&emu)
        .create_token()
        .license_arn("arn:aws:license-manager::294406891311:license:l-0000")
        .client_token("other")
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(e.is_resource_not_found_exception(), "{e:?}");
    assert!(
        emu.create_license_token("prod-unheldproduct", &[], 1)
            .is_err()
    );
}

#[tokio::test]
async fn a_token_the_emulator_did_not_sign_is_a_validation_error() {
    let emu = emulator().await;
    let genuine = emu
        .create_license_token(DEMO_CONTRACT_SKU, &[], 30)
        .unwrap();
    let claims: RefreshTokenClaims = claims_of(&genuine.token);
    let mut header = jsonwebtoken::Header::new(jsonwebtoken::Algorithm::PS256);
    header.kid = Some(REFRESH_TOKEN_KEY_ID.to_string());
    let other_key = jsonwebtoken::EncodingKey::from_rsa_pem(
        mp_emulator::keys::TEST_ONLY_OTHER_PRIVATE_KEY_PEM.as_bytes(),
    )
    .unwrap();
    let forged = jsonwebtoken::encode(&header, &claims, &other_key).unwrap();
    // An access token is no refresh token either.
    let access = access_token(&emu, &genuine.token).await.unwrap();
    for token in ["not-a-token", forged.as_str(), access.as_str()] {
        let e = access_token(&emu, token).await.unwrap_err();
        assert!(e.is_validation_exception(), "{token}: {e:?}");
    }
    // Nor does STS take a refresh token, or anything else, for an access token.
    for token in [genuine.token.as_str(), "a.b.c"] {
        let e = assume(&emu, token, LICENSE_TOKEN_ROLE_ARN)
            .await
            .unwrap_err();
        assert_eq!(e, "InvalidIdentityToken");
    }
}

#[tokio::test]
async fn expiry_is_judged_on_the_emulator_clock() {
    let emu = emulator().await;
    let token = emu.create_license_token(DEMO_CONTRACT_SKU, &[], 1).unwrap();
    let access = access_token(&emu, &token.token).await.unwrap();
    let creds = assume(&emu, &access, LICENSE_TOKEN_ROLE_ARN).await.unwrap();
    let lm = client_from(&emu, &creds);
    checkout(&lm)
        .entitlements(tier("pro"))
        .send()
        .await
        .unwrap();

    emu.set_clock(emu.now() + Duration::from_secs(2 * 3600));
    let e = refused(checkout(&lm).entitlements(tier("pro")).send()).await;
    assert_eq!(
        code_of(&e),
        "ExpiredTokenException",
        "the session ended with the access token"
    );
    let e = assume(&emu, &access, LICENSE_TOKEN_ROLE_ARN)
        .await
        .unwrap_err();
    assert_eq!(e, "ExpiredTokenException");
    // The refresh token still trades for a fresh access token within its day.
    let fresh = access_token(&emu, &token.token).await.unwrap();
    let creds = assume(&emu, &fresh, LICENSE_TOKEN_ROLE_ARN).await.unwrap();
    checkout(&client_from(&emu, &creds))
        .entitlements(tier("pro"))
        .send()
        .await
        .unwrap();

    emu.set_clock(emu.now() + Duration::from_secs(86_400));
    let e = access_token(&emu, &token.token).await.unwrap_err();
    assert!(e.is_authorization_exception(), "{e:?}");
    assert!(e.meta().message().unwrap().contains("expired"), "{e:?}");
}

#[tokio::test]
async fn a_revoked_token_is_access_denied() {
    let emu = emulator().await;
    let by_api = emu
        .create_license_token(DEMO_CONTRACT_SKU, &[], 30)
        .unwrap();
    let by_sdk = emu
        .create_license_token(DEMO_CONTRACT_SKU, &[], 30)
        .unwrap();
    assert!(emu.revoke_license_token(&by_api.id));
    assert!(!emu.revoke_license_token(&by_api.id));
    admin(&emu)
        .delete_token()
        .token_id(&by_sdk.id)
        .send()
        .await
        .unwrap();
    let e = admin(&emu)
        .delete_token()
        .token_id(&by_sdk.id)
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(e.is_resource_not_found_exception(), "{e:?}");
    for token in [&by_api, &by_sdk] {
        let e = access_token(&emu, &token.token).await.unwrap_err();
        assert!(e.is_access_denied_exception(), "{e:?}");
        assert!(e.meta().message().unwrap().contains("revoked"), "{e:?}");
    }
    let listed = admin(&emu).list_tokens().send().await.unwrap();
    assert!(
        listed
            .tokens()
            .iter()
            .all(|t| t.status() == Some("DELETED")),
        "{listed:?}"
    );
}

#[tokio::test]
async fn a_token_whose_license_is_gone_is_access_denied() {
    let emu = emulator().await;
    let token = emu
        .create_license_token(DEMO_CONTRACT_SKU, &[], 30)
        .unwrap();
    assert!(emu.remove_license(DEMO_CONTRACT_SKU));
    let e = access_token(&emu, &token.token).await.unwrap_err();
    assert!(e.is_access_denied_exception(), "{e:?}");
    assert!(
        e.meta().message().unwrap().contains("no longer granted"),
        "{e:?}"
    );
}

#[tokio::test]
async fn sts_refuses_a_role_the_token_does_not_name() {
    let emu = emulator().await;
    let token = emu
        .create_license_token(DEMO_CONTRACT_SKU, &[OTHER_ROLE], 30)
        .unwrap();
    let access = access_token(&emu, &token.token).await.unwrap();
    assert_eq!(
        assume(&emu, &access, LICENSE_TOKEN_ROLE_ARN)
            .await
            .unwrap_err(),
        "AccessDenied"
    );
    assume(&emu, &access, OTHER_ROLE).await.unwrap();
}

#[tokio::test]
async fn token_credentials_reach_their_license_only() {
    let emu = two_licenses().await;
    let other_arn = license_arn(&emu, OTHER_SKU).await;
    let token = emu
        .create_license_token(DEMO_CONTRACT_SKU, &[], 30)
        .unwrap();
    let lm = token_credentials(&emu, &token).await;

    let e = refused(
        checkout(&lm)
            .product_sku(OTHER_SKU)
            .entitlements(tier("basic"))
            .send(),
    )
    .await;
    assert!(e.is_access_denied_exception(), "{e:?}");
    let e = refused(lm.get_license().license_arn(&other_arn).send()).await;
    assert!(e.is_access_denied_exception(), "{e:?}");
    let e = refused(lm.list_received_licenses().license_arns(&other_arn).send()).await;
    assert!(e.is_access_denied_exception(), "{e:?}");
    let e = refused(
        lm.create_token()
            .license_arn(&other_arn)
            .client_token("x")
            .send(),
    )
    .await;
    assert!(e.is_access_denied_exception(), "{e:?}");
    // Another product's consumption cannot be checked in with them either.
    let theirs = checkout(&admin(&emu))
        .product_sku(OTHER_SKU)
        .entitlements(tier("basic"))
        .send()
        .await
        .unwrap();
    let e = refused(
        lm.check_in_license()
            .license_consumption_token(theirs.license_consumption_token().unwrap())
            .send(),
    )
    .await;
    assert!(e.is_access_denied_exception(), "{e:?}");

    let listed = lm.list_received_licenses().send().await.unwrap();
    let skus: Vec<_> = listed
        .licenses()
        .iter()
        .map(|l| l.product_sku().unwrap())
        .collect();
    assert_eq!(
        skus,
        [DEMO_CONTRACT_SKU],
        "a listing shows the token's license only"
    );

    let refusals = emu.ledger().licenses.refusals;
    assert_eq!(refusals.len(), 5, "{refusals:?}");
    assert!(
        refusals
            .iter()
            .all(|r| r.caller.as_deref() == Some("license-token"))
    );
    assert_eq!(refusals[0].sku.as_deref(), Some(OTHER_SKU));
}

#[tokio::test]
async fn token_credentials_cannot_meter() {
    let emu = emulator().await;
    let token = emu
        .create_license_token(DEMO_CONTRACT_SKU, &[], 30)
        .unwrap();
    let access = access_token(&emu, &token.token).await.unwrap();
    let c = assume(&emu, &access, LICENSE_TOKEN_ROLE_ARN).await.unwrap();
    let creds = aws_credential_types::Credentials::new(
        c.access_key_id(),
        c.secret_access_key(),
        Some(c.session_token().to_string()),
        None,
        "license-token-test",
    );
    let mm = client_with(&emu, creds, emu.region());
    let e = register_demo(&mm).send().await.unwrap_err();
    assert_eq!(code(&e).as_deref(), Some("PlatformNotSupportedException"));
    let e = meter_requests(&mm, &emu, 1).send().await.unwrap_err();
    assert_eq!(code(&e).as_deref(), Some("PlatformNotSupportedException"));
    assert!(emu.ledger().registrations.is_empty());
}

#[tokio::test]
async fn the_anywhere_environment_holds_a_working_refresh_token() {
    let emu = emulator().await;
    let env: std::collections::HashMap<_, _> = emu.env(Platform::Anywhere).into_iter().collect();
    assert_eq!(env["AWS_ROLE_ARN"], LICENSE_TOKEN_ROLE_ARN);
    assert_eq!(env["AWS_EC2_METADATA_DISABLED"], "true");
    for endpoint in [
        "AWS_ENDPOINT_URL_LICENSE_MANAGER",
        "AWS_ENDPOINT_URL_STS",
        "AWS_ENDPOINT_URL_MARKETPLACE_METERING",
    ] {
        assert_eq!(env[endpoint], emu.url());
    }
    assert_eq!(env["AWS_REGION"], emu.region());
    for absent in [
        "AWS_CONTAINER_CREDENTIALS_FULL_URI",
        "ECS_CONTAINER_METADATA_URI_V4",
        "AWS_WEB_IDENTITY_TOKEN_FILE",
        "AWS_EC2_METADATA_SERVICE_ENDPOINT",
    ] {
        assert!(!env.contains_key(absent), "{absent}");
    }
    let file = &env["AWS_WEB_IDENTITY_REFRESH_TOKEN_FILE"];
    let refresh = std::fs::read_to_string(file).unwrap();
    let access = access_token(&emu, &refresh).await.unwrap();
    assume(&emu, &access, LICENSE_TOKEN_ROLE_ARN).await.unwrap();
    let again: std::collections::HashMap<_, _> = emu.env(Platform::Anywhere).into_iter().collect();
    assert_eq!(
        std::fs::read_to_string(&again["AWS_WEB_IDENTITY_REFRESH_TOKEN_FILE"]).unwrap(),
        refresh
    );

    let none = Emulator::start(EmulatorConfig::default().no_license(DEMO_CONTRACT_SKU))
        .await
        .unwrap();
    let env = none.env(Platform::Anywhere);
    assert!(
        !env.iter()
            .any(|(k, _)| k == "AWS_WEB_IDENTITY_REFRESH_TOKEN_FILE"),
        "{env:?}"
    );
}

#[tokio::test]
async fn duration_seconds_shortens_the_session_within_its_bounds() {
    let emu = emulator().await;
    let token = emu
        .create_license_token(DEMO_CONTRACT_SKU, &[], 30)
        .unwrap();
    let access = access_token(&emu, &token.token).await.unwrap();
    let claims: AccessTokenClaims = claims_of(&access);
    let with = |secs: i32| {
        sts_client(&emu)
            .assume_role_with_web_identity()
            .role_arn(LICENSE_TOKEN_ROLE_ARN)
            .role_session_name("short")
            .web_identity_token(&access)
            .duration_seconds(secs)
            .send()
    };
    let out = with(900).await.unwrap();
    let expiration = out.credentials().unwrap().expiration().secs() as u64;
    assert!(expiration < claims.exp, "{expiration} >= {}", claims.exp);
    let e = with(899).await.unwrap_err();
    assert_eq!(e.code(), Some("ValidationError"));
}
