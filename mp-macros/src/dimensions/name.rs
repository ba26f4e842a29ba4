//! Dimension names: the service's rule (mp-marketplace-rules), made strict because each name
//! also becomes a Rust item that `meter!` names (so a misspelt dimension is a compile error).

use crate::errors::to_result;
use crate::rules;
use mp_marketplace_rules::{MAX_DIMENSION_LEN, check_dimension};
use proc_macro2::{Span, TokenStream, TokenTree};
use syn::ext::IdentExt;
use syn::parse::{ParseStream, Parser};
use syn::punctuated::Punctuated;
use syn::{Ident, LitStr, Token};

/// Rust keywords: none of them can name a `static`.
pub(crate) const KEYWORDS: &[&str] = &[
    "as", "async", "await", "break", "const", "continue", "crate", "dyn", "else", "enum", "extern",
    "false", "fn", "for", "gen", "if", "impl", "in", "let", "loop", "match", "mod", "move", "mut",
    "pub", "ref", "return", "self", "Self", "static", "struct", "super", "trait", "true", "type",
    "unsafe", "use", "where", "while", "abstract", "become", "box", "do", "final", "macro",
    "override", "priv", "try", "typeof", "unsized", "virtual", "yield",
];

/// A declared dimension and where it was written.
#[derive(Clone)]
pub(crate) struct Dimension {
    pub name: String,
    pub span: Span,
}

#[cfg(test)]
impl Dimension {
    /// A dimension written nowhere in particular, for the generators' tests.
    pub(crate) fn named(name: &str) -> Dimension {
        Dimension {
            name: name.into(),
            span: Span::call_site(),
        }
    }
}

/// Why `name` cannot be a dimension, or `None` if it can.
pub(crate) fn problem(name: &str) -> Option<String> {
    if let Err(violation) = check_dimension(name) {
        return Some(rules::message(&violation));
    }
    let why = format!(
        "dimension names must be 1-{MAX_DIMENSION_LEN} ASCII letters, digits and `_`, not \
         starting with a digit and not a Rust keyword, because each becomes a Rust item that \
         `meter!` names; use the dimension's API name from the listing"
    );
    if let Some(bad) = name
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || *c == '_'))
    {
        return Some(format!(
            "dimension name {name:?} contains {bad:?}, which is not allowed: {why}"
        ));
    }
    if name.starts_with(|c: char| c.is_ascii_digit()) {
        return Some(format!(
            "dimension name {name:?} starts with a digit, which is not allowed: {why}"
        ));
    }
    if name == "_" || KEYWORDS.contains(&name) {
        return Some(format!(
            "dimension name {name:?} is a Rust keyword, which is not allowed: {why}"
        ));
    }
    None
}

/// Parses `requests, data_gb` (identifiers or string literals) and checks every name and
/// duplicates.
pub(crate) fn parse_list(tokens: TokenStream) -> syn::Result<Vec<Dimension>> {
    let parser = |input: ParseStream| {
        Punctuated::<TokenStream, Token![,]>::parse_terminated_with(input, one_entry)
    };
    let mut errors = Vec::new();
    let mut out: Vec<Dimension> = Vec::new();
    for entry in parser.parse2(tokens)? {
        let dim = match name_of(&entry) {
            Ok(dim) => dim,
            Err(error) => {
                errors.push(error);
                continue;
            }
        };
        if out.iter().any(|d| d.name == dim.name) {
            errors.push(syn::Error::new(
                dim.span,
                format!(
                    "dimension `{}` is declared twice: declare each dimension once",
                    dim.name
                ),
            ));
        } else {
            out.push(dim);
        }
    }
    to_result(errors).map(|()| out)
}

/// One entry: every token up to the next top-level comma.
fn one_entry(input: ParseStream) -> syn::Result<TokenStream> {
    let mut tokens = TokenStream::new();
    while !input.is_empty() && !input.peek(Token![,]) {
        tokens.extend([input.parse::<TokenTree>()?]);
    }
    Ok(tokens)
}

fn name_of(entry: &TokenStream) -> syn::Result<Dimension> {
    let written = entry.to_string().replace(' ', "");
    // `parse_any`, so a keyword reaches the keyword message instead of a parse error.
    let (name, span) = if let Ok(ident) = Ident::parse_any.parse2(entry.clone()) {
        (ident.to_string(), ident.span())
    } else if let Ok(lit) = syn::parse2::<LitStr>(entry.clone()) {
        (lit.value(), lit.span())
    } else {
        let message =
            problem(&written).unwrap_or_else(|| format!("`{written}` is not a dimension name"));
        return Err(syn::Error::new_spanned(entry, message));
    };
    let name = name.strip_prefix("r#").map(str::to_owned).unwrap_or(name);
    match problem(&name) {
        Some(problem) => Err(syn::Error::new(span, problem)),
        None => Ok(Dimension { name, span }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use quote::quote;

    fn names(tokens: TokenStream) -> Result<Vec<String>, String> {
        parse_list(tokens)
            .map(|dims| dims.into_iter().map(|d| d.name).collect())
            .map_err(|e| crate::errors::messages(&e))
    }

    #[test]
    fn identifiers_and_strings() {
        assert_eq!(
            names(quote!(requests, "data_gb", r#Gb2,)).unwrap(),
            ["requests", "data_gb", "Gb2"]
        );
        assert_eq!(problem(&"a".repeat(255)), None);
    }

    #[test]
    fn rules_are_explained() {
        assert_eq!(
            problem("").unwrap(),
            "UsageDimension cannot be empty: a dimension name is 1 to 255 characters"
        );
        assert_eq!(
            problem(&"a".repeat(256)).unwrap(),
            "UsageDimension is 256 characters long; the limit is 255"
        );
        assert!(problem("data-gb").unwrap().contains("'-'"));
        assert!(problem("données").unwrap().contains("'é'"));
        assert!(problem("1gb").unwrap().contains("starts with a digit"));
        assert!(problem("type").unwrap().contains("keyword"));
        assert!(problem("_").unwrap().contains("keyword"));
        assert!(problem("x y").unwrap().contains("becomes a Rust item"));
    }

    #[test]
    fn bad_tokens_duplicates_and_keywords() {
        let err = names(quote!(data - gb)).unwrap_err();
        assert!(err.contains("\"data-gb\" contains '-'"), "{err}");
        let err = names(quote!(a, b, a)).unwrap_err();
        assert!(
            err == "dimension `a` is declared twice: declare each dimension once",
            "{err}"
        );
        let err = names(quote!(type)).unwrap_err();
        assert!(err.contains("keyword"), "{err}");
        let err = names(quote!("")).unwrap_err();
        assert!(err.contains("empty"), "{err}");
    }
}
