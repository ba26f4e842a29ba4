// Start-up checks the license out: a tier or a floating entitlement is needed for it.
#[mp_runtime::marketplace_main(
    pricing = "contract",
    product_sku = "prod-abc",
    drawdown(data_gb = "DataGB" in Gigabytes),
)]
async fn main(_license: mp_runtime::License) {}
