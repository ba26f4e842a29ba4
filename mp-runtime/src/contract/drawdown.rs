//! `consume!`: a drawdown entitlement checked out `PERPETUAL`, consumed for good. One client
//! token per `consume!` call, reused by its retries: a throttled or timed-out attempt that
//! License Manager did execute is answered again, not drawn again.

use super::call;
use super::entitlement::Drawdown;
use super::error::ContractError;
use super::license_manager::Ask;
use super::stats::COUNTERS;
use aws_sdk_licensemanager::types::CheckoutType;
use std::sync::atomic::Ordering::Relaxed;

/// A draw License Manager recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Drawn {
    /// The entitlement's name in the listing.
    pub entitlement: &'static str,
    /// The units drawn.
    pub units: u64,
}

/// Draws `units` down for good: what `consume!` expands to.
pub async fn consume(entitlement: &'static Drawdown, units: u64) -> Result<Drawn, ContractError> {
    ContractError::check_quantity(entitlement.name, units)?;
    let ask = Ask {
        name: entitlement.name,
        value: Some(units),
        unit: entitlement.unit,
    };
    call::checkout_retried(CheckoutType::Perpetual, ask).await?;
    COUNTERS.drawn_units.fetch_add(units, Relaxed);
    Ok(Drawn {
        entitlement: entitlement.name,
        units,
    })
}
