//! What start-up registered: which product, tier and region this process runs as.

use crate::aws::region::Region;
use crate::spec::Pricing;
use std::fmt;
use std::sync::OnceLock;

/// Which product the process runs as: the paid one, or one of the binary's free product codes
/// (not a contract tier: those are the seller's own enum, which implements `ContractTier`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProductTier {
    /// The compiled-in product code, or a trusted override not marked free.
    Paid,
    /// A code from `free_product_codes`: it runs, but never counts as a paid product.
    Free,
}

impl fmt::Display for ProductTier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ProductTier::Paid => "paid",
            ProductTier::Free => "free",
        })
    }
}

/// The outcome of a successful start-up, available to the seller's code through
/// [`registration()`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Registration {
    pub(crate) product_code: &'static str,
    pub(crate) tier: ProductTier,
    pub(crate) pricing: Pricing,
    pub(crate) region: Region,
}

impl Registration {
    /// The product code registered with AWS Marketplace (compiled in, or a trusted override).
    pub fn product_code(&self) -> &'static str {
        self.product_code
    }

    /// Paid or free, from the binary's `free_product_codes`.
    pub fn tier(&self) -> ProductTier {
        self.tier
    }

    /// The pricing model named in `#[marketplace_main]`.
    pub fn pricing(&self) -> Pricing {
        self.pricing
    }

    /// The AWS region the registration was made in.
    pub fn region(&self) -> &str {
        self.region.as_str()
    }
}

static REGISTRATION: OnceLock<Registration> = OnceLock::new();

/// The registration made before `main` ran; `None` outside a `#[marketplace_main]` program.
///
/// ```no_run
/// use mp_runtime::ProductTier;
///
/// #[mp_runtime::marketplace_main(
///     product_code = "5sk2cmh9n3vb1ex4ofpq7rl8t",
///     pricing = "hourly",
///     free_product_codes = ["9free0cmh9n3vb1ex4ofpq7rl"],
/// )]
/// fn main(tier: ProductTier) {
///     let registration = mp_runtime::registration().expect("registered before main runs");
///     let paid_features = tier == ProductTier::Paid;
///     println!(
///         "{} ({}, {} pricing) in {}; paid features: {paid_features}",
///         registration.product_code(),
///         registration.tier(),
///         registration.pricing(),
///         registration.region(),
///     );
/// }
/// ```
pub fn registration() -> Option<&'static Registration> {
    REGISTRATION.get()
}

/// Records the registration; only the first start-up of a process counts.
pub(crate) fn record(registration: Registration) -> &'static Registration {
    REGISTRATION.get_or_init(|| registration)
}
