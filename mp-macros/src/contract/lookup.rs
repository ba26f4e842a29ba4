//! The errors an entitlement lookup expands to: a name not declared or of the other kind,
//! and any name in a program not priced on contract.

use crate::contract::entitlement::Kind;
use crate::suggest;
use proc_macro2::TokenStream;
use syn::parse::{ParseStream, Parser};
use syn::{Ident, LitStr, Token};

fn kind(ident: &Ident) -> syn::Result<Kind> {
    match ident.to_string().as_str() {
        "floating" => Ok(Kind::Floating),
        "drawdown" => Ok(Kind::Drawdown),
        _ => Err(syn::Error::new(
            ident.span(),
            "expected `floating` or `drawdown`",
        )),
    }
}

/// `__unknown_entitlement!(name; kind; declared, ...; other kind's, ...)`: a name the
/// lookup of `kind` does not have.
pub(crate) fn unknown(input: TokenStream) -> TokenStream {
    let parsed = Parser::parse2(
        |input: ParseStream| {
            let name: Ident = input.parse()?;
            input.parse::<Token![;]>()?;
            let kind = kind(&input.parse()?)?;
            input.parse::<Token![;]>()?;
            let declared = names(input)?;
            input.parse::<Token![;]>()?;
            let other = names(input)?;
            Ok((name, kind, declared, other))
        },
        input,
    );
    let (name, kind, declared, other) = match parsed {
        Ok(parsed) => parsed,
        Err(e) => return e.to_compile_error(),
    };
    let written = name.to_string();
    if other.contains(&written) {
        return wrong(&name, kind);
    }
    let refs: Vec<&str> = declared.iter().map(String::as_str).collect();
    let message = if declared.is_empty() {
        format!(
            "unknown {} entitlement `{name}`: this program declares none. Declare the listing's \
             {} entitlements in #[marketplace_main({}(...))]",
            kind.name(),
            kind.name(),
            kind.name()
        )
    } else {
        let hint = suggest::closest(&written, &refs)
            .map(|s| format!("did you mean `{s}`? "))
            .unwrap_or_default();
        format!(
            "unknown {} entitlement `{name}`; {hint}declared: {}. Declare every {} entitlement \
             of the listing in {}(...)",
            kind.name(),
            declared.join(", "),
            kind.name(),
            kind.name()
        )
    };
    syn::Error::new(name.span(), message).to_compile_error()
}

/// Identifiers up to the next `;` or the end.
fn names(input: ParseStream) -> syn::Result<Vec<String>> {
    let mut names = Vec::new();
    while input.peek(Ident) {
        names.push(input.parse::<Ident>()?.to_string());
        if input.parse::<Option<Token![,]>>()?.is_none() {
            break;
        }
    }
    Ok(names)
}

/// `name` is declared, as an entitlement of the other kind than `asked`'s macro takes.
fn wrong(name: &Ident, asked: Kind) -> TokenStream {
    let (why, usage) = match asked {
        Kind::Floating => (
            "a drawdown entitlement, consumed for good, not checked out and returned",
            format!("consume!({name}, n)"),
        ),
        Kind::Drawdown => (
            "a floating entitlement, checked out and returned, not consumed",
            format!("checkout!({name})"),
        ),
    };
    syn::Error::new(name.span(), format!("`{name}` is {why}: use `{usage}`")).to_compile_error()
}

/// `__no_entitlements!(name; "pricing")`: a program priced otherwise has no entitlements.
pub(crate) fn none(input: TokenStream) -> TokenStream {
    let parsed = Parser::parse2(
        |input: ParseStream| {
            let name: Ident = input.parse()?;
            input.parse::<Token![;]>()?;
            Ok((name, input.parse::<LitStr>()?.value()))
        },
        input,
    );
    match parsed {
        Ok((name, pricing)) => syn::Error::new(
            name.span(),
            format!(
                "no entitlements are declared in this crate: `#[marketplace_main]` has pricing = \
                 \"{pricing}\", so `{name}` cannot be checked out or consumed. Entitlements \
                 belong to pricing = \"contract\": declare `floating({name} = \"...\")` or \
                 `drawdown({name} = \"...\")` there"
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
    fn messages() {
        let out = unknown(quote!(seets; floating; seats, nodes; data_gb)).to_string();
        assert!(
            out.contains(
                "unknown floating entitlement `seets`; did you mean `seats`? declared: seats, nodes"
            ),
            "{out}"
        );
        let out = unknown(quote!(x; drawdown;;)).to_string();
        assert!(out.contains("this program declares none"), "{out}");
        let out = unknown(quote!(data_gb; floating; seats; data_gb)).to_string();
        assert!(out.contains("use `consume!(data_gb, n)`"), "{out}");
        let out = unknown(quote!(seats; drawdown; ; seats)).to_string();
        assert!(out.contains("use `checkout!(seats)`"), "{out}");
        let out = none(quote!(seats; "hourly")).to_string();
        assert!(out.contains("pricing = \\\"hourly\\\""), "{out}");
    }
}
