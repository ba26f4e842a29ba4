// One name per entitlement, across floating and drawdown.
#[mp_runtime::marketplace_main(
    pricing = "contract",
    product_sku = "prod-abc",
    floating(seats = "Seats"),
    drawdown(seats = "DataGB" in Gigabytes),
)]
async fn main(_license: mp_runtime::License) {}
