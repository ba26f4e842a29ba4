//! Hourly pricing linking a library that meters (`mp_tests`, whose `dimensions!` declares
//! `data_gb` and `gpu_hours`): start-up warns that this usage is never billed, then runs.

mod support;

#[mp_runtime::marketplace_main(product_code = "e2elibrary0000000000000002", pricing = "hourly")]
fn main() {
    support::report();
    mp_tests::run_job(2);
}
