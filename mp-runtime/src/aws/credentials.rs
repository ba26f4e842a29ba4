//! AWS configuration and credentials: aws-config's standard chain (ECS task role, IRSA web
//! identity, instance profile), never anything baked into the image. Retries are ours
//! (see `retry`), so the SDK's are off and its timeouts short.

use crate::aws::credentials_uri;
use crate::aws::first_answer::reuse_first_answer;
use crate::aws::region::Region;
use crate::aws::retry::AttemptError;
use crate::env::Env;
use crate::exit;
use crate::failure::Failure;
use crate::failure::causes;
use aws_config::retry::RetryConfig;
use aws_config::timeout::TimeoutConfig;
use aws_config::{BehaviorVersion, ConfigLoader, SdkConfig};
use aws_credential_types::provider::ProvideCredentials;
use aws_credential_types::provider::error::CredentialsError;
use std::time::Duration;
#[cfg(feature = "contract")]
use {
    crate::aws::license_token::{self, LicenseTokenProvider, LicenseTokenSource},
    crate::build_mode::BuildMode,
    crate::process::clock::Clock,
    aws_config::identity::IdentityCache,
    std::sync::Arc,
};

const CONNECT_TIMEOUT: Duration = Duration::from_secs(2);
/// One call's limit, so a silent endpoint costs one attempt, not the whole deadline.
const ATTEMPT_TIMEOUT: Duration = Duration::from_secs(10);

/// aws-config for `region`, without its retries and with short timeouts.
fn defaults(region: &Region) -> ConfigLoader {
    aws_config::defaults(BehaviorVersion::latest())
        .region(aws_config::Region::new(region.as_str().to_owned()))
        .retry_config(RetryConfig::disabled())
        .timeout_config(
            TimeoutConfig::builder()
                .connect_timeout(CONNECT_TIMEOUT)
                .read_timeout(ATTEMPT_TIMEOUT)
                .operation_attempt_timeout(ATTEMPT_TIMEOUT)
                .build(),
        )
}

/// Loads the shared AWS configuration for `region`. The credentials `check` fetches are the
/// ones the first client call uses (`first_answer`).
pub(crate) async fn load(region: &Region, env: &dyn Env) -> SdkConfig {
    let loader = defaults(region);
    // Settled before aws-config builds its credentials chain: a refused endpoint replaces the
    // chain with a provider that only reports the refusal (exit 84 in `check`), so nothing ever
    // resolves or connects to it.
    let config = match credentials_uri::check(env) {
        Ok(()) => loader,
        Err(refused) => loader.credentials_provider(refused),
    }
    .load()
    .await;
    reuse_first_answer(config)
}

/// Loads the shared AWS configuration of a deployment outside AWS compute: the default
/// chain extended by the license-token provider, which answers whenever the buyer mounted a
/// token (`source`). The provider keeps its own credentials until shortly before they
/// expire, so aws-config's cache stays out of the way.
#[cfg(feature = "contract")]
pub(crate) async fn load_with_license_token(
    region: &Region,
    source: LicenseTokenSource,
    mode: BuildMode,
    clock: Arc<dyn Clock>,
) -> Result<SdkConfig, Failure> {
    let anonymous = defaults(region).no_credentials().load().await;
    let provider = LicenseTokenProvider::new(source, &anonymous, region, mode, clock)?;
    Ok(defaults(region)
        .identity_cache(IdentityCache::no_cache())
        .credentials_provider(provider)
        .load()
        .await)
}

/// Fetches credentials once, so "none configured" is reported as such (exit 84) instead of
/// as a failed request; a credentials endpoint that errors or times out is worth a retry.
pub(crate) async fn check(config: &SdkConfig) -> Result<(), AttemptError> {
    let Some(provider) = config.credentials_provider() else {
        return Err(AttemptError::Final(no_credentials(
            "no credentials provider is configured",
        )));
    };
    let error = match provider.provide_credentials().await {
        Ok(_) => return Ok(()),
        Err(error) => error,
    };
    if let Some(refused) = credentials_uri::refusal(&error) {
        return Err(AttemptError::Final(refused.failure()));
    }
    #[cfg(feature = "contract")]
    if let Some(refused) = license_token::refusal(&error) {
        return Err(AttemptError::Final(refused.failure()));
    }
    match error {
        e @ (CredentialsError::CredentialsNotLoaded(_)
        | CredentialsError::InvalidConfiguration(_)) => {
            Err(AttemptError::Final(no_credentials(&causes(&e))))
        }
        e => Err(AttemptError::Transient(format!(
            "could not load credentials: {}",
            causes(&e)
        ))),
    }
}

fn no_credentials(detail: &str) -> Failure {
    Failure::new(
        exit::NO_CREDENTIALS,
        format!(
            "no AWS credentials found ({detail}). On ECS give the task an IAM task role; on EKS \
             give the pod's service account an IAM role (IRSA: EKS Pod Identity is not supported \
             by the AWS Marketplace Metering Service). The role needs aws-marketplace:RegisterUsage"
        ),
    )
}
