//! Contract pricing through AWS License Manager (feature `contract`).
//!
//! Start-up checks the license out before `main` runs (`startup`; a contract of drawdown
//! entitlements only looks it up instead, `received`); `main` receives a [`License`] whose
//! state a background thread (`keeper`) refreshes every 15 minutes and which the seller can
//! read or await (`state`). Between answers the keeper trusts its own clocks (`clock`,
//! `trust`): the license's end passing expires it, and past the seller's offline limit
//! without an answered check the process ends (exit 95). `checkout!` holds a floating
//! entitlement as a [`Seat`] that the keeper extends before its 60 minutes end, marks lost if
//! they end with no extension, and checks in when dropped or at SIGTERM (`seat`);
//! `consume!` draws a drawdown entitlement down for good with one client token per draw, so
//! a retry never draws twice (`drawdown`). Every call goes through one client (`client`:
//! pinned endpoint and trust in production builds) and one error policy (`policy`);
//! [`license_stats`] counts what happened (`stats`).

mod call;
mod check;
mod clock;
mod context;
mod drawdown;
mod entitlement;
mod error;
mod held;
mod keeper;
mod license_manager;
mod policy;
mod received;
mod seat;
mod startup;
mod state;
mod stats;
mod trust;

pub use drawdown::{Drawn, consume};
pub use entitlement::{Drawdown, Floating};
pub use error::{ContractError, LicenseManagerError};
pub use seat::{Seat, checkout_seat};
pub(crate) use startup::{Start, start};
pub use state::{
    ContractTier, EntitlementLimit, License, LicenseState, LicenseStatus, NoTiers, TierSealed,
};
pub use stats::{LicenseStats, license_stats};

pub(crate) use context::license;
pub(crate) use keeper::finish;
