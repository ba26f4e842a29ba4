// A license state is trusted offline for at most 30 days, on premises included.
#[mp_runtime::marketplace_main(
    pricing = "contract",
    product_sku = "prod-abc",
    tiers(enum Plan { Basic = "BasicTier" }),
    offline_limit = "45d",
)]
async fn main(_license: mp_runtime::License<Plan>) {}
