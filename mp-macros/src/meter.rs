//! The checker behind `meter!`: reads `dimension [, quantity] [, tags = ...]`, rejects
//! quantities that can never be right (negative or fractional literals) at their own token,
//! and expands to one call into the runtime on the crate's dimension static.
//!
//! mp-runtime's `meter!` forwards here as `__meter!($crate; ...)`, so a renamed dependency
//! still works (the sqlx/tracing model).

use crate::dimension_module::{LOOKUP, MODULE};
use crate::errors::Errors;
use crate::forward::split_krate;
use crate::suggest;
use proc_macro2::{Ident, Span, TokenStream};
use quote::{quote, quote_spanned};
use syn::parse::{ParseStream, Parser};
use syn::{Expr, ExprLit, Lit, Token, UnOp};

/// One `meter!` call as written.
struct Call {
    dimension: Ident,
    quantity: Option<Expr>,
    tags: Option<Expr>,
}

pub fn expand(input: TokenStream) -> TokenStream {
    match split_krate(input).and_then(|(krate, rest)| Ok((krate, parse_call(rest)?))) {
        Ok((krate, call)) => {
            let mut errors = Errors::default();
            let quantity = check_quantity(call.quantity.as_ref())
                .map_err(|e| errors.push(e))
                .ok();
            if let Some(tags) = &call.tags {
                check_tags(tags, &mut errors);
            }
            match (errors.finish(), quantity) {
                (Ok(()), Some(quantity)) => call_tokens(&krate, &call, quantity),
                (Err(e), _) => e.to_compile_error(),
                (Ok(()), None) => TokenStream::new(), // unreachable: `None` comes with an error
            }
        }
        Err(e) => e.to_compile_error(),
    }
}

/// `__unknown_dimension!(name; declared, ...)`: what the lookup macro expands to for a name
/// that was not declared.
pub fn unknown(input: TokenStream) -> TokenStream {
    let parsed = Parser::parse2(
        |input: ParseStream| {
            let name: Ident = input.parse()?;
            input.parse::<Token![;]>()?;
            let declared =
                syn::punctuated::Punctuated::<Ident, Token![,]>::parse_terminated(input)?;
            Ok((name, declared))
        },
        input,
    );
    let (name, declared) = match parsed {
        Ok(parsed) => parsed,
        Err(e) => return e.to_compile_error(),
    };
    let declared: Vec<String> = declared.iter().map(Ident::to_string).collect();
    let refs: Vec<&str> = declared.iter().map(String::as_str).collect();
    let hint = suggest::closest(&name.to_string(), &refs)
        .map(|s| format!("did you mean `{s}`? "))
        .unwrap_or_default();
    syn::Error::new(
        name.span(),
        format!(
            "unknown dimension `{name}`; {hint}declared: {}. Declare every dimension of the \
             listing in dimensions(...)",
            declared.join(", ")
        ),
    )
    .to_compile_error()
}

/// `__no_dimensions!(name; pricing)`: what an hourly or monthly program's lookup expands to.
/// Such a crate declares no dimensions, so the error says where they are declared.
pub fn no_dimensions(input: TokenStream) -> TokenStream {
    let parsed = Parser::parse2(
        |input: ParseStream| {
            let name: Ident = input.parse()?;
            input.parse::<Token![;]>()?;
            let pricing: syn::LitStr = input.parse()?;
            Ok((name, pricing.value()))
        },
        input,
    );
    match parsed {
        Ok((name, pricing)) => syn::Error::new(
            name.span(),
            format!(
                "no dimensions are declared in this crate: `#[marketplace_main]` has pricing = \
                 \"{pricing}\", which RegisterUsage bills, so `{name}` cannot be metered. To meter \
                 it, declare `pricing = \"custom\", dimensions({name})` in `#[marketplace_main]`, \
                 or `mp_runtime::dimensions!({name})` at the root of a library crate"
            ),
        )
        .to_compile_error(),
        Err(e) => e.to_compile_error(),
    }
}

fn parse_call(tokens: TokenStream) -> syn::Result<Call> {
    if tokens.is_empty() {
        return Err(syn::Error::new(
            Span::call_site(),
            "meter! needs a dimension: `meter!(requests)` adds 1, `meter!(requests, n)` adds n",
        ));
    }
    Parser::parse2(|input: ParseStream| parse_inner(input), tokens)
}

fn parse_inner(input: ParseStream) -> syn::Result<Call> {
    let dimension: Ident = input.parse().map_err(|e| {
        syn::Error::new(
            e.span(),
            "meter! expects a declared dimension name first, e.g. `meter!(requests)`",
        )
    })?;
    let mut call = Call {
        dimension,
        quantity: None,
        tags: None,
    };
    while input.parse::<Option<Token![,]>>()?.is_some() && !input.is_empty() {
        if input.peek(syn::Ident) && input.peek2(Token![=]) && !input.peek2(Token![==]) {
            let name: Ident = input.parse()?;
            if name != "tags" || call.tags.is_some() {
                return Err(syn::Error::new(
                    name.span(),
                    format!("meter! takes `tags = ...` after the quantity, not `{name} = ...`"),
                ));
            }
            input.parse::<Token![=]>()?;
            call.tags = Some(input.parse()?);
        } else if call.quantity.is_none() && call.tags.is_none() {
            call.quantity = Some(input.parse()?);
        } else {
            let rest: TokenStream = input.parse()?;
            return Err(syn::Error::new_spanned(
                rest,
                "meter! takes `dimension`, then an optional quantity, then optional `tags = ...`",
            ));
        }
    }
    if !input.is_empty() {
        let rest: TokenStream = input.parse()?;
        return Err(syn::Error::new_spanned(rest, "expected `,` in meter!"));
    }
    Ok(call)
}

/// Literal quantities are checked here; the rest is typed by the runtime's `Quantity` trait.
/// An unsuffixed integer literal becomes `u64`, so a large count is not an i32 overflow.
fn check_quantity(quantity: Option<&Expr>) -> syn::Result<TokenStream> {
    let Some(expr) = quantity else {
        return Ok(quote!(1u64));
    };
    match expr {
        Expr::Unary(neg) if matches!(neg.op, UnOp::Neg(_)) && is_number(&neg.expr) => {
            Err(syn::Error::new_spanned(
                neg,
                "meter! quantities cannot be negative: usage is only ever added",
            ))
        }
        Expr::Lit(ExprLit {
            lit: Lit::Float(lit),
            ..
        }) => Err(syn::Error::new_spanned(
            lit,
            format!(
                "meter! quantities are whole units, not {lit}: round explicitly, or meter a smaller unit"
            ),
        )),
        Expr::Lit(ExprLit {
            lit: Lit::Int(lit), ..
        }) if lit.suffix().is_empty() => {
            let value = lit
                .base10_parse::<u64>()
                .map_err(|_| syn::Error::new_spanned(lit, "this quantity does not fit in a u64"))?;
            Ok(quote_spanned!(lit.span()=> #value))
        }
        Expr::Lit(ExprLit { lit, .. }) if !matches!(lit, Lit::Int(_)) => Err(
            syn::Error::new_spanned(lit, "meter! quantities are integers"),
        ),
        other => Ok(quote!(#other)),
    }
}

/// Limits from METERING-FACTS.md ("MeterUsage", `UsageAllocations`).
const MAX_TAGS: usize = 5;
const MAX_TAG_KEY: usize = 100;
const MAX_TAG_VALUE: usize = 256;

/// What can be seen in a literal `tags = [("key", "value"), ...]`; anything computed is
/// checked when recorded (a refused call is logged and counted).
fn check_tags(tags: &Expr, errors: &mut Errors) {
    let Expr::Array(array) = tags else {
        return;
    };
    let n = array.elems.len();
    if n == 0 || n > MAX_TAGS {
        errors.spanned(
            array,
            format!("a usage allocation takes 1 to {MAX_TAGS} tags, not {n}"),
        );
    }
    let mut keys: Vec<String> = Vec::new();
    for element in &array.elems {
        let Expr::Tuple(pair) = element else {
            continue;
        };
        let mut parts = pair.elems.iter().map(string_literal);
        if let Some(Some(key)) = parts.next() {
            let len = key.value().chars().count();
            if len == 0 || len > MAX_TAG_KEY {
                errors.spanned(
                    &key,
                    format!("a tag key is 1 to {MAX_TAG_KEY} characters, not {len}"),
                );
            } else if keys.contains(&key.value()) {
                errors.spanned(&key, format!("tag key {:?} is given twice", key.value()));
            }
            keys.push(key.value());
        }
        if let Some(Some(value)) = parts.next() {
            let len = value.value().chars().count();
            if len == 0 || len > MAX_TAG_VALUE {
                errors.spanned(
                    &value,
                    format!("a tag value is 1 to {MAX_TAG_VALUE} characters, not {len}"),
                );
            }
        }
    }
}

fn string_literal(expr: &Expr) -> Option<syn::LitStr> {
    match expr {
        Expr::Lit(ExprLit {
            lit: Lit::Str(s), ..
        }) => Some(s.clone()),
        _ => None,
    }
}

fn is_number(expr: &Expr) -> bool {
    match expr {
        Expr::Lit(ExprLit {
            lit: Lit::Int(_) | Lit::Float(_),
            ..
        }) => true,
        Expr::Paren(p) => is_number(&p.expr),
        Expr::Group(g) => is_number(&g.expr),
        _ => false,
    }
}

fn call_tokens(krate: &TokenStream, call: &Call, quantity: TokenStream) -> TokenStream {
    let dim = &call.dimension;
    // `crate` with the seller's span resolves in the seller's crate; the lookup macro there
    // knows the declared names. An hourly or monthly program's lookup explains that it has
    // none; a crate with neither the attribute nor `dimensions!` gets rustc's "could not find
    // `__mp_dimensions`" (no fallback can be found by a macro path: see the meter! docs).
    let module = Ident::new(MODULE, dim.span());
    let lookup = Ident::new(LOOKUP, dim.span());
    let krate_kw = Ident::new("crate", dim.span());
    let target = quote_spanned!(dim.span()=> #krate_kw::#module::#lookup!(#dim));
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
    fn literal_tags_are_checked_against_the_service_limits() {
        let long = "k".repeat(101);
        let out = out(quote!(::rt; r, 1, tags = [("a", "1"), ("a", ""), (#long, "x")]));
        assert!(out.contains("is given twice"), "{out}");
        assert!(
            out.contains("a tag value is 1 to 256 characters, not 0"),
            "{out}"
        );
        assert!(
            out.contains("a tag key is 1 to 100 characters, not 101"),
            "{out}"
        );
        let out = self::out(quote!(::rt; r, 1, tags = []));
        assert!(out.contains("1 to 5 tags, not 0"), "{out}");
        let computed = self::out(quote!(::rt; r, 1, tags = [(k, v)]));
        assert!(computed.contains("record_tagged"), "{computed}");
    }

    #[test]
    fn unknown_names_get_a_suggestion_and_the_declared_list() {
        let out = unknown(quote!(reqests; requests, data_gb)).to_string();
        assert!(
            out.contains(
                "unknown dimension `reqests`; did you mean `requests`? declared: requests, data_gb"
            ),
            "{out}"
        );
        let out = unknown(quote!(cpu; requests)).to_string();
        assert!(
            out.contains("unknown dimension `cpu`; declared: requests"),
            "{out}"
        );
    }

    #[test]
    fn hourly_programs_say_where_dimensions_are_declared() {
        let out = no_dimensions(quote!(requests; "monthly")).to_string();
        assert!(out.contains("pricing = \\\"monthly\\\""), "{out}");
        assert!(out.contains("dimensions(requests)"), "{out}");
        assert!(out.contains("mp_runtime::dimensions!(requests)"), "{out}");
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
