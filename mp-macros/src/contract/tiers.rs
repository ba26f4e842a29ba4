//! `tiers(enum Plan { Basic = "BasicTier", Pro = "ProTier" })`: the seller names the enum
//! and its variants, each with the tier's entitlement name in the listing. The attribute
//! writes the enum (declaration order is rank order, so `Plan::Pro > Plan::Basic`) and
//! `main` receives the tier the buyer holds as a value of it.

use crate::errors::to_result;
use crate::rules;
use mp_marketplace_rules::license::check_entitlement_name;
use proc_macro2::{Span, TokenStream};
use quote::{quote, quote_spanned};
use syn::{Attribute, Expr, ExprLit, Fields, Ident, ItemEnum, Lit, Visibility};

/// The declared tier enum.
#[derive(Clone)]
pub(crate) struct Tiers {
    pub attrs: Vec<Attribute>,
    pub vis: Visibility,
    pub ident: Ident,
    /// Lowest to highest: each variant and its entitlement name.
    pub variants: Vec<(Ident, String)>,
}

const SHAPE: &str = "write the tiers as an enum, lowest first, each variant with its \
                     entitlement name in the listing: `tiers(enum Plan { Basic = \"BasicTier\", \
                     Pro = \"ProTier\" })`";

pub(crate) fn parse(tokens: TokenStream, span: Span) -> syn::Result<Tiers> {
    let item: ItemEnum = syn::parse2(tokens).map_err(|e| syn::Error::new(e.span(), SHAPE))?;
    let mut errors = Vec::new();
    if !item.generics.params.is_empty() || item.generics.where_clause.is_some() {
        errors.push(syn::Error::new_spanned(
            &item.generics,
            "the tier enum cannot be generic",
        ));
    }
    if item.variants.is_empty() {
        errors.push(syn::Error::new(
            span,
            format!("the tier enum needs at least one tier: {SHAPE}"),
        ));
    }
    let mut variants: Vec<(Ident, String)> = Vec::new();
    for variant in &item.variants {
        if !matches!(variant.fields, Fields::Unit) {
            errors.push(syn::Error::new_spanned(
                &variant.fields,
                "a tier carries no data: remove the fields and write `Variant = \"EntitlementName\"`",
            ));
            continue;
        }
        let name = match &variant.discriminant {
            Some((
                _,
                Expr::Lit(ExprLit {
                    lit: Lit::Str(lit), ..
                }),
            )) => match check_entitlement_name(&lit.value()) {
                Ok(()) => lit.value(),
                Err(violation) => {
                    errors.push(rules::error(lit, &violation));
                    continue;
                }
            },
            Some((_, other)) => {
                errors.push(syn::Error::new_spanned(
                    other,
                    "a tier's value is its entitlement name in the listing, a non-empty string: \
                     e.g. `Pro = \"ProTier\"`",
                ));
                continue;
            }
            None => {
                errors.push(syn::Error::new(
                    variant.ident.span(),
                    format!(
                        "`{}` needs its entitlement name in the listing: write `{} = \"...\"`",
                        variant.ident, variant.ident
                    ),
                ));
                continue;
            }
        };
        if variants.iter().any(|(_, n)| *n == name) {
            errors.push(syn::Error::new(
                variant.ident.span(),
                format!("the tier entitlement \"{name}\" is declared twice: declare each once"),
            ));
            continue;
        }
        variants.push((variant.ident.clone(), name));
    }
    to_result(errors)?;
    Ok(Tiers {
        attrs: item.attrs,
        vis: item.vis,
        ident: item.ident,
        variants,
    })
}

impl Tiers {
    /// The entitlement names with their spans, for the duplicate check across lists.
    pub(crate) fn names(&self) -> Vec<(String, Span)> {
        self.variants
            .iter()
            .map(|(ident, name)| (name.clone(), ident.span()))
            .collect()
    }

    /// The entitlement names as a `&'static [&'static str]`.
    pub(crate) fn name_list(&self) -> TokenStream {
        let names = self.variants.iter().map(|(_, name)| name);
        quote!(&[#(#names),*])
    }

    /// The enum, and its link to the runtime (which hands `main` the held tier).
    pub(crate) fn declaration(&self, private: &TokenStream) -> TokenStream {
        let Tiers {
            attrs, vis, ident, ..
        } = self;
        let variants: Vec<&Ident> = self.variants.iter().map(|(v, _)| v).collect();
        let names = self.name_list();
        let indices = 0..variants.len();
        quote_spanned! {ident.span()=>
            #(#attrs)*
            #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
            #vis enum #ident {
                #(#variants),*
            }

            impl #private::TierSealed for #ident {}

            impl #private::ContractTier for #ident {
                const ENTITLEMENTS: &'static [&'static str] = #names;

                fn from_index(index: usize) -> ::core::option::Option<Self> {
                    match index {
                        #(#indices => ::core::option::Option::Some(#ident::#variants),)*
                        _ => ::core::option::Option::None,
                    }
                }
            }

            impl ::core::fmt::Display for #ident {
                fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                    let index = *self as usize;
                    f.write_str(<Self as #private::ContractTier>::ENTITLEMENTS[index])
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn error(tokens: TokenStream) -> String {
        crate::errors::messages(&parse(tokens, Span::call_site()).err().expect("rejected"))
    }

    #[test]
    fn reads_the_enum() {
        let tiers = parse(
            quote!(
                pub enum Plan {
                    Basic = "BasicTier",
                    Pro = "ProTier",
                }
            ),
            Span::call_site(),
        )
        .unwrap();
        assert_eq!(tiers.ident, "Plan");
        assert_eq!(tiers.variants[1].1, "ProTier");
        let out = tiers.declaration(&quote!(::rt::__private)).to_string();
        assert!(out.contains("pub enum Plan { Basic , Pro }"), "{out}");
        assert!(
            out.contains("1usize => :: core :: option :: Option :: Some (Plan :: Pro)"),
            "{out}"
        );
    }

    #[test]
    fn misuse() {
        assert!(error(quote!(Plan)).starts_with("write the tiers as an enum"));
        assert!(
            error(quote!(
                enum Plan {}
            ))
            .contains("at least one tier")
        );
        assert!(
            error(quote!(
                enum Plan {
                    Basic,
                }
            ))
            .contains("write `Basic = \"...\"`")
        );
        assert!(
            error(quote!(
                enum Plan {
                    Basic = 1,
                }
            ))
            .contains("a non-empty string")
        );
        assert!(
            error(quote!(
                enum Plan {
                    Basic = "",
                }
            ))
            .starts_with("entitlement Name cannot be empty: write the entitlement's name")
        );
        assert!(
            error(quote!(
                enum Plan {
                    Basic(u8) = "B",
                }
            ))
            .contains("carries no data")
        );
        assert!(
            error(quote!(
                enum Plan {
                    A = "X",
                    B = "X",
                }
            ))
            .contains("declared twice")
        );
        assert!(
            error(quote!(
                enum Plan<T> {
                    A = "X",
                }
            ))
            .contains("cannot be generic")
        );
    }
}
