//! The errors a crate's dimension lookup expands to: a name that was not declared, and any
//! name in a program priced hourly or monthly.

use crate::suggest;
use proc_macro2::TokenStream;
use syn::parse::{ParseStream, Parser};
use syn::{Ident, Token};

/// `__unknown_dimension!(name; declared, ...)`: what the lookup macro expands to for a name
/// that was not declared.
pub(crate) fn unknown(input: TokenStream) -> TokenStream {
    let parsed = Parser::parse2(
        |input: ParseStream| {
            let name: Ident = input.parse()?;
            input.parse::<Token![;]>()?;
            let declared =
                syn::punctuated::Punctuated::<Ident, Token![,]>::parse_terminated(input)?;
            Ok((name, declared))
        },
        input,
    );
    let (name, declared) = match parsed {
        Ok(parsed) => parsed,
        Err(e) => return e.to_compile_error(),
    };
    let declared: Vec<String> = declared.iter().map(Ident::to_string).collect();
    let refs: Vec<&str> = declared.iter().map(String::as_str).collect();
    let hint = suggest::closest(&name.to_string(), &refs)
        .map(|s| format!("did you mean `{s}`? "))
        .unwrap_or_default();
    syn::Error::new(
        name.span(),
        format!(
            "unknown dimension `{name}`; {hint}declared: {}. Declare every dimension of the \
             listing in dimensions(...)",
            declared.join(", ")
        ),
    )
    .to_compile_error()
}

/// `__no_dimensions!(name; pricing)`: what an hourly or monthly program's lookup expands to.
/// Such a crate declares no dimensions, so the error says where they are declared.
pub(crate) fn no_dimensions(input: TokenStream) -> TokenStream {
    let parsed = Parser::parse2(
        |input: ParseStream| {
            let name: Ident = input.parse()?;
            input.parse::<Token![;]>()?;
            let pricing: syn::LitStr = input.parse()?;
            Ok((name, pricing.value()))
        },
        input,
    );
    match parsed {
        Ok((name, pricing)) if pricing == "contract" => syn::Error::new(
            name.span(),
            format!(
                "no dimensions are declared in this crate: `#[marketplace_main]` has pricing = \
                 \"contract\", which License Manager entitlements pay for, so `{name}` cannot be \
                 metered. Draw a quantity down with `consume!` from a `drawdown(..)` entitlement \
                 instead"
            ),
        )
        .to_compile_error(),
        Ok((name, pricing)) => syn::Error::new(
            name.span(),
            format!(
                "no dimensions are declared in this crate: `#[marketplace_main]` has pricing = \
                 \"{pricing}\", which RegisterUsage bills, so `{name}` cannot be metered. To meter \
                 it, declare `pricing = \"custom\", dimensions({name})` in `#[marketplace_main]`, \
                 or `mp_runtime::dimensions!({name})` at the root of a library crate"
            ),
        )
        .to_compile_error(),
        Err(e) => e.to_compile_error(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use quote::quote;

    #[test]
    fn unknown_names_get_a_suggestion_and_the_declared_list() {
        let out = unknown(quote!(reqests; requests, data_gb)).to_string();
        assert!(
            out.contains(
                "unknown dimension `reqests`; did you mean `requests`? declared: requests, data_gb"
            ),
            "{out}"
        );
        let out = unknown(quote!(cpu; requests)).to_string();
        assert!(
            out.contains("unknown dimension `cpu`; declared: requests"),
            "{out}"
        );
    }

    #[test]
    fn hourly_programs_say_where_dimensions_are_declared() {
        let out = no_dimensions(quote!(requests; "monthly")).to_string();
        assert!(out.contains("pricing = \\\"monthly\\\""), "{out}");
        assert!(out.contains("dimensions(requests)"), "{out}");
        assert!(out.contains("mp_runtime::dimensions!(requests)"), "{out}");
    }
}
