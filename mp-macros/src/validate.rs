//! Raw arguments and the annotated item -> the checked model. Every problem is collected
//! into one combined `syn::Error`, so the user sees all of them in one build.

use crate::dimension::{self, Dimension};
use crate::errors::Errors;
use crate::main_fn::check_item;
use crate::parse::{self, RawArg, Value};
use crate::{deadline, product_code, public_key, suggest};
use proc_macro2::{Span, TokenStream};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use syn::{Expr, ExprLit, ItemFn, Lit, LitStr, UnOp};

/// Every argument `#[marketplace_main]` accepts, in the order the docs list them.
const ARGUMENTS: &[&str] = &[
    "product_code",
    "pricing",
    "dimensions",
    "trusted_product_codes",
    "free_product_codes",
    "public_key",
    "public_key_version",
    "startup_deadline",
    "flavor",
    "worker_threads",
    "crate",
];

/// A checked `#[marketplace_main]` on a checked `fn main`.
pub struct Main {
    pub func: ItemFn,
    pub spec: Spec,
}

/// What the attribute's arguments say, checked.
pub struct Spec {
    pub product_code: String,
    pub pricing: Pricing,
    /// Custom pricing's dimensions (empty for hourly and monthly).
    pub dimensions: Vec<Dimension>,
    pub trusted_product_codes: Vec<String>,
    pub free_product_codes: Vec<String>,
    pub public_key: Option<PublicKey>,
    pub startup_deadline_secs: u64,
    pub flavor: Flavor,
    pub krate: syn::Path,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pricing {
    Hourly,
    Monthly,
    Custom,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flavor {
    CurrentThread,
    MultiThread { worker_threads: Option<usize> },
}

#[derive(Debug, PartialEq, Eq)]
pub struct PublicKey {
    /// Absolute, for `include_str!`.
    pub path: PathBuf,
    pub version: u32,
}

/// Checks the attribute arguments and the item it is on.
pub fn validate(args: TokenStream, item: &TokenStream) -> Result<Main, syn::Error> {
    let mut errors = Errors::default();
    let func = check_item(item, &mut errors);
    let spec = match parse::parse_args(args) {
        Ok(raw) => check_args(raw, manifest_dir().as_deref(), &mut errors),
        Err(e) => {
            errors.push(e);
            None
        }
    };
    errors.finish()?;
    match (func, spec) {
        (Some(func), Some(spec)) => Ok(Main { func, spec }),
        // Unreachable: a `None` always comes with an error.
        _ => Err(syn::Error::new(
            Span::call_site(),
            "invalid #[marketplace_main]",
        )),
    }
}

fn manifest_dir() -> Option<PathBuf> {
    std::env::var_os("CARGO_MANIFEST_DIR").map(PathBuf::from)
}

fn check_args(raw: Vec<RawArg>, manifest_dir: Option<&Path>, errors: &mut Errors) -> Option<Spec> {
    let args = by_name(raw, errors);
    let get = |name: &str| args.get(name);

    let product_code = match get("product_code") {
        Some(arg) => string(arg, errors).and_then(|lit| code(&lit, errors)),
        None => {
            errors.at(
                Span::call_site(),
                "missing `product_code = \"...\"`: the product code from the AWS Marketplace Management Portal",
            );
            None
        }
    };
    let pricing = match get("pricing") {
        Some(arg) => string(arg, errors).and_then(|lit| pricing(&lit, errors)),
        None => {
            errors.at(
                Span::call_site(),
                "missing `pricing = \"hourly\"`, `\"monthly\"` or `\"custom\"`: the listing's pricing model",
            );
            None
        }
    };
    let dimensions = get("dimensions").map_or(Some(Vec::new()), |arg| dimensions(arg, errors));
    let dimensions = match (pricing, dimensions) {
        (Some(pricing), Some(dimensions)) => {
            check_pricing_dimensions(pricing, &dimensions, &args, errors).then_some(dimensions)
        }
        (_, dimensions) => dimensions,
    };
    let trusted_product_codes =
        get("trusted_product_codes").map_or(Some(Vec::new()), |arg| codes(arg, errors));
    let free_product_codes =
        get("free_product_codes").map_or(Some(Vec::new()), |arg| codes(arg, errors));
    let public_key = public_key(
        get("public_key"),
        get("public_key_version"),
        manifest_dir,
        errors,
    );
    let startup_deadline_secs =
        get("startup_deadline").map_or(Some(deadline::DEFAULT_SECS), |arg| {
            let lit = string(arg, errors)?;
            deadline::parse(&lit.value())
                .map_err(|e| errors.spanned(&lit, e))
                .ok()
        });
    let flavor = flavor(get("flavor"), get("worker_threads"), errors);
    let krate = get("crate").map_or(Some(syn::parse_quote!(::mp_runtime)), |arg| {
        let lit = string(arg, errors)?;
        lit.parse::<syn::Path>()
            .map_err(|_| errors.spanned(&lit, "`crate` expects a path such as \"::mp_runtime\""))
            .ok()
    });

    Some(Spec {
        product_code: product_code?,
        pricing: pricing?,
        dimensions: dimensions?,
        trusted_product_codes: trusted_product_codes?,
        free_product_codes: free_product_codes?,
        public_key: public_key?,
        startup_deadline_secs: startup_deadline_secs?,
        flavor: flavor?,
        krate: krate?,
    })
}

/// Known arguments by name; unknown and repeated ones become errors.
fn by_name(raw: Vec<RawArg>, errors: &mut Errors) -> HashMap<String, RawArg> {
    let mut args: HashMap<String, RawArg> = HashMap::new();
    for arg in raw {
        let name = arg.name.to_string();
        if !ARGUMENTS.contains(&name.as_str()) {
            let hint = suggest::closest(&name, ARGUMENTS)
                .map(|s| format!("did you mean `{s}`? "))
                .unwrap_or_default();
            errors.at(
                arg.name.span(),
                format!(
                    "unknown argument `{name}`; {hint}valid arguments: {}",
                    ARGUMENTS.join(", ")
                ),
            );
        } else if let Some(first) = args.get(&name) {
            errors.at(arg.name.span(), format!("duplicate argument `{name}`"));
            errors.at(first.name.span(), format!("`{name}` first given here"));
        } else {
            args.insert(name, arg);
        }
    }
    args
}

/// The value of a `name = value` argument; `name(...)` is an error for these.
fn expr<'a>(arg: &'a RawArg, errors: &mut Errors) -> Option<&'a Expr> {
    match &arg.value {
        Value::Expr(expr) => Some(expr),
        Value::List(_, span) => {
            let name = &arg.name;
            errors.at(
                *span,
                format!("`{name}` takes a value: write `{name} = ...`, not `{name}(...)`"),
            );
            None
        }
    }
}

fn string(arg: &RawArg, errors: &mut Errors) -> Option<LitStr> {
    match expr(arg, errors)? {
        Expr::Lit(ExprLit {
            lit: Lit::Str(lit), ..
        }) => Some(lit.clone()),
        other => {
            errors.spanned(
                other,
                format!(
                    "`{}` expects a string literal, e.g. `{} = \"...\"`",
                    arg.name, arg.name
                ),
            );
            None
        }
    }
}

/// A positive integer literal that fits `T`.
fn positive<T: std::str::FromStr + Default + PartialEq>(
    arg: &RawArg,
    errors: &mut Errors,
) -> Option<T>
where
    T::Err: std::fmt::Display,
{
    let name = &arg.name;
    let must = format!("`{name}` must be a positive integer, e.g. `{name} = 1`");
    match expr(arg, errors)? {
        Expr::Lit(ExprLit {
            lit: Lit::Int(lit), ..
        }) => match lit.base10_parse::<T>() {
            Ok(n) if n == T::default() => {
                errors.spanned(lit, format!("{must}, not 0"));
                None
            }
            Ok(n) => Some(n),
            Err(e) => {
                errors.spanned(lit, format!("{must}: {e}"));
                None
            }
        },
        Expr::Unary(neg) if matches!(neg.op, UnOp::Neg(_)) => {
            errors.spanned(neg, format!("{must}, not negative"));
            None
        }
        other => {
            errors.spanned(other, format!("{must} (an integer literal)"));
            None
        }
    }
}

fn code(lit: &LitStr, errors: &mut Errors) -> Option<String> {
    let value = lit.value();
    match product_code::problem(&value) {
        Some(problem) => {
            errors.spanned(lit, problem);
            None
        }
        None => Some(value),
    }
}

fn codes(arg: &RawArg, errors: &mut Errors) -> Option<Vec<String>> {
    let value = expr(arg, errors)?;
    let Expr::Array(array) = value else {
        errors.spanned(
            value,
            format!(
                "`{}` expects a list of string literals, e.g. `{} = [\"...\"]`",
                arg.name, arg.name
            ),
        );
        return None;
    };
    let mut out = Some(Vec::new());
    for element in &array.elems {
        let value = match element {
            Expr::Lit(ExprLit {
                lit: Lit::Str(lit), ..
            }) => code(lit, errors),
            other => {
                errors.spanned(other, format!("`{}` expects string literals", arg.name));
                None
            }
        };
        out = out.zip(value).map(|(mut all, v)| {
            all.push(v);
            all
        });
    }
    out
}

fn pricing(lit: &LitStr, errors: &mut Errors) -> Option<Pricing> {
    match lit.value().as_str() {
        "hourly" => Some(Pricing::Hourly),
        "monthly" => Some(Pricing::Monthly),
        "custom" => Some(Pricing::Custom),
        other => {
            errors.spanned(
                lit,
                format!(
                    "unknown pricing {other:?}: expected \"hourly\", \"monthly\" or \"custom\""
                ),
            );
            None
        }
    }
}

/// `dimensions(requests, data_gb)`: the listing's custom dimensions, by API name.
fn dimensions(arg: &RawArg, errors: &mut Errors) -> Option<Vec<Dimension>> {
    match &arg.value {
        Value::List(tokens, _) => dimension::parse_list(tokens.clone(), errors),
        Value::Expr(value) => {
            errors.spanned(
                value,
                "write the dimensions as a list: `dimensions(requests, data_gb)`",
            );
            None
        }
    }
}

/// Custom pricing is metered by dimension; hourly and monthly are not. `false` = reported.
fn check_pricing_dimensions(
    pricing: Pricing,
    dimensions: &[Dimension],
    args: &HashMap<String, RawArg>,
    errors: &mut Errors,
) -> bool {
    let pricing_span = || match args.get("pricing").map(|a| &a.value) {
        Some(Value::Expr(value)) => syn::spanned::Spanned::span(value),
        _ => Span::call_site(),
    };
    match (pricing, dimensions.is_empty()) {
        (Pricing::Custom, true) => {
            errors.at(
                pricing_span(),
                "pricing = \"custom\" needs at least one dimension: add `dimensions(requests, ...)` \
                 with the API names of the listing's custom dimensions",
            );
            false
        }
        (Pricing::Hourly | Pricing::Monthly, false) => {
            let span = args
                .get("dimensions")
                .map_or(Span::call_site(), |a| a.name.span());
            errors.at(
                span,
                format!(
                    "`dimensions` need pricing = \"custom\": {} listing is billed through RegisterUsage, \
                     not metered; remove `dimensions(...)` or set pricing = \"custom\"",
                    if pricing == Pricing::Hourly { "an hourly" } else { "a monthly" }
                ),
            );
            false
        }
        _ => true,
    }
}

/// `Some(None)` = no key; `None` = an error was reported.
fn public_key(
    path: Option<&RawArg>,
    version: Option<&RawArg>,
    manifest_dir: Option<&Path>,
    errors: &mut Errors,
) -> Option<Option<PublicKey>> {
    match (path, version) {
        (None, None) => Some(None),
        (Some(path), None) => {
            errors.at(
                path.name.span(),
                "`public_key` needs `public_key_version = N` too: the key version the AWS Marketplace Management Portal shows",
            );
            None
        }
        (None, Some(version)) => {
            errors.at(
                version.name.span(),
                "`public_key_version` needs `public_key = \"path/to/key.pem\"` too",
            );
            None
        }
        (Some(path), Some(version)) => {
            let version = positive::<u32>(version, errors);
            let lit = string(path, errors)?;
            let Some(dir) = manifest_dir else {
                errors.spanned(&lit, "CARGO_MANIFEST_DIR is not set: build with cargo");
                return None;
            };
            let path = public_key::resolve(dir, &lit.value())
                .map_err(|e| errors.spanned(&lit, e))
                .ok()?;
            Some(Some(PublicKey {
                path,
                version: version?,
            }))
        }
    }
}

fn flavor(
    flavor: Option<&RawArg>,
    workers: Option<&RawArg>,
    errors: &mut Errors,
) -> Option<Flavor> {
    let current_thread = match flavor {
        None => false,
        Some(arg) => {
            let lit = string(arg, errors)?;
            match lit.value().as_str() {
                "multi_thread" => false,
                "current_thread" => true,
                other => {
                    errors.spanned(
                        &lit,
                        format!("unknown flavor {other:?}: expected \"multi_thread\" or \"current_thread\""),
                    );
                    return None;
                }
            }
        }
    };
    let Some(workers) = workers else {
        return Some(if current_thread {
            Flavor::CurrentThread
        } else {
            Flavor::MultiThread {
                worker_threads: None,
            }
        });
    };
    if current_thread {
        errors.at(
            workers.name.span(),
            "`worker_threads` needs the multi-thread runtime: remove it or set `flavor = \"multi_thread\"`",
        );
        return None;
    }
    let n = positive::<usize>(workers, errors)?;
    Some(Flavor::MultiThread {
        worker_threads: Some(n),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use quote::quote;

    fn args(tokens: TokenStream) -> Result<Spec, String> {
        let mut errors = Errors::default();
        let raw = parse::parse_args(tokens).map_err(|e| e.to_string())?;
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        let spec = check_args(raw, Some(&dir), &mut errors);
        errors.finish_as_text().map(|()| spec.unwrap())
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
