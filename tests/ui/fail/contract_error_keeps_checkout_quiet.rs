// With an error in the attribute, checkout! and the tier enum add no errors of their own.
#[mp_runtime::marketplace_main(
    pricing = "contract",
    product_sku = "",
    tiers(enum Plan { Basic = "BasicTier" }),
    floating(seats = "Seats"),
)]
async fn main(license: mp_runtime::License<Plan>) {
    let _ = license.tier() == Some(Plan::Basic);
    let _seat = mp_runtime::checkout!(seats).await;
}
