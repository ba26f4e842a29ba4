//! The attribute's contract-pricing arguments: `product_sku`, `tiers(enum ..)`,
//! `floating(..)` and `drawdown(..)` with `pricing = "contract"`, and none of them (nor the
//! RegisterUsage arguments) where they do not apply.

use crate::contract::entitlement::{self, Kind};
use crate::contract::tiers::{self, Tiers};
use crate::errors::{Checked, Join, to_result};
use crate::marketplace_main::args::Args;
use crate::marketplace_main::model::Contract;
use crate::marketplace_main::parse::Value;
use crate::rules;
use mp_marketplace_rules::license::check_product_sku;
use proc_macro2::Span;

/// The arguments only contract pricing takes.
const CONTRACT_ONLY: &[&str] = &["product_sku", "tiers", "floating", "drawdown"];
/// The arguments contract pricing does not take, and why.
const NOT_WITH_CONTRACT: &[(&str, &str)] = &[
    (
        "product_code",
        "License Manager knows the listing by its product SKU: remove `product_code`, \
         `product_sku = \"prod-...\"` names it",
    ),
    (
        "trusted_product_codes",
        "a contract product does not register a product code: remove it",
    ),
    (
        "free_product_codes",
        "a contract product does not register a product code; a free tier is a tier of \
         `tiers(..)`: remove it",
    ),
    (
        "public_key",
        "it verifies RegisterUsage, which a contract product does not call: remove it",
    ),
    (
        "public_key_version",
        "it verifies RegisterUsage, which a contract product does not call: remove it",
    ),
];

/// The contract arguments, checked; with `pricing = "contract"` only.
pub(crate) fn contract(args: &Args) -> Checked<Contract> {
    let not_here = NOT_WITH_CONTRACT.iter().map(|(name, why)| {
        Ok(args.get(name)?.map(|arg| {
            syn::Error::new(
                arg.name.span(),
                format!("`{name}` does not apply to pricing = \"contract\": {why}"),
            )
        }))
    });
    let not_here: Checked<Vec<Option<syn::Error>>> = not_here.collect();
    let not_here = not_here.and_then(|errors| Ok(to_result(errors.into_iter().flatten())?));
    let ((), product_sku, tiers, floating, drawdown) = (
        not_here,
        product_sku(args),
        tiers(args),
        list(args, Kind::Floating),
        list(args, Kind::Drawdown),
    )
        .join()?;
    let mut entitlements = floating.clone();
    entitlements.extend(drawdown.iter().cloned());
    let tier_names = tiers.as_ref().map(Tiers::names).unwrap_or_default();
    entitlement::check_unique(&entitlements, &tier_names)?;
    if tiers.is_none() && entitlements.is_empty() {
        return Err(syn::Error::new(
            args.get("pricing")?
                .map_or(Span::call_site(), |arg| arg.name.span()),
            "pricing = \"contract\" needs the listing's entitlements: declare its \
             `tiers(enum ..)`, `floating(..)` or `drawdown(..)` entitlements",
        )
        .into());
    }
    Ok(Contract {
        product_sku,
        tiers,
        floating,
        drawdown,
    })
}

/// With any other pricing, none of the contract arguments; `pricing` names the listing
/// with its article ("an hourly").
pub(crate) fn absent(args: &Args, pricing: &str) -> Checked<()> {
    let mut errors = Vec::new();
    for name in CONTRACT_ONLY {
        if let Some(arg) = args.get(name)? {
            errors.push(syn::Error::new(
                arg.name.span(),
                format!(
                    "`{name}` needs pricing = \"contract\": {pricing} listing has no License \
                     Manager entitlements; remove it or set pricing = \"contract\""
                ),
            ));
        }
    }
    Ok(to_result(errors)?)
}

/// The tier enum, if `tiers(..)` was given and reads.
pub(crate) fn tiers(args: &Args) -> Checked<Option<Tiers>> {
    match args.get("tiers")?.map(|arg| &arg.value) {
        None => Ok(None),
        Some(Value::List(tokens, span)) => Ok(Some(tiers::parse(tokens.clone(), *span)?)),
        Some(Value::Expr(value)) => Err(syn::Error::new_spanned(
            value,
            "write the tiers as a list holding an enum: `tiers(enum Plan { Basic = \"BasicTier\" })`",
        )
        .into()),
    }
}

fn product_sku(args: &Args) -> Checked<String> {
    let Some(arg) = args.get("product_sku")? else {
        return Err(syn::Error::new(
            Span::call_site(),
            "missing `product_sku = \"prod-...\"`: the product ID License Manager knows the \
             listing by (the AWS Marketplace Management Portal shows it; it is not the product \
             code)",
        )
        .into());
    };
    let lit = arg.string()?;
    let sku = lit.value();
    check_product_sku(&sku).map_err(|v| rules::error(&lit, &v))?;
    Ok(sku)
}

/// `floating(..)` or `drawdown(..)`, empty if not given.
fn list(args: &Args, kind: Kind) -> Checked<Vec<entitlement::Entitlement>> {
    match args.get(kind.name())?.map(|arg| &arg.value) {
        None => Ok(Vec::new()),
        Some(Value::List(tokens, _)) => Ok(entitlement::parse_list(tokens.clone(), kind)?),
        Some(Value::Expr(value)) => Err(syn::Error::new_spanned(
            value,
            format!(
                "write the {} entitlements as a list: `{}(name = \"EntitlementName\")`",
                kind.name(),
                kind.name()
            ),
        )
        .into()),
    }
}
