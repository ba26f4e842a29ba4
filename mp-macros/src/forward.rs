//! The hidden proc macros mp-runtime's `macro_rules!` fronts forward to, as
//! `__name!($crate; ...)`: the runtime's path comes first, so a renamed dependency works.

use proc_macro2::{Span, TokenStream, TokenTree};

/// `$crate ; rest` -> the runtime's path (whatever the seller named it) and the rest.
pub(crate) fn split_krate(input: TokenStream) -> syn::Result<(TokenStream, TokenStream)> {
    let mut tokens = input.into_iter();
    let mut krate = TokenStream::new();
    for token in tokens.by_ref() {
        match &token {
            TokenTree::Punct(p) if p.as_char() == ';' => {
                return Ok((krate, tokens.collect()));
            }
            _ => krate.extend([token]),
        }
    }
    Err(syn::Error::new(
        Span::call_site(),
        "use mp_runtime's macro (`mp_runtime::meter!`, `mp_runtime::dimensions!`) rather than this hidden one",
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use quote::quote;

    #[test]
    fn splits_at_the_first_semicolon() {
        let (krate, rest) = split_krate(quote!(::a::b; x, y; z)).unwrap();
        assert_eq!(krate.to_string(), ":: a :: b");
        assert_eq!(rest.to_string(), "x , y ; z");
        assert!(split_krate(quote!(x)).is_err());
    }
}
