//! The start-up path the generated `main` runs before the seller's code: product code,
//! region, credentials, `RegisterUsage` (retried up to the deadline), signature.

use crate::aws::anywhere;
#[cfg(feature = "contract")]
use crate::aws::license_token::LicenseTokenSource;
use crate::aws::region::{self, Region};
use crate::aws::retry::{self, Stopped};
use crate::aws::{credentials, metering_client};
use crate::build_mode::{BuildMode, LOCAL_TESTING_NOTICE};
use crate::env::Env;
use crate::exit;
use crate::failure::Failure;
use crate::registration::Registration;
use crate::spec::{Pricing, PricingModel, PublicKeySpec, StartupSpec};
use product_code::Codes;
use register_usage::Registered;
use signature::Expected;
use std::pin::Pin;
use std::time::Duration;
use tokio::time::Instant;

mod dry_run;
mod product_code;
mod register_usage;
pub(crate) mod signature;
#[cfg(test)]
mod signature_fuzz;
mod unmetered;

/// The longest start-up deadline the attribute accepts (6 h, the RegisterUsage window).
const MAX_DEADLINE_SECS: u64 = mp_marketplace_rules::time::RECORD_WINDOW_SECS;

/// Key version sent when the seller configured no key: the field is required and starts at 1.
const DEFAULT_KEY_VERSION: u32 = 1;

/// Runs start-up; `Err` is the failure to report before exiting.
pub(crate) async fn start<P: PricingModel>(
    spec: &StartupSpec,
    mode: BuildMode,
    env: &dyn Env,
) -> Result<Registration, Failure> {
    if mode == BuildMode::LocalTesting {
        eprintln!("{LOCAL_TESTING_NOTICE}");
    }
    if let Some(notice) = metering_client::ignored_override_notice(mode, env) {
        eprintln!("{notice}");
    }
    let declared = unmetered::declared_by_libraries();
    if let Some(warning) = unmetered::library_usage_warning(P::PRICING, &declared) {
        crate::notice::operator!(warn,; "{warning}");
    }
    // The macro caps the deadline at 6 h; a hand-made spec must not overflow the clock either.
    let deadline = Instant::now()
        .checked_add(Duration::from_secs(spec.startup_deadline_secs))
        .unwrap_or_else(|| Instant::now() + Duration::from_secs(MAX_DEADLINE_SECS));
    if matches!(P::PRICING, Pricing::Custom) && spec.dimensions.is_empty() {
        return Err(Failure::new(
            exit::OTHER,
            "custom pricing needs at least one dimension: declare the listing's dimensions \
             in #[marketplace_main(dimensions(...))]",
        ));
    }
    if matches!(P::PRICING, Pricing::Contract) {
        // Boxed, as the metered call below: other pricings' futures hold no contract state.
        let contract: Pin<Box<dyn Future<Output = Result<Registration, Failure>> + '_>> =
            Box::pin(contract_start(spec, deadline, mode, env));
        return contract.await;
    }
    anywhere::refuse_metered(P::PRICING, env)?;
    let codes = Codes {
        compiled: spec.product_code,
        trusted: spec.trusted_product_codes,
        free: spec.free_product_codes,
    };
    let (product_code, tier) = product_code::choose(&codes, env)?;
    let resolved = region::resolve(env).await?;
    let sdk = credentials::load(&resolved.region, env).await;
    let client = aws_sdk_marketplacemetering::Client::from_conf(metering_client::metering_config(
        &sdk,
        &resolved.region,
        mode,
    )?);
    let registration = Registration {
        product_code,
        tier,
        pricing: P::PRICING,
        region: resolved.region.clone(),
    };
    let confirming = Confirming {
        spec,
        client: &client,
        sdk: &sdk,
        product_code,
        region: &resolved.region,
        deadline,
        mode,
    };
    // Boxed, and chosen before anything is awaited: the start-up future then holds no state
    // of the other pricing's call, so a program links only its own (an hourly binary has no
    // MeterUsage operation to drop).
    let confirm: Pin<Box<dyn Future<Output = Result<Option<String>, Failure>> + '_>> =
        if matches!(P::PRICING, Pricing::Custom) {
            Box::pin(dry_run_each_dimension(&confirming))
        } else {
            Box::pin(register(&confirming))
        };
    let warning = confirm.await?;
    if let Some(warning) = warning {
        // No subscriber can be installed before start-up runs, so stderr as well.
        tracing::warn!("{warning}");
        eprintln!("mp-runtime: warning: {warning}.");
    }
    Ok(registration)
}

/// What the start-up call of a metered product (hourly, monthly, custom) needs.
struct Confirming<'a> {
    spec: &'a StartupSpec,
    client: &'a aws_sdk_marketplacemetering::Client,
    sdk: &'a aws_config::SdkConfig,
    product_code: &'a str,
    region: &'a Region,
    deadline: Instant,
    mode: BuildMode,
}

impl Confirming<'_> {
    /// The failure when the retries of `call` stopped.
    fn gave_up(&self, call: &str, stopped: Stopped) -> Failure {
        match stopped {
            Stopped::Final(failure) => failure,
            Stopped::GaveUp { attempts, last } => Failure::new(
                exit::GAVE_UP,
                format!(
                    "gave up: the start-up deadline of {}s passed while retrying {call} in {} \
                     ({attempts} attempt(s), last: {last}). Check the task's network path to \
                     the metering endpoint, or raise startup_deadline",
                    self.spec.startup_deadline_secs, self.region
                ),
            ),
        }
    }
}

/// Custom pricing registers nothing: a DryRun MeterUsage per dimension checks the
/// entitlement.
async fn dry_run_each_dimension(c: &Confirming<'_>) -> Result<Option<String>, Failure> {
    let dimensions = dry_run::declared(c.spec.dimensions);
    retry::until_deadline(c.deadline, || async {
        credentials::check(c.sdk).await?;
        dry_run::check(
            c.client,
            c.product_code,
            &dimensions,
            c.region.as_str(),
            c.mode,
        )
        .await
    })
    .await
    .map_err(|stopped| c.gave_up("a DryRun MeterUsage", stopped))
}

/// Hourly and monthly pricing: RegisterUsage, and its signature checked if the seller gave a
/// key.
async fn register(c: &Confirming<'_>) -> Result<Option<String>, Failure> {
    let key_version = c.spec.public_key.map_or(DEFAULT_KEY_VERSION, |k| k.version);
    let request = register_usage::Request {
        product_code: c.product_code,
        key_version,
        region: c.region.as_str(),
    };
    let registered = retry::until_deadline(c.deadline, || async {
        credentials::check(c.sdk).await?;
        register_usage::call(c.client, &request, c.mode).await
    })
    .await
    .map_err(|stopped| c.gave_up("RegisterUsage", stopped))?;
    match registered {
        Registered::PlatformWarning(warning) => Ok(Some(warning)),
        Registered::Accepted { signature, nonce } => {
            if let Some(key) = c.spec.public_key {
                verify(signature.as_deref(), key, &nonce, c.product_code)?;
            }
            Ok(None)
        }
    }
}

/// Contract pricing: no product code and no RegisterUsage; a License Manager checkout
/// confirms the license instead.
#[cfg(feature = "contract")]
async fn contract_start(
    spec: &StartupSpec,
    deadline: Instant,
    mode: BuildMode,
    env: &dyn Env,
) -> Result<Registration, Failure> {
    let Some(contract) = spec.contract else {
        return Err(Failure::new(
            exit::OTHER,
            "pricing = contract without its entitlements: build with #[marketplace_main]",
        ));
    };
    let (resolved, sdk) = match LicenseTokenSource::from_env(env)? {
        None => {
            let resolved = region::resolve(env).await?;
            let sdk = credentials::load(&resolved.region, env).await;
            (resolved, sdk)
        }
        Some(token) => {
            let resolved = region::configured(
                env,
                "and a license token (AWS_WEB_IDENTITY_REFRESH_TOKEN_FILE) marks a deployment \
                 outside AWS, where no metadata service can tell it. Set AWS_REGION to the \
                 license's home Region (the Helm chart's region value)",
            )?;
            let clock = crate::local_testing::clock(mode, env);
            let sdk =
                credentials::load_with_license_token(&resolved.region, token, mode, clock).await?;
            (resolved, sdk)
        }
    };
    crate::contract::start(
        contract,
        crate::contract::Start {
            sdk: &sdk,
            region: &resolved.region,
            deadline,
            deadline_secs: spec.startup_deadline_secs,
            mode,
            env,
            offline_limit_secs: spec.offline_limit_secs,
        },
    )
    .await?;
    Ok(Registration {
        product_code: contract.product_sku,
        tier: crate::ProductTier::Paid,
        pricing: Pricing::Contract,
        region: resolved.region,
    })
}

/// Without the `contract` feature the attribute refuses to compile contract pricing; a
/// hand-made spec still stops here.
#[cfg(not(feature = "contract"))]
async fn contract_start(
    _: &StartupSpec,
    _: Instant,
    _: BuildMode,
    _: &dyn Env,
) -> Result<Registration, Failure> {
    Err(Failure::new(
        exit::OTHER,
        "pricing = contract needs mp-runtime's `contract` feature",
    ))
}

fn verify(
    signature: Option<&str>,
    key: PublicKeySpec,
    nonce: &str,
    product_code: &str,
) -> Result<(), Failure> {
    let expected = Expected {
        nonce,
        product_code,
        key_version: key.version,
    };
    let why = match signature {
        None => "the RegisterUsage response carried no Signature".to_owned(),
        Some(token) => match signature::verify(token, key.pem, &expected) {
            Ok(()) => return Ok(()),
            Err(why) => why,
        },
    };
    Err(Failure::new(
        exit::BAD_SIGNATURE,
        format!(
            "signature verification failed: {why}. The response did not come from AWS Marketplace \
             under public key version {}: check public_key and public_key_version",
            key.version
        ),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::env::env_of;
    use crate::spec::pricing_model::{Contract, Custom, Hourly, Monthly};

    fn spec(pricing: Pricing) -> StartupSpec {
        StartupSpec {
            product_code: "prod1",
            pricing,
            trusted_product_codes: &[],
            free_product_codes: &[],
            public_key: None,
            startup_deadline_secs: 5,
            offline_limit_secs: None,
            dimensions: &[],
            contract: None,
        }
    }

    fn start_with(spec: &StartupSpec, env: &[(&str, &str)]) -> Result<Registration, Failure> {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let env = env_of(env);
        rt.block_on(async {
            match spec.pricing {
                Pricing::Hourly => start::<Hourly>(spec, BuildMode::Production, &env).await,
                Pricing::Monthly => start::<Monthly>(spec, BuildMode::Production, &env).await,
                Pricing::Custom => start::<Custom>(spec, BuildMode::Production, &env).await,
                Pricing::Contract => start::<Contract>(spec, BuildMode::Production, &env).await,
            }
        })
    }

    #[test]
    fn custom_pricing_without_dimensions_stops_before_any_network() {
        let failure = start_with(&spec(Pricing::Custom), &[]).unwrap_err();
        assert_eq!(failure.code, exit::OTHER);
        assert!(
            failure
                .message
                .starts_with("custom pricing needs at least one dimension"),
            "{}",
            failure.message
        );
    }

    #[test]
    fn an_absurd_deadline_does_not_overflow_the_clock() {
        let spec = StartupSpec {
            startup_deadline_secs: u64::MAX,
            offline_limit_secs: None,
            ..spec(Pricing::Custom)
        };
        assert_eq!(start_with(&spec, &[]).unwrap_err().code, exit::OTHER);
    }

    #[test]
    fn untrusted_override_stops_before_any_network() {
        let failure = start_with(
            &spec(Pricing::Hourly),
            &[("MARKETPLACE_PRODUCT_CODE", "other")],
        )
        .unwrap_err();
        assert_eq!(failure.code, exit::UNTRUSTED_PRODUCT_CODE);
    }

    #[test]
    fn bad_region_stops_before_any_network() {
        let failure = start_with(&spec(Pricing::Monthly), &[("AWS_REGION", "x/y")]).unwrap_err();
        assert_eq!(failure.code, exit::NO_REGION);
    }

    #[test]
    fn missing_signature_is_a_verification_failure() {
        let key = PublicKeySpec {
            pem: "unused",
            version: 2,
        };
        let failure = verify(None, key, "n", "prod1").unwrap_err();
        assert_eq!(failure.code, exit::BAD_SIGNATURE);
        assert!(failure.message.starts_with(
            "signature verification failed: the RegisterUsage response carried no Signature."
        ));
    }
}
