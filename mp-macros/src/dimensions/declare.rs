//! `dimensions!(requests, data_gb)` in a library crate: the same module as the attribute
//! writes for custom pricing, and the constructor that registers its statics at load.

use crate::dimensions::module::{Lookup, module};
use crate::dimensions::name::{Dimension, parse_list};
use crate::dimensions::register::register;
use crate::forward::split_krate;
use proc_macro2::{Span, TokenStream};
use quote::quote;

pub(crate) fn declare(input: TokenStream) -> TokenStream {
    match split_krate(input).and_then(|(krate, list)| Ok((krate, declared(list)?))) {
        Ok((krate, dims)) => {
            let private = quote!(#krate::__private);
            let registration = register(&dims, &private);
            let module = module(&Lookup::Declared(dims), &private);
            quote!(#module #registration)
        }
        Err(e) => e.to_compile_error(),
    }
}

fn declared(list: TokenStream) -> syn::Result<Vec<Dimension>> {
    let dims = parse_list(list)?;
    if dims.is_empty() {
        return Err(syn::Error::new(
            Span::call_site(),
            "dimensions! needs at least one name, e.g. `dimensions!(requests, data_gb)`",
        ));
    }
    Ok(dims)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn declare_for_a_library() {
        let out = declare(quote!(::rt; requests, data_gb)).to_string();
        assert!(
            out.contains("pub static requests : :: rt :: __private :: Dimension"),
            "{out}"
        );
        let out = declare(quote!(::rt;)).to_string();
        assert!(out.contains("needs at least one name"), "{out}");
        let out = declare(quote!(::rt; a, a)).to_string();
        assert!(out.contains("declared twice"), "{out}");
    }
}
