//! With free product codes a sync `main` is handed the registered tier: the compiled-in
//! code, so the paid tier.

use mp_runtime::Tier;

#[mp_runtime::marketplace_main(
    product_code = "mpemudemohourly0000000001",
    pricing = "hourly",
    free_product_codes = ["mpemudemofree000000000001"]
)]
fn main(tier: Tier) {
    assert_eq!(tier, Tier::Paid);
    assert_eq!(Some(tier), mp_runtime::registration().map(|r| r.tier()));
}
