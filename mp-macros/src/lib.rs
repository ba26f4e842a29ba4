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
    pub mod args;
    pub mod deadline;
    pub mod expand;
    pub mod fallback;
    pub mod item;
    pub mod model;
    pub mod parse;
    pub mod public_key;
    pub mod validate;
}

/// Dimension names and the crate-root module `meter!` resolves them in; `dimensions!`.
mod dimensions {
    pub mod declare;
    pub mod module;
    pub mod name;
    pub mod register;
}

/// `meter!` and the errors of its lookup.
mod meter {
    pub mod expand;
    pub mod lookup;
    pub mod parse;
    pub mod validate;
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
/// | `pricing` | required: `"hourly"`, `"monthly"` or `"custom"` |
/// | `dimensions` | custom pricing only, and then required: `dimensions(requests, data_gb)`, the API names of the listing's dimensions, for `meter!` |
/// | `trusted_product_codes` | `["..", ..]`: codes `MARKETPLACE_PRODUCT_CODE` may select |
/// | `free_product_codes` | `["..", ..]`: codes that run as the free tier; `main` then takes the tier, `fn main(tier: mp_runtime::Tier)` |
/// | `public_key`, `public_key_version` | both or neither: a PEM RSA public key, relative to Cargo.toml, and its version (>= 1) |
/// | `startup_deadline` | `"30s"`, `"5m"`, `"1h"`: how long start-up retries (default `"5m"`, at most `"6h"`) |
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
        Err(errors) => marketplace_main::fallback::fallback(item, errors),
    }
    .into()
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
