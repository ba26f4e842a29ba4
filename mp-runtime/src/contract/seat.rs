//! `checkout!`: a floating entitlement held as a [`Seat`]. The seat is registered with the
//! keeper, which extends it before its 60 minutes end; dropping it sends it to the keeper to
//! check in, and at SIGTERM the keeper checks in every seat still held.

use super::call::{self, Denied};
use super::checkout::Ask;
use super::context;
use super::entitlement::Floating;
use aws_sdk_licensemanager::types::CheckoutType;
use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

/// How long a checkout lasts without extension.
pub(crate) const LIFETIME: Duration = Duration::from_secs(60 * 60);
/// When a held seat is extended: well before its lifetime ends, so a tick or two of delay
/// and a few retries still fit.
pub(crate) const EXTEND_AFTER: Duration = Duration::from_secs(40 * 60);
const _: () = assert!(
    EXTEND_AFTER.as_secs() + 15 * 60 <= LIFETIME.as_secs(),
    "a due extension has a quarter of an hour of ticks and retries before the seat returns"
);

/// A held consumption.
#[derive(Debug)]
pub(crate) struct Held {
    id: u64,
    pub(crate) entitlement: &'static Floating,
    pub(crate) units: u64,
    pub(crate) token: Mutex<String>,
    /// When the keeper extends it next (the runtime's clock).
    pub(crate) extend_at: Mutex<SystemTime>,
}

/// The seats held, for the keeper.
static HELD: Mutex<Vec<Arc<Held>>> = Mutex::new(Vec::new());
static NEXT_ID: AtomicU64 = AtomicU64::new(1);

pub(crate) fn held() -> Vec<Arc<Held>> {
    HELD.lock().unwrap_or_else(|e| e.into_inner()).clone()
}

/// Takes a seat off the held list; `None` if it was already taken off (checked in at
/// SIGTERM, or lost).
pub(crate) fn release(id: u64) -> Option<Arc<Held>> {
    let mut held = HELD.lock().unwrap_or_else(|e| e.into_inner());
    let index = held.iter().position(|h| h.id == id)?;
    Some(held.swap_remove(index))
}

/// Takes `held` off the held list, if it still is on it.
pub(crate) fn release_held(held: &Held) -> Option<Arc<Held>> {
    release(held.id)
}

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
    /// SIGTERM, or License Manager no longer knew it when it was extended).
    pub fn is_held(&self) -> bool {
        held().iter().any(|h| h.id == self.held.id)
    }
}

impl Drop for Seat {
    fn drop(&mut self) {
        if let (Some(held), Some(context)) = (release(self.held.id), context::get()) {
            let _ = context.check_ins.send(held);
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
pub async fn checkout(entitlement: &'static Floating, units: u64) -> Result<Seat, CheckoutError> {
    let ask = Ask {
        name: entitlement.name,
        value: Some(units),
        unit: entitlement.unit,
    };
    let granted = call::checkout(CheckoutType::Provisional, ask)
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
    let held = Arc::new(Held {
        id: NEXT_ID.fetch_add(1, Relaxed),
        entitlement,
        units,
        token: Mutex::new(granted.checked.token.unwrap_or_default()),
        extend_at: Mutex::new(granted.asked_at + EXTEND_AFTER),
    });
    HELD.lock()
        .unwrap_or_else(|e| e.into_inner())
        .push(held.clone());
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
        let checkout = checkout(&SEATS, 1);
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
            rt.block_on(checkout(&SEATS, 1)).unwrap_err(),
            CheckoutError::NotStarted
        );
    }
}
