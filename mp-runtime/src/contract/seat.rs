//! `checkout!`: a floating entitlement held as a [`Seat`]. The seat is registered with the
//! keeper, which extends it before its 60 minutes end; dropping it sends it to the keeper to
//! check in, and at SIGTERM the keeper checks in every seat still held. If no extension
//! succeeds before those 60 minutes end, License Manager has lent the seat out again: the
//! keeper then marks it lost here too, so a process cut off from License Manager cannot keep
//! serving sessions whose seats another replica now holds.

use super::call::{self, Denied};
use super::context;
use super::entitlement::Floating;
use super::held::{self, Held};
use super::license_manager::Ask;
use aws_sdk_licensemanager::types::CheckoutType;
use std::fmt;
use std::sync::Arc;

/// A held floating entitlement (a seat of a concurrent-users pool, say). Extended while
/// held; returned to the pool when dropped.
#[must_use = "a seat is returned to the pool as soon as it is dropped"]
#[derive(Debug)]
pub struct Seat {
    held: Arc<Held>,
}

impl Seat {
    /// The entitlement's name in the listing.
    pub fn entitlement(&self) -> &'static str {
        self.held.entitlement.name
    }

    /// How many units this seat holds.
    pub fn units(&self) -> u64 {
        self.held.units
    }

    /// Whether the keeper still holds it for this process (false once it was checked in at
    /// SIGTERM, License Manager no longer knew it when it was extended, or it lapsed: no
    /// extension succeeded within its 60 minutes, so License Manager lent it out again).
    pub fn is_held(&self) -> bool {
        held::is_held(&self.held)
    }
}

impl Drop for Seat {
    fn drop(&mut self) {
        if let Some(context) = context::get() {
            held::return_to(&self.held, &context.check_ins);
        }
    }
}

/// Why `checkout!` gave no seat.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum CheckoutError {
    /// Every unit of the pool is held: try later, or tell the user the seats are taken.
    PoolEmpty {
        /// The entitlement's name in the listing.
        entitlement: &'static str,
        /// The units asked for.
        requested: u64,
    },
    /// The license expired.
    LicenseExpired,
    /// License Manager did not answer in time (throttling, network), after retries.
    Unavailable(String),
    /// License Manager refused the call for another reason (permissions, validation).
    Refused(String),
    /// This process did not start up with contract pricing.
    NotStarted,
}

impl fmt::Display for CheckoutError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CheckoutError::PoolEmpty {
                entitlement,
                requested,
            } => write!(
                f,
                "no {requested} unit(s) of {entitlement} left in the pool"
            ),
            CheckoutError::LicenseExpired => f.write_str("the license expired"),
            CheckoutError::Unavailable(why) => write!(f, "License Manager unavailable: {why}"),
            CheckoutError::Refused(why) => write!(f, "License Manager refused: {why}"),
            CheckoutError::NotStarted => {
                f.write_str("this process did not start up with contract pricing")
            }
        }
    }
}

impl std::error::Error for CheckoutError {}

/// Checks a floating entitlement out: what `checkout!` expands to.
pub async fn checkout_seat(
    entitlement: &'static Floating,
    units: u64,
) -> Result<Seat, CheckoutError> {
    let ask = Ask {
        name: entitlement.name,
        value: Some(units),
        unit: entitlement.unit,
    };
    let granted = call::checkout_retried(CheckoutType::Provisional, ask)
        .await
        .map_err(|denied| match denied {
            Denied::NotStarted => CheckoutError::NotStarted,
            Denied::NotAllowed => CheckoutError::PoolEmpty {
                entitlement: entitlement.name,
                requested: units,
            },
            Denied::Expired => CheckoutError::LicenseExpired,
            Denied::Unavailable(why) => CheckoutError::Unavailable(why),
            Denied::Refused(why) => CheckoutError::Refused(why),
        })?;
    let held = held::hold(
        entitlement,
        units,
        granted.checked.token.unwrap_or_default(),
        granted.asked_at,
    );
    Ok(Seat { held })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn send<T: Send>(_: &T) {}

    #[test]
    fn the_futures_can_be_spawned() {
        static SEATS: Floating = Floating::new("Seats", "Count");
        static DATA: super::super::Drawdown = super::super::Drawdown::new("Data", "Gigabytes");
        let checkout = checkout_seat(&SEATS, 1);
        send(&checkout);
        let consume = super::super::consume(&DATA, 1);
        send(&consume);
    }

    #[test]
    fn without_contract_start_up_nothing_is_checked_out() {
        static SEATS: Floating = Floating::new("Seats", "Count");
        let rt = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        assert_eq!(
            rt.block_on(checkout_seat(&SEATS, 1)).unwrap_err(),
            CheckoutError::NotStarted
        );
    }
}
