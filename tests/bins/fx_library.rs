//! Custom pricing with a library's dimensions: `main` declares `requests`, the library
//! (`mp_tests`, this package's lib.rs) declares `data_gb` and `gpu_hours` with
//! `dimensions!`. Meters 3 requests and one job of 2 GB, then returns.

mod support;

#[mp_runtime::marketplace_main(
    product_code = "e2elibrary0000000000000001",
    pricing = "custom",
    dimensions(requests)
)]
fn main() {
    support::report();
    mp_runtime::meter!(requests, 3u8);
    mp_tests::run_job(2);
}
