//! The door generated code comes through: `#[marketplace_main]` and the macros name only
//! items of this module, so the runtime's internals can move without breaking expansions.
//! It holds re-exports only; the process's life around `main` is `lifecycle`.

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

#[cfg(feature = "contract")]
pub use crate::lifecycle::contract_license;
pub use crate::lifecycle::{registered_tier, run_async, run_sync};

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
