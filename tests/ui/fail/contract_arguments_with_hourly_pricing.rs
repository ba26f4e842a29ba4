// Entitlements belong to contract pricing.
#[mp_runtime::marketplace_main(
    product_code = "abc",
    pricing = "hourly",
    product_sku = "prod-abc",
    floating(seats = "Seats"),
)]
async fn main() {}
