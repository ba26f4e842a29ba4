//! The License Manager client. As for metering (`metering_client`), a production build pins
//! the official regional endpoint and the Amazon roots (`trust`): a buyer who could
//! point License Manager at their own server would answer every checkout with the highest
//! tier and an endless pool. A local-testing build leaves the endpoint to aws-config, so
//! `AWS_ENDPOINT_URL_LICENSE_MANAGER` reaches mp-emulator.

use crate::aws::region::Region;
use crate::aws::trust;
use crate::build_mode::BuildMode;
use crate::failure::Failure;
use aws_config::SdkConfig;
use aws_sdk_licensemanager::Config;
use aws_sdk_licensemanager::config::Builder;

/// `https://license-manager.<region>.amazonaws.com`; `region` is validated, so it cannot
/// change the host.
pub(crate) fn production_endpoint(region: &Region) -> String {
    format!("https://license-manager.{region}.amazonaws.com")
}

/// The License Manager client configuration for this build mode; `Err` only if the pinned
/// trust store cannot be built, which stops start-up rather than trust the platform's.
pub(crate) fn config(sdk: &SdkConfig, region: &Region, mode: BuildMode) -> Result<Config, Failure> {
    builder(sdk, region, mode).map(Builder::build)
}

/// The same, still open to changes (`license_token` lets it send unsigned requests).
pub(crate) fn builder(
    sdk: &SdkConfig,
    region: &Region,
    mode: BuildMode,
) -> Result<Builder, Failure> {
    let builder = Builder::from(sdk);
    Ok(match mode {
        BuildMode::Production => {
            let pinned = trust::pinned_http_client("License Manager")?;
            builder
                .endpoint_url(production_endpoint(region))
                .http_client(pinned)
        }
        BuildMode::LocalTesting => builder,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_pinned_endpoint_is_the_regional_one() {
        let region = Region::parse("eu-west-3").unwrap();
        assert_eq!(
            production_endpoint(&region),
            "https://license-manager.eu-west-3.amazonaws.com"
        );
    }
}
