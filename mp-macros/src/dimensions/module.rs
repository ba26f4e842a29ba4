//! The hidden crate-root module `meter!` names. With declared dimensions: one `static` per
//! dimension, and a `macro_rules!` that maps a name to its static, or, for a name that was
//! not declared, to an error at that name with a suggestion and the declared list.
//!
//! An hourly or monthly program gets the module too, with no statics: its lookup turns every
//! `meter!` into an error that says where dimensions are declared, instead of rustc's
//! "cannot find `__mp_dimensions` in `crate`".

use crate::dimensions::name::Dimension;
use proc_macro2::{Ident, Span, TokenStream};
use quote::{quote, quote_spanned};

/// The module's name; `meter!` expands to `crate::__mp_dimensions::__mp_dimension!(<name>)`.
pub(crate) const MODULE: &str = "__mp_dimensions";
/// The name -> static lookup inside it.
pub(crate) const LOOKUP: &str = "__mp_dimension";

/// What a name in `meter!` resolves to in this crate.
pub(crate) enum Lookup {
    /// Custom pricing's dimensions, or a library's `dimensions!`.
    Declared(Vec<Dimension>),
    /// None: the program is priced hourly or monthly (named here).
    Billed(&'static str),
    /// Any name, to one placeholder: after a rejected `#[marketplace_main]` whose
    /// dimensions are not known, so that its error is the only one.
    Unchecked,
}

/// `pub mod __mp_dimensions { ... }` for `lookup`.
pub(crate) fn module(lookup: &Lookup, private: &TokenStream) -> TokenStream {
    match lookup {
        Lookup::Declared(dimensions) => declared(dimensions, private),
        Lookup::Billed(pricing) => shell(
            quote!(
                /// No metering dimensions: this program is priced hourly or monthly.
            ),
            TokenStream::new(),
            quote!(($name:ident) => { #private::__no_dimensions!($name; #pricing) };),
        ),
        Lookup::Unchecked => {
            let module = Ident::new(MODULE, Span::call_site());
            shell(
                quote!(
                    /// Placeholder dimensions while `#[marketplace_main]` has errors.
                ),
                quote!(pub static __mp_unchecked: #private::Dimension = #private::Dimension::new("");),
                quote!(($name:ident) => { &crate::#module::__mp_unchecked };),
            )
        }
    }
}

/// One static per dimension, each name mapped to its own.
fn declared(dimensions: &[Dimension], private: &TokenStream) -> TokenStream {
    let module = Ident::new(MODULE, Span::call_site());
    let statics = dimensions.iter().map(|d| {
        // The seller's own span, so rustc's suggestions and go-to-definition land on it.
        let ident = Ident::new(&d.name, d.span);
        let name = &d.name;
        quote_spanned! {d.span=>
            pub static #ident: #private::Dimension = #private::Dimension::new(#name);
        }
    });
    let arms = dimensions.iter().map(|d| {
        let ident = Ident::new(&d.name, d.span);
        // `crate` with the declaration's span: the declaring crate, wherever it expands.
        let krate = Ident::new("crate", d.span);
        quote!((#ident) => { &#krate::#module::#ident };)
    });
    let names = dimensions.iter().map(|d| Ident::new(&d.name, d.span));
    shell(
        quote!(
            /// The metering dimensions `meter!` accepts in this crate.
        ),
        quote!(#(#statics)*),
        quote! {
            #(#arms)*
            ($other:ident) => { #private::__unknown_dimension!($other; #(#names),*) };
        },
    )
}

/// The hidden module, after its `doc` comment: its `items`, and the lookup macro with its
/// `arms`.
fn shell(doc: TokenStream, items: TokenStream, arms: TokenStream) -> TokenStream {
    let module = Ident::new(MODULE, Span::call_site());
    let lookup = Ident::new(LOOKUP, Span::call_site());
    quote! {
        #doc
        #[doc(hidden)]
        #[allow(non_upper_case_globals, unreachable_pub)]
        pub mod #module {
            #items

            macro_rules! #lookup {
                #arms
            }
            #[allow(unused_imports)]
            pub(crate) use #lookup;
        }
    }
}

/// The names, as the `&'static [&'static str]` the runtime checks at start-up.
pub(crate) fn names(dimensions: &[Dimension]) -> TokenStream {
    let names = dimensions.iter().map(|d| &d.name);
    quote!(&[#(#names),*])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_static_per_dimension() {
        let dims = [Dimension::named("requests"), Dimension::named("data_gb")];
        let out = module(&Lookup::Declared(dims.to_vec()), &quote!(::rt::__private)).to_string();
        assert!(out.contains("pub mod __mp_dimensions"), "{out}");
        assert!(
            out.contains(
                "pub static requests : :: rt :: __private :: Dimension = :: rt :: __private :: Dimension :: new (\"requests\")"
            ),
            "{out}"
        );
        assert!(out.contains("pub static data_gb"), "{out}");
        assert_eq!(names(&dims).to_string(), "& [\"requests\" , \"data_gb\"]");
    }

    #[test]
    fn unchecked_takes_any_name() {
        let out = module(&Lookup::Unchecked, &quote!(::rt::__private)).to_string();
        assert!(
            out.contains("($ name : ident) => { & crate :: __mp_dimensions :: __mp_unchecked }"),
            "{out}"
        );
    }
}
