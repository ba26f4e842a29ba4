//! The hidden crate-root module `checkout!` and `consume!` name, as `__mp_dimensions` is for
//! `meter!`: one `static` per declared floating or drawdown entitlement, and one lookup
//! macro per kind mapping a name to its static. A name of the other kind maps to an error
//! naming the right macro, an undeclared name to an error with a suggestion, both at the
//! caller's token.
//!
//! Every `#[marketplace_main]` writes the module: a program not priced on contract gets
//! lookups that explain where entitlements are declared.

use crate::contract::entitlement::{Entitlement, Kind};
use proc_macro2::{Ident, Span, TokenStream};
use quote::{quote, quote_spanned};

/// The module's name.
pub(crate) const MODULE: &str = "__mp_entitlements";

/// The lookup macro for `kind`, inside [`MODULE`].
pub(crate) fn lookup_name(kind: Kind) -> &'static str {
    match kind {
        Kind::Floating => "__mp_floating",
        Kind::Drawdown => "__mp_drawdown",
    }
}

/// What a name in `checkout!` or `consume!` resolves to in this crate.
pub(crate) enum Entitlements {
    /// Contract pricing's floating and drawdown entitlements.
    Declared(Vec<Entitlement>),
    /// None: the program is priced otherwise (named here).
    Billed(&'static str),
    /// Any name: after a rejected `#[marketplace_main]` whose entitlements are not known.
    Unchecked,
}

pub(crate) fn module(entitlements: &Entitlements, private: &TokenStream) -> TokenStream {
    let module = Ident::new(MODULE, Span::call_site());
    let (statics, floating, drawdown) = match entitlements {
        Entitlements::Declared(list) => (
            list.iter().map(|e| declared_static(e, private)).collect(),
            arms(list, Kind::Floating, private),
            arms(list, Kind::Drawdown, private),
        ),
        Entitlements::Billed(pricing) => {
            let arm = quote!(($name:ident) => { #private::__no_entitlements!($name; #pricing) };);
            (TokenStream::new(), arm.clone(), arm)
        }
        Entitlements::Unchecked => (
            TokenStream::new(),
            quote!(($name:ident) => {{
                static UNCHECKED: #private::Floating = #private::Floating::new("", "");
                &UNCHECKED
            }};),
            quote!(($name:ident) => {{
                static UNCHECKED: #private::Drawdown = #private::Drawdown::new("", "");
                &UNCHECKED
            }};),
        ),
    };
    let floating_lookup = Ident::new(lookup_name(Kind::Floating), Span::call_site());
    let drawdown_lookup = Ident::new(lookup_name(Kind::Drawdown), Span::call_site());
    quote! {
        /// The contract entitlements `checkout!` and `consume!` accept in this crate.
        #[doc(hidden)]
        #[allow(non_upper_case_globals, unreachable_pub)]
        pub mod #module {
            #statics

            macro_rules! #floating_lookup {
                #floating
            }
            #[allow(unused_imports)]
            pub(crate) use #floating_lookup;

            macro_rules! #drawdown_lookup {
                #drawdown
            }
            #[allow(unused_imports)]
            pub(crate) use #drawdown_lookup;
        }
    }
}

fn declared_static(e: &Entitlement, private: &TokenStream) -> TokenStream {
    let ident = &e.ident;
    let (name, unit) = (&e.aws_name, e.unit);
    let ty = match e.kind {
        Kind::Floating => quote!(Floating),
        Kind::Drawdown => quote!(Drawdown),
    };
    // The seller's span, so go-to-definition lands on the declaration.
    quote_spanned! {ident.span()=>
        pub static #ident: #private::#ty = #private::#ty::new(#name, #unit);
    }
}

/// The lookup of `kind`: its own names to their statics; anything else, with the caller's
/// span, to the error that names the right macro (the other kind's names) or says the name
/// is unknown.
fn arms(list: &[Entitlement], kind: Kind, private: &TokenStream) -> TokenStream {
    let module = Ident::new(MODULE, Span::call_site());
    let of = |same: bool| -> Vec<&Ident> {
        list.iter()
            .filter(|e| (e.kind == kind) == same)
            .map(|e| &e.ident)
            .collect()
    };
    let (own, other) = (of(true), of(false));
    let matched = own.iter().map(|ident| {
        let krate = Ident::new("crate", ident.span());
        quote!((#ident) => { &#krate::#module::#ident };)
    });
    let kind = Ident::new(kind.name(), Span::call_site());
    quote! {
        #(#matched)*
        ($other:ident) => { #private::__unknown_entitlement!($other; #kind; #(#own),*; #(#other),*) };
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::contract::entitlement::parse_list;

    #[test]
    fn each_kind_maps_its_own_names_and_explains_the_others() {
        let mut list = parse_list(quote!(seats = "Seats"), Kind::Floating).unwrap();
        list.extend(parse_list(quote!(data_gb = "DataGB" in Gigabytes), Kind::Drawdown).unwrap());
        let out = module(&Entitlements::Declared(list), &quote!(::rt::__private)).to_string();
        assert!(
            out.contains(
                "pub static seats : :: rt :: __private :: Floating = :: rt :: __private :: Floating :: new (\"Seats\" , \"Count\")"
            ),
            "{out}"
        );
        assert!(
            out.contains("(seats) => { & crate :: __mp_entitlements :: seats }"),
            "{out}"
        );
        assert!(
            out.contains("__unknown_entitlement ! ($ other ; floating ; seats ; data_gb)"),
            "{out}"
        );
        assert!(
            out.contains("__unknown_entitlement ! ($ other ; drawdown ; data_gb ; seats)"),
            "{out}"
        );
    }

    #[test]
    fn other_pricing_explains() {
        let out = module(&Entitlements::Billed("hourly"), &quote!(rt)).to_string();
        assert!(
            out.contains("rt :: __no_entitlements ! ($ name ; \"hourly\")"),
            "{out}"
        );
    }
}
