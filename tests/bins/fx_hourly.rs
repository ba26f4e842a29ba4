//! Hourly pricing, async main, default runtime and deadline.

mod support;

#[mp_runtime::marketplace_main(product_code = "e2ehourly0000000000000001", pricing = "hourly")]
async fn main() {
    support::report();
}
