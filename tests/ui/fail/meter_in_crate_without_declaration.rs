//! A crate with neither `#[marketplace_main]` nor `dimensions!` (a library crate or a helper
//! binary): rustc's own resolution error, which the `meter!` docs explain. Pinned here so a
//! change in what the seller sees is noticed.
fn main() {
    mp_runtime::meter!(requests);
}
