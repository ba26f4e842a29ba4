// Contract pricing: the tier as the seller's enum, a seat (one unit and two), a drawdown, the
// stats; against the emulator's demo license (tier pro, 5 ConcurrentUsers, 100 DataGB).
use mp_runtime::{License, LicenseStatus, checkout, consume};

#[mp_runtime::marketplace_main(
    pricing = "contract",
    product_sku = "prod-mpemudemocontract01",
    tiers(enum Plan { Basic = "basic", Pro = "pro" }),
    floating(concurrent_users = "ConcurrentUsers"),
    drawdown(data_gb = "DataGB" in Gigabytes),
)]
async fn main(license: License<Plan>) -> Result<(), Box<dyn std::error::Error>> {
    assert_eq!(license.tier(), Some(Plan::Pro));
    assert!(Plan::Pro > Plan::Basic);
    assert_eq!(Plan::Pro.to_string(), "pro");
    assert_eq!(license.state().status(), LicenseStatus::Active);
    let one = checkout!(concurrent_users).await?;
    let two = checkout!(concurrent_users, 2).await?;
    assert_eq!((one.units(), two.units()), (1, 2));
    let n = 1u64;
    let drawn = consume!(data_gb, n).await?;
    assert_eq!(drawn.units, 1);
    let stats = mp_runtime::license_stats();
    assert!(stats.checkouts >= 4 && stats.drawn_units == 1, "{stats:?}");
    Ok(())
}
