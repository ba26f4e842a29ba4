//! An async `main` returning a `Result` takes the tier too, with any pattern.

#[mp_runtime::marketplace_main(
    product_code = "mpemudemohourly0000000001",
    pricing = "monthly",
    free_product_codes = ["mpemudemofree000000000001"]
)]
async fn main(mut tier: mp_runtime::ProductTier) -> Result<(), String> {
    tokio::task::yield_now().await;
    if tier != mp_runtime::ProductTier::Paid {
        return Err(format!("registered as the {tier} tier"));
    }
    tier = mp_runtime::ProductTier::Free;
    assert_eq!(tier.to_string(), "free");
    Ok(())
}
