//! Monthly pricing, sync main: the runtime must stay entered for the body.

mod support;

#[mp_runtime::marketplace_main(product_code = "e2emonthly000000000000001", pricing = "monthly")]
fn main() {
    support::report();
    let handle = tokio::runtime::Handle::try_current();
    println!("runtime entered: {}", handle.is_ok());
}
