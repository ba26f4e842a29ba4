//! A library's `dimensions!` also registers its statics with the runtime before `main`
//! runs (a constructor, as C++ static initialisers are), so start-up can dry-run them with
//! the binary's own: a library dimension the listing lacks then stops start-up instead of
//! losing its usage later. On targets without a constructor section (none a container runs
//! on) the statics register at their first `meter!`, as before.

use crate::dimensions::module::MODULE;
use crate::dimensions::name::Dimension;
use proc_macro2::{Ident, Span, TokenStream};
use quote::quote;

/// The constructor that hands `dimensions` (the module's statics) to the runtime.
pub fn register(dimensions: &[Dimension], private: &TokenStream) -> TokenStream {
    let module = Ident::new(MODULE, Span::call_site());
    let statics = dimensions.iter().map(|d| {
        let ident = Ident::new(&d.name, d.span);
        // `crate` with the declaration's span, as the lookup macro writes it.
        let krate = Ident::new("crate", d.span);
        quote!(&#krate::#module::#ident)
    });
    quote! {
        const _: () = {
            // The section lists of functions the loader calls before `main`: ELF's
            // `.init_array`, Mach-O's `__mod_init_func`, the MSVC CRT's `.CRT$XCU`.
            #[used]
            #[cfg_attr(
                any(
                    target_os = "linux",
                    target_os = "android",
                    target_os = "freebsd",
                    target_os = "netbsd",
                    target_os = "openbsd",
                    target_os = "dragonfly",
                    target_os = "illumos",
                ),
                unsafe(link_section = ".init_array")
            )]
            #[cfg_attr(target_vendor = "apple", unsafe(link_section = "__DATA,__mod_init_func"))]
            #[cfg_attr(windows, unsafe(link_section = ".CRT$XCU"))]
            static __MP_DECLARE_DIMENSIONS: extern "C" fn() = {
                extern "C" fn declare() {
                    #private::declare_dimensions(&[#(#statics),*]);
                }
                declare
            };
        };
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
                ":: rt :: __private :: declare_dimensions (& [& crate :: __mp_dimensions :: requests , & crate :: __mp_dimensions :: data_gb])"
            ),
            "{out}"
        );
        assert!(out.contains("link_section = \".init_array\""), "{out}");
    }
}
