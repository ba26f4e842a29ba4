//! The baseline of mp-bench's start-up, failure-time and build comparisons: what a seller
//! writes without the attribute. aws-config's default chains find the region and
//! credentials, the SDK calls RegisterUsage, then the first line is printed. Without a
//! region it stops there (aws-config gives no reason, only no region).
//!
//! It only ever talks to a loopback endpoint given in the environment (mp-emulator's): with
//! no such endpoint it refuses to start, so a benchmark run can never reach AWS.

use aws_config::BehaviorVersion;
use aws_sdk_marketplacemetering::Client;
use aws_sdk_marketplacemetering::error::DisplayErrorContext;
use std::process::ExitCode;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

const PRODUCT_CODE: &str = "mpemudemohourly0000000001";
const ENDPOINT_VAR: &str = "AWS_ENDPOINT_URL_MARKETPLACE_METERING";

#[tokio::main]
async fn main() -> ExitCode {
    let endpoint = match std::env::var(ENDPOINT_VAR) {
        Ok(url) if url.starts_with("http://127.0.0.1:") => url,
        _ => {
            eprintln!(
                "hello-raw-sdk: set {ENDPOINT_VAR} to a loopback emulator (http://127.0.0.1:PORT); \
                 this benchmark program never talks to AWS"
            );
            return ExitCode::from(2);
        }
    };
    let shared = aws_config::defaults(BehaviorVersion::latest()).load().await;
    // What a careful hand-written program does: without a region the call cannot be signed,
    // and going on would only add the credential chain's own waits to the failure.
    if shared.region().is_none() {
        eprintln!("hello-raw-sdk: aws-config's default chain found no region");
        return ExitCode::FAILURE;
    }
    let config = aws_sdk_marketplacemetering::config::Builder::from(&shared)
        .endpoint_url(endpoint)
        .timeout_config(
            aws_config::timeout::TimeoutConfig::builder()
                .operation_timeout(Duration::from_secs(30))
                .build(),
        )
        .build();
    let client = Client::from_conf(config);
    let nonce = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| format!("{}-{}", d.as_nanos(), std::process::id()))
        .unwrap_or_default();
    let registered = client
        .register_usage()
        .product_code(PRODUCT_CODE)
        .public_key_version(1)
        .nonce(nonce)
        .send()
        .await;
    match registered {
        Ok(_) => {
            println!("hello from a registered container");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!(
                "hello-raw-sdk: RegisterUsage failed: {}",
                DisplayErrorContext(&e)
            );
            ExitCode::FAILURE
        }
    }
}
