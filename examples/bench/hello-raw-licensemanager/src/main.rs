//! The baseline of mp-bench's contract start-up comparison: what a seller writes without
//! the attribute. aws-config's default chains find the region and credentials, the SDK
//! checks the tiers out (CheckoutLicense, as AWS's seller guide shows), then the first line
//! is printed.
//!
//! It only ever talks to a loopback endpoint given in the environment (mp-emulator's): with
//! no such endpoint it refuses to start, so a benchmark run can never reach AWS.

use aws_config::BehaviorVersion;
use aws_sdk_licensemanager::Client;
use aws_sdk_licensemanager::error::DisplayErrorContext;
use aws_sdk_licensemanager::types::{CheckoutType, EntitlementData, EntitlementDataUnit};
use std::process::ExitCode;
use std::time::{SystemTime, UNIX_EPOCH};

const PRODUCT_SKU: &str = "prod-mpemudemocontract01";
const TIERS: [&str; 2] = ["basic", "pro"];
const KEY_FINGERPRINT: &str = "aws:294406891311:AWS/Marketplace:issuer-fingerprint";
const ENDPOINT_VAR: &str = "AWS_ENDPOINT_URL_LICENSE_MANAGER";

#[tokio::main]
async fn main() -> ExitCode {
    let endpoint = match std::env::var(ENDPOINT_VAR) {
        Ok(url) if url.starts_with("http://127.0.0.1:") => url,
        _ => {
            eprintln!(
                "hello-raw-licensemanager: set {ENDPOINT_VAR} to a loopback emulator \
                 (http://127.0.0.1:PORT); this benchmark program never talks to AWS"
            );
            return ExitCode::from(2);
        }
    };
    let shared = aws_config::defaults(BehaviorVersion::latest()).load().await;
    if shared.region().is_none() {
        eprintln!("hello-raw-licensemanager: aws-config's default chain found no region");
        return ExitCode::FAILURE;
    }
    let config = aws_sdk_licensemanager::config::Builder::from(&shared)
        .endpoint_url(endpoint)
        .build();
    let client = Client::from_conf(config);
    let token = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| format!("{}-{}", d.as_nanos(), std::process::id()))
        .unwrap_or_default();
    let mut request = client
        .checkout_license()
        .product_sku(PRODUCT_SKU)
        .checkout_type(CheckoutType::Provisional)
        .key_fingerprint(KEY_FINGERPRINT)
        .client_token(token);
    for tier in TIERS {
        match EntitlementData::builder()
            .name(tier)
            .unit(EntitlementDataUnit::None)
            .build()
        {
            Ok(data) => request = request.entitlements(data),
            Err(e) => {
                eprintln!("hello-raw-licensemanager: {e}");
                return ExitCode::FAILURE;
            }
        }
    }
    match request.send().await {
        Ok(output) if !output.entitlements_allowed().is_empty() => {
            println!("hello from a licensed container");
            ExitCode::SUCCESS
        }
        Ok(_) => {
            eprintln!("hello-raw-licensemanager: no tier allowed");
            ExitCode::FAILURE
        }
        Err(e) => {
            eprintln!(
                "hello-raw-licensemanager: CheckoutLicense failed: {}",
                DisplayErrorContext(&e)
            );
            ExitCode::FAILURE
        }
    }
}
