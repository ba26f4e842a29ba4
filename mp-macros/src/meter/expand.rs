//! The checker behind `meter!`: the call, parsed and checked, as one call into the runtime
//! on the crate's dimension static.
//!
//! mp-runtime's `meter!` forwards here as `__meter!($crate; ...)`, so a renamed dependency
//! still works (the sqlx/tracing model).

use crate::dimensions::module::{LOOKUP, MODULE};
use crate::forward::split_krate;
use crate::meter::parse::parse;
use crate::meter::validate::{Metered, Quantity, validate};
use proc_macro2::{Ident, TokenStream};
use quote::{quote, quote_spanned};

pub(crate) fn expand(input: TokenStream) -> TokenStream {
    let checked = split_krate(input).and_then(|(krate, rest)| Ok((krate, validate(parse(rest)?)?)));
    match checked {
        Ok((krate, call)) => call_tokens(&krate, &call),
        Err(e) => e.to_compile_error(),
    }
}

fn call_tokens(krate: &TokenStream, call: &Metered) -> TokenStream {
    let dim = &call.dimension;
    // `crate` with the seller's span resolves in the seller's crate; the lookup macro there
    // knows the declared names. An hourly or monthly program's lookup explains that it has
    // none; a crate with neither the attribute nor `dimensions!` gets rustc's "could not find
    // `__mp_dimensions`" (no fallback can be found by a macro path: see the meter! docs).
    let module = Ident::new(MODULE, dim.span());
    let lookup = Ident::new(LOOKUP, dim.span());
    let krate_kw = Ident::new("crate", dim.span());
    let target = quote_spanned!(dim.span()=> #krate_kw::#module::#lookup!(#dim));
    let quantity = match &call.quantity {
        Quantity::One => quote!(1u64),
        Quantity::Literal(value, span) => quote_spanned!(*span=> #value),
        Quantity::Computed(expr) => quote!(#expr),
    };
    match &call.tags {
        None => quote!(#krate::__private::record(#target, #quantity)),
        Some(tags) => quote!(#krate::__private::record_tagged(#target, #quantity, &#tags)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn out(tokens: TokenStream) -> String {
        expand(tokens).to_string()
    }

    #[test]
    fn forms() {
        assert_eq!(
            out(quote!(::rt; requests)),
            ":: rt :: __private :: record (crate :: __mp_dimensions :: __mp_dimension ! (requests) , 1u64)"
        );
        assert_eq!(
            out(quote!(::rt; data_gb, bytes / GB,)),
            ":: rt :: __private :: record (crate :: __mp_dimensions :: __mp_dimension ! (data_gb) , bytes / GB)"
        );
        assert_eq!(
            out(quote!(::rt; requests, 5_000_000_000)),
            ":: rt :: __private :: record (crate :: __mp_dimensions :: __mp_dimension ! (requests) , 5000000000u64)"
        );
        assert_eq!(
            out(quote!(::rt; requests, n, tags = [("tenant", t)])),
            ":: rt :: __private :: record_tagged (crate :: __mp_dimensions :: __mp_dimension ! (requests) , n , & [(\"tenant\" , t)])"
        );
        assert!(out(quote!(::rt; requests, tags = t)).contains("record_tagged"));
    }

    #[test]
    fn literal_quantities_that_cannot_be_right() {
        assert!(out(quote!(::rt; r, -5)).contains("cannot be negative"));
        assert!(out(quote!(::rt; r, -(5))).contains("cannot be negative"));
        assert!(out(quote!(::rt; r, 1.5)).contains("whole units, not 1.5"));
        assert!(out(quote!(::rt; r, "5")).contains("quantities are integers"));
        assert!(
            out(quote!(::rt; r, -x)).contains("record (crate"),
            "runtime check"
        );
    }

    #[test]
    fn literal_tags_are_checked_against_the_service_rules() {
        let long = "k".repeat(101);
        let out = self::out(quote!(::rt; r, 1, tags = [("a", ""), (#long, "x"), ("b c!", v)]));
        assert!(
            out.contains("tag value cannot be empty: a tag value is 1 to 256 characters"),
            "{out}"
        );
        assert!(
            out.contains("tag key is 101 characters long; the limit is 100"),
            "{out}"
        );
        assert!(
            out.contains("contains '!', which the Metering Service refuses"),
            "{out}"
        );
        // The list's own rules, once each key and value is valid; computed values too.
        let out = self::out(quote!(::rt; r, 1, tags = [("a", "1"), ("a", v)]));
        assert!(out.contains(r#"tag key \"a\" is given twice"#), "{out}");
        let out = self::out(quote!(::rt; r, 1, tags = []));
        assert!(
            out.contains("Tags cannot be empty: a usage allocation takes 1 to 5 tags"),
            "{out}"
        );
        let six = quote!(
            ("a", "1"),
            ("b", "1"),
            ("c", "1"),
            ("d", "1"),
            ("e", "1"),
            ("f", "1")
        );
        let out = self::out(quote!(::rt; r, 1, tags = [#six]));
        assert!(out.contains("Tags has 6 entries; the limit is 5"), "{out}");
        let computed = self::out(quote!(::rt; r, 1, tags = [(k, v)]));
        assert!(computed.contains("record_tagged"), "{computed}");
    }

    #[test]
    fn malformed_calls() {
        assert!(out(quote!(::rt;)).contains("needs a dimension"));
        assert!(out(quote!(::rt; "requests")).contains("declared dimension name first"));
        assert!(out(quote!(::rt; r, 1, 2)).contains("then an optional quantity"));
        assert!(out(quote!(::rt; r, 1, tenant = x)).contains("not `tenant = ...`"));
        assert!(out(quote!(r)).contains("use mp_runtime's macro"));
    }
}
