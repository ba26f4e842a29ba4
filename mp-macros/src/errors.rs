//! Collects every problem found, so one build reports them all, each at its own token.

use proc_macro2::Span;
use quote::ToTokens;
use std::fmt::Display;

/// Errors so far; `syn::Error::combine` keeps each one's span.
#[derive(Default)]
pub struct Errors(Option<syn::Error>);

impl Errors {
    pub fn push(&mut self, error: syn::Error) {
        match &mut self.0 {
            Some(all) => all.combine(error),
            None => self.0 = Some(error),
        }
    }

    pub fn at(&mut self, span: Span, message: impl Display) {
        self.push(syn::Error::new(span, message));
    }

    pub fn spanned(&mut self, tokens: impl ToTokens, message: impl Display) {
        self.push(syn::Error::new_spanned(tokens, message));
    }

    pub fn finish(self) -> Result<(), syn::Error> {
        self.0.map_or(Ok(()), Err)
    }

    /// `finish`, with every message on a line of its own: what unit tests compare.
    #[cfg(test)]
    pub fn finish_as_text(self) -> Result<(), String> {
        self.finish().map_err(|all| {
            all.into_iter()
                .map(|e| e.to_string())
                .collect::<Vec<_>>()
                .join("\n")
        })
    }
}
