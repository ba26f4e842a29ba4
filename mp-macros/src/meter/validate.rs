//! Rejects what a `meter!` call shows can never be right, at its own token: negative or
//! fractional literal quantities, and literal tags the Metering Service would refuse.
//! Anything computed is typed by the runtime's `Quantity` trait and checked when recorded.

use crate::errors::{Join, to_result};
use crate::meter::parse::Call;
use proc_macro2::Span;
use syn::{Expr, ExprLit, Ident, Lit, UnOp};

/// A checked `meter!` call.
pub struct Metered {
    pub dimension: Ident,
    pub quantity: Quantity,
    pub tags: Option<Expr>,
}

pub enum Quantity {
    /// No quantity: one unit.
    One,
    /// An unsuffixed integer literal, which becomes `u64` so a large count is not an `i32`
    /// overflow.
    Literal(u64, Span),
    Computed(Expr),
}

pub fn validate(call: Call) -> syn::Result<Metered> {
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

/// Limits from METERING-FACTS.md ("MeterUsage", `UsageAllocations`).
const MAX_TAGS: usize = 5;
const MAX_TAG_KEY: usize = 100;
const MAX_TAG_VALUE: usize = 256;

/// What can be seen in a literal `tags = [("key", "value"), ...]`; anything computed is
/// checked when recorded (a refused call is logged and counted).
fn tags(tags: &Expr) -> syn::Result<()> {
    let Expr::Array(array) = tags else {
        return Ok(());
    };
    let mut errors = Vec::new();
    let n = array.elems.len();
    if n == 0 || n > MAX_TAGS {
        errors.push(syn::Error::new_spanned(
            array,
            format!("a usage allocation takes 1 to {MAX_TAGS} tags, not {n}"),
        ));
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
                errors.push(syn::Error::new_spanned(
                    &key,
                    format!("a tag key is 1 to {MAX_TAG_KEY} characters, not {len}"),
                ));
            } else if keys.contains(&key.value()) {
                errors.push(syn::Error::new_spanned(
                    &key,
                    format!("tag key {:?} is given twice", key.value()),
                ));
            }
            keys.push(key.value());
        }
        if let Some(Some(value)) = parts.next() {
            let len = value.value().chars().count();
            if len == 0 || len > MAX_TAG_VALUE {
                errors.push(syn::Error::new_spanned(
                    &value,
                    format!("a tag value is 1 to {MAX_TAG_VALUE} characters, not {len}"),
                ));
            }
        }
    }
    to_result(errors)
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
