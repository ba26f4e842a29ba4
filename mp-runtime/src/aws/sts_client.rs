//! The STS client that turns a License Manager access token into role credentials
//! (`license_token`). As for License Manager, a production build pins the official regional
//! endpoint and the Amazon roots: credentials from a buyer's own STS could not check a license
//! out of the pinned License Manager anyway, but a production build takes no endpoint from
//! the environment at all. A local-testing build leaves the endpoint to aws-config, so
//! `AWS_ENDPOINT_URL_STS` reaches mp-emulator.

use crate::aws::region::Region;
use crate::aws::trust;
use crate::build_mode::BuildMode;
use crate::failure::Failure;
use aws_config::SdkConfig;
use aws_sdk_sts::Config;

/// `https://sts.<region>.amazonaws.com`; `region` is validated, so it cannot change the host.
pub(crate) fn production_endpoint(region: &Region) -> String {
    format!("https://sts.{region}.amazonaws.com")
}

/// The STS client configuration for this build mode; `Err` only if the pinned trust store
/// cannot be built.
pub(crate) fn config(sdk: &SdkConfig, region: &Region, mode: BuildMode) -> Result<Config, Failure> {
    let builder = aws_sdk_sts::config::Builder::from(sdk);
    Ok(match mode {
        BuildMode::Production => builder
            .endpoint_url(production_endpoint(region))
            .http_client(trust::pinned_http_client("STS")?),
        BuildMode::LocalTesting => builder,
    }
    .build())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_pinned_endpoint_is_the_regional_one() {
        let region = Region::parse("ap-southeast-2").unwrap();
        assert_eq!(
            production_endpoint(&region),
            "https://sts.ap-southeast-2.amazonaws.com"
        );
    }
}
