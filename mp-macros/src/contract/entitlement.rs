//! `floating(concurrent_users = "ConcurrentUsers")` and `drawdown(data_gb = "DataGB" in
//! Gigabytes)`: each entry a Rust name that `checkout!` or `consume!` takes, the
//! entitlement's name in the listing (License Manager's `Name`), and its unit.

use crate::dimensions::name::KEYWORDS;
use crate::errors::to_result;
use crate::{rules, suggest};
use mp_marketplace_rules::license::{EntitlementUnit, check_entitlement_name};
use proc_macro2::{Span, TokenStream};
use syn::ext::IdentExt;
use syn::parse::{ParseStream, Parser};
use syn::punctuated::Punctuated;
use syn::{Ident, LitStr, Token};

/// How an entitlement is used up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// Checked out, held, returned: `checkout!`.
    Floating,
    /// Consumed for good: `consume!`.
    Drawdown,
}

impl Kind {
    /// As the attribute argument names it.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Kind::Floating => "floating",
            Kind::Drawdown => "drawdown",
        }
    }
}

/// One declared floating or drawdown entitlement.
#[derive(Clone)]
pub(crate) struct Entitlement {
    /// The name `checkout!` / `consume!` take, with the seller's span.
    pub ident: Ident,
    /// The entitlement's name in the listing, as License Manager knows it.
    pub aws_name: String,
    /// License Manager's unit, as on the wire (`Count`, `Gigabytes`, `Bits/Second`, ...).
    pub unit: &'static str,
    pub kind: Kind,
}

/// The unit when none is written.
const DEFAULT_UNIT: EntitlementUnit = EntitlementUnit::Count;

/// Parses one `floating(...)` or `drawdown(...)` list.
pub(crate) fn parse_list(tokens: TokenStream, kind: Kind) -> syn::Result<Vec<Entitlement>> {
    let entry: fn(ParseStream) -> syn::Result<Entitlement> = match kind {
        Kind::Floating => |input| entry(input, Kind::Floating),
        Kind::Drawdown => |input| entry(input, Kind::Drawdown),
    };
    let parser = |input: ParseStream| {
        Punctuated::<Entitlement, Token![,]>::parse_terminated_with(input, entry)
    };
    parser.parse2(tokens).map(|list| list.into_iter().collect())
}

fn entry(input: ParseStream, kind: Kind) -> syn::Result<Entitlement> {
    let example = match kind {
        Kind::Floating => "`floating(concurrent_users = \"ConcurrentUsers\")`",
        Kind::Drawdown => "`drawdown(data_gb = \"DataGB\" in Gigabytes)`",
    };
    let shape = format!(
        "expected `name = \"EntitlementName\"`, optionally followed by `in Unit`, e.g. {example}"
    );
    let ident = Ident::parse_any(input).map_err(|e| syn::Error::new(e.span(), &shape))?;
    let name = ident.to_string();
    if KEYWORDS.contains(&name.as_str()) || name == "_" {
        return Err(syn::Error::new(
            ident.span(),
            format!(
                "`{name}` is a Rust keyword: an entitlement's name becomes a Rust item that \
                 checkout! and consume! name; pick another (the listing's name goes in the string)"
            ),
        ));
    }
    if !input.peek(Token![=]) {
        return Err(syn::Error::new(ident.span(), shape));
    }
    input.parse::<Token![=]>()?;
    let lit: LitStr = input
        .parse()
        .map_err(|e| syn::Error::new(e.span(), &shape))?;
    let aws_name = lit.value();
    check_entitlement_name(&aws_name).map_err(|v| rules::error(&lit, &v))?;
    let unit = if input.peek(Token![in]) {
        input.parse::<Token![in]>()?;
        unit(&input.parse::<Ident>()?)?
    } else {
        DEFAULT_UNIT
    };
    Ok(Entitlement {
        ident,
        aws_name,
        unit: unit.as_str(),
        kind,
    })
}

/// The unit written after `in`: one that counts a quantity, by its Rust name.
fn unit(written: &Ident) -> syn::Result<EntitlementUnit> {
    let name = written.to_string();
    if let Some(unit) = EntitlementUnit::from_rust_name(&name).filter(|u| u.counts_quantity()) {
        return Ok(unit);
    }
    let names: Vec<&str> = EntitlementUnit::ALL
        .iter()
        .filter(|u| u.counts_quantity())
        .map(|u| u.rust_name())
        .collect();
    let hint = match name.as_str() {
        "None" => "`None` is the tiers' unit: declare tiers in `tiers(enum ...)`. ".to_owned(),
        _ => suggest::closest(&name, &names)
            .map(|s| format!("did you mean `{s}`? "))
            .unwrap_or_default(),
    };
    Err(syn::Error::new(
        written.span(),
        format!(
            "unknown unit `{name}`; {hint}License Manager's units: {}",
            names.join(", ")
        ),
    ))
}

/// Every entitlement name used once across the floating and drawdown lists (they share one
/// namespace in the crate), and every listing name once across everything declared.
pub(crate) fn check_unique(
    entitlements: &[Entitlement],
    tier_names: &[(String, Span)],
) -> syn::Result<()> {
    let mut errors = Vec::new();
    for (i, e) in entitlements.iter().enumerate() {
        if let Some(first) = entitlements[..i].iter().find(|f| f.ident == e.ident) {
            errors.push(syn::Error::new(
                e.ident.span(),
                format!(
                    "entitlement `{}` is declared twice (in {} and in {}): give each one name",
                    e.ident,
                    first.kind.name(),
                    e.kind.name()
                ),
            ));
        } else if entitlements[..i].iter().any(|f| f.aws_name == e.aws_name)
            || tier_names.iter().any(|(t, _)| *t == e.aws_name)
        {
            errors.push(syn::Error::new(
                e.ident.span(),
                format!(
                    "the listing's entitlement \"{}\" is declared twice: declare each once",
                    e.aws_name
                ),
            ));
        }
    }
    to_result(errors)
}

#[cfg(test)]
mod tests {
    use super::*;
    use quote::quote;

    fn parsed(
        tokens: TokenStream,
        kind: Kind,
    ) -> Result<Vec<(String, String, &'static str)>, String> {
        parse_list(tokens, kind)
            .map(|list| {
                list.into_iter()
                    .map(|e| (e.ident.to_string(), e.aws_name, e.unit))
                    .collect()
            })
            .map_err(|e| e.to_string())
    }

    #[test]
    fn names_and_units() {
        let list = parsed(
            quote!(seats = "ConcurrentUsers", bw = "Bandwidth" in GigabitsPerSecond,),
            Kind::Floating,
        )
        .unwrap();
        assert_eq!(
            list,
            [
                ("seats".into(), "ConcurrentUsers".into(), "Count"),
                ("bw".into(), "Bandwidth".into(), "Gigabits/Second")
            ]
        );
    }

    #[test]
    fn misuse_is_explained() {
        let err = parsed(quote!(data_gb = "DataGB" in Gigabyte), Kind::Drawdown).unwrap_err();
        assert!(
            err.starts_with("unknown unit `Gigabyte`; did you mean `Gigabytes`?"),
            "{err}"
        );
        let err = parsed(quote!(tier = "T" in None), Kind::Drawdown).unwrap_err();
        assert!(err.contains("the tiers' unit"), "{err}");
        let err = parsed(quote!(seats), Kind::Floating).unwrap_err();
        assert!(
            err.starts_with("expected `name = \"EntitlementName\"`"),
            "{err}"
        );
        let err = parsed(quote!(type = "T"), Kind::Floating).unwrap_err();
        assert!(err.contains("Rust keyword"), "{err}");
        let err = parsed(quote!(seats = ""), Kind::Floating).unwrap_err();
        assert!(err.contains("cannot be empty"), "{err}");
        // License Manager takes any name; only an empty one names nothing.
        assert!(parsed(quote!(seats = "Concurrent users"), Kind::Floating).is_ok());
    }

    #[test]
    fn duplicates() {
        let mut all = parse_list(quote!(a = "A", b = "B"), Kind::Floating).unwrap();
        all.extend(parse_list(quote!(a = "C", c = "B"), Kind::Drawdown).unwrap());
        let err = crate::errors::messages(&check_unique(&all, &[]).unwrap_err());
        assert_eq!(
            err,
            "entitlement `a` is declared twice (in floating and in drawdown): give each one name\n\
             the listing's entitlement \"B\" is declared twice: declare each once"
        );
    }
}
