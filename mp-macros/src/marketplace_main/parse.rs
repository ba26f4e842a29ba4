//! Attribute tokens -> raw `name = value` and `name(list)` arguments, with the spans later
//! errors point at.

use proc_macro2::{Span, TokenStream};
use syn::ext::IdentExt;
use syn::parse::{ParseStream, Parser};
use syn::punctuated::Punctuated;
use syn::{Expr, Ident, Token, parenthesized, token};

/// One argument as written.
pub(crate) struct RawArg {
    /// The argument name (`crate` is a keyword, so any identifier is accepted here).
    pub name: Ident,
    pub value: Value,
}

/// What follows the name.
pub(crate) enum Value {
    /// `name = value`
    Expr(Expr),
    /// `name(...)`: the tokens inside the parentheses, and the parentheses' span.
    List(TokenStream, Span),
}

/// Parses `a = 1, b = "x", c(x, y), ...`; the names are checked later, in `validate`.
pub(crate) fn parse_args(tokens: TokenStream) -> syn::Result<Vec<RawArg>> {
    let parser = |input: ParseStream| {
        Punctuated::<RawArg, Token![,]>::parse_terminated_with(input, parse_arg)
    };
    Ok(parser.parse2(tokens)?.into_iter().collect())
}

fn parse_arg(input: ParseStream) -> syn::Result<RawArg> {
    let name = Ident::parse_any(input).map_err(|e| {
        syn::Error::new(
            e.span(),
            "expected an argument such as `product_code = \"...\"`",
        )
    })?;
    if input.peek(token::Paren) {
        let content;
        let paren = parenthesized!(content in input);
        return Ok(RawArg {
            name,
            value: Value::List(content.parse()?, paren.span.join()),
        });
    }
    if !input.peek(Token![=]) {
        return Err(syn::Error::new(
            name.span(),
            format!("expected `{name} = <value>`: every argument takes a value"),
        ));
    }
    input.parse::<Token![=]>()?;
    let value = Value::Expr(input.parse()?);
    Ok(RawArg { name, value })
}

#[cfg(test)]
mod tests {
    use super::*;
    use quote::quote;

    #[test]
    fn parses_pairs_including_the_crate_keyword() {
        let args =
            parse_args(quote!(product_code = "a", crate = "x", worker_threads = 2,)).unwrap();
        let names: Vec<_> = args.iter().map(|a| a.name.to_string()).collect();
        assert_eq!(names, ["product_code", "crate", "worker_threads"]);
    }

    #[test]
    fn a_bare_name_is_an_error() {
        let err = parse_args(quote!(product_code)).err().unwrap();
        assert!(
            err.to_string()
                .contains("expected `product_code = <value>`")
        );
    }

    #[test]
    fn a_list_keeps_its_tokens() {
        let args = parse_args(quote!(dimensions(a, b), pricing = "custom")).unwrap();
        match &args[0].value {
            Value::List(tokens, _) => assert_eq!(tokens.to_string(), "a , b"),
            Value::Expr(_) => panic!("expected a list"),
        }
    }

    #[test]
    fn empty_is_fine_here() {
        assert!(parse_args(quote!()).unwrap().is_empty());
    }
}
