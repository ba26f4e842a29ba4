//! Shared by the integration tests: real SDK clients pointed at an emulator on loopback, with
//! short timeouts and no retries, so nothing waits long and nothing leaves 127.0.0.1.
#![allow(dead_code)]

use aws_sdk_marketplacemetering as mm;
use aws_sdk_marketplacemetering::operation::meter_usage::MeterUsageError;
use aws_sdk_marketplacemetering::operation::meter_usage::builders::MeterUsageFluentBuilder;
use aws_sdk_marketplacemetering::operation::register_usage::builders::RegisterUsageFluentBuilder;
use aws_smithy_types::retry::RetryConfig;
use aws_smithy_types::timeout::TimeoutConfig;
use mp_emulator::{Emulator, EmulatorConfig, credentials::CredentialSource};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// Short enough that a hang fails fast, long enough for a loaded CI machine.
pub(crate) const TIMEOUT: Duration = Duration::from_secs(10);

/// Property runs with a fixed seed and no persistence file: the same cases on every run and
/// machine, a few seconds on a debug build.
pub(crate) fn proptest_config(cases: u32) -> proptest::test_runner::Config {
    proptest::test_runner::Config {
        cases,
        rng_seed: proptest::test_runner::RngSeed::Fixed(0x656d_756c_6174_6f72),
        failure_persistence: None,
        ..proptest::test_runner::Config::default()
    }
}

pub(crate) async fn emulator() -> Emulator {
    Emulator::start(EmulatorConfig::default())
        .await
        .expect("emulator starts")
}

/// A metering client signing with `source`'s credentials for `region`.
pub(crate) fn client_as(emulator: &Emulator, source: CredentialSource, region: &str) -> mm::Client {
    client_with(emulator, sdk_credentials(source), region)
}

/// A License Manager client signing with `source`'s credentials in the emulator's region,
/// short timeouts, no retries.
pub(crate) fn license_client(
    emulator: &Emulator,
    source: CredentialSource,
) -> aws_sdk_licensemanager::Client {
    license_client_with(emulator, sdk_credentials(source), emulator.region())
}

pub(crate) fn license_client_with(
    emulator: &Emulator,
    creds: aws_credential_types::Credentials,
    region: &str,
) -> aws_sdk_licensemanager::Client {
    aws_sdk_licensemanager::Client::new(&sdk_config(emulator, creds, region))
}

/// A License Manager client without credentials: its calls go unsigned, as a process off AWS
/// compute sends `GetAccessToken` before it has any.
pub(crate) fn anonymous_license_client(emulator: &Emulator) -> aws_sdk_licensemanager::Client {
    let config = aws_sdk_licensemanager::Config::builder()
        .behavior_version(aws_sdk_licensemanager::config::BehaviorVersion::latest())
        .region(aws_config::Region::new(emulator.region().to_string()))
        .endpoint_url(emulator.url())
        .retry_config(RetryConfig::disabled())
        .timeout_config(timeouts())
        .allow_no_auth()
        .build();
    aws_sdk_licensemanager::Client::from_conf(config)
}

/// An STS client without credentials, as aws-config's web identity provider sends
/// `AssumeRoleWithWebIdentity`.
pub(crate) fn sts_client(emulator: &Emulator) -> aws_sdk_sts::Client {
    let config = aws_sdk_sts::Config::builder()
        .behavior_version(aws_sdk_sts::config::BehaviorVersion::latest())
        .region(aws_config::Region::new(emulator.region().to_string()))
        .endpoint_url(emulator.url())
        .retry_config(RetryConfig::disabled())
        .timeout_config(timeouts())
        .build();
    aws_sdk_sts::Client::from_conf(config)
}

fn timeouts() -> TimeoutConfig {
    TimeoutConfig::builder()
        .connect_timeout(TIMEOUT)
        .operation_timeout(TIMEOUT)
        .build()
}

/// A CheckoutLicense of the demo contract license, PROVISIONAL, with the Marketplace issuer
/// and a fresh client token: add entitlements and send.
pub(crate) fn checkout(
    client: &aws_sdk_licensemanager::Client,
) -> aws_sdk_licensemanager::operation::checkout_license::builders::CheckoutLicenseFluentBuilder {
    client
        .checkout_license()
        .product_sku(mp_emulator::license::DEMO_CONTRACT_SKU)
        .checkout_type(aws_sdk_licensemanager::types::CheckoutType::Provisional)
        .key_fingerprint(mp_emulator::license::MARKETPLACE_KEY_FINGERPRINT)
        .client_token(format!("test-{}", unique()))
}

/// A requested entitlement: `value` `None` for a tier (unit `None`).
pub(crate) fn entitlement(
    name: &str,
    value: Option<u64>,
    unit: aws_sdk_licensemanager::types::EntitlementDataUnit,
) -> aws_sdk_licensemanager::types::EntitlementData {
    aws_sdk_licensemanager::types::EntitlementData::builder()
        .name(name)
        .set_value(value.map(|v| v.to_string()))
        .unit(unit)
        .build()
        .unwrap()
}

/// A number never returned before in this process.
pub(crate) fn unique() -> u64 {
    use std::sync::atomic::{AtomicU64, Ordering};
    static NEXT: AtomicU64 = AtomicU64::new(0);
    NEXT.fetch_add(1, Ordering::Relaxed)
}

/// The service error of a License Manager call that must fail.
pub(crate) async fn refused<O, E>(
    call: impl std::future::Future<Output = Result<O, aws_sdk_licensemanager::error::SdkError<E>>>,
) -> E
where
    O: std::fmt::Debug,
    E: aws_smithy_runtime_api::client::result::CreateUnhandledError
        + std::error::Error
        + Send
        + Sync
        + 'static,
{
    call.await
        .expect_err("the call must fail")
        .into_service_error()
}

/// The error code of a License Manager SDK error, typed variant or not.
pub(crate) fn lm_code<E>(err: aws_sdk_licensemanager::error::SdkError<E>) -> String
where
    E: aws_smithy_types::error::metadata::ProvideErrorMetadata + std::fmt::Debug,
{
    code(&err).unwrap_or_else(|| format!("{err:?}"))
}

/// The credentials a source vends, as the SDK types them.
pub(crate) fn sdk_credentials(source: CredentialSource) -> aws_credential_types::Credentials {
    source.credentials().sdk("mp-emulator-test")
}

pub(crate) fn client_with(
    emulator: &Emulator,
    creds: aws_credential_types::Credentials,
    region: &str,
) -> mm::Client {
    mm::Client::new(&sdk_config(emulator, creds, region))
}

/// What every test client shares: the emulator's URL, `creds`, `region`, short timeouts and
/// no retries.
fn sdk_config(
    emulator: &Emulator,
    creds: aws_credential_types::Credentials,
    region: &str,
) -> aws_config::SdkConfig {
    aws_config::SdkConfig::builder()
        .behavior_version(aws_config::BehaviorVersion::latest())
        .region(aws_config::Region::new(region.to_string()))
        .endpoint_url(emulator.url())
        .credentials_provider(aws_credential_types::provider::SharedCredentialsProvider::new(creds))
        .retry_config(RetryConfig::disabled())
        .timeout_config(timeouts())
        .build()
}

/// A RegisterUsage of the demo hourly product at the emulator's key version, ready to send.
pub(crate) fn register_demo(client: &mm::Client) -> RegisterUsageFluentBuilder {
    client
        .register_usage()
        .product_code(mp_emulator::metering::DEMO_HOURLY_PRODUCT)
        .public_key_version(mp_emulator::keys::TEST_ONLY_KEY_VERSION)
}

/// A MeterUsage by `client` of the demo custom product's `requests` dimension, 10 minutes
/// before the emulator's clock.
pub(crate) fn meter_requests(
    client: &mm::Client,
    emulator: &Emulator,
    quantity: i32,
) -> MeterUsageFluentBuilder {
    client
        .meter_usage()
        .product_code(mp_emulator::metering::DEMO_CUSTOM_PRODUCT)
        .usage_dimension("requests")
        .usage_quantity(quantity)
        .timestamp(ago(emulator, 600))
}

/// The service error of a MeterUsage that must fail.
pub(crate) async fn error_of(b: MeterUsageFluentBuilder) -> MeterUsageError {
    b.send()
        .await
        .expect_err("the call must fail")
        .into_service_error()
}

/// A client as an ECS task role in the emulator's region.
pub(crate) fn client(emulator: &Emulator) -> mm::Client {
    client_as(emulator, CredentialSource::EcsTaskRole, emulator.region())
}

pub(crate) fn epoch(secs: u64) -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(secs)
}

/// An SDK timestamp `secs_ago` before the emulator's clock.
pub(crate) fn ago(emulator: &Emulator, secs_ago: u64) -> aws_smithy_types::DateTime {
    let now = emulator.now().duration_since(UNIX_EPOCH).unwrap().as_secs();
    aws_smithy_types::DateTime::from_secs((now - secs_ago) as i64)
}

/// The error code of an SDK error (`ThrottlingException`...), for variants the model lacks.
pub(crate) fn code<E, R>(err: &mm::error::SdkError<E, R>) -> Option<String>
where
    E: aws_smithy_types::error::metadata::ProvideErrorMetadata,
{
    err.as_service_error()
        .and_then(|e| e.code())
        .map(str::to_string)
}

/// Verifies a RegisterUsage token the way a seller would: PS256 only, no `exp` required.
pub(crate) fn verify_token(
    token: &str,
    public_pem: &str,
) -> jsonwebtoken::errors::Result<mp_emulator::metering::RegisterUsageClaims> {
    use jsonwebtoken::{Algorithm, DecodingKey, Validation};
    let mut validation = Validation::new(Algorithm::PS256);
    validation.required_spec_claims.clear();
    validation.validate_exp = false;
    let key = DecodingKey::from_rsa_pem(public_pem.as_bytes())?;
    jsonwebtoken::decode(token, &key, &validation).map(|d| d.claims)
}

/// An emulator in a given scenario.
pub(crate) async fn emulator_in(scenario: mp_emulator::scenario::Scenario) -> Emulator {
    Emulator::start(EmulatorConfig::default().scenario(scenario))
        .await
        .expect("emulator starts")
}

/// A reqwest client for hand-made requests, loopback only, short timeout.
pub(crate) fn http() -> reqwest::Client {
    reqwest::Client::builder()
        .timeout(TIMEOUT)
        .no_proxy()
        .build()
        .unwrap()
}

/// `GET url` with [`http`], as JSON.
pub(crate) async fn get_json<T: serde::de::DeserializeOwned>(url: &str) -> T {
    http().get(url).send().await.unwrap().json().await.unwrap()
}

/// POSTs `body` to the emulator's `/`, SigV4-signed as the ECS task role (so the request gets
/// past authentication and the body itself is judged).
pub(crate) async fn signed_post(
    emu: &Emulator,
    target: Option<&str>,
    content_type: &str,
    body: Vec<u8>,
) -> reqwest::Response {
    signed_builder(emu, target, content_type, body)
        .send()
        .await
        .expect("the emulator answers")
}

/// The request `signed_post` sends, before sending (a test may tamper with it).
pub(crate) fn signed_builder(
    emu: &Emulator,
    target: Option<&str>,
    content_type: &str,
    body: Vec<u8>,
) -> reqwest::RequestBuilder {
    signed_builder_for(
        emu,
        mp_emulator::sigv4::SIGNING_NAME,
        target,
        content_type,
        body,
    )
}

/// A License Manager request by hand: `body` to `AWSLicenseManager.<operation>`, in the
/// protocol's content type, signed for `signing_name` as the ECS task role.
pub(crate) async fn license_post(
    emu: &Emulator,
    signing_name: &str,
    operation: &str,
    body: serde_json::Value,
) -> reqwest::Response {
    let target = format!(
        "{}{operation}",
        mp_emulator::license::LICENSE_MANAGER_TARGET_PREFIX
    );
    signed_builder_for(
        emu,
        signing_name,
        Some(&target),
        "application/x-amz-json-1.1",
        body.to_string().into_bytes(),
    )
    .send()
    .await
    .expect("the emulator answers")
}

/// [`signed_builder`] signed for the service whose signing name is `signing_name`.
pub(crate) fn signed_builder_for(
    emu: &Emulator,
    signing_name: &str,
    target: Option<&str>,
    content_type: &str,
    body: Vec<u8>,
) -> reqwest::RequestBuilder {
    let host = emu.addr().to_string();
    let mut headers = vec![("host", host.as_str()), ("content-type", content_type)];
    if let Some(t) = target {
        headers.push(("x-amz-target", t));
    }
    let url = format!("{}/", emu.url());
    let signature = mp_emulator::sigv4::client_signature_for(
        signing_name,
        CredentialSource::EcsTaskRole,
        emu.region(),
        &url,
        &headers,
        &body,
    )
    .unwrap();
    let mut request = http().post(&url).body(body);
    for (k, v) in headers.iter().filter(|(k, _)| *k != "host") {
        request = request.header(*k, *v);
    }
    for (k, v) in &signature {
        request = request.header(k, v);
    }
    request
}

/// The `__type` of an AWS JSON error response, and its status.
pub(crate) async fn aws_error(response: reqwest::Response) -> (u16, String) {
    let status = response.status().as_u16();
    let header = response
        .headers()
        .get("x-amzn-errortype")
        .map(|v| v.to_str().unwrap().to_string());
    let body: serde_json::Value = response.json().await.expect("a JSON error body");
    let name = body["__type"].as_str().expect("__type").to_string();
    assert!(
        body["message"].as_str().is_some_and(|m| !m.is_empty()),
        "{body}"
    );
    assert_eq!(header.as_deref(), Some(name.as_str()));
    (status, name)
}

/// What a paid container does at start-up, configured only by its environment: aws-config's
/// default chain, then RegisterUsage of the demo hourly product. For child processes.
pub(crate) async fn register_with_default_chain() {
    let timeouts = TimeoutConfig::builder()
        .operation_timeout(TIMEOUT)
        .connect_timeout(TIMEOUT)
        .build();
    let config = aws_config::defaults(aws_config::BehaviorVersion::latest())
        .timeout_config(timeouts)
        .load()
        .await;
    register_demo(&mm::Client::new(&config))
        .send()
        .await
        .expect("RegisterUsage through the default chain");
}
