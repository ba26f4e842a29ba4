//! A sync `main`: start-up ran before the body, and the tokio runtime is entered for it.

#[mp_runtime::marketplace_main(product_code = "mpemudemohourly0000000001", pricing = "hourly")]
fn main() {
    assert!(mp_runtime::registration().is_some());
    let handle = tokio::runtime::Handle::current();
    handle.block_on(async {});
}
