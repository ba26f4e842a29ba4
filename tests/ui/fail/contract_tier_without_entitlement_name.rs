// Each tier names its entitlement in the listing.
#[mp_runtime::marketplace_main(
    pricing = "contract",
    product_sku = "prod-abc",
    tiers(enum Plan { Basic = "BasicTier", Pro }),
)]
async fn main(_license: mp_runtime::License<Plan>) {}
