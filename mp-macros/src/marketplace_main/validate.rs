//! Parsed arguments and the annotated item -> the checked model. Independent checks are
//! joined, so the user sees every error in one build.

use crate::contract::module::Entitlements;
use crate::dimensions::module::Lookup;
use crate::dimensions::name::{self, Dimension};
use crate::errors::{Checked, Failed, Join, Merge};
use crate::marketplace_main::args::Args;
use crate::marketplace_main::contract::{self, absent};
use crate::marketplace_main::duration::{
    self, CONTRACT_OFFLINE_LIMIT, OFFLINE_LIMIT, STARTUP_DEADLINE,
};
use crate::marketplace_main::model::{
    Contract, Flavor, Main, Pricing, PublicKey, Rejected, Spec, TierParam,
};
use crate::marketplace_main::parse::{RawArg, Value, parse_args};
use crate::marketplace_main::{item, public_key};
use crate::rules;
use mp_marketplace_rules::check_product_code;
use proc_macro2::{Span, TokenStream};
use std::path::{Path, PathBuf};
use syn::LitStr;

/// Checks the attribute arguments and the item it is on.
pub(crate) fn validate(tokens: TokenStream, item: &TokenStream) -> Result<Main, Box<Rejected>> {
    let (args, names) = match parse_args(tokens) {
        Ok(raw) => Args::sort(raw),
        Err(error) => {
            let error = match item::check(item, TierParam::Unknown) {
                Ok(_) => error,
                Err(item_errors) => item_errors.merge(error),
            };
            return Err(Box::new(rejected(error, None)));
        }
    };
    let checked = (
        item::check(item, tier_param(&args)).map_err(Failed::from),
        spec(&args, names, manifest_dir().as_deref()),
    )
        .join();
    match checked {
        Ok((func, spec)) => Ok(Main { func, spec }),
        Err(failed) => Err(Box::new(rejected(failed.into_error(), Some(&args)))),
    }
}

/// With free product codes `main` takes the tier, with contract pricing the license; see
/// `TierParam`.
fn tier_param(args: &Args) -> TierParam {
    match pricing(args) {
        Ok(Pricing::Contract) => return TierParam::License,
        Ok(_) => {}
        Err(_) if args.get("product_sku").is_ok_and(|sku| sku.is_some()) => {
            return TierParam::Unknown;
        }
        Err(_) => {}
    }
    match args.get("free_product_codes") {
        Ok(Some(_)) => TierParam::Required,
        Ok(None) => TierParam::Forbidden,
        Err(_) => TierParam::Unknown,
    }
}

/// `error`, with the runtime's path and the dimensions `meter!` resolves against as far as
/// `args` tell them, so that no `meter!` adds an error of its own.
fn rejected(error: syn::Error, args: Option<&Args>) -> Rejected {
    let Some(args) = args else {
        return Rejected {
            error,
            krate: default_krate(),
            lookup: Lookup::Unchecked,
            entitlements: Entitlements::Unchecked,
            tiers: None,
        };
    };
    let pricing = pricing(args);
    let lookup = match (&pricing, dimensions(args)) {
        (_, Ok(dimensions)) if !dimensions.is_empty() => Lookup::Declared(dimensions),
        (Ok(billed @ (Pricing::Hourly | Pricing::Monthly | Pricing::Contract)), Ok(_)) => {
            Lookup::Billed(billed.name())
        }
        _ => Lookup::Unchecked,
    };
    let entitlements = match &pricing {
        Ok(Pricing::Contract) => Entitlements::Unchecked,
        Ok(other) => Entitlements::Billed(other.name()),
        Err(_) => Entitlements::Unchecked,
    };
    Rejected {
        error,
        krate: krate(args).unwrap_or_else(|_| default_krate()),
        lookup,
        entitlements,
        tiers: contract::tiers(args).ok().flatten().map(Box::new),
    }
}

const PRODUCT_CODE: &str =
    "`product_code = \"...\"`: the product code from the AWS Marketplace Management Portal";
const PRICING: &str = "`pricing = \"hourly\"`, `\"monthly\"`, `\"custom\"` or `\"contract\"`: the \
     listing's pricing model";

fn manifest_dir() -> Option<PathBuf> {
    std::env::var_os("CARGO_MANIFEST_DIR").map(PathBuf::from)
}

fn spec(args: &Args, names: syn::Result<()>, manifest_dir: Option<&Path>) -> Checked<Spec> {
    let pricing = (pricing(args), dimensions(args))
        .join()
        .and_then(|(pricing, dimensions)| {
            check_pricing_dimensions(pricing, &dimensions, args)?;
            Ok((pricing, dimensions))
        });
    let known_pricing = pricing.as_ref().ok().map(|(p, _)| *p);
    let product = product(args, known_pricing);
    let offline_limit_secs = offline_limit(args, known_pricing);
    let (
        (),
        (product_code, contract),
        (pricing, dimensions),
        trusted_product_codes,
        free_product_codes,
        public_key,
        startup_deadline_secs,
        offline_limit_secs,
        flavor,
        krate,
    ) = (
        names.map_err(Failed::from),
        product,
        pricing,
        codes(args, "trusted_product_codes"),
        codes(args, "free_product_codes"),
        public_key(args, manifest_dir),
        startup_deadline(args),
        offline_limit_secs,
        flavor(args),
        krate(args),
    )
        .join()?;
    Ok(Spec {
        product_code,
        pricing,
        dimensions,
        contract,
        trusted_product_codes,
        free_product_codes,
        public_key,
        startup_deadline_secs,
        offline_limit_secs,
        flavor,
        krate,
    })
}

/// The product code, or with contract pricing the product SKU and the entitlements. While
/// the pricing is unknown, `product_sku` tells which one the seller meant.
fn product(args: &Args, pricing: Option<Pricing>) -> Checked<(String, Option<Contract>)> {
    let contract = match pricing {
        Some(pricing) => pricing == Pricing::Contract,
        None => matches!(args.get("product_sku"), Ok(Some(_))),
    };
    if contract {
        let contract = contract::contract(args)?;
        return Ok((contract.product_sku.clone(), Some(contract)));
    }
    let listing = match pricing {
        Some(Pricing::Hourly) => "an hourly",
        Some(Pricing::Monthly) => "a monthly",
        Some(Pricing::Custom) => "a custom",
        _ => "this",
    };
    let code =
        required(args, "product_code", PRODUCT_CODE).and_then(|arg| Ok(code(&arg.string()?)?));
    let (code, ()) = (code, absent(args, listing)).join()?;
    Ok((code, None))
}

/// `what` says what to write and why.
fn required<'a>(args: &'a Args, name: &str, what: &str) -> Checked<&'a RawArg> {
    args.get(name)?
        .ok_or_else(|| syn::Error::new(Span::call_site(), format!("missing {what}")).into())
}

fn code(lit: &LitStr) -> syn::Result<String> {
    let value = lit.value();
    check_product_code(&value).map_err(|violation| rules::error(lit, &violation))?;
    Ok(value)
}

fn codes(args: &Args, name: &str) -> Checked<Vec<String>> {
    match args.get(name)? {
        Some(arg) => Ok(arg.string_list(code)?),
        None => Ok(Vec::new()),
    }
}

fn pricing(args: &Args) -> Checked<Pricing> {
    let lit = required(args, "pricing", PRICING)?.string()?;
    match lit.value().as_str() {
        "hourly" => Ok(Pricing::Hourly),
        "monthly" => Ok(Pricing::Monthly),
        "custom" => Ok(Pricing::Custom),
        "contract" => Ok(Pricing::Contract),
        other => Err(syn::Error::new_spanned(
            &lit,
            format!(
                "unknown pricing {other:?}: expected \"hourly\", \"monthly\", \"custom\" or \"contract\""
            ),
        )
        .into()),
    }
}

/// `dimensions(requests, data_gb)`: the listing's custom dimensions, by API name.
fn dimensions(args: &Args) -> Checked<Vec<Dimension>> {
    match args.get("dimensions")?.map(|arg| &arg.value) {
        None => Ok(Vec::new()),
        Some(Value::List(tokens, _)) => Ok(name::parse_list(tokens.clone())?),
        Some(Value::Expr(value)) => Err(syn::Error::new_spanned(
            value,
            "write the dimensions as a list: `dimensions(requests, data_gb)`",
        )
        .into()),
    }
}

/// Custom pricing is metered by dimension; hourly and monthly are not.
fn check_pricing_dimensions(
    pricing: Pricing,
    dimensions: &[Dimension],
    args: &Args,
) -> Checked<()> {
    match (pricing, dimensions.is_empty()) {
        (Pricing::Custom, true) => {
            let span = match args.get("pricing")?.map(|a| &a.value) {
                Some(Value::Expr(value)) => syn::spanned::Spanned::span(value),
                _ => Span::call_site(),
            };
            Err(syn::Error::new(
                span,
                "pricing = \"custom\" needs at least one dimension: add `dimensions(requests, ...)` \
                 with the API names of the listing's custom dimensions",
            )
            .into())
        }
        (Pricing::Contract, false) => {
            let span = args
                .get("dimensions")?
                .map_or(Span::call_site(), |a| a.name.span());
            Err(syn::Error::new(
                span,
                "`dimensions` need pricing = \"custom\": a contract listing is not metered; \
                 declare its entitlements in tiers(..), floating(..) and drawdown(..) instead",
            )
            .into())
        }
        (Pricing::Hourly | Pricing::Monthly, false) => {
            let span = args
                .get("dimensions")?
                .map_or(Span::call_site(), |a| a.name.span());
            Err(syn::Error::new(
                span,
                format!(
                    "`dimensions` need pricing = \"custom\": {} listing is billed through RegisterUsage, \
                     not metered; remove `dimensions(...)` or set pricing = \"custom\"",
                    if pricing == Pricing::Hourly { "an hourly" } else { "a monthly" }
                ),
            )
            .into())
        }
        _ => Ok(()),
    }
}

/// Both or neither of `public_key` and `public_key_version`.
fn public_key(args: &Args, manifest_dir: Option<&Path>) -> Checked<Option<PublicKey>> {
    let (path, version) = (args.get("public_key"), args.get("public_key_version")).join()?;
    let (path, version) = match (path, version) {
        (None, None) => return Ok(None),
        (Some(path), None) => {
            return Err(syn::Error::new(
                path.name.span(),
                "`public_key` needs `public_key_version = N` too: the key version the AWS Marketplace Management Portal shows",
            )
            .into());
        }
        (None, Some(version)) => {
            return Err(syn::Error::new(
                version.name.span(),
                "`public_key_version` needs `public_key = \"path/to/key.pem\"` too",
            )
            .into());
        }
        (Some(path), Some(version)) => (path, version),
    };
    let (version, path) = (version.positive::<u32>(), key_file(path, manifest_dir)).join()?;
    Ok(Some(PublicKey { path, version }))
}

fn key_file(arg: &RawArg, manifest_dir: Option<&Path>) -> syn::Result<PathBuf> {
    let lit = arg.string()?;
    let Some(dir) = manifest_dir else {
        return Err(syn::Error::new_spanned(
            &lit,
            "CARGO_MANIFEST_DIR is not set: build with cargo",
        ));
    };
    public_key::resolve(dir, &lit.value()).map_err(|e| syn::Error::new_spanned(&lit, e))
}

fn startup_deadline(args: &Args) -> Checked<u64> {
    let Some(arg) = args.get("startup_deadline")? else {
        return Ok(STARTUP_DEADLINE.default_secs);
    };
    let lit = arg.string()?;
    Ok(duration::parse(&STARTUP_DEADLINE, &lit.value())
        .map_err(|e| syn::Error::new_spanned(&lit, e))?)
}

/// `None` for `"off"`, and for hourly and monthly pricing, which send nothing after start-up.
fn offline_limit(args: &Args, pricing: Option<Pricing>) -> Checked<Option<u64>> {
    let Some(arg) = args.get("offline_limit")? else {
        return Ok(match pricing {
            Some(Pricing::Hourly | Pricing::Monthly) => None,
            _ => Some(OFFLINE_LIMIT.default_secs),
        });
    };
    if let Some(pricing @ (Pricing::Hourly | Pricing::Monthly)) = pricing {
        return Err(syn::Error::new(
            arg.name.span(),
            format!(
                "`offline_limit` needs pricing = \"custom\" or \"contract\": {} pricing is billed \
                 from the RegisterUsage at start-up and sends nothing after it; remove it",
                pricing.name()
            ),
        )
        .into());
    }
    let lit = arg.string()?;
    if lit.value() == duration::OFF {
        return Ok(None);
    }
    let bounds = match pricing {
        Some(Pricing::Contract) => &CONTRACT_OFFLINE_LIMIT,
        _ => &OFFLINE_LIMIT,
    };
    let secs = duration::parse(bounds, &lit.value()).map_err(|e| {
        syn::Error::new_spanned(&lit, format!("{e}, or \"{}\" for no limit", duration::OFF))
    })?;
    Ok(Some(secs))
}

fn flavor(args: &Args) -> Checked<Flavor> {
    let current_thread = current_thread(args);
    let workers = args.get("worker_threads");
    if let (Ok(true), Ok(Some(workers))) = (&current_thread, &workers) {
        return Err(syn::Error::new(
            workers.name.span(),
            "`worker_threads` needs the multi-thread runtime: remove it or set `flavor = \"multi_thread\"`",
        )
        .into());
    }
    // Whatever the flavor, a worker count must be positive.
    let workers = workers.and_then(|arg| Ok(arg.map(RawArg::positive::<usize>).transpose()?));
    Ok(match (current_thread, workers).join()? {
        (true, _) => Flavor::CurrentThread,
        (false, worker_threads) => Flavor::MultiThread { worker_threads },
    })
}

/// `flavor = "current_thread"` rather than the default `"multi_thread"`.
fn current_thread(args: &Args) -> Checked<bool> {
    let Some(arg) = args.get("flavor")? else {
        return Ok(false);
    };
    let lit = arg.string()?;
    match lit.value().as_str() {
        "multi_thread" => Ok(false),
        "current_thread" => Ok(true),
        other => Err(syn::Error::new_spanned(
            &lit,
            format!("unknown flavor {other:?}: expected \"multi_thread\" or \"current_thread\""),
        )
        .into()),
    }
}

fn default_krate() -> syn::Path {
    syn::parse_quote!(::mp_runtime)
}

fn krate(args: &Args) -> Checked<syn::Path> {
    let Some(arg) = args.get("crate")? else {
        return Ok(default_krate());
    };
    let lit = arg.string()?;
    Ok(lit.parse::<syn::Path>().map_err(|_| {
        syn::Error::new_spanned(&lit, "`crate` expects a path such as \"::mp_runtime\"")
    })?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use quote::quote;

    /// Every message of a rejected `tokens`, one a line.
    fn error(tokens: TokenStream) -> String {
        args(tokens).err().expect("rejected")
    }

    fn args(tokens: TokenStream) -> Result<Spec, String> {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        let (args, names) = Args::sort(parse_args(tokens).map_err(|e| e.to_string())?);
        spec(&args, names, Some(&dir)).map_err(|e| crate::errors::messages(&e.into_error()))
    }

    #[test]
    fn minimal_gets_defaults() {
        let spec = args(quote!(product_code = "abc", pricing = "hourly")).unwrap();
        assert_eq!(spec.product_code, "abc");
        assert_eq!(spec.pricing, Pricing::Hourly);
        assert_eq!(spec.startup_deadline_secs, 300);
        assert_eq!(
            spec.offline_limit_secs, None,
            "hourly sends nothing after start-up"
        );
        assert_eq!(
            spec.flavor,
            Flavor::MultiThread {
                worker_threads: None
            }
        );
        assert!(spec.public_key.is_none() && spec.trusted_product_codes.is_empty());
        let krate = &spec.krate;
        assert_eq!(quote!(#krate).to_string(), quote!(::mp_runtime).to_string());
    }

    #[test]
    fn offline_limit_is_a_duration_or_off() {
        let limit = |value: &str| {
            args(quote!(product_code = "abc", pricing = "custom", dimensions(requests), offline_limit = #value))
                .map(|spec| spec.offline_limit_secs)
        };
        assert_eq!(limit("30m"), Ok(Some(1800)));
        assert_eq!(limit("7d"), Ok(Some(7 * 86400)));
        assert_eq!(
            limit("8d"),
            Err(
                "offline_limit \"8d\" is longer than the 168h limit, or \"off\" for no limit"
                    .into()
            )
        );
        let contract = args(quote!(
            pricing = "contract",
            product_sku = "sku",
            tiers(enum Plan { Basic = "BasicTier" }),
            offline_limit = "30d"
        ));
        assert_eq!(
            contract.map(|spec| spec.offline_limit_secs),
            Ok(Some(30 * 86400))
        );
        assert_eq!(limit("off"), Ok(None));
        assert_eq!(
            limit("30s"),
            Err("offline_limit must be at least \"1m\", or \"off\" for no limit".into())
        );
        assert!(
            limit("Off")
                .unwrap_err()
                .starts_with("cannot read offline_limit \"Off\"")
        );
        let custom = args(quote!(
            product_code = "abc",
            pricing = "custom",
            dimensions(requests)
        ));
        assert_eq!(
            custom.unwrap().offline_limit_secs,
            Some(6 * 3600),
            "the default"
        );
        let hourly = args(quote!(
            product_code = "abc",
            pricing = "hourly",
            offline_limit = "1h"
        ));
        assert!(
            hourly
                .err()
                .unwrap()
                .starts_with("`offline_limit` needs pricing = \"custom\"")
        );
    }

    #[test]
    fn everything_set() {
        let spec = args(quote!(
            product_code = "abc",
            pricing = "monthly",
            trusted_product_codes = ["x", "y"],
            free_product_codes = ["f"],
            public_key = "mp-emulator/keys/test-only-public.pem",
            public_key_version = 2,
            startup_deadline = "30s",
            flavor = "multi_thread",
            worker_threads = 4,
            crate = "my::rt"
        ))
        .unwrap();
        assert_eq!(spec.pricing, Pricing::Monthly);
        assert_eq!(spec.trusted_product_codes, ["x", "y"]);
        assert_eq!(spec.free_product_codes, ["f"]);
        let key = spec.public_key.unwrap();
        assert_eq!(key.version, 2);
        assert!(key.path.is_absolute());
        assert_eq!(spec.startup_deadline_secs, 30);
        assert_eq!(
            spec.flavor,
            Flavor::MultiThread {
                worker_threads: Some(4)
            }
        );
    }

    #[test]
    fn all_argument_errors_come_together() {
        let err = error(quote!(
            product_code = 5,
            pricing = "custom",
            flavr = "x",
            worker_threads = 0
        ));
        assert!(err.contains("expects a string literal"), "{err}");
        assert!(err.contains("needs at least one dimension"), "{err}");
        assert!(err.contains("did you mean `flavor`?"), "{err}");
        assert!(err.contains("not 0"), "{err}");
    }

    #[test]
    fn missing_and_duplicate() {
        let err = error(quote!());
        assert!(
            err.contains("missing `product_code") && err.contains("missing `pricing"),
            "{err}"
        );
        let err = error(quote!(
            product_code = "a",
            pricing = "hourly",
            pricing = "hourly"
        ));
        assert_eq!(err, "`pricing` is given twice: give each argument once");
    }

    #[test]
    fn a_misspelling_is_its_only_error() {
        // It stands in for the argument it suggests: no `missing`, no `needs ... too`.
        let err = error(quote!(
            prodct_code = "a",
            pricing = "custom",
            dimension(requests)
        ));
        let lines: Vec<_> = err.lines().collect();
        assert_eq!(lines.len(), 2, "{err}");
        assert!(
            lines[0].starts_with("unknown argument `prodct_code`; did you mean `product_code`?")
        );
        assert!(lines[1].starts_with("unknown argument `dimension`; did you mean `dimensions`?"));
        // Spelt right elsewhere in the list, the argument is used and the misspelling is unknown.
        let err = error(quote!(
            pricng = "monthly",
            product_code = "a",
            pricing = "hourly"
        ));
        assert!(err.starts_with("unknown argument `pricng`"), "{err}");
        assert!(!err.contains('\n'), "{err}");
    }

    #[test]
    fn a_rejected_attribute_still_says_what_meter_resolves_against() {
        let lookup = |args| {
            let rejected = validate(
                args,
                &quote!(
                    fn main() {}
                ),
            )
            .err();
            rejected.expect("rejected").lookup
        };
        let declared = lookup(quote!(product_code = "", pricing = "custom", dimensions(a)));
        assert!(matches!(declared, Lookup::Declared(d) if d.len() == 1));
        let billed = lookup(quote!(product_code = "", pricing = "hourly"));
        assert!(matches!(billed, Lookup::Billed("hourly")));
        // Not known: any name, so `meter!` adds no error of its own.
        for args in [
            quote!(product_code = "a", pricing = "custom", dimensions(a, "b-c")),
            quote!(product_code = "a", pricing = "custom"),
            quote!(product_code = "a", pricing = "yearly"),
            quote!(product_code =),
        ] {
            assert!(matches!(lookup(args), Lookup::Unchecked));
        }
    }

    #[test]
    fn key_pair_rules() {
        let err = error(quote!(
            product_code = "a",
            pricing = "hourly",
            public_key = "k.pem"
        ));
        assert!(err.contains("needs `public_key_version"), "{err}");
        let err = error(quote!(
            product_code = "a",
            pricing = "hourly",
            public_key_version = 1
        ));
        assert!(err.contains("needs `public_key = "), "{err}");
        let err = error(quote!(
            product_code = "a",
            pricing = "hourly",
            public_key = "mp-emulator/keys/test-only-public.pem",
            public_key_version = -1
        ));
        assert!(err.contains("not negative"), "{err}");
    }

    #[test]
    fn runtime_flavor_rules() {
        let spec = args(quote!(
            product_code = "a",
            pricing = "hourly",
            flavor = "current_thread"
        ))
        .unwrap();
        assert_eq!(spec.flavor, Flavor::CurrentThread);
        let err = error(quote!(
            product_code = "a",
            pricing = "hourly",
            flavor = "current_thread",
            worker_threads = 2
        ));
        assert!(err.contains("needs the multi-thread runtime"), "{err}");
    }

    #[test]
    fn custom_pricing_takes_dimensions() {
        let spec = args(quote!(
            product_code = "a",
            pricing = "custom",
            dimensions(requests, data_gb)
        ))
        .unwrap();
        assert_eq!(spec.pricing, Pricing::Custom);
        let names: Vec<_> = spec.dimensions.iter().map(|d| d.name.as_str()).collect();
        assert_eq!(names, ["requests", "data_gb"]);
    }

    #[test]
    fn dimensions_only_with_custom_pricing() {
        for empty in [quote!(), quote!(, dimensions())] {
            let err = error(quote!(product_code = "a", pricing = "custom" #empty));
            assert!(err.contains("needs at least one dimension"), "{err}");
        }
        let err = error(quote!(
            product_code = "a",
            pricing = "hourly",
            dimensions(requests)
        ));
        assert!(
            err.contains("an hourly listing is billed through RegisterUsage"),
            "{err}"
        );
        let err = error(quote!(
            product_code = "a",
            pricing = "custom",
            dimensions = ["requests"]
        ));
        assert!(err.contains("write the dimensions as a list"), "{err}");
        let err = error(quote!(
            product_code("a"),
            pricing = "custom",
            dimensions(a, a)
        ));
        assert!(
            err.contains("takes a value: write `product_code = ...`"),
            "{err}"
        );
        assert!(err.contains("dimension `a` is declared twice"), "{err}");
    }

    #[test]
    fn bad_codes_in_lists() {
        let err = error(quote!(
            product_code = "a",
            pricing = "hourly",
            trusted_product_codes = ["ok", "b d"]
        ));
        assert!(err.contains("ProductCode \"b d\" contains ' '"), "{err}");
    }
}
