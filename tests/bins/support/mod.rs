//! What every fixture does once its `main` body runs: say so first (the suites assert that
//! the seller's code did or did not run), then show what start-up registered.

/// The first line a fixture prints.
pub(crate) const USER_CODE_RAN: &str = "USER CODE RAN";

/// Prints the marker, then `registered: product=... tier=... pricing=... region=...`.
pub(crate) fn report() {
    println!("{USER_CODE_RAN}");
    match mp_runtime::registration() {
        Some(r) => println!(
            "registered: product={} tier={} pricing={} region={}",
            r.product_code(),
            r.tier(),
            r.pricing(),
            r.region()
        ),
        None => println!("registered: none"),
    }
}
