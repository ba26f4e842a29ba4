//! The process's life around the seller's `main`: the tokio runtime, start-up (registration
//! or the end of the process), then the body, then the pricing's shutdown (metering
//! flushed, seats returned). It starts the phases, so it sits above `startup`, `usage` and
//! `contract`; `process` is below them, since they use its clock and shutdown.

use crate::build_mode::BuildMode;
use crate::env::ProcessEnv;
use crate::exit;
use crate::failure::Failure;
use crate::spec::{Pricing, PricingModel, RuntimeFlavor, StartupSpec};
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
pub fn registered_tier() -> crate::ProductTier {
    crate::registration().map_or(crate::ProductTier::Free, |r| r.tier())
}

/// The license handed to a contract `main`; its tier type is the one `main` declares.
#[cfg(feature = "contract")]
pub fn contract_license<T: crate::ContractTier>() -> crate::License<T> {
    crate::contract::license()
}
