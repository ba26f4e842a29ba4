//! A short start-up deadline, for the retry and black-hole scenarios.

mod support;

#[mp_runtime::marketplace_main(
    product_code = "e2ehourly0000000000000001",
    pricing = "hourly",
    startup_deadline = "3s"
)]
async fn main() {
    support::report();
}
