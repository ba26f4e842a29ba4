//! The runtime under another name, reached through `crate = "..."`.

extern crate mp_runtime as mp_rt;

#[mp_rt::marketplace_main(
    product_code = "mpemudemohourly0000000001",
    pricing = "hourly",
    crate = "mp_rt"
)]
async fn main() {
    assert!(mp_rt::registration().is_some());
}
