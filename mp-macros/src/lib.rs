//! Procedural macros for `mp-runtime`. Depend on `mp-runtime`, which re-exports them.
//!
//! Each macro goes through the same phases, one module each: `parse` reads the tokens,
//! `validate` checks them into the crate's own model (every error joined, each at its
//! token), `expand` generates code from the model, and for `#[marketplace_main]`
//! `fallback` keeps the user's code compiling when there are errors, so only ours show.

mod errors;
mod forward;
mod rules;
mod suggest;

/// `#[marketplace_main]`.
mod marketplace_main {
    pub(crate) mod args;
    pub(crate) mod contract;
    pub(crate) mod duration;
    pub(crate) mod expand;
    pub(crate) mod fallback;
    pub(crate) mod item;
    pub(crate) mod model;
    pub(crate) mod parse;
    pub(crate) mod public_key;
    pub(crate) mod validate;
}

/// Dimension names and the crate-root module `meter!` resolves them in; `dimensions!`.
mod dimensions {
    pub(crate) mod declare;
    pub(crate) mod module;
    pub(crate) mod name;
    pub(crate) mod register;
}

/// Contract pricing: the declared tiers and entitlements, the crate-root module `checkout!`
/// and `consume!` resolve them in, those macros, and the errors of their lookup.
mod contract {
    pub(crate) mod call;
    pub(crate) mod entitlement;
    pub(crate) mod lookup;
    pub(crate) mod module;
    pub(crate) mod tiers;
}

/// `meter!` and the errors of its lookup.
mod meter {
    pub(crate) mod expand;
    pub(crate) mod lookup;
    pub(crate) mod parse;
    pub(crate) mod validate;
}

use proc_macro::TokenStream;

/// Registers the program with AWS Marketplace before `main`'s body runs.
///
/// Goes on `fn main` or `async fn main` returning `()`, `Result<(), E>`, `ExitCode` or any
/// `impl Termination`. The body runs only after `RegisterUsage` succeeded; on failure the
/// process prints one line and exits with a code from `mp_runtime::exit`.
///
/// | argument | value |
/// | --- | --- |
/// | `product_code` | required: `"..."`, 1-255 of `[-a-zA-Z0-9/=:_.@]` |
/// | `pricing` | required: `"hourly"`, `"monthly"`, `"custom"` or `"contract"` |
/// | `dimensions` | custom pricing only, and then required: `dimensions(requests, data_gb)`, the API names of the listing's dimensions, for `meter!` |
/// | `product_sku` | contract pricing only, and then required (instead of `product_code`): `"prod-..."`, the product ID License Manager knows |
/// | `tiers` | contract pricing: `tiers(enum Plan { Basic = "BasicTier", Pro = "ProTier" })`, lowest first; `main` then takes `license: mp_runtime::License<Plan>` |
/// | `floating` | contract pricing: `floating(concurrent_users = "ConcurrentUsers")`, for `checkout!`; `in Unit` after the name if not `Count` |
/// | `drawdown` | contract pricing: `drawdown(data_gb = "DataGB" in Gigabytes)`, for `consume!` |
/// | `trusted_product_codes` | `["..", ..]`: codes `MARKETPLACE_PRODUCT_CODE` may select |
/// | `free_product_codes` | `["..", ..]`: codes that run as the free tier; `main` then takes the tier, `fn main(tier: mp_runtime::ProductTier)` |
/// | `public_key`, `public_key_version` | both or neither: a PEM RSA public key, relative to Cargo.toml, and its version (>= 1) |
/// | `startup_deadline` | `"30s"`, `"5m"`, `"1h"`: how long start-up retries (default `"5m"`, at most `"6h"`) |
/// | `offline_limit` | `"30m"`, `"6h"`, or `"off"`: how long the process may run after start-up while its usage cannot be delivered (contract pricing: its license cannot be checked) before it ends with exit 95 (default `"6h"`, from `"1m"` to `"168h"`) |
/// | `flavor` | `"multi_thread"` (default) or `"current_thread"` |
/// | `worker_threads` | `N >= 1`, multi-thread only |
/// | `crate` | path to `mp_runtime` if renamed, e.g. `"::my_rt"` |
///
/// It builds the tokio runtime itself, so `#[tokio::main]` must not be stacked with it.
/// Written below, `#[tokio::main]` is seen and reported. Written above, tokio expands first
/// and its attribute is gone; the error then comes from recognising tokio's output (its last
/// statement `{ use tokio::runtime::Builder; return ... }`), which a future tokio could change.
#[proc_macro_attribute]
pub fn marketplace_main(args: TokenStream, item: TokenStream) -> TokenStream {
    let (args, item) = (args.into(), item.into());
    match marketplace_main::validate::validate(args, &item) {
        Ok(main) => marketplace_main::expand::expand(&main),
        Err(errors) => marketplace_main::fallback::fallback(item, *errors),
    }
    .into()
}

/// `checkout!`'s checker; use `mp_runtime::checkout!`, which forwards here with its own path.
#[doc(hidden)]
#[proc_macro]
pub fn __checkout(input: TokenStream) -> TokenStream {
    contract::call::expand(input.into(), contract::entitlement::Kind::Floating).into()
}

/// `consume!`'s checker; use `mp_runtime::consume!`, which forwards here with its own path.
#[doc(hidden)]
#[proc_macro]
pub fn __consume(input: TokenStream) -> TokenStream {
    contract::call::expand(input.into(), contract::entitlement::Kind::Drawdown).into()
}

/// The error for an entitlement not declared, or used with the other kind's macro;
/// generated code only.
#[doc(hidden)]
#[proc_macro]
pub fn __unknown_entitlement(input: TokenStream) -> TokenStream {
    contract::lookup::unknown(input.into()).into()
}

/// The error for `checkout!`/`consume!` in a program not priced on contract; generated code
/// only.
#[doc(hidden)]
#[proc_macro]
pub fn __no_entitlements(input: TokenStream) -> TokenStream {
    contract::lookup::none(input.into()).into()
}

/// `meter!`'s checker; use `mp_runtime::meter!`, which forwards here with its own path.
#[doc(hidden)]
#[proc_macro]
pub fn __meter(input: TokenStream) -> TokenStream {
    meter::expand::expand(input.into()).into()
}

/// `dimensions!`'s expansion; use `mp_runtime::dimensions!`, which forwards here.
#[doc(hidden)]
#[proc_macro]
pub fn __dimensions(input: TokenStream) -> TokenStream {
    dimensions::declare::declare(input.into()).into()
}

/// The error `meter!` gives for a dimension that was not declared; generated code only.
#[doc(hidden)]
#[proc_macro]
pub fn __unknown_dimension(input: TokenStream) -> TokenStream {
    meter::lookup::unknown(input.into()).into()
}

/// The error `meter!` gives in an hourly or monthly program; generated code only.
#[doc(hidden)]
#[proc_macro]
pub fn __no_dimensions(input: TokenStream) -> TokenStream {
    meter::lookup::no_dimensions(input.into()).into()
}
