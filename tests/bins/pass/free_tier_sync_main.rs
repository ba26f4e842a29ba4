//! With free product codes a sync `main` is handed the registered tier: the compiled-in
//! code, so the paid tier.

use mp_runtime::ProductTier;

#[mp_runtime::marketplace_main(
    product_code = "mpemudemohourly0000000001",
    pricing = "hourly",
    free_product_codes = ["mpemudemofree000000000001"]
)]
fn main(tier: ProductTier) {
    assert_eq!(tier, ProductTier::Paid);
    assert_eq!(Some(tier), mp_runtime::registration().map(|r| r.tier()));
}
