//! A compiled-in code plus trusted and free alternatives `MARKETPLACE_PRODUCT_CODE` may pick.

mod support;

#[mp_runtime::marketplace_main(
    product_code = "e2ehourly0000000000000001",
    pricing = "hourly",
    trusted_product_codes = ["e2etrusted00000000000001"],
    free_product_codes = ["e2efree000000000000000001"]
)]
async fn main(_tier: mp_runtime::ProductTier) {
    support::report();
}
