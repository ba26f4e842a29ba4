// An hourly program has no entitlements: the error says where they are declared.
#[mp_runtime::marketplace_main(product_code = "abc", pricing = "hourly")]
async fn main() {
    let _seat = mp_runtime::checkout!(concurrent_users).await;
}
