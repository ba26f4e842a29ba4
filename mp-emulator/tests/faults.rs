//! Fault injection as the real SDK client experiences it: resets, an outage that the SDK's own
//! retries ride out, a black hole that only a client timeout ends, latency, and dice that
//! replay exactly under a seed.

mod support;

use aws_sdk_marketplacemetering as mm;
use aws_sdk_marketplacemetering::error::SdkError;
use aws_smithy_types::retry::RetryConfig;
use aws_smithy_types::timeout::TimeoutConfig;
use mp_emulator::Emulator;
use mp_emulator::scenario::Scenario;
use std::time::Duration;
use support::*;

async fn register(c: &mm::Client) -> Result<(), String> {
    register_demo(c)
        .send()
        .await
        .map(|_| ())
        .map_err(|e| code(&e).unwrap_or_else(|| format!("{e:?}")))
}

/// The SDK client with its own standard retries (tiny backoff) instead of none.
fn retrying_client(emu: &Emulator) -> mm::Client {
    let c = client(emu);
    let conf = c
        .config()
        .to_builder()
        .retry_config(
            RetryConfig::standard()
                .with_max_attempts(3)
                .with_initial_backoff(Duration::from_millis(10)),
        )
        .build();
    mm::Client::from_conf(conf)
}

#[tokio::test]
async fn reset_closes_the_connection_without_an_answer() {
    let emu = emulator_in(Scenario::entitled().resets(1.0)).await;
    let err = register_demo(&client(&emu)).send().await.unwrap_err();
    assert!(
        matches!(
            err,
            SdkError::DispatchFailure(_) | SdkError::ResponseError(_)
        ),
        "{err:?}"
    );
    assert_eq!(emu.ledger().rejection_count("ConnectionReset"), 1);
    assert!(emu.ledger().registrations.is_empty());
}

#[tokio::test]
async fn down_for_two_requests_is_ridden_out_by_sdk_retries() {
    let emu = emulator_in(Scenario::entitled().down_for(2)).await;
    register(&retrying_client(&emu)).await.unwrap();
    let ledger = emu.ledger();
    assert_eq!(ledger.request_count("RegisterUsage"), 3);
    assert_eq!(ledger.registrations.len(), 1);
}

#[tokio::test]
async fn throttling_is_retried_by_the_sdk_and_counted() {
    // Seed 1 with p = 0.5: whatever the dice say, the ledger counts every attempt.
    let emu = emulator_in(Scenario::entitled().seed(1).throttle(0.5)).await;
    let c = retrying_client(&emu);
    let mut ok = 0;
    for _ in 0..10 {
        if register(&c).await.is_ok() {
            ok += 1;
        }
    }
    let ledger = emu.ledger();
    assert_eq!(ledger.registrations.len(), ok);
    assert_eq!(
        ledger.request_count("RegisterUsage"),
        ok as u64 + ledger.rejection_count("ThrottlingException")
    );
}

#[tokio::test]
async fn black_hole_ends_only_by_the_client_timeout() {
    let emu = emulator_in(Scenario::entitled().black_hole()).await;
    let c = client(&emu);
    let conf = c
        .config()
        .to_builder()
        .timeout_config(
            TimeoutConfig::builder()
                .operation_timeout(Duration::from_millis(300))
                .build(),
        )
        .build();
    let err = register_demo(&mm::Client::from_conf(conf))
        .send()
        .await
        .unwrap_err();
    assert!(matches!(err, SdkError::TimeoutError(_)), "{err:?}");
    emu.set_scenario(Scenario::entitled());
    register(&c).await.unwrap();
}

#[tokio::test]
async fn latency_still_answers() {
    let emu = emulator_in(Scenario::entitled().latency_ms(20)).await;
    register(&client(&emu)).await.unwrap();
}

#[tokio::test]
async fn the_same_seed_replays_the_same_faults() {
    let emu = emulator().await;
    let c = client(&emu);
    let scenario = Scenario::entitled()
        .seed(7)
        .throttle(0.3)
        .server_errors(0.3);
    let mut runs = Vec::new();
    for _ in 0..2 {
        emu.set_scenario(scenario.clone());
        let mut answers = Vec::new();
        for _ in 0..16 {
            answers.push(register(&c).await.err());
        }
        runs.push(answers);
    }
    assert_eq!(runs[0], runs[1]);
    assert!(runs[0].iter().any(Option::is_none) && runs[0].iter().any(Option::is_some));
}
