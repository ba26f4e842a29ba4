//! The item the attribute is on -> the model's `MainFn`: it must be a plain `fn main`
//! without generics or a stacked `#[tokio::main]`, taking the tier if and only if the
//! program has free product codes.

use crate::errors::{Join, to_result};
use crate::marketplace_main::model::{MainFn, TierParam};
use proc_macro2::{Span, TokenStream};
use quote::ToTokens;
use syn::{AttrStyle, Attribute, Expr, FnArg, Item, ItemFn, PatType, Signature, Stmt};

/// The annotated function, or every problem with it.
pub(crate) fn check(item: &TokenStream, tier: TierParam) -> syn::Result<MainFn> {
    let Ok(func) = syn::parse2::<ItemFn>(item.clone()) else {
        return Err(syn::Error::new_spanned(
            item,
            "#[marketplace_main] goes on `fn main`",
        ));
    };
    let sig = &func.sig;
    let mut errors = Vec::new();
    if sig.ident != "main" {
        errors.push(syn::Error::new(
            sig.ident.span(),
            format!(
                "#[marketplace_main] goes on `fn main`, not on `fn {}`",
                sig.ident
            ),
        ));
    }
    // The expansion writes a plain `fn main`; these would be dropped silently otherwise.
    let qualifiers = [
        sig.constness.map(|t| t.span),
        sig.unsafety.map(|t| t.span),
        sig.abi.as_ref().map(|a| a.extern_token.span),
    ];
    for span in qualifiers.into_iter().flatten() {
        errors.push(syn::Error::new(
            span,
            "#[marketplace_main] goes on a plain `fn main` or `async fn main`: remove this qualifier",
        ));
    }
    if !sig.generics.params.is_empty() || sig.generics.where_clause.is_some() {
        errors.push(syn::Error::new_spanned(
            &sig.generics,
            "`main` cannot be generic",
        ));
    }
    if expanded_by_tokio_main(&func) {
        errors.push(syn::Error::new(
            Span::call_site(),
            "#[tokio::main] above this attribute already turned `main` into a tokio runtime: \
             remove #[tokio::main]; #[marketplace_main] builds the runtime itself",
        ));
    }
    for attr in func.attrs.iter().filter(|a| is_tokio_main(a)) {
        errors.push(syn::Error::new_spanned(
            attr,
            "remove this attribute: #[marketplace_main] builds the tokio runtime itself \
             (configure it with `flavor` and `worker_threads`)",
        ));
    }
    let ((), tier) = (to_result(errors), tier_param(sig, tier)).join()?;
    Ok(main_fn(func, tier))
}

/// The tier parameter, where `rule` wants one.
fn tier_param(sig: &Signature, rule: TierParam) -> syn::Result<Option<PatType>> {
    let inputs = &sig.inputs;
    match rule {
        TierParam::Unknown => Ok(None),
        TierParam::Forbidden if inputs.is_empty() => Ok(None),
        TierParam::Forbidden => Err(syn::Error::new_spanned(
            inputs,
            "`main` cannot take parameters: read arguments with `std::env::args()` \
             (only a program with `free_product_codes` takes one: the tier)",
        )),
        TierParam::License => match inputs.first() {
            Some(FnArg::Typed(param)) if inputs.len() == 1 => Ok(Some(param.clone())),
            None => Err(syn::Error::new(
                sig.paren_token.span.join(),
                "with pricing = \"contract\", `main` takes the license, which says the tier the \
                 buyer holds and when it changes: write `fn main(license: mp_runtime::License<Plan>)` \
                 (`mp_runtime::License` without tiers)",
            )),
            Some(_) => Err(syn::Error::new_spanned(
                inputs,
                "with pricing = \"contract\", `main` takes exactly one parameter, the license: \
                 write `fn main(license: mp_runtime::License<Plan>)`",
            )),
        },
        TierParam::Required => match inputs.first() {
            Some(FnArg::Typed(param)) if inputs.len() == 1 => Ok(Some(param.clone())),
            None => Err(syn::Error::new(
                sig.paren_token.span.join(),
                "with `free_product_codes`, `main` must take the tier so the free tier cannot \
                 be forgotten: write `fn main(tier: mp_runtime::ProductTier)`",
            )),
            Some(_) => Err(syn::Error::new_spanned(
                inputs,
                "with `free_product_codes`, `main` takes exactly one parameter, the tier: \
                 write `fn main(tier: mp_runtime::ProductTier)`",
            )),
        },
    }
}

fn main_fn(func: ItemFn, tier: Option<PatType>) -> MainFn {
    let (outer_attrs, inner_attrs) = func
        .attrs
        .into_iter()
        .partition(|a| matches!(a.style, AttrStyle::Outer));
    MainFn {
        outer_attrs,
        inner_attrs,
        vis: func.vis,
        ident: func.sig.ident,
        is_async: func.sig.asyncness.is_some(),
        output: func.sig.output,
        tier,
        body: *func.block,
    }
}

/// `#[tokio::main]` (or a `main` imported from tokio) stacked under ours.
pub(crate) fn is_tokio_main(attr: &Attribute) -> bool {
    let path = attr.path();
    let names: Vec<_> = path.segments.iter().map(|s| s.ident.to_string()).collect();
    names == ["main"] || names == ["tokio", "main"]
}

/// `#[tokio::main]` written above ours expands first, so we never see the attribute, only
/// its output: a last statement `{ use <tokio>::runtime::Builder; return ...block_on(body); }`.
/// Left alone it would panic at run time (a runtime started inside ours).
fn expanded_by_tokio_main(func: &ItemFn) -> bool {
    let Some(Stmt::Expr(Expr::Block(last), _)) = func.block.stmts.last() else {
        return false;
    };
    let Some(Stmt::Item(Item::Use(first))) = last.block.stmts.first() else {
        return false;
    };
    let path = first.tree.to_token_stream().to_string().replace(' ', "");
    path.ends_with("runtime::Builder")
}

#[cfg(test)]
mod tests {
    use super::*;
    use quote::quote;

    fn item(tokens: TokenStream) -> Result<(), String> {
        check(&tokens, TierParam::Forbidden)
            .map(|_| ())
            .map_err(|e| crate::errors::messages(&e))
    }

    fn with_free_codes(tokens: TokenStream) -> Result<String, String> {
        match check(&tokens, TierParam::Required) {
            Ok(main) => Ok(main.tier.to_token_stream().to_string()),
            Err(e) => Err(crate::errors::messages(&e)),
        }
    }

    #[test]
    fn free_codes_require_the_tier() {
        let tier = with_free_codes(quote!(
            fn main(tier: mp_runtime::ProductTier) {}
        ));
        assert_eq!(tier.unwrap(), "tier : mp_runtime :: ProductTier");
        let tier = with_free_codes(quote!(
            async fn main(mut t: ProductTier) {}
        ));
        assert_eq!(tier.unwrap(), "mut t : ProductTier");
        let none = with_free_codes(quote!(
            fn main() {}
        ));
        assert!(none.unwrap_err().contains("must take the tier"));
        let two = with_free_codes(quote!(
            fn main(tier: ProductTier, port: u16) {}
        ));
        assert!(two.unwrap_err().contains("exactly one parameter"));
        let receiver = with_free_codes(quote!(
            fn main(self) {}
        ));
        assert!(receiver.unwrap_err().contains("exactly one parameter"));
        // Arguments that could not be read: the parameters are not judged.
        assert!(
            check(
                &quote!(
                    fn main(a: u8, b: u8) {}
                ),
                TierParam::Unknown
            )
            .is_ok()
        );
    }

    #[test]
    fn item_rules() {
        assert!(
            item(quote!(
                fn main() {}
            ))
            .is_ok()
        );
        assert!(
            item(quote!(
                async fn main() -> Result<(), E> {
                    Ok(())
                }
            ))
            .is_ok()
        );
        assert!(
            item(quote!(
                fn start() {}
            ))
            .unwrap_err()
            .contains("not on `fn start`")
        );
        assert!(
            item(quote!(
                struct S;
            ))
            .unwrap_err()
            .contains("goes on `fn main`")
        );
        assert!(
            item(quote!(
                fn main(x: i32) {}
            ))
            .unwrap_err()
            .contains("parameters")
        );
        assert!(
            item(quote!(
                fn main<T>() {}
            ))
            .unwrap_err()
            .contains("generic")
        );
        let unsafe_main = item(quote!(
            unsafe fn main() {}
        ));
        assert!(unsafe_main.unwrap_err().contains("qualifier"));
        let const_extern_main = item(quote!(
            const extern "C" fn main() {}
        ));
        assert!(const_extern_main.unwrap_err().contains("qualifier"));
        assert!(
            item(quote!(
                #[tokio::main]
                async fn main() {}
            ))
            .unwrap_err()
            .contains("runtime itself")
        );
        let tokio_output = quote!(
            fn main() {
                let body = async {};
                #[allow(clippy::expect_used)]
                {
                    use tokio::runtime::Builder;
                    return Builder::new_multi_thread()
                        .enable_all()
                        .build()
                        .expect("x")
                        .block_on(body);
                }
            }
        );
        assert!(
            item(tokio_output)
                .unwrap_err()
                .contains("already turned `main`")
        );
        assert!(
            item(quote!(
                fn main() {
                    {
                        use std::fmt::Write;
                    }
                }
            ))
            .is_ok()
        );
    }
}
