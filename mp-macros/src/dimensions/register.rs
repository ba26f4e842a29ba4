//! A library's `dimensions!` also registers its statics with the runtime before `main`
//! runs, through `inventory` (a load-time constructor per declaration, on every platform a
//! container runs on), so start-up can dry-run them with the binary's own: a library
//! dimension the listing lacks then stops start-up instead of losing its usage later.

use crate::dimensions::module::MODULE;
use crate::dimensions::name::Dimension;
use proc_macro2::{Ident, Span, TokenStream};
use quote::quote;

/// The submission that hands `dimensions` (the module's statics) to the runtime.
pub(crate) fn register(dimensions: &[Dimension], private: &TokenStream) -> TokenStream {
    let module = Ident::new(MODULE, Span::call_site());
    let statics = dimensions.iter().map(|d| {
        let ident = Ident::new(&d.name, d.span);
        // `crate` with the declaration's span, as the lookup macro writes it.
        let krate = Ident::new("crate", d.span);
        quote!(&#krate::#module::#ident)
    });
    quote! {
        #private::inventory::submit! {
            #private::DeclaredDimensions(&[#(#statics),*])
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hands_every_static_to_the_runtime() {
        let dims = [Dimension::named("requests"), Dimension::named("data_gb")];
        let out = register(&dims, &quote!(::rt::__private)).to_string();
        assert!(
            out.contains(
                ":: rt :: __private :: DeclaredDimensions (& [& crate :: __mp_dimensions :: requests , & crate :: __mp_dimensions :: data_gb])"
            ),
            "{out}"
        );
        assert!(
            out.contains(":: rt :: __private :: inventory :: submit !"),
            "{out}"
        );
    }
}
