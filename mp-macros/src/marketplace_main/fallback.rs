//! On errors: the errors plus code close to what the user wrote, so the only messages are
//! ours (no "main function not found", no E0752 for `async fn main`, no error from every
//! `meter!` in the crate) and IDEs keep working.

use crate::contract::module as entitlements;
use crate::dimensions::module::module;
use crate::marketplace_main::item::is_tokio_main;
use crate::marketplace_main::model::Rejected;
use proc_macro2::TokenStream;
use quote::quote;
use syn::{Ident, ItemFn};

pub(crate) fn fallback(item: TokenStream, rejected: Rejected) -> TokenStream {
    let Rejected {
        error,
        krate,
        lookup,
        entitlements,
        tiers,
    } = rejected;
    let errors = error.to_compile_error();
    let private = quote!(#krate::__private);
    // What `meter!`, `checkout!` and `consume!` resolve against, and the tier enum the
    // crate names, as in a successful expansion.
    let dimensions = module(&lookup, &private);
    let entitlements = entitlements::module(&entitlements, &private);
    let tiers = tiers.map(|tiers| tiers.declaration(&private));
    let dimensions = quote!(#dimensions #entitlements #tiers);
    match syn::parse2::<ItemFn>(item.clone()) {
        // The body is kept, type-checked, under another name; a stub stands in for `main`.
        Ok(mut func) if func.sig.ident == "main" => {
            func.attrs.retain(|a| !is_tokio_main(a));
            func.sig.ident = Ident::new("__mp_main_unexpanded", func.sig.ident.span());
            quote! {
                #errors
                #dimensions
                fn main() {}
                #[allow(dead_code)]
                #func
            }
        }
        _ => quote!(#errors #dimensions #item),
    }
}
