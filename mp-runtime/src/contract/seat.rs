//! `checkout!`: a floating entitlement held as a [`Seat`]. The seat is registered with the
//! keeper, which extends it before its 60 minutes end; dropping it sends it to the keeper to
//! check in, and at SIGTERM the keeper checks in every seat still held. If no extension
//! succeeds before those 60 minutes end, License Manager has lent the seat out again: the
//! keeper then marks it lost here too, so a process cut off from License Manager cannot keep
//! serving sessions whose seats another replica now holds.

use super::call;
use super::context;
use super::entitlement::Floating;
use super::error::ContractError;
use super::held::{self, Held};
use super::license_manager::Ask;
use aws_sdk_licensemanager::types::CheckoutType;
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

/// Checks a floating entitlement out: what `checkout!` expands to.
pub async fn checkout_seat(
    entitlement: &'static Floating,
    units: u64,
) -> Result<Seat, ContractError> {
    ContractError::check_quantity(entitlement.name, units)?;
    let ask = Ask {
        name: entitlement.name,
        value: Some(units),
        unit: entitlement.unit,
    };
    let granted = call::checkout_retried(CheckoutType::Provisional, ask).await?;
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
            ContractError::NotStarted
        );
    }
}
