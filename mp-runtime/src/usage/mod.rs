//! Custom metering: `meter!` adds to a per-dimension counter (`counter`); the flusher
//! (`flusher`) drains counters into hourly records (`aggregator`, `hour`), journals them
//! (`journal`) and sends one `MeterUsage` per dimension per hour with a derived client token
//! (`client_token`); `stats` counts what happened, for the seller's health checks.

mod aggregator;
mod client_token;
mod counter;
mod entitlement;
mod flusher;
mod fnv;
mod hour;
mod journal;
mod stats;
#[cfg(test)]
mod testing;

pub use counter::{Dimension, Quantity, record, record_tagged};
#[allow(unused_imports)]
pub(crate) use entitlement::check as check_entitlement;
#[allow(unused_imports)] // wired into start-up by `private`
pub(crate) use flusher::{Flusher, Settings};
#[allow(unused_imports)]
pub(crate) use hour::{Clock, SystemClock};
pub use stats::{MeteringStats, metering_stats};
