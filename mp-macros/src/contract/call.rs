//! `checkout!(name)`, `checkout!(name, n)` and `consume!(name, n)`: parsed, the literal
//! quantity checked, and expanded to one runtime call on the entitlement's static, found
//! through the crate's lookup of that kind (which refuses the other kind's names).

use crate::contract::entitlement::Kind;
use crate::contract::module::{MODULE, lookup_name};
use crate::forward::split_krate;
use proc_macro2::{Ident, Span, TokenStream};
use quote::{quote, quote_spanned};
use syn::parse::{ParseStream, Parser};
use syn::{Expr, ExprLit, Lit, Token, UnOp};

/// `__checkout!($crate; ...)` or `__consume!($crate; ...)`.
pub(crate) fn expand(input: TokenStream, kind: Kind) -> TokenStream {
    let checked = split_krate(input).and_then(|(krate, rest)| Ok((krate, parse(rest, kind)?)));
    match checked {
        Ok((krate, (name, units))) => {
            let module = Ident::new(MODULE, name.span());
            let lookup = Ident::new(lookup_name(kind), name.span());
            let krate_kw = Ident::new("crate", name.span());
            let target = quote_spanned!(name.span()=> #krate_kw::#module::#lookup!(#name));
            let function = match kind {
                Kind::Floating => quote!(checkout),
                Kind::Drawdown => quote!(consume),
            };
            quote!(#krate::__private::#function(#target, #units))
        }
        Err(e) => e.to_compile_error(),
    }
}

fn macro_name(kind: Kind) -> &'static str {
    match kind {
        Kind::Floating => "checkout!",
        Kind::Drawdown => "consume!",
    }
}

fn parse(tokens: TokenStream, kind: Kind) -> syn::Result<(Ident, TokenStream)> {
    let mac = macro_name(kind);
    let shape = match kind {
        Kind::Floating => {
            "checkout! takes a floating entitlement and an optional count: \
                           `checkout!(concurrent_users)` holds one, `checkout!(concurrent_users, n)` n"
        }
        Kind::Drawdown => {
            "consume! takes a drawdown entitlement and a quantity: `consume!(data_gb, n)`"
        }
    };
    if tokens.is_empty() {
        return Err(syn::Error::new(Span::call_site(), shape));
    }
    Parser::parse2(
        |input: ParseStream| {
            let name: Ident = input
                .parse()
                .map_err(|e| syn::Error::new(e.span(), shape))?;
            let units = if input.parse::<Option<Token![,]>>()?.is_some() && !input.is_empty() {
                Some(input.parse::<Expr>()?)
            } else {
                None
            };
            input.parse::<Option<Token![,]>>()?;
            if !input.is_empty() {
                let rest: TokenStream = input.parse()?;
                return Err(syn::Error::new_spanned(rest, shape));
            }
            let units = match (units, kind) {
                (None, Kind::Floating) => quote!(1u64),
                (None, Kind::Drawdown) => {
                    return Err(syn::Error::new(
                        name.span(),
                        format!(
                            "consume! needs the quantity to draw down: `consume!({name}, n)`; a \
                             drawdown is never implicit"
                        ),
                    ));
                }
                (Some(expr), _) => units_of(expr, mac)?,
            };
            Ok((name, units))
        },
        tokens,
    )
}

/// A literal count must be a positive integer; anything computed is a `u64` for rustc.
fn units_of(expr: Expr, mac: &str) -> syn::Result<TokenStream> {
    match &expr {
        Expr::Lit(ExprLit {
            lit: Lit::Int(lit), ..
        }) if lit.suffix().is_empty() => match lit.base10_parse::<u64>() {
            Ok(0) => Err(syn::Error::new_spanned(
                lit,
                format!("{mac} of 0 units does nothing: the quantity is at least 1"),
            )),
            Ok(n) => Ok(quote_spanned!(lit.span()=> #n)),
            Err(_) => Err(syn::Error::new_spanned(
                lit,
                "this quantity does not fit in a u64",
            )),
        },
        Expr::Lit(ExprLit {
            lit: Lit::Float(_), ..
        }) => Err(syn::Error::new_spanned(
            &expr,
            format!("{mac} quantities are whole units: License Manager counts integers"),
        )),
        Expr::Lit(ExprLit { lit, .. }) if !matches!(lit, Lit::Int(_)) => Err(
            syn::Error::new_spanned(lit, format!("{mac} quantities are integers")),
        ),
        Expr::Unary(neg) if matches!(neg.op, UnOp::Neg(_)) => Err(syn::Error::new_spanned(
            neg,
            format!("{mac} quantities cannot be negative"),
        )),
        _ => Ok(quote!(#expr)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn out(tokens: TokenStream, kind: Kind) -> String {
        expand(tokens, kind).to_string()
    }

    #[test]
    fn forms() {
        assert_eq!(
            out(quote!(::rt; seats), Kind::Floating),
            ":: rt :: __private :: checkout (crate :: __mp_entitlements :: __mp_floating ! (seats) , 1u64)"
        );
        assert_eq!(
            out(quote!(::rt; seats, 3), Kind::Floating),
            ":: rt :: __private :: checkout (crate :: __mp_entitlements :: __mp_floating ! (seats) , 3u64)"
        );
        assert_eq!(
            out(quote!(::rt; data_gb, n * 2,), Kind::Drawdown),
            ":: rt :: __private :: consume (crate :: __mp_entitlements :: __mp_drawdown ! (data_gb) , n * 2)"
        );
    }

    #[test]
    fn misuse() {
        assert!(out(quote!(::rt;), Kind::Floating).contains("checkout! takes a floating"));
        assert!(out(quote!(::rt; data_gb), Kind::Drawdown).contains("consume! needs the quantity"));
        assert!(out(quote!(::rt; d, 0), Kind::Drawdown).contains("0 units does nothing"));
        assert!(out(quote!(::rt; d, -1), Kind::Drawdown).contains("cannot be negative"));
        assert!(out(quote!(::rt; d, 1.5), Kind::Drawdown).contains("whole units"));
        assert!(out(quote!(::rt; d, 1, 2), Kind::Floating).contains("checkout! takes"));
        assert!(out(quote!(::rt; "seats"), Kind::Floating).contains("checkout! takes"));
    }
}
