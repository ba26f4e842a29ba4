//! Deployments outside AWS compute (AWS Marketplace for Containers Anywhere: on premises, EKS
//! Anywhere, ECS Anywhere, any Kubernetes cluster), told apart by the License Manager license
//! token the buyer's Helm chart mounts. Only contract pricing works there: the Metering
//! Service accepts `RegisterUsage` and `MeterUsage` from Amazon ECS, Amazon EKS and AWS
//! Fargate only.

use crate::env::Env;
use crate::exit;
use crate::failure::Failure;
use crate::spec::Pricing;

/// The file the buyer's Helm chart mounts the license token at.
pub(crate) const REFRESH_TOKEN_FILE_VAR: &str = "AWS_WEB_IDENTITY_REFRESH_TOKEN_FILE";

/// True when the environment names a license token.
pub(crate) fn has_license_token(env: &dyn Env) -> bool {
    env.var(REFRESH_TOKEN_FILE_VAR).is_some()
}

/// Exit 81 for a metered product (hourly, monthly, custom) deployed with a license token:
/// its start-up call would be refused off AWS compute, so it stops before making it.
pub(crate) fn refuse_metered(pricing: Pricing, env: &dyn Env) -> Result<(), Failure> {
    if !has_license_token(env) {
        return Ok(());
    }
    Err(Failure::new(
        exit::PLATFORM_NOT_SUPPORTED,
        format!(
            "{REFRESH_TOKEN_FILE_VAR} is set: a License Manager license token marks a \
             deployment outside AWS compute, where AWS Marketplace supports contract pricing \
             only, and this product's pricing is {pricing}, which AWS accepts from Amazon ECS, Amazon \
             EKS and AWS Fargate only. Run it there (without the license secret), or unset the \
             variable"
        ),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::env::env_of;

    #[test]
    fn a_metered_product_with_a_license_token_stops_with_exit_81() {
        assert_eq!(refuse_metered(Pricing::Hourly, &env_of(&[])), Ok(()));
        let env = env_of(&[(REFRESH_TOKEN_FILE_VAR, "/var/run/secrets/license_token")]);
        let failure = refuse_metered(Pricing::Custom, &env).unwrap_err();
        assert_eq!(failure.code, exit::PLATFORM_NOT_SUPPORTED);
        assert!(failure.message.contains("pricing is custom"), "{failure}");
    }
}
