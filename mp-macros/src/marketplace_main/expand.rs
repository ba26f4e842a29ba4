//! The checked model -> a plain `fn main` that runs start-up, then the seller's body.
//! Generated code names only `<crate>::__private`, and the body keeps its own spans.

use crate::contract::entitlement::Entitlement;
use crate::contract::module::{self as entitlements, Entitlements};
use crate::contract::tiers::Tiers;
use crate::dimensions::module::{self, Lookup};
use crate::marketplace_main::model::{Flavor, Main, MainFn, Pricing, Spec};
use proc_macro2::{Group, Span, TokenStream, TokenTree};
use quote::{ToTokens, quote};
use syn::spanned::Spanned;
use syn::{PatType, ReturnType, Type};

pub(crate) fn expand(main: &Main) -> TokenStream {
    let krate = &main.spec.krate;
    let private = quote!(#krate::__private);
    let MainFn {
        outer_attrs,
        inner_attrs,
        vis,
        ident,
        output,
        ..
    } = &main.func;
    let spec = spec(&main.spec, &private);
    let flavor = flavor(main.spec.flavor, &private);
    let body = body(&main.func, main.spec.contract.is_some(), &private);
    // The pricing as a type too: the runtime instantiates only that model's start-up and
    // shutdown, so the binary links nothing of the others.
    let model = pricing_name(main.spec.pricing);
    let model = quote!(#private::pricing_model::#model);
    let runner = if main.func.is_async {
        quote!(run_async)
    } else {
        quote!(run_sync)
    };
    // Next to `main`, i.e. at the crate root, where `meter!` looks for it.
    let lookup = match main.spec.pricing {
        Pricing::Custom => Lookup::Declared(main.spec.dimensions.clone()),
        billed => Lookup::Billed(billed.name()),
    };
    let dimensions = module::module(&lookup, &private);
    let contract = contract_items(&main.spec, &private);
    quote! {
        #dimensions
        #contract
        #(#outer_attrs)*
        #vis fn #ident() #output {
            #(#inner_attrs)*
            static __MP_STARTUP_SPEC: #private::StartupSpec = #spec;
            #private::#runner(&__MP_STARTUP_SPEC, #model, #flavor, #body)
        }
    }
}

/// `async move {..}` or `move || {..}`, so `return` in the body returns from it. With a
/// nameable return type the closure states it, so `?` and `Ok(())` infer as they do in a fn.
fn body(func: &MainFn, func_is_contract: bool, private: &TokenStream) -> TokenStream {
    let block = match &func.tier {
        None => func.body.to_token_stream(),
        Some(PatType { attrs, pat, ty, .. }) => {
            // Spanned as the seller's type, so rustc's type error lands on it.
            let handed = match func_is_contract {
                true => quote!(#private::contract_license()),
                false => quote!(#private::registered_tier()),
            };
            let tier = respanned(handed, ty.span());
            let block = &func.body;
            quote!({
                #(#attrs)*
                let #pat: #ty = #tier;
                #block
            })
        }
    };
    let declared = match &func.output {
        ReturnType::Type(arrow, ty) if !matches!(**ty, Type::ImplTrait(_)) => quote!(#arrow #ty),
        _ => TokenStream::new(),
    };
    match (func.is_async, declared.is_empty()) {
        (true, true) => quote!(async move #block),
        (true, false) => quote!((async move || #declared #block)()),
        (false, _) => quote!(move || #declared #block),
    }
}

/// `tokens` with every span set to `span`.
fn respanned(tokens: TokenStream, span: Span) -> TokenStream {
    tokens
        .into_iter()
        .map(|token| match token {
            TokenTree::Group(group) => {
                let mut group = Group::new(group.delimiter(), respanned(group.stream(), span));
                group.set_span(span);
                TokenTree::Group(group)
            }
            mut other => {
                other.set_span(span);
                other
            }
        })
        .collect()
}

/// The variant of the runtime's `Pricing`, which is also the name of its `pricing_model` type.
fn pricing_name(pricing: Pricing) -> TokenStream {
    match pricing {
        Pricing::Hourly => quote!(Hourly),
        Pricing::Monthly => quote!(Monthly),
        Pricing::Custom => quote!(Custom),
        Pricing::Contract => quote!(Contract),
    }
}

fn spec(spec: &Spec, private: &TokenStream) -> TokenStream {
    let product_code = &spec.product_code;
    let pricing = pricing_name(spec.pricing);
    let contract = match &spec.contract {
        Some(contract) => {
            let sku = &contract.product_sku;
            let tiers = contract
                .tiers
                .as_ref()
                .map_or(quote!(&[]), Tiers::name_list);
            let pairs = |list: &[Entitlement]| {
                let pairs = list.iter().map(|e| {
                    let (name, unit) = (&e.aws_name, e.unit);
                    quote!((#name, #unit))
                });
                quote!(&[#(#pairs),*])
            };
            let (floating, drawdown) = (pairs(&contract.floating), pairs(&contract.drawdown));
            quote!(::core::option::Option::Some(&#private::ContractSpec {
                product_sku: #sku,
                tiers: #tiers,
                floating: #floating,
                drawdown: #drawdown,
            }))
        }
        None => quote!(::core::option::Option::None),
    };
    let dimensions = module::names(&spec.dimensions);
    let trusted = &spec.trusted_product_codes;
    let free = &spec.free_product_codes;
    let public_key = match &spec.public_key {
        Some(key) => {
            let path = key.path.to_string_lossy();
            let version = key.version;
            quote!(::core::option::Option::Some(#private::PublicKeySpec {
                pem: ::core::include_str!(#path),
                version: #version,
            }))
        }
        None => quote!(::core::option::Option::None),
    };
    let deadline = spec.startup_deadline_secs;
    let offline_limit = match spec.offline_limit_secs {
        Some(secs) => quote!(::core::option::Option::Some(#secs)),
        None => quote!(::core::option::Option::None),
    };
    quote! {
        #private::StartupSpec {
            product_code: #product_code,
            pricing: #private::Pricing::#pricing,
            trusted_product_codes: &[#(#trusted),*],
            free_product_codes: &[#(#free),*],
            public_key: #public_key,
            startup_deadline_secs: #deadline,
            offline_limit_secs: #offline_limit,
            dimensions: #dimensions,
            contract: #contract,
        }
    }
}

/// What a program names besides `main`: the tier enum, the entitlements `checkout!` and
/// `consume!` resolve against (every program has the module, see `contract::module`), and
/// with contract pricing the check that mp-runtime was built with its `contract` feature.
fn contract_items(spec: &Spec, private: &TokenStream) -> TokenStream {
    let Some(contract) = &spec.contract else {
        return entitlements::module(&Entitlements::Billed(spec.pricing.name()), private);
    };
    let mut declared = contract.floating.clone();
    declared.extend(contract.drawdown.iter().cloned());
    let module = entitlements::module(&Entitlements::Declared(declared), private);
    let tiers = contract
        .tiers
        .as_ref()
        .map(|tiers| tiers.declaration(private));
    quote! {
        #private::__require_contract_feature!();
        #tiers
        #module
    }
}

fn flavor(flavor: Flavor, private: &TokenStream) -> TokenStream {
    match flavor {
        Flavor::CurrentThread => quote!(#private::RuntimeFlavor::CurrentThread),
        Flavor::MultiThread { worker_threads } => {
            let workers = match worker_threads {
                Some(n) => quote!(::core::option::Option::Some(#n)),
                None => quote!(::core::option::Option::None),
            };
            quote!(#private::RuntimeFlavor::MultiThread { worker_threads: #workers })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::marketplace_main::validate::validate;
    use quote::quote;

    fn expanded(args: TokenStream, item: TokenStream) -> String {
        let main = validate(args, &item)
            .map_err(|e| e.error.to_string())
            .unwrap();
        expand(&main).to_string()
    }

    #[test]
    fn async_main_runs_async_with_defaults() {
        let out = expanded(
            quote!(product_code = "abc", pricing = "hourly"),
            quote!(
                #[allow(unused)]
                async fn main() {
                    work().await
                }
            ),
        );
        assert!(out.contains("} # [allow (unused)] fn main ()"), "{out}");
        assert!(
            out.contains(
                ":: mp_runtime :: __private :: run_async (& __MP_STARTUP_SPEC , :: mp_runtime :: \
                 __private :: pricing_model :: Hourly ,"
            ),
            "{out}"
        );
        assert!(out.contains("async move { work () . await }"), "{out}");
        assert!(out.contains("startup_deadline_secs : 300u64"), "{out}");
        assert!(
            out.contains("worker_threads : :: core :: option :: Option :: None"),
            "{out}"
        );
    }

    #[test]
    fn sync_result_main_states_its_type_in_the_closure() {
        let out = expanded(
            quote!(
                product_code = "abc",
                pricing = "monthly",
                flavor = "current_thread",
                crate = "rt"
            ),
            quote!(
                fn main() -> Result<(), E> {
                    Ok(())
                }
            ),
        );
        assert!(out.contains("fn main () -> Result < () , E >"), "{out}");
        assert!(out.contains("rt :: __private :: run_sync"), "{out}");
        assert!(
            out.contains("move || -> Result < () , E > { Ok (()) }"),
            "{out}"
        );
        assert!(
            out.contains("rt :: __private :: RuntimeFlavor :: CurrentThread"),
            "{out}"
        );
        assert!(out.contains("Pricing :: Monthly"), "{out}");
        // No dimensions: `meter!` finds a lookup that explains, not rustc's "cannot find".
        assert!(
            out.contains("rt :: __private :: __no_dimensions ! ($ name ; \"monthly\")"),
            "{out}"
        );
    }

    #[test]
    fn custom_pricing_declares_its_dimensions_next_to_main() {
        let out = expanded(
            quote!(
                product_code = "abc",
                pricing = "custom",
                dimensions(requests, data_gb)
            ),
            quote!(
                fn main() {}
            ),
        );
        assert!(
            out.starts_with("# [doc = r\" The metering dimensions"),
            "{out}"
        );
        assert!(out.contains("pub mod __mp_dimensions"), "{out}");
        assert!(
            out.contains("pricing : :: mp_runtime :: __private :: Pricing :: Custom"),
            "{out}"
        );
        assert!(
            out.contains("dimensions : & [\"requests\" , \"data_gb\"]"),
            "{out}"
        );
    }

    #[test]
    fn free_codes_hand_main_the_registered_tier() {
        let out = expanded(
            quote!(
                product_code = "abc",
                pricing = "hourly",
                free_product_codes = ["def"],
                crate = "rt"
            ),
            quote!(
                async fn main(tier: rt::ProductTier) {
                    run(tier).await
                }
            ),
        );
        assert!(out.contains("fn main ()"), "{out}");
        assert!(
            out.contains(
                "async move { let tier : rt :: ProductTier = rt :: __private :: registered_tier () ; { run (tier) . await } }"
            ),
            "{out}"
        );
    }

    #[test]
    fn impl_trait_return_is_left_to_inference() {
        let out = expanded(
            quote!(product_code = "abc", pricing = "hourly"),
            quote!(
                async fn main() -> impl std::process::Termination {}
            ),
        );
        assert!(
            out.contains("run_async (& __MP_STARTUP_SPEC , :: mp_runtime"),
            "{out}"
        );
        assert!(out.contains(", async move { })"), "{out}");
    }
}
