//! Parsed arguments and the annotated item -> the checked model. Independent checks are
//! joined, so the user sees every error in one build.

use crate::dimensions::name::{self, Dimension};
use crate::errors::Join;
use crate::marketplace_main::args::Args;
use crate::marketplace_main::model::{Flavor, Main, Pricing, PublicKey, Spec};
use crate::marketplace_main::parse::{RawArg, Value, parse_args};
use crate::marketplace_main::{deadline, item, public_key};
use crate::product_code;
use proc_macro2::{Span, TokenStream};
use std::path::{Path, PathBuf};
use syn::LitStr;

/// Checks the attribute arguments and the item it is on.
pub fn validate(args: TokenStream, item: &TokenStream) -> syn::Result<Main> {
    let (func, spec) = (item::check(item), spec(args, manifest_dir().as_deref())).join()?;
    Ok(Main { func, spec })
}

const PRODUCT_CODE: &str =
    "`product_code = \"...\"`: the product code from the AWS Marketplace Management Portal";
const PRICING: &str =
    "`pricing = \"hourly\"`, `\"monthly\"` or `\"custom\"`: the listing's pricing model";

fn manifest_dir() -> Option<PathBuf> {
    std::env::var_os("CARGO_MANIFEST_DIR").map(PathBuf::from)
}

fn spec(tokens: TokenStream, manifest_dir: Option<&Path>) -> syn::Result<Spec> {
    let (args, names) = Args::sort(parse_args(tokens)?);
    let pricing = (pricing(&args), dimensions(&args))
        .join()
        .and_then(|(pricing, dimensions)| {
            check_pricing_dimensions(pricing, &dimensions, &args)?;
            Ok((pricing, dimensions))
        });
    let (
        (),
        product_code,
        (pricing, dimensions),
        trusted_product_codes,
        free_product_codes,
        public_key,
        startup_deadline_secs,
        flavor,
        krate,
    ) = (
        names,
        required(&args, "product_code", PRODUCT_CODE).and_then(|arg| code(&arg.string()?)),
        pricing,
        codes(args.get("trusted_product_codes")),
        codes(args.get("free_product_codes")),
        public_key(
            args.get("public_key"),
            args.get("public_key_version"),
            manifest_dir,
        ),
        startup_deadline(args.get("startup_deadline")),
        flavor(args.get("flavor"), args.get("worker_threads")),
        krate(args.get("crate")),
    )
        .join()?;
    Ok(Spec {
        product_code,
        pricing,
        dimensions,
        trusted_product_codes,
        free_product_codes,
        public_key,
        startup_deadline_secs,
        flavor,
        krate,
    })
}

/// `what` says what to write and why.
fn required<'a>(args: &'a Args, name: &str, what: &str) -> syn::Result<&'a RawArg> {
    args.get(name)
        .ok_or_else(|| syn::Error::new(Span::call_site(), format!("missing {what}")))
}

fn code(lit: &LitStr) -> syn::Result<String> {
    let value = lit.value();
    match product_code::problem(&value) {
        Some(problem) => Err(syn::Error::new_spanned(lit, problem)),
        None => Ok(value),
    }
}

fn codes(arg: Option<&RawArg>) -> syn::Result<Vec<String>> {
    arg.map_or(Ok(Vec::new()), |arg| arg.string_list(code))
}

fn pricing(args: &Args) -> syn::Result<Pricing> {
    let lit = required(args, "pricing", PRICING)?.string()?;
    match lit.value().as_str() {
        "hourly" => Ok(Pricing::Hourly),
        "monthly" => Ok(Pricing::Monthly),
        "custom" => Ok(Pricing::Custom),
        other => Err(syn::Error::new_spanned(
            &lit,
            format!("unknown pricing {other:?}: expected \"hourly\", \"monthly\" or \"custom\""),
        )),
    }
}

/// `dimensions(requests, data_gb)`: the listing's custom dimensions, by API name.
fn dimensions(args: &Args) -> syn::Result<Vec<Dimension>> {
    match args.get("dimensions").map(|arg| &arg.value) {
        None => Ok(Vec::new()),
        Some(Value::List(tokens, _)) => name::parse_list(tokens.clone()),
        Some(Value::Expr(value)) => Err(syn::Error::new_spanned(
            value,
            "write the dimensions as a list: `dimensions(requests, data_gb)`",
        )),
    }
}

/// Custom pricing is metered by dimension; hourly and monthly are not.
fn check_pricing_dimensions(
    pricing: Pricing,
    dimensions: &[Dimension],
    args: &Args,
) -> syn::Result<()> {
    match (pricing, dimensions.is_empty()) {
        (Pricing::Custom, true) => {
            let span = match args.get("pricing").map(|a| &a.value) {
                Some(Value::Expr(value)) => syn::spanned::Spanned::span(value),
                _ => Span::call_site(),
            };
            Err(syn::Error::new(
                span,
                "pricing = \"custom\" needs at least one dimension: add `dimensions(requests, ...)` \
                 with the API names of the listing's custom dimensions",
            ))
        }
        (Pricing::Hourly | Pricing::Monthly, false) => {
            let span = args
                .get("dimensions")
                .map_or(Span::call_site(), |a| a.name.span());
            Err(syn::Error::new(
                span,
                format!(
                    "`dimensions` need pricing = \"custom\": {} listing is billed through RegisterUsage, \
                     not metered; remove `dimensions(...)` or set pricing = \"custom\"",
                    if pricing == Pricing::Hourly {
                        "an hourly"
                    } else {
                        "a monthly"
                    }
                ),
            ))
        }
        _ => Ok(()),
    }
}

/// Both or neither of `public_key` and `public_key_version`.
fn public_key(
    path: Option<&RawArg>,
    version: Option<&RawArg>,
    manifest_dir: Option<&Path>,
) -> syn::Result<Option<PublicKey>> {
    let (path, version) = match (path, version) {
        (None, None) => return Ok(None),
        (Some(path), None) => {
            return Err(syn::Error::new(
                path.name.span(),
                "`public_key` needs `public_key_version = N` too: the key version the AWS Marketplace Management Portal shows",
            ));
        }
        (None, Some(version)) => {
            return Err(syn::Error::new(
                version.name.span(),
                "`public_key_version` needs `public_key = \"path/to/key.pem\"` too",
            ));
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

fn startup_deadline(arg: Option<&RawArg>) -> syn::Result<u64> {
    let Some(arg) = arg else {
        return Ok(deadline::DEFAULT_SECS);
    };
    let lit = arg.string()?;
    deadline::parse(&lit.value()).map_err(|e| syn::Error::new_spanned(&lit, e))
}

fn flavor(flavor: Option<&RawArg>, workers: Option<&RawArg>) -> syn::Result<Flavor> {
    let current_thread = match flavor {
        None => false,
        Some(arg) => {
            let lit = arg.string()?;
            match lit.value().as_str() {
                "multi_thread" => false,
                "current_thread" => true,
                other => {
                    return Err(syn::Error::new_spanned(
                        &lit,
                        format!(
                            "unknown flavor {other:?}: expected \"multi_thread\" or \"current_thread\""
                        ),
                    ));
                }
            }
        }
    };
    match (current_thread, workers) {
        (true, None) => Ok(Flavor::CurrentThread),
        (true, Some(workers)) => Err(syn::Error::new(
            workers.name.span(),
            "`worker_threads` needs the multi-thread runtime: remove it or set `flavor = \"multi_thread\"`",
        )),
        (false, workers) => Ok(Flavor::MultiThread {
            worker_threads: workers.map(RawArg::positive::<usize>).transpose()?,
        }),
    }
}

fn krate(arg: Option<&RawArg>) -> syn::Result<syn::Path> {
    let Some(arg) = arg else {
        return Ok(syn::parse_quote!(::mp_runtime));
    };
    let lit = arg.string()?;
    lit.parse::<syn::Path>().map_err(|_| {
        syn::Error::new_spanned(&lit, "`crate` expects a path such as \"::mp_runtime\"")
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use quote::quote;

    fn args(tokens: TokenStream) -> Result<Spec, String> {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        spec(tokens, Some(&dir)).map_err(|e| crate::errors::messages(&e))
    }

    #[test]
    fn minimal_gets_defaults() {
        let spec = args(quote!(product_code = "abc", pricing = "hourly")).unwrap();
        assert_eq!(spec.product_code, "abc");
        assert_eq!(spec.pricing, Pricing::Hourly);
        assert_eq!(spec.startup_deadline_secs, 300);
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
        let err = args(quote!(
            product_code = 5,
            pricing = "custom",
            flavr = "x",
            worker_threads = 0
        ))
        .err()
        .unwrap();
        assert!(err.contains("expects a string literal"), "{err}");
        assert!(err.contains("needs at least one dimension"), "{err}");
        assert!(err.contains("did you mean `flavor`?"), "{err}");
        assert!(err.contains("not 0"), "{err}");
    }

    #[test]
    fn missing_and_duplicate() {
        let err = args(quote!()).err().unwrap();
        assert!(
            err.contains("missing `product_code") && err.contains("missing `pricing"),
            "{err}"
        );
        let err = args(quote!(
            product_code = "a",
            pricing = "hourly",
            pricing = "hourly"
        ))
        .err()
        .unwrap();
        assert!(err.contains("duplicate argument `pricing`") && err.contains("first given here"));
    }

    #[test]
    fn key_pair_rules() {
        let err = args(quote!(
            product_code = "a",
            pricing = "hourly",
            public_key = "k.pem"
        ))
        .err()
        .unwrap();
        assert!(err.contains("needs `public_key_version"), "{err}");
        let err = args(quote!(
            product_code = "a",
            pricing = "hourly",
            public_key_version = 1
        ))
        .err()
        .unwrap();
        assert!(err.contains("needs `public_key = "), "{err}");
        let err = args(quote!(
            product_code = "a",
            pricing = "hourly",
            public_key = "mp-emulator/keys/test-only-public.pem",
            public_key_version = -1
        ))
        .err()
        .unwrap();
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
        let err = args(quote!(
            product_code = "a",
            pricing = "hourly",
            flavor = "current_thread",
            worker_threads = 2
        ))
        .err()
        .unwrap();
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
            let err = args(quote!(product_code = "a", pricing = "custom" #empty))
                .err()
                .unwrap();
            assert!(err.contains("needs at least one dimension"), "{err}");
        }
        let err = args(quote!(
            product_code = "a",
            pricing = "hourly",
            dimensions(requests)
        ))
        .err()
        .unwrap();
        assert!(
            err.contains("an hourly listing is billed through RegisterUsage"),
            "{err}"
        );
        let err = args(quote!(
            product_code = "a",
            pricing = "custom",
            dimensions = ["requests"]
        ))
        .err()
        .unwrap();
        assert!(err.contains("write the dimensions as a list"), "{err}");
        let err = args(quote!(
            product_code("a"),
            pricing = "custom",
            dimensions(a, a)
        ))
        .err()
        .unwrap();
        assert!(
            err.contains("takes a value: write `product_code = ...`"),
            "{err}"
        );
        assert!(err.contains("duplicate dimension `a`"), "{err}");
    }

    #[test]
    fn bad_codes_in_lists() {
        let err = args(quote!(
            product_code = "a",
            pricing = "hourly",
            trusted_product_codes = ["ok", "b d"]
        ))
        .err()
        .unwrap();
        assert!(err.contains("contains ' '"), "{err}");
    }
}
