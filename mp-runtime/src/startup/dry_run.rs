//! The start-up check for custom pricing: a `DryRun` `MeterUsage` per declared dimension,
//! with RegisterUsage's error policy (fatal before the seller's code runs). A permitted dry
//! run answers either 200 or the error `DryRunOperation`; both mean entitled
//! (METERING-FACTS.md, "DryRun").

use crate::aws_error;
use crate::exit;
use crate::failure::Failure;
use crate::startup::retry::AttemptError;
use aws_sdk_marketplacemetering::Client;
use aws_sdk_marketplacemetering::config::http::HttpResponse;
use aws_sdk_marketplacemetering::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_marketplacemetering::operation::meter_usage::MeterUsageError;
use aws_sdk_marketplacemetering::primitives::DateTime;
use std::time::SystemTime;

/// Dry-runs every dimension; the first refusal decides.
pub(crate) async fn check(
    client: &Client,
    product_code: &str,
    dimensions: &[&str],
    region: &str,
) -> Result<(), AttemptError> {
    for dimension in dimensions {
        let sent = client
            .meter_usage()
            .product_code(product_code)
            .timestamp(DateTime::from(SystemTime::now()))
            .usage_dimension(*dimension)
            .usage_quantity(0)
            .dry_run(true)
            .send()
            .await;
        if let Err(error) = sent {
            classify(&error, product_code, dimension, region)?;
        }
    }
    Ok(())
}

/// `Ok` for `DryRunOperation`; otherwise retry or the start-up failure to exit with.
fn classify(
    error: &SdkError<MeterUsageError, HttpResponse>,
    code: &str,
    dimension: &str,
    region: &str,
) -> Result<(), AttemptError> {
    let fatal = |exit_code: i32, message: String| {
        Err(AttemptError::Final(Failure::new(exit_code, message)))
    };
    let service = aws_error::triage(error, "the DryRun MeterUsage")?;
    let detail = aws_error::detail(service);
    match service {
        e if e.code() == Some("DryRunOperation") => Ok(()),
        MeterUsageError::CustomerNotEntitledException(_) => fatal(
            exit::NOT_ENTITLED,
            format!(
                "not entitled: the AWS account running this task has no subscription to product {code} \
                 (CustomerNotEntitledException on a DryRun MeterUsage). Subscribe in AWS Marketplace, then restart"
            ),
        ),
        MeterUsageError::InvalidEndpointRegionException(_) => fatal(
            exit::WRONG_REGION,
            format!(
                "wrong region: the metering service refused a call made in {region} ({detail}). \
                 The region must be the one the task runs in: check AWS_REGION and AWS_DEFAULT_REGION"
            ),
        ),
        MeterUsageError::InvalidProductCodeException(_) => fatal(
            exit::INVALID_PRODUCT_CODE,
            format!(
                "invalid product code: AWS Marketplace does not accept product code {code} \
                 (InvalidProductCodeException). Use the code the AWS Marketplace Management Portal shows"
            ),
        ),
        MeterUsageError::InvalidUsageDimensionException(_) => fatal(
            exit::OTHER,
            format!(
                "dimension `{dimension}` is not a dimension of product {code} ({detail}). Declare the \
                 listing's dimension API names in dimensions(...)"
            ),
        ),
        MeterUsageError::ThrottlingException(_)
        | MeterUsageError::InternalServiceErrorException(_) => Err(AttemptError::Transient(detail)),
        _ if error
            .raw_response()
            .is_some_and(|r| r.status().is_server_error()) =>
        {
            Err(AttemptError::Transient(detail))
        }
        _ => fatal(
            exit::OTHER,
            format!(
                "the DryRun MeterUsage failed ({detail}). Check the task role's aws-marketplace:MeterUsage permission"
            ),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use mp_emulator::{DEMO_CUSTOM_PRODUCT, DryRunAnswer, Emulator, EmulatorConfig, Scenario};

    async fn check_in(scenario: Scenario, dimensions: &[&str]) -> Result<(), AttemptError> {
        let emu = Emulator::start(EmulatorConfig::default().scenario(scenario))
            .await
            .unwrap();
        let client = crate::usage::test_client::client(&emu);
        check(&client, DEMO_CUSTOM_PRODUCT, dimensions, "us-east-1").await
    }

    fn exit_code(result: Result<(), AttemptError>) -> Option<i32> {
        match result {
            Err(AttemptError::Final(f)) => Some(f.code),
            _ => None,
        }
    }

    #[tokio::test]
    async fn both_dry_run_answers_mean_entitled() {
        for answer in [DryRunAnswer::Ok, DryRunAnswer::DryRunOperation] {
            let scenario = Scenario::entitled().dry_run_answer(answer);
            assert!(check_in(scenario, &["requests", "data_gb"]).await.is_ok());
        }
    }

    #[tokio::test]
    async fn refusals_take_register_usage_exit_codes() {
        let dims = &["requests"];
        assert_eq!(
            exit_code(check_in(Scenario::not_entitled(), dims).await),
            Some(exit::NOT_ENTITLED)
        );
        assert_eq!(
            exit_code(check_in(Scenario::wrong_region(), dims).await),
            Some(exit::WRONG_REGION)
        );
        assert_eq!(
            exit_code(check_in(Scenario::unknown_product(), dims).await),
            Some(exit::INVALID_PRODUCT_CODE)
        );
        let undeclared = check_in(Scenario::entitled(), &["requests", "cpu_hours"]).await;
        match undeclared {
            Err(AttemptError::Final(f)) => {
                assert_eq!(f.code, exit::OTHER);
                assert!(
                    f.message
                        .starts_with("dimension `cpu_hours` is not a dimension"),
                    "{}",
                    f.message
                );
            }
            other => panic!("{other:?}"),
        }
    }

    #[tokio::test]
    async fn throttling_and_outages_are_retried() {
        let throttled = check_in(Scenario::entitled().throttle(1.0), &["requests"]).await;
        assert!(matches!(throttled, Err(AttemptError::Transient(_))));
        let down = check_in(Scenario::entitled().down_for(10), &["requests"]).await;
        assert!(matches!(down, Err(AttemptError::Transient(_))));
    }
}
