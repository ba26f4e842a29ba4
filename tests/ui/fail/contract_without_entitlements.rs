// Contract pricing needs the listing's entitlements: its tiers, floating or drawdown ones.
#[mp_runtime::marketplace_main(
    pricing = "contract",
    product_sku = "prod-abc",
)]
async fn main(_license: mp_runtime::License) {}
