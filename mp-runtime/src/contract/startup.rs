//! Contract start-up: the first license check, retried like RegisterUsage (throttling,
//! server and network errors until the start-up deadline), each refusal one line and its
//! exit code; then the keeper starts and `main` may run.

use super::check::{CheckError, check, first_call};
use super::clock::LicenseClock;
use super::context::{self, Installed};
use super::keeper;
use super::license_manager::Facts;
use super::policy::Outcome;
use super::received;
use super::state::Snapshot;
use crate::aws::credentials;
use crate::aws::license_client;
use crate::aws::region::Region;
use crate::aws::retry::{self, AttemptError, Stopped};
use crate::build_mode::BuildMode;
use crate::env::Env;
use crate::exit;
use crate::failure::Failure;
use crate::local_testing;
use crate::spec::ContractSpec;
use aws_config::SdkConfig;
use std::time::Duration;
use tokio::time::Instant;

/// What start-up already settled.
#[doc(hidden)]
pub(crate) struct Start<'a> {
    pub(crate) sdk: &'a SdkConfig,
    pub(crate) region: &'a Region,
    pub(crate) deadline: Instant,
    pub(crate) deadline_secs: u64,
    pub(crate) mode: BuildMode,
    pub(crate) env: &'a dyn Env,
    /// How long the last answered license check is trusted; `None` when turned off.
    pub(crate) offline_limit_secs: Option<u64>,
}

/// Checks the license out; `Err` is the failure to report before exiting.
#[doc(hidden)]
pub(crate) async fn start(spec: &'static ContractSpec, start: Start<'_>) -> Result<(), Failure> {
    let client = aws_sdk_licensemanager::Client::from_conf(license_client::config(
        start.sdk,
        start.region,
        start.mode,
    )?);
    let clock = LicenseClock::new(start.mode, start.env);
    let (first, first_asked_at) = retry::until_deadline(start.deadline, || async {
        credentials::check(start.sdk).await?;
        let asked_at = clock.monotonic();
        first_check(&client, spec, clock.wall())
            .await
            .map(|snapshot| (snapshot, asked_at))
            .map_err(|error| attempt_error(error, spec, start.region))
    })
    .await
    .map_err(|stopped| match stopped {
        Stopped::Final(failure) => failure,
        Stopped::GaveUp { attempts, last } => Failure::new(
            exit::GAVE_UP,
            format!(
                "gave up: the start-up deadline of {}s passed while retrying {} in {} \
                 ({attempts} attempt(s), last: {last}). Check the task's network path to the \
                 License Manager endpoint, or raise startup_deadline",
                start.deadline_secs,
                first_call(spec),
                start.region
            ),
        ),
    })?;
    let installed = context::install(Installed {
        client,
        spec,
        clock,
        offline_limit: start.offline_limit_secs.map(Duration::from_secs),
        first,
    });
    let Some((context, inbox)) = installed else {
        return Ok(()); // a second start-up in one process: the first one's keeper runs
    };
    let inputs = keeper::Inputs {
        inbox,
        tick: local_testing::license_tick(start.mode, start.env, context::TICK),
        first_asked_at,
    };
    keeper::spawn(context, inputs)
}

/// The first check. A tier checkout that License Manager allows nothing of may still have a
/// license behind it, granting tiers this build does not declare: that is said as such, since
/// "subscribe" would send an operator who holds a license the wrong way.
async fn first_check(
    client: &aws_sdk_licensemanager::Client,
    spec: &ContractSpec,
    now: std::time::SystemTime,
) -> Result<Snapshot, CheckError> {
    match check(client, spec, now).await {
        Err(CheckError::Call(Outcome::NotAllowed(detail))) if !spec.tiers.is_empty() => Err(
            match received::received(client, spec.product_sku, now).await {
                Ok((arn, facts)) => CheckError::Local(undeclared_tiers(spec, &arn, &facts)),
                Err(_) => CheckError::Call(Outcome::NotAllowed(detail)),
            },
        ),
        other => other,
    }
}

fn undeclared_tiers(spec: &ContractSpec, arn: &str, facts: &Facts) -> Failure {
    let granted: Vec<&str> = facts.limits.iter().map(|limit| limit.name()).collect();
    Failure::new(
        exit::NO_LICENSE,
        format!(
            "no declared tier: license {arn} of product {} grants {}, and none of it is a tier \
             this build declares ({}). The seller's build must name the listing's tier \
             entitlements in tiers(...); the buyer's subscription is not the problem",
            spec.product_sku,
            if granted.is_empty() {
                "no entitlement".to_owned()
            } else {
                granted.join(", ")
            },
            spec.tiers.join(", ")
        ),
    )
}

/// What a failed first check means for start-up.
fn attempt_error(error: CheckError, spec: &ContractSpec, region: &Region) -> AttemptError {
    let sku = spec.product_sku;
    let call = first_call(spec);
    let outcome = match error {
        CheckError::Local(failure) => return AttemptError::Final(failure),
        CheckError::Call(outcome) => outcome,
    };
    let stop = |code, message: String| AttemptError::Final(Failure::new(code, message));
    match outcome {
        Outcome::Retry(why) => AttemptError::Transient(why.to_string()),
        Outcome::NotAllowed(detail) | Outcome::NotFound(detail) => stop(
            exit::NO_LICENSE,
            format!(
                "no license: License Manager holds no license of product {sku} for this AWS \
                 account ({detail}). Subscribe to the product in AWS Marketplace and accept the \
                 license grant, then restart"
            ),
        ),
        Outcome::Expired(detail) => stop(
            exit::LICENSE_EXPIRED,
            format!(
                "license expired: the contract for product {sku} has ended ({detail}). Renew the \
                 contract in AWS Marketplace, then restart"
            ),
        ),
        Outcome::Denied(detail) => stop(
            exit::OTHER,
            format!(
                "{call} was refused ({detail}). The task role needs \
                 license-manager:CheckoutLicense, CheckInLicense, ExtendLicenseConsumption, \
                 GetLicense and ListReceivedLicenses"
            ),
        ),
        Outcome::WrongRegion(detail) => stop(
            exit::WRONG_REGION,
            format!(
                "wrong region: License Manager refused the {call} call made in {region} ({detail}). The \
                 region must be the one the task runs in: check AWS_REGION and AWS_DEFAULT_REGION"
            ),
        ),
        Outcome::Intercepted(why) => stop(
            exit::INTERCEPTED,
            format!(
                "something intercepted the connection to the License Manager endpoint in \
                 {region}: its certificate does not chain to the Amazon roots this build trusts \
                 ({why}), so {call} was not sent. Exempt \
                 license-manager.{region}.amazonaws.com from TLS inspection and name overrides"
            ),
        ),
        Outcome::Refused(detail) => stop(
            exit::OTHER,
            format!("{call} for product {sku} failed ({detail})"),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::contract::state::EntitlementLimit;

    const SPEC: ContractSpec = ContractSpec {
        product_sku: "prod-x",
        tiers: &["Basic"],
        floating: &[],
        drawdown: &[],
    };

    fn code(outcome: Outcome) -> Option<i32> {
        let region = Region::parse("us-east-1").unwrap();
        match attempt_error(CheckError::Call(outcome), &SPEC, &region) {
            AttemptError::Final(failure) => Some(failure.code),
            AttemptError::Transient(_) => None,
        }
    }

    #[test]
    fn a_license_with_only_undeclared_tiers_says_so() {
        let facts = Facts {
            expires_at: None,
            limits: vec![EntitlementLimit {
                name: "Enterprise".to_owned(),
                max_count: None,
                unit: "None".to_owned(),
            }],
        };
        let failure = undeclared_tiers(&SPEC, "arn:aws:license-manager::1:license:l-1", &facts);
        assert_eq!(failure.code, exit::NO_LICENSE);
        assert!(
            failure.message.contains(
                "license arn:aws:license-manager::1:license:l-1 of product prod-x grants \
                 Enterprise, and none of it is a tier this build declares (Basic)"
            ),
            "{failure}"
        );
    }

    #[test]
    fn each_outcome_has_its_exit_code() {
        let s = || "".into();
        assert_eq!(code(Outcome::Retry(s())), None);
        assert_eq!(code(Outcome::NotAllowed(s())), Some(exit::NO_LICENSE));
        assert_eq!(code(Outcome::NotFound(s())), Some(exit::NO_LICENSE));
        assert_eq!(code(Outcome::Expired(s())), Some(exit::LICENSE_EXPIRED));
        assert_eq!(code(Outcome::Denied(s())), Some(exit::OTHER));
        assert_eq!(code(Outcome::WrongRegion(s())), Some(exit::WRONG_REGION));
        assert_eq!(code(Outcome::Intercepted(s())), Some(exit::INTERCEPTED));
        assert_eq!(code(Outcome::Refused(s())), Some(exit::OTHER));
    }
}
