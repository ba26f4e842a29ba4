// A floating entitlement is checked out, not consumed: the error names checkout!.
#[mp_runtime::marketplace_main(
    pricing = "contract",
    product_sku = "prod-mpemudemocontract01",
    tiers(enum Plan { Basic = "BasicTier", Pro = "ProTier" }),
    floating(concurrent_users = "ConcurrentUsers"),
    drawdown(data_gb = "DataGB" in Gigabytes),
)]
async fn main(_license: mp_runtime::License<Plan>) {
    let _drawn = mp_runtime::consume!(concurrent_users, 1).await;
}
