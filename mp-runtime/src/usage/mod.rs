//! Custom metering: `meter!` adds to a per-dimension counter (`counter`); the flusher
//! (`flusher`) drains counters into hourly records (`aggregator`, `hour`), journals them
//! (`journal`) and sends one `MeterUsage` per dimension per hour with a derived client token
//! (`client_token`); `stats` counts what happened, for the seller's health checks.

mod aggregator;
#[cfg(test)]
mod aggregator_props;
mod client_token;
mod counter;
mod flusher;
mod fnv;
mod hour;
mod journal;
mod metering_thread;
mod process_identity;
pub(crate) mod shutdown;
mod stats;
#[cfg(test)]
pub(crate) mod test_client;

pub use counter::{Dimension, Quantity, record, record_tagged};
pub(crate) use hour::{Clock, SystemClock};
#[cfg(feature = "fuzzing")]
pub(crate) use journal::{Journal, recover};
pub(crate) use metering_thread::{finish, start};
pub use stats::{MeteringStats, metering_stats};
