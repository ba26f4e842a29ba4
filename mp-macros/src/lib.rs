//! Procedural macros for `mp-runtime`. Depend on `mp-runtime`, which re-exports them.
//!
//! Split by phase: `parse` reads the tokens, `validate` builds the checked model (collecting
//! every error), `expand` generates `main`, `fallback` keeps the user's code compiling when
//! there are errors so only ours show.

mod deadline;
mod expand;
mod fallback;
mod parse;
mod product_code;
mod public_key;
mod suggest;
mod validate;

use proc_macro::TokenStream;

/// Registers the program with AWS Marketplace before `main`'s body runs.
///
/// It builds the tokio runtime itself, so `#[tokio::main]` must not be stacked with it.
/// Written below, `#[tokio::main]` is seen and reported. Written above, tokio expands first
/// and its attribute is gone; the error then comes from recognising tokio's output (its last
/// statement `{ use tokio::runtime::Builder; return ... }`), which a future tokio could change.
#[proc_macro_attribute]
pub fn marketplace_main(args: TokenStream, item: TokenStream) -> TokenStream {
    let (args, item) = (args.into(), item.into());
    match validate::validate(args, &item) {
        Ok(main) => expand::expand(&main),
        Err(errors) => fallback::fallback(item, errors),
    }
    .into()
}
