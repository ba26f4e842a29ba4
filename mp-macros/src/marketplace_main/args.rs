//! The arguments `#[marketplace_main]` accepts, sorted by name, and how a value of each
//! shape is read. Which value is valid for which argument is `validate`'s business.

use crate::errors::{Checked, Failed, all, to_result};
use crate::marketplace_main::parse::{RawArg, Value};
use crate::suggest;
use std::collections::hash_map::Entry;
use std::collections::{HashMap, HashSet};
use syn::{Expr, ExprLit, Lit, LitStr, UnOp};

/// Every argument `#[marketplace_main]` accepts, in the order the docs list them.
pub(crate) const ARGUMENTS: &[&str] = &[
    "product_code",
    "pricing",
    "dimensions",
    "product_sku",
    "tiers",
    "floating",
    "drawdown",
    "trusted_product_codes",
    "free_product_codes",
    "public_key",
    "public_key_version",
    "startup_deadline",
    "offline_limit",
    "flavor",
    "worker_threads",
    "crate",
];

/// The known arguments, each once.
pub(crate) struct Args {
    by_name: HashMap<String, RawArg>,
    /// Arguments not given, but suggested for a misspelt one.
    misspelt: HashSet<&'static str>,
}

impl Args {
    /// Known arguments by name, and one error for each unknown or repeated one.
    ///
    /// An argument a misspelt one's did-you-mean names is `Reported` to the checks that
    /// need it, so the misspelling is the one error (no `missing ...`, no `needs ... too`).
    pub(crate) fn sort(raw: Vec<RawArg>) -> (Args, syn::Result<()>) {
        let mut by_name: HashMap<String, RawArg> = HashMap::new();
        let mut misspelt = HashSet::new();
        let mut errors = Vec::new();
        for arg in raw {
            let name = arg.name.to_string();
            if !ARGUMENTS.contains(&name.as_str()) {
                let suggestion = suggest::closest(&name, ARGUMENTS);
                let hint = suggestion
                    .map(|s| format!("did you mean `{s}`? "))
                    .unwrap_or_default();
                errors.push(syn::Error::new(
                    arg.name.span(),
                    format!(
                        "unknown argument `{name}`; {hint}valid arguments: {}",
                        ARGUMENTS.join(", ")
                    ),
                ));
                misspelt.extend(suggestion);
                continue;
            }
            match by_name.entry(name) {
                Entry::Occupied(first) => errors.push(syn::Error::new(
                    arg.name.span(),
                    format!("`{}` is given twice: give each argument once", first.key()),
                )),
                Entry::Vacant(slot) => {
                    slot.insert(arg);
                }
            }
        }
        // An argument also spelt right is simply given.
        misspelt.retain(|name| !by_name.contains_key(*name));
        (Args { by_name, misspelt }, to_result(errors))
    }

    /// The argument if given; `Reported` if it was misspelt.
    pub(crate) fn get(&self, name: &str) -> Checked<Option<&RawArg>> {
        match self.by_name.get(name) {
            None if self.misspelt.contains(name) => Err(Failed::Reported),
            arg => Ok(arg),
        }
    }
}

impl RawArg {
    /// The value of a `name = value` argument; `name(...)` is an error for these.
    pub(crate) fn expr(&self) -> syn::Result<&Expr> {
        match &self.value {
            Value::Expr(expr) => Ok(expr),
            Value::List(_, span) => {
                let name = &self.name;
                Err(syn::Error::new(
                    *span,
                    format!("`{name}` takes a value: write `{name} = ...`, not `{name}(...)`"),
                ))
            }
        }
    }

    pub(crate) fn string(&self) -> syn::Result<LitStr> {
        match self.expr()? {
            Expr::Lit(ExprLit {
                lit: Lit::Str(lit), ..
            }) => Ok(lit.clone()),
            other => Err(syn::Error::new_spanned(
                other,
                format!(
                    "`{}` expects a string literal, e.g. `{} = \"...\"`",
                    self.name, self.name
                ),
            )),
        }
    }

    /// `["..", ..]`: every element a string literal, each read by `check`.
    pub(crate) fn string_list<T>(
        &self,
        check: impl Fn(&LitStr) -> syn::Result<T>,
    ) -> syn::Result<Vec<T>> {
        let value = self.expr()?;
        let Expr::Array(array) = value else {
            return Err(syn::Error::new_spanned(
                value,
                format!(
                    "`{}` expects a list of string literals, e.g. `{} = [\"...\"]`",
                    self.name, self.name
                ),
            ));
        };
        all(array.elems.iter().map(|element| match element {
            Expr::Lit(ExprLit {
                lit: Lit::Str(lit), ..
            }) => check(lit),
            other => Err(syn::Error::new_spanned(
                other,
                format!("`{}` expects string literals", self.name),
            )),
        }))
    }

    /// A positive integer literal that fits `T`.
    pub(crate) fn positive<T>(&self) -> syn::Result<T>
    where
        T: std::str::FromStr + Default + PartialEq,
        T::Err: std::fmt::Display,
    {
        let name = &self.name;
        let must = format!("`{name}` must be a positive integer, e.g. `{name} = 1`");
        match self.expr()? {
            Expr::Lit(ExprLit {
                lit: Lit::Int(lit), ..
            }) => match lit.base10_parse::<T>() {
                Ok(n) if n == T::default() => {
                    Err(syn::Error::new_spanned(lit, format!("{must}, not 0")))
                }
                Ok(n) => Ok(n),
                Err(e) => Err(syn::Error::new_spanned(lit, format!("{must}: {e}"))),
            },
            Expr::Unary(neg) if matches!(neg.op, UnOp::Neg(_)) => Err(syn::Error::new_spanned(
                neg,
                format!("{must}, not negative"),
            )),
            other => Err(syn::Error::new_spanned(
                other,
                format!("{must} (an integer literal)"),
            )),
        }
    }
}
