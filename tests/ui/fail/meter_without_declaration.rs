//! An hourly program (no dimensions) cannot meter.
#[mp_runtime::marketplace_main(product_code = "abc", pricing = "hourly")]
fn main() {
    mp_runtime::meter!(requests);
}
