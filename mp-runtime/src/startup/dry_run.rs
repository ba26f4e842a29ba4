//! The start-up check for custom pricing: a `DryRun` `MeterUsage` per declared dimension,
//! with the start-up column of the error policy (fatal before the seller's code runs). The
//! API reference says a permitted dry run answers `DryRunOperation`, yet AWS's own container
//! samples treat a dry run that comes back without error as entitled: both mean entitled.
//!
//! The dimensions are the binary's (`#[marketplace_main(dimensions(..))]`) and those its
//! libraries declared with `dimensions!`, which registered as the program loaded: usage a
//! library meters under a name the listing lacks would otherwise be refused every hour.

use crate::aws::error_policy::{self, Call, Context, StartUpVerdict};
use crate::aws::retry::AttemptError;
use crate::build_mode::BuildMode;
use aws_sdk_marketplacemetering::Client;
use aws_sdk_marketplacemetering::config::http::HttpResponse;
use aws_sdk_marketplacemetering::error::SdkError;
use aws_sdk_marketplacemetering::operation::meter_usage::MeterUsageError;
use aws_sdk_marketplacemetering::primitives::DateTime;
use std::time::SystemTime;

/// Dry-runs every dimension; the first refusal decides. `Ok(Some(warning))`: a local-testing
/// build off ECS/EKS/Fargate, to warn about and go on.
pub(crate) async fn check(
    client: &Client,
    product_code: &str,
    dimensions: &[&str],
    region: &str,
    mode: BuildMode,
) -> Result<Option<String>, AttemptError> {
    let mut warning = None;
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
            warning = warning.or(classify(&error, product_code, dimension, region, mode)?);
        }
    }
    Ok(warning)
}

/// The names to dry-run: the binary's, then its libraries' not among them.
pub(crate) fn declared(binary: &[&'static str]) -> Vec<&'static str> {
    let mut names = binary.to_vec();
    for dimension in crate::usage::registered() {
        if !names.contains(&dimension.name()) {
            names.push(dimension.name());
        }
    }
    names
}

/// `Ok` for `DryRunOperation`; otherwise retry or the start-up failure to exit with.
fn classify(
    error: &SdkError<MeterUsageError, HttpResponse>,
    product_code: &str,
    dimension: &str,
    region: &str,
    mode: BuildMode,
) -> Result<Option<String>, AttemptError> {
    let context = Context {
        call: Call::DryRun,
        product_code,
        region,
        dimension,
        key_version: 0,
    };
    match error_policy::at_start_up(error, &context, mode) {
        StartUpVerdict::Entitled => Ok(None),
        StartUpVerdict::PlatformWarning(warning) => Ok(Some(warning)),
        StartUpVerdict::Stop(failure) => Err(AttemptError::Final(failure)),
        StartUpVerdict::Retry(why) => Err(AttemptError::Transient(why)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::exit;
    use mp_emulator::{
        Emulator, EmulatorConfig,
        metering::DEMO_CUSTOM_PRODUCT,
        scenario::{DryRunAnswer, PlatformNotSupportedOn, Scenario},
    };

    async fn check_in(
        scenario: Scenario,
        dimensions: &[&str],
    ) -> Result<Option<String>, AttemptError> {
        check_in_mode(scenario, dimensions, BuildMode::Production).await
    }

    async fn check_in_mode(
        scenario: Scenario,
        dimensions: &[&str],
        mode: BuildMode,
    ) -> Result<Option<String>, AttemptError> {
        let emu = Emulator::start(EmulatorConfig::default().scenario(scenario))
            .await
            .unwrap();
        let client = crate::usage::test_client::client(&emu);
        check(&client, DEMO_CUSTOM_PRODUCT, dimensions, "us-east-1", mode).await
    }

    fn exit_code(result: Result<Option<String>, AttemptError>) -> Option<i32> {
        match result {
            Err(AttemptError::Final(f)) => Some(f.code),
            _ => None,
        }
    }

    static LIBRARY_ONLY: crate::usage::Dimension =
        crate::usage::Dimension::new("dry_run_library_only");
    static ALSO_IN_MAIN: crate::usage::Dimension =
        crate::usage::Dimension::new("dry_run_also_in_main");
    // What a library's `dimensions!` expands to.
    inventory::submit! {
        crate::usage::DeclaredDimensions(&[&LIBRARY_ONLY, &ALSO_IN_MAIN])
    }

    #[test]
    fn libraries_dimensions_follow_the_binarys_each_once() {
        let names = declared(&["dry_run_main", "dry_run_also_in_main"]);
        assert_eq!(names[..2], ["dry_run_main", "dry_run_also_in_main"]);
        assert_eq!(
            names
                .iter()
                .filter(|n| **n == "dry_run_also_in_main")
                .count(),
            1
        );
        assert!(names.contains(&"dry_run_library_only"));
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
    async fn platform_not_supported_stops_production_and_warns_local_testing() {
        let scenario = || {
            Scenario::platform_not_supported()
                .platform_not_supported_on(PlatformNotSupportedOn::Both)
        };
        let dims = &["requests", "data_gb"];
        let production = check_in_mode(scenario(), dims, BuildMode::Production).await;
        assert_eq!(exit_code(production), Some(exit::PLATFORM_NOT_SUPPORTED));
        match check_in_mode(scenario(), dims, BuildMode::LocalTesting).await {
            Ok(Some(warning)) => assert!(
                warning.contains("would work on ECS/EKS/Fargate"),
                "{warning}"
            ),
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
