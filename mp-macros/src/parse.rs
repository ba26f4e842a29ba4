//! Attribute tokens -> raw `name = value` pairs, with the spans later errors point at.

use syn::ext::IdentExt;
use syn::parse::{ParseStream, Parser};
use syn::punctuated::Punctuated;
use syn::{Expr, Ident, Token};

/// One `name = value` argument as written.
pub struct RawArg {
    /// The argument name (`crate` is a keyword, so any identifier is accepted here).
    pub name: Ident,
    pub value: Expr,
}

/// Parses `a = 1, b = "x", ...`; the names are checked later, in `validate`.
pub fn parse_args(tokens: proc_macro2::TokenStream) -> syn::Result<Vec<RawArg>> {
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
    if !input.peek(Token![=]) {
        return Err(syn::Error::new(
            name.span(),
            format!("expected `{name} = <value>`: every argument takes a value"),
        ));
    }
    input.parse::<Token![=]>()?;
    let value = input.parse()?;
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
    fn empty_is_fine_here() {
        assert!(parse_args(quote!()).unwrap().is_empty());
    }
}
