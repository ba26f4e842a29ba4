//! Contract pricing with drawdown entitlements only (the demo contract's `DataGB`): start-up
//! finds the license without drawing anything, then `main` prints what it knows of the
//! license and draws `FX_CONSUME` GB (1 if unset).

mod support;

use mp_runtime::{License, consume};

#[mp_runtime::marketplace_main(
    pricing = "contract",
    product_sku = "prod-mpemudemocontract01",
    drawdown(data_gb = "DataGB" in Gigabytes),
)]
async fn main(license: License) {
    support::report();
    let state = license.state();
    println!(
        "license: {:?}, expires: {}, DataGB: {:?}",
        state.status(),
        state.expires_at().is_some(),
        state.limit("DataGB").and_then(|l| l.max_count())
    );
    let units: u64 = std::env::var("FX_CONSUME")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(1);
    match consume!(data_gb, units).await {
        Ok(drawn) => println!("drew {}", drawn.units),
        Err(e) => println!("refused: {e:?}"),
    }
}
