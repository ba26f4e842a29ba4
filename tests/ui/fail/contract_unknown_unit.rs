// Units are License Manager's; a near miss gets a suggestion.
#[mp_runtime::marketplace_main(
    pricing = "contract",
    product_sku = "prod-abc",
    floating(seats = "Seats"),
    drawdown(data_gb = "DataGB" in Gigabyte),
)]
async fn main(_license: mp_runtime::License) {}
