//! `consume!`: a drawdown entitlement checked out `PERPETUAL`, consumed for good. One client
//! token per `consume!` call, reused by its retries: a throttled or timed-out attempt that
//! License Manager did execute is answered again, not drawn again.

use super::call::{self, Denied};
use super::entitlement::Drawdown;
use super::license_manager::Ask;
use super::stats::COUNTERS;
use aws_sdk_licensemanager::types::CheckoutType;
use std::fmt;
use std::sync::atomic::Ordering::Relaxed;

/// A draw License Manager recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Drawn {
    /// The entitlement's name in the listing.
    pub entitlement: &'static str,
    /// The units drawn.
    pub units: u64,
}

/// Why `consume!` drew nothing.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ConsumeError {
    /// Less than `requested` is left of the purchased quantity: nothing was drawn.
    Exhausted {
        /// The entitlement's name in the listing.
        entitlement: &'static str,
        /// The units asked for.
        requested: u64,
    },
    /// The license expired.
    LicenseExpired,
    /// License Manager did not answer in time (throttling, network), after retries with one
    /// client token: whether the draw happened is not known here; License Manager's record
    /// of the license says.
    Unavailable(String),
    /// License Manager refused the call for another reason (permissions, validation).
    Refused(String),
    /// This process did not start up with contract pricing.
    NotStarted,
}

impl fmt::Display for ConsumeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ConsumeError::Exhausted {
                entitlement,
                requested,
            } => write!(f, "{entitlement} has fewer than {requested} unit(s) left"),
            ConsumeError::LicenseExpired => f.write_str("the license expired"),
            ConsumeError::Unavailable(why) => write!(f, "License Manager unavailable: {why}"),
            ConsumeError::Refused(why) => write!(f, "License Manager refused: {why}"),
            ConsumeError::NotStarted => {
                f.write_str("this process did not start up with contract pricing")
            }
        }
    }
}

impl std::error::Error for ConsumeError {}

/// Draws `units` down for good: what `consume!` expands to.
pub async fn consume(entitlement: &'static Drawdown, units: u64) -> Result<Drawn, ConsumeError> {
    let ask = Ask {
        name: entitlement.name,
        value: Some(units),
        unit: entitlement.unit,
    };
    call::checkout_retried(CheckoutType::Perpetual, ask)
        .await
        .map_err(|denied| match denied {
            Denied::NotStarted => ConsumeError::NotStarted,
            Denied::NotAllowed => ConsumeError::Exhausted {
                entitlement: entitlement.name,
                requested: units,
            },
            Denied::Expired => ConsumeError::LicenseExpired,
            Denied::Unavailable(why) => ConsumeError::Unavailable(why),
            Denied::Refused(why) => ConsumeError::Refused(why),
        })?;
    COUNTERS.drawn_units.fetch_add(units, Relaxed);
    Ok(Drawn {
        entitlement: entitlement.name,
        units,
    })
}
