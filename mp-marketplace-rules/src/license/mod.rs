//! AWS License Manager's input rules for the calls contract pricing makes (`CheckoutLicense`,
//! `ExtendLicenseConsumption`, `CheckInLicense`, `GetLicense`, `ListReceivedLicenses`):
//! the product SKU, the entitlement names and their units.
//!
//! Source: the License Manager API reference and the service model the AWS SDKs are
//! generated from (`license-manager` 2018-08-01). The model gives `ProductSKU` and an
//! entitlement's `Name` the plain `String` shape: required, with no length limit and no
//! pattern. A rule here refuses nothing AWS would take, so a seller's real SKU or
//! entitlement name can never fail to build; the one stricter reading is that an empty
//! string names no product and no entitlement (the Marketplace issues neither), so it is
//! refused. A SKU that breaks no rule but names no license is the service's to refuse, at
//! run time (`NoEntitlementsAllowedException`).

mod unit;

pub use unit::{EntitlementUnit, check_entitlement_unit};

use crate::{Field, Violation, rule};

/// `ProductSKU`: 1 or more characters, any characters.
///
/// With AWS Marketplace, the product ID the listing shows (`prod-abcd1234efgh5`). The model
/// states no length or character set for it (its shape is the plain `String`), so this rule
/// states none either: a narrower one would refuse a SKU the service takes.
pub fn check_product_sku(sku: &str) -> Result<(), Violation> {
    rule::text(Field::ProductSku, sku, usize::MAX, |_| true)
}

/// An entitlement's `Name` (a tier, a floating pool or a drawdown quantity, as the listing
/// names it): 1 or more characters, any characters, for the same reason as the SKU.
pub fn check_entitlement_name(name: &str) -> Result<(), Violation> {
    rule::text(Field::EntitlementName, name, usize::MAX, |_| true)
}

/// The largest quantity a checkout may ask of an entitlement: License Manager holds counts as
/// a `Long`.
pub const MAX_QUANTITY: u64 = i64::MAX as u64;

/// A quantity asked of an entitlement (`CheckoutLicense`'s `Value`): 1 to [`MAX_QUANTITY`].
/// Zero asks for nothing, so a checkout of it is a wasted call.
pub fn is_quantity(units: u64) -> bool {
    (1..=MAX_QUANTITY).contains(&units)
}

#[cfg(test)]
mod tests;
