// A contract main takes the license, so the tier cannot be ignored by accident.
#[mp_runtime::marketplace_main(
    pricing = "contract",
    product_sku = "prod-abc",
    tiers(enum Plan { Basic = "BasicTier" }),
)]
async fn main() {}
