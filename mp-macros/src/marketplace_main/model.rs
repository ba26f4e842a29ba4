//! What `#[marketplace_main]` means once checked: the crate's own types for its arguments
//! and for the `fn main` it is on. `validate` builds them; `expand` and `fallback` read them.

use crate::contract::entitlement::Entitlement;
use crate::contract::module::Entitlements;
use crate::contract::tiers::Tiers;
use crate::dimensions::module::Lookup;
use crate::dimensions::name::Dimension;
use std::path::PathBuf;
use syn::{Attribute, Block, Ident, PatType, ReturnType, Visibility};

/// A checked `#[marketplace_main]` on a checked `fn main`.
pub(crate) struct Main {
    pub func: MainFn,
    pub spec: Spec,
}

/// The annotated function, in the parts the expansion writes back.
pub(crate) struct MainFn {
    pub outer_attrs: Vec<Attribute>,
    pub inner_attrs: Vec<Attribute>,
    pub vis: Visibility,
    pub ident: Ident,
    pub is_async: bool,
    pub output: ReturnType,
    /// `tier: mp_runtime::ProductTier`, which `main` takes when the program has free product
    /// codes, or `license: mp_runtime::License<Plan>` with contract pricing.
    pub tier: Option<PatType>,
    pub body: Block,
}

/// What the attribute's arguments say, checked.
pub(crate) struct Spec {
    /// The product code; with contract pricing, the product SKU (`contract.product_sku`).
    pub product_code: String,
    pub pricing: Pricing,
    /// Custom pricing's dimensions (empty for hourly and monthly).
    pub dimensions: Vec<Dimension>,
    /// Contract pricing's product SKU and entitlements.
    pub contract: Option<Contract>,
    pub trusted_product_codes: Vec<String>,
    pub free_product_codes: Vec<String>,
    pub public_key: Option<PublicKey>,
    pub startup_deadline_secs: u64,
    /// `None`: `offline_limit = "off"`.
    pub offline_limit_secs: Option<u64>,
    pub flavor: Flavor,
    pub krate: syn::Path,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Pricing {
    Hourly,
    Monthly,
    Custom,
    Contract,
}

/// What `pricing = "contract"` declares: the product SKU License Manager knows the listing
/// by, and the entitlements it sells.
pub(crate) struct Contract {
    pub product_sku: String,
    /// The tier enum, if the listing sells tiers.
    pub tiers: Option<Tiers>,
    pub floating: Vec<Entitlement>,
    pub drawdown: Vec<Entitlement>,
}

impl Pricing {
    /// As written in `pricing = "..."`.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Pricing::Hourly => "hourly",
            Pricing::Monthly => "monthly",
            Pricing::Custom => "custom",
            Pricing::Contract => "contract",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Flavor {
    CurrentThread,
    MultiThread { worker_threads: Option<usize> },
}

#[derive(Debug, PartialEq, Eq)]
pub(crate) struct PublicKey {
    /// Absolute, for `include_str!`.
    pub path: PathBuf,
    pub version: u32,
}

/// Whether `main` takes the tier: it must with `free_product_codes`, so that the free
/// tier cannot be forgotten, and takes nothing without them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TierParam {
    Required,
    /// Contract pricing: `main` takes the license.
    License,
    Forbidden,
    /// The arguments could not be read: what `main` takes is not judged.
    Unknown,
}

/// A rejected attribute: its errors, and what the fallback needs so that the rest of the
/// crate compiles without errors of its own.
pub(crate) struct Rejected {
    pub error: syn::Error,
    /// The runtime's path, the default one if `crate` was rejected.
    pub krate: syn::Path,
    /// What `meter!` resolves against.
    pub lookup: Lookup,
    /// What `checkout!` and `consume!` resolve against.
    pub entitlements: Entitlements,
    /// The tier enum, when the tiers were read: the rest of the crate names it.
    pub tiers: Option<Box<Tiers>>,
}
