//! Rejects what a `meter!` call shows can never be right, at its own token: negative or
//! fractional literal quantities, and literal tags the Metering Service would refuse.
//! Anything computed is typed by the runtime's `Quantity` trait and checked when recorded.

use crate::errors::{Join, all};
use crate::meter::parse::Call;
use crate::rules;
use mp_marketplace_rules::{Violation, check_tag_key, check_tag_value, check_tags};
use proc_macro2::Span;
use quote::ToTokens;
use syn::{Expr, ExprLit, Ident, Lit, LitStr, UnOp};

/// A checked `meter!` call.
pub(crate) struct Metered {
    pub dimension: Ident,
    pub quantity: Quantity,
    pub tags: Option<Expr>,
}

pub(crate) enum Quantity {
    /// No quantity: one unit.
    One,
    /// An unsuffixed integer literal, which becomes `u64` so a large count is not an `i32`
    /// overflow.
    Literal(u64, Span),
    Computed(Expr),
}

pub(crate) fn validate(call: Call) -> syn::Result<Metered> {
    let (quantity, ()) = (
        quantity(call.quantity),
        call.tags.as_ref().map_or(Ok(()), tags),
    )
        .join()?;
    Ok(Metered {
        dimension: call.dimension,
        quantity,
        tags: call.tags,
    })
}

fn quantity(quantity: Option<Expr>) -> syn::Result<Quantity> {
    let Some(expr) = quantity else {
        return Ok(Quantity::One);
    };
    match &expr {
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
            Ok(Quantity::Literal(value, lit.span()))
        }
        Expr::Lit(ExprLit { lit, .. }) if !matches!(lit, Lit::Int(_)) => Err(
            syn::Error::new_spanned(lit, "meter! quantities are integers"),
        ),
        _ => Ok(Quantity::Computed(expr)),
    }
}

/// Literal tags in `tags = [("key", "value"), ...]` against the service's rules, each at
/// its token. What is computed is checked when recorded (a refused call is logged and
/// counted).
fn tags(tags: &Expr) -> syn::Result<()> {
    let Expr::Array(array) = tags else {
        return Ok(());
    };
    let pairs: Vec<_> = array.elems.iter().map(literal_pair).collect();
    all(pairs.iter().flat_map(|(key, value)| {
        let key = key.map(|key| check(key, check_tag_key));
        let value = value.map(|value| check(value, check_tag_value));
        [key, value].into_iter().flatten()
    }))?;
    // How many tags and no key twice: this needs every key. Each key and value is valid
    // by now and a valid key is a valid value, so only these rules can fail.
    let Some(keys) = pairs
        .iter()
        .map(|(key, _)| *key)
        .collect::<Option<Vec<_>>>()
    else {
        return Ok(());
    };
    let tags: Vec<_> = keys.iter().map(|key| (key.value(), key.value())).collect();
    check_tags(&tags).map_err(|violation| match violation {
        Violation::DuplicateTagKey { .. } => {
            let again = (1..keys.len())
                .find(|&i| tags[..i].iter().any(|(seen, _)| *seen == tags[i].0))
                .map_or(array.to_token_stream(), |i| keys[i].to_token_stream());
            rules::error(again, &violation)
        }
        _ => rules::error(array, &violation),
    })
}

fn check(lit: &LitStr, rule: fn(&str) -> Result<(), Violation>) -> syn::Result<()> {
    rule(&lit.value()).map_err(|violation| rules::error(lit, &violation))
}

/// `("key", "value")`, with whichever of the two is a string literal.
fn literal_pair(element: &Expr) -> (Option<&LitStr>, Option<&LitStr>) {
    match element {
        Expr::Tuple(pair) if pair.elems.len() == 2 => (
            string_literal(&pair.elems[0]),
            string_literal(&pair.elems[1]),
        ),
        _ => (None, None),
    }
}

fn string_literal(expr: &Expr) -> Option<&LitStr> {
    match expr {
        Expr::Lit(ExprLit {
            lit: Lit::Str(s), ..
        }) => Some(s),
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
