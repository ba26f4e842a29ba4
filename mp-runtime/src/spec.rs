//! What `#[marketplace_main]` compiles into the program: the listing's pricing model and the
//! start-up and contract specs the generated code hands to the runtime. Plain data, read by
//! every phase; it imports nothing of the crate.

use std::fmt;

/// Everything `#[marketplace_main]` compiled in. Built by the macro; not a stable API.
#[doc(hidden)]
#[derive(Debug)]
pub struct StartupSpec {
    /// The product code from the AWS Marketplace Management Portal.
    pub product_code: &'static str,
    /// The listing's pricing model.
    pub pricing: Pricing,
    /// Codes `MARKETPLACE_PRODUCT_CODE` may select instead of `product_code`.
    pub trusted_product_codes: &'static [&'static str],
    /// Codes that run as the free tier, never as a paid product.
    pub free_product_codes: &'static [&'static str],
    /// The key the `RegisterUsage` signature is verified with, if any.
    pub public_key: Option<PublicKeySpec>,
    /// How long start-up may keep retrying before it gives up (exit 88).
    pub startup_deadline_secs: u64,
    /// How long the process may run while usage waits to be delivered (custom pricing) or
    /// the license cannot be checked (contract pricing) before it ends with exit 95; `None`
    /// when the seller turned the limit off.
    pub offline_limit_secs: Option<u64>,
    /// Custom-pricing dimensions: each is dry-run at start-up, then metered with `meter!`.
    pub dimensions: &'static [&'static str],
    /// Contract pricing's product SKU and entitlements.
    pub contract: Option<&'static ContractSpec>,
}

/// What `pricing = "contract"` compiled in. Built by the macro; not a stable API.
#[doc(hidden)]
#[derive(Debug)]
pub struct ContractSpec {
    /// The product ID License Manager knows the listing by.
    pub product_sku: &'static str,
    /// The tiers' entitlement names, lowest first.
    pub tiers: &'static [&'static str],
    /// Floating entitlements: (name, unit).
    pub floating: &'static [(&'static str, &'static str)],
    /// Drawdown entitlements: (name, unit).
    pub drawdown: &'static [(&'static str, &'static str)],
}

/// The listing's pricing model, as named in `#[marketplace_main(pricing = "...")]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Pricing {
    /// Billed per task/pod hour; registered once at start-up.
    Hourly,
    /// A fixed monthly fee; registered once at start-up.
    Monthly,
    /// Custom dimensions, metered with `meter!` and sent hourly.
    Custom,
    /// A contract through AWS License Manager: tiers, floating and drawdown entitlements.
    Contract,
}

impl fmt::Display for Pricing {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Pricing::Hourly => "hourly",
            Pricing::Monthly => "monthly",
            Pricing::Custom => "custom",
            Pricing::Contract => "contract",
        })
    }
}

/// The seller's public key (PEM, read at compile time) and its version.
#[doc(hidden)]
#[derive(Debug, Clone, Copy)]
pub struct PublicKeySpec {
    /// The PEM text of the RSA public key.
    pub pem: &'static str,
    /// The key version the AWS Marketplace Management Portal shows.
    pub version: u32,
}

/// Which tokio runtime the generated `main` builds.
#[doc(hidden)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RuntimeFlavor {
    /// One thread.
    CurrentThread,
    /// tokio's multi-threaded scheduler; `None` = one worker per core.
    MultiThread {
        /// Worker thread count.
        worker_threads: Option<usize>,
    },
}

/// The listing's pricing model as a type the generated `main` names, so that it instantiates
/// only the start-up and shutdown its pricing needs: an hourly program's binary then links
/// no metering thread, journal, dry run or License Manager code. Not a stable API.
#[doc(hidden)]
pub trait PricingModel {
    /// The model's [`Pricing`].
    const PRICING: Pricing;
}

/// The types of [`PricingModel`], one per [`Pricing`]. Not a stable API.
#[doc(hidden)]
pub mod pricing_model {
    use super::{Pricing, PricingModel};

    macro_rules! models {
        ($($model:ident),*) => {$(
            #[doc = concat!("`Pricing::", stringify!($model), "` as a type.")]
            #[derive(Debug, Clone, Copy)]
            pub struct $model;

            impl PricingModel for $model {
                const PRICING: Pricing = Pricing::$model;
            }
        )*};
    }

    models!(Hourly, Monthly, Custom, Contract);
}
