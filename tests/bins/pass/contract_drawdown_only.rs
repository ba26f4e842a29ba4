// Contract pricing with drawdown entitlements only: start-up finds the license without
// drawing (the emulator's demo license, 100 DataGB), and `consume!` draws.
use mp_runtime::{License, LicenseStatus, consume};

#[mp_runtime::marketplace_main(
    pricing = "contract",
    product_sku = "prod-mpemudemocontract01",
    drawdown(data_gb = "DataGB" in Gigabytes),
)]
async fn main(license: License) -> Result<(), Box<dyn std::error::Error>> {
    let state = license.state();
    assert_eq!(state.status(), LicenseStatus::Active);
    assert!(state.tier().is_none());
    assert!(state.limit("DataGB").is_some());
    let drawn = consume!(data_gb, 2).await?;
    assert_eq!(drawn.units, 2);
    Ok(())
}
