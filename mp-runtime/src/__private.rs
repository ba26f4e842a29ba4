//! The entry points `#[marketplace_main]` expands to. Generated code names only items of
//! this module, so the runtime's internals can change without breaking expansions.

#[cfg(feature = "contract")]
pub use crate::contract::{
    ContractTier, Drawdown, Floating, TierSealed, checkout_seat as checkout, consume,
};
pub use crate::spec::{
    ContractSpec, Pricing, PricingModel, PublicKeySpec, RuntimeFlavor, StartupSpec, pricing_model,
};
pub use crate::usage::{DeclaredDimensions, Dimension, Quantity, record, record_tagged};
/// What a library's `dimensions!` submits its statics with.
pub use inventory;
pub use mp_macros::{__checkout, __consume, __no_entitlements, __unknown_entitlement};
pub use mp_macros::{__dimensions, __meter, __no_dimensions, __unknown_dimension};

use crate::build_mode::BuildMode;
use crate::env::ProcessEnv;
use crate::exit;
use crate::failure::Failure;
use crate::{registration, usage};
use tokio::runtime::Runtime;

/// Builds the tokio runtime, runs start-up, then the seller's sync body (the runtime stays
/// entered, so the body can use `tokio::spawn` and `Handle::current`). `_model` is the
/// spec's pricing as a type, so only its start-up and shutdown are compiled in.
pub fn run_sync<P: PricingModel, T>(
    spec: &'static StartupSpec,
    _model: P,
    flavor: RuntimeFlavor,
    body: impl FnOnce() -> T,
) -> T {
    let runtime = build_runtime(flavor);
    start_up::<P>(&runtime, spec);
    let _guard = runtime.enter();
    let output = body();
    finish::<P>();
    output
}

/// Builds the tokio runtime, runs start-up, then `block_on` the seller's async body.
pub fn run_async<P: PricingModel, F: core::future::Future>(
    spec: &'static StartupSpec,
    _model: P,
    flavor: RuntimeFlavor,
    body: F,
) -> F::Output {
    let runtime = build_runtime(flavor);
    start_up::<P>(&runtime, spec);
    let output = runtime.block_on(body);
    finish::<P>();
    output
}

/// `main` returned: flush metering, return held seats.
fn finish<P: PricingModel>() {
    match P::PRICING {
        Pricing::Custom => usage::finish(),
        #[cfg(feature = "contract")]
        Pricing::Contract => crate::contract::finish(),
        _ => {}
    }
}

fn build_runtime(flavor: RuntimeFlavor) -> Runtime {
    let mut builder = match flavor {
        RuntimeFlavor::CurrentThread => tokio::runtime::Builder::new_current_thread(),
        RuntimeFlavor::MultiThread { worker_threads } => {
            let mut builder = tokio::runtime::Builder::new_multi_thread();
            if let Some(n) = worker_threads {
                builder.worker_threads(n.max(1)); // tokio panics on 0
            }
            builder
        }
    };
    builder.enable_all().build().unwrap_or_else(|e| {
        Failure::new(
            exit::OTHER,
            format!("could not start the tokio runtime: {e}"),
        )
        .exit()
    })
}

/// Registers or ends the process: on failure the seller's body never runs.
fn start_up<P: PricingModel>(runtime: &Runtime, spec: &'static StartupSpec) {
    match runtime.block_on(crate::startup::start::<P>(
        spec,
        BuildMode::current(),
        &ProcessEnv,
    )) {
        Ok(registration) => {
            let r = registration::record(registration);
            tracing::info!(
                product_code = r.product_code(),
                tier = %r.tier(),
                pricing = %r.pricing(),
                region = r.region(),
                "registered with AWS Marketplace"
            );
            if matches!(P::PRICING, Pricing::Custom)
                && let Err(failure) = usage::start(
                    r.product_code(),
                    &r.region,
                    spec.offline_limit_secs.map(std::time::Duration::from_secs),
                    BuildMode::current(),
                    &ProcessEnv,
                )
            {
                failure.exit();
            }
        }
        Err(failure) => failure.exit(),
    }
}

/// The tier start-up registered, handed to a `main` that takes it (a program with
/// `free_product_codes` must). Free when nothing was registered: a missing registration
/// never unlocks the paid product.
pub fn registered_tier() -> crate::Tier {
    crate::registration().map_or(crate::Tier::Free, |r| r.tier())
}

/// The license handed to a contract `main`; its tier type is the one `main` declares.
#[cfg(feature = "contract")]
pub fn contract_license<T: crate::ContractTier>() -> crate::License<T> {
    crate::contract::license()
}

/// Expands to nothing in a build with the `contract` feature.
#[cfg(feature = "contract")]
#[macro_export]
#[doc(hidden)]
macro_rules! __require_contract_feature {
    () => {};
}

/// Without the `contract` feature, contract pricing is a compile error that says how to
/// turn it on.
#[cfg(not(feature = "contract"))]
#[macro_export]
#[doc(hidden)]
macro_rules! __require_contract_feature {
    () => {
        ::core::compile_error!(
            "pricing = \"contract\" needs mp-runtime's `contract` feature: add \
             `features = [\"contract\"]` to the mp-runtime dependency in Cargo.toml, keeping \
             its path, git or version (cargo add mp-runtime --path <checkout>/mp-runtime \
             --features contract)"
        );
    };
}
pub use __require_contract_feature;
