//! An async `main` on the current-thread flavor.

#[mp_runtime::marketplace_main(
    product_code = "mpemudemohourly0000000001",
    pricing = "monthly",
    flavor = "current_thread"
)]
async fn main() {
    let registration = mp_runtime::registration().expect("registered before main");
    assert_eq!(registration.product_code(), "mpemudemohourly0000000001");
    tokio::task::yield_now().await;
}
