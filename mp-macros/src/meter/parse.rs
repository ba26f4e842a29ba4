//! `meter!`'s input -> the call as written: `dimension [, quantity] [, tags = ...]`.

use proc_macro2::{Span, TokenStream};
use syn::parse::{ParseStream, Parser};
use syn::{Expr, Ident, Token};

/// One `meter!` call as written.
pub(crate) struct Call {
    pub dimension: Ident,
    pub quantity: Option<Expr>,
    pub tags: Option<Expr>,
}

pub(crate) fn parse(tokens: TokenStream) -> syn::Result<Call> {
    if tokens.is_empty() {
        return Err(syn::Error::new(
            Span::call_site(),
            "meter! needs a dimension: `meter!(requests)` adds 1, `meter!(requests, n)` adds n",
        ));
    }
    Parser::parse2(|input: ParseStream| parse_inner(input), tokens)
}

fn parse_inner(input: ParseStream) -> syn::Result<Call> {
    let dimension: Ident = input.parse().map_err(|e| {
        syn::Error::new(
            e.span(),
            "meter! expects a declared dimension name first, e.g. `meter!(requests)`",
        )
    })?;
    let mut call = Call {
        dimension,
        quantity: None,
        tags: None,
    };
    while input.parse::<Option<Token![,]>>()?.is_some() && !input.is_empty() {
        if input.peek(syn::Ident) && input.peek2(Token![=]) && !input.peek2(Token![==]) {
            let name: Ident = input.parse()?;
            if name != "tags" || call.tags.is_some() {
                return Err(syn::Error::new(
                    name.span(),
                    format!("meter! takes `tags = ...` after the quantity, not `{name} = ...`"),
                ));
            }
            input.parse::<Token![=]>()?;
            call.tags = Some(input.parse()?);
        } else if call.quantity.is_none() && call.tags.is_none() {
            call.quantity = Some(input.parse()?);
        } else {
            let rest: TokenStream = input.parse()?;
            return Err(syn::Error::new_spanned(
                rest,
                "meter! takes `dimension`, then an optional quantity, then optional `tags = ...`",
            ));
        }
    }
    if !input.is_empty() {
        let rest: TokenStream = input.parse()?;
        return Err(syn::Error::new_spanned(rest, "expected `,` in meter!"));
    }
    Ok(call)
}
