//! The metering client's configuration. A production build pins the official regional
//! endpoint in code, which wins over `AWS_ENDPOINT_URL*` from the environment or profile
//! (both buyer-controlled: an override there would be a billing hole), and trusts only the
//! roots AWS's certificates chain to (see `trust`). Only a local-testing build leaves
//! endpoint resolution and trust to aws-config, so it can reach mp-emulator.

use crate::aws::region::Region;
use crate::aws::trust;
use crate::build_mode::BuildMode;
use crate::env::Env;
use crate::failure::{Failure, quoted};
use aws_config::SdkConfig;
use aws_sdk_marketplacemetering::Config;

/// `https://metering.marketplace.<region>.amazonaws.com`; `region` is validated, so it
/// cannot change the host.
pub(crate) fn production_endpoint(region: &Region) -> String {
    format!("https://metering.marketplace.{region}.amazonaws.com")
}

/// The variables through which aws-config would move the metering, License Manager or STS
/// endpoint.
const ENDPOINT_OVERRIDES: [&str; 4] = [
    "AWS_ENDPOINT_URL_MARKETPLACE_METERING",
    "AWS_ENDPOINT_URL_LICENSE_MANAGER",
    "AWS_ENDPOINT_URL_STS",
    "AWS_ENDPOINT_URL",
];

/// In a production build, the line that names every endpoint override it ignores: such a
/// build run against mp-emulator would otherwise retry the real endpoint until the deadline
/// and then blame the network.
pub(crate) fn ignored_override_notice(mode: BuildMode, env: &dyn Env) -> Option<String> {
    if mode != BuildMode::Production {
        return None;
    }
    let set: Vec<String> = ENDPOINT_OVERRIDES
        .iter()
        .filter_map(|name| {
            env.var(name)
                .map(|value| format!("{name}={}", quoted(&value)))
        })
        .collect();
    let verb = match set.len() {
        0 => return None,
        1 => "is",
        _ => "are",
    };
    Some(format!(
        "mp-runtime: note: {} {verb} ignored: this production build always calls the \
         official AWS endpoints of its region. Runs against mp-emulator need a build with the \
         local-testing feature",
        set.join(", ")
    ))
}

/// The Metering Service client configuration for this build mode; `Err` only if the pinned
/// trust store cannot be built, which stops start-up rather than trust the platform's.
pub(crate) fn metering_config(
    sdk: &SdkConfig,
    region: &Region,
    mode: BuildMode,
) -> Result<Config, Failure> {
    let builder = aws_sdk_marketplacemetering::config::Builder::from(sdk);
    Ok(match mode {
        BuildMode::Production => {
            let pinned = trust::pinned_http_client("metering")?;
            builder
                .endpoint_url(production_endpoint(region))
                .http_client(pinned)
        }
        BuildMode::LocalTesting => builder,
    }
    .build())
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_credential_types::Credentials;
    use aws_credential_types::provider::SharedCredentialsProvider;
    use aws_sdk_marketplacemetering::config::interceptors::BeforeTransmitInterceptorContextRef;
    use aws_sdk_marketplacemetering::config::{ConfigBag, Intercept, RuntimeComponents};
    use aws_sdk_marketplacemetering::error::BoxError;
    use aws_types::service_config::{LoadServiceConfig, ServiceConfigKey};
    use std::collections::HashMap;
    use std::sync::{Arc, Mutex};

    /// Answers the SDK's endpoint-override lookup the way aws-config does from the
    /// environment: `AWS_ENDPOINT_URL_<SERVICE_ID>`.
    #[derive(Debug)]
    struct EnvEndpoints(HashMap<String, String>);

    impl LoadServiceConfig for EnvEndpoints {
        fn load_config(&self, key: ServiceConfigKey<'_>) -> Option<String> {
            let var = format!(
                "{}_{}",
                key.env(),
                key.service_id().to_uppercase().replace(' ', "_")
            );
            self.0.get(&var).cloned()
        }
    }

    /// Records the URI of the request about to be sent and stops it there: nothing leaves
    /// the process, whatever the endpoint.
    #[derive(Debug, Default, Clone)]
    struct StopBeforeTransmit(Arc<Mutex<Option<String>>>);

    impl Intercept for StopBeforeTransmit {
        fn name(&self) -> &'static str {
            "StopBeforeTransmit"
        }

        fn read_before_transmit(
            &self,
            context: &BeforeTransmitInterceptorContextRef<'_>,
            _: &RuntimeComponents,
            _: &mut ConfigBag,
        ) -> Result<(), BoxError> {
            *self.0.lock().unwrap() = Some(context.request().uri().to_owned());
            Err("stopped before transmit".into())
        }
    }

    const EMULATOR: &str = "http://127.0.0.1:9";

    #[test]
    fn a_production_build_says_at_once_that_it_ignores_an_endpoint_override() {
        let env = crate::env::env_of(&[("AWS_ENDPOINT_URL_MARKETPLACE_METERING", EMULATOR)]);
        assert_eq!(
            ignored_override_notice(BuildMode::Production, &env).as_deref(),
            Some(
                "mp-runtime: note: AWS_ENDPOINT_URL_MARKETPLACE_METERING=\"http://127.0.0.1:9\" \
                 is ignored: this production build always calls the official AWS endpoints of \
                 its region. Runs against mp-emulator need a build with the local-testing \
                 feature"
            )
        );
        assert_eq!(ignored_override_notice(BuildMode::LocalTesting, &env), None);
        for name in [
            "AWS_ENDPOINT_URL",
            "AWS_ENDPOINT_URL_LICENSE_MANAGER",
            "AWS_ENDPOINT_URL_STS",
        ] {
            let other = crate::env::env_of(&[(name, EMULATOR)]);
            assert!(ignored_override_notice(BuildMode::Production, &other).is_some());
        }
        let every = crate::env::env_of(&[
            ("AWS_ENDPOINT_URL_MARKETPLACE_METERING", EMULATOR),
            ("AWS_ENDPOINT_URL_LICENSE_MANAGER", EMULATOR),
        ]);
        let notice = ignored_override_notice(BuildMode::Production, &every).unwrap();
        assert!(
            notice.contains(
                "AWS_ENDPOINT_URL_MARKETPLACE_METERING=\"http://127.0.0.1:9\", \
                 AWS_ENDPOINT_URL_LICENSE_MANAGER=\"http://127.0.0.1:9\" are ignored"
            ),
            "{notice}"
        );
        let none = crate::env::env_of(&[]);
        assert_eq!(ignored_override_notice(BuildMode::Production, &none), None);
    }

    /// `service_endpoint` as `AWS_ENDPOINT_URL_MARKETPLACE_METERING`, `global_endpoint` as
    /// `AWS_ENDPOINT_URL` (which aws-config turns into the SdkConfig's endpoint).
    fn sdk_config_with(service_endpoint: Option<&str>, global_endpoint: Option<&str>) -> SdkConfig {
        let overrides = service_endpoint
            .map(|url| {
                (
                    "AWS_ENDPOINT_URL_MARKETPLACE_METERING".to_owned(),
                    url.to_owned(),
                )
            })
            .into_iter()
            .collect::<HashMap<_, _>>();
        let mut builder = SdkConfig::builder()
            .region(aws_config::Region::new("eu-west-3"))
            .behavior_version(aws_config::BehaviorVersion::latest())
            .credentials_provider(SharedCredentialsProvider::new(Credentials::new(
                "AKID", "secret", None, None, "test",
            )))
            .service_config(EnvEndpoints(overrides));
        builder.set_endpoint_url(global_endpoint.map(str::to_owned));
        builder.build()
    }

    /// The URI the configured client would send RegisterUsage to.
    fn endpoint_used(sdk: &SdkConfig, mode: BuildMode) -> String {
        let region = Region::parse("eu-west-3").unwrap();
        let stop = StopBeforeTransmit::default();
        let config = metering_config(sdk, &region, mode)
            .expect("the pinned trust store builds")
            .to_builder()
            .interceptor(stop.clone())
            .build();
        let client = aws_sdk_marketplacemetering::Client::from_conf(config);
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let result = rt.block_on(
            client
                .register_usage()
                .product_code("p")
                .public_key_version(1)
                .send(),
        );
        assert!(result.is_err(), "the interceptor stops every request");
        stop.0
            .lock()
            .unwrap()
            .clone()
            .expect("a request reached the transmit stage")
    }

    #[test]
    fn production_ignores_the_environment_endpoint_override() {
        let uri = endpoint_used(
            &sdk_config_with(Some(EMULATOR), None),
            BuildMode::Production,
        );
        assert!(
            uri.starts_with("https://metering.marketplace.eu-west-3.amazonaws.com"),
            "{uri}"
        );
    }

    #[test]
    fn production_ignores_a_global_endpoint_override() {
        let uri = endpoint_used(
            &sdk_config_with(None, Some("http://127.0.0.1:8")),
            BuildMode::Production,
        );
        assert!(
            uri.starts_with("https://metering.marketplace.eu-west-3.amazonaws.com"),
            "{uri}"
        );
    }

    /// A profile's global `endpoint_url`.
    fn global_profile(endpoint: &str) -> String {
        format!("[default]\nendpoint_url = {endpoint}\n")
    }

    /// A profile's service-specific endpoint, in a `services` section (aws-runtime names the
    /// service there lower-case with dashes).
    fn service_profile(endpoint: &str) -> String {
        format!(
            "[default]\nservices = redirect\n\n[services redirect]\nmarketplace-metering =\n  \
             endpoint_url = {endpoint}\n"
        )
    }

    /// The configuration aws-config itself loads from a config file holding `profile`.
    // aws-config re-exports these only under their deprecated names; the replacements live
    // in aws-runtime, which this crate does not otherwise need.
    #[allow(deprecated)]
    fn sdk_config_from_profile(profile: &str) -> SdkConfig {
        use aws_config::profile::profile_file::{ProfileFileKind, ProfileFiles};
        // Each test its own file: tests run in parallel threads of one process.
        let file = tempfile::NamedTempFile::new().unwrap();
        std::fs::write(file.path(), profile).unwrap();
        let files = ProfileFiles::builder()
            .with_file(ProfileFileKind::Config, file.path())
            .build();
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(
            aws_config::defaults(aws_config::BehaviorVersion::latest())
                .region(aws_config::Region::new("eu-west-3"))
                .credentials_provider(Credentials::new("AKID", "secret", None, None, "test"))
                .profile_name("default")
                .profile_files(files)
                .load(),
        )
    }

    #[test]
    fn production_ignores_a_profile_endpoint_override() {
        let uri = endpoint_used(
            &sdk_config_from_profile(&global_profile(EMULATOR)),
            BuildMode::Production,
        );
        assert!(
            uri.starts_with("https://metering.marketplace.eu-west-3.amazonaws.com"),
            "{uri}"
        );
    }

    #[test]
    fn local_testing_honours_a_profile_endpoint_override() {
        let uri = endpoint_used(
            &sdk_config_from_profile(&global_profile(EMULATOR)),
            BuildMode::LocalTesting,
        );
        assert!(uri.starts_with(EMULATOR), "{uri}");
    }

    // Each override source has its pair: production ignores it, local-testing honours it
    // (so the override really was in the configuration the production client ignored).

    #[test]
    fn local_testing_honours_a_global_endpoint_override() {
        let uri = endpoint_used(
            &sdk_config_with(None, Some("http://127.0.0.1:8")),
            BuildMode::LocalTesting,
        );
        assert!(uri.starts_with("http://127.0.0.1:8"), "{uri}");
    }

    #[test]
    fn production_ignores_a_profile_services_endpoint_override() {
        let uri = endpoint_used(
            &sdk_config_from_profile(&service_profile(EMULATOR)),
            BuildMode::Production,
        );
        assert!(
            uri.starts_with("https://metering.marketplace.eu-west-3.amazonaws.com"),
            "{uri}"
        );
    }

    #[test]
    fn local_testing_honours_a_profile_services_endpoint_override() {
        let uri = endpoint_used(
            &sdk_config_from_profile(&service_profile(EMULATOR)),
            BuildMode::LocalTesting,
        );
        assert!(uri.starts_with(EMULATOR), "{uri}");
    }

    #[test]
    fn local_testing_honours_the_environment_endpoint_override() {
        let uri = endpoint_used(
            &sdk_config_with(Some(EMULATOR), None),
            BuildMode::LocalTesting,
        );
        assert!(uri.starts_with(EMULATOR), "{uri}");
    }
}
