// The license's type is rustc's to check: the generated code hands `main` a License.
#[mp_runtime::marketplace_main(
    pricing = "contract",
    product_sku = "prod-abc",
    tiers(enum Plan { Basic = "BasicTier" }),
)]
async fn main(tier: Plan) {
    let _ = tier;
}
