//! Custom metering: `meter!` adds to a per-dimension counter (`counter`, never wrapping:
//! `saturating`), a tagged one to its tag set's (`tag_sets`); the flusher
//! (`flusher`) drains counters into hourly records (`aggregator`, `hour`), journals them
//! (`journal`) and sends one `MeterUsage` per dimension per hour with a derived client token
//! (`client_token`); `stats` and `by_dimension` count what happened, for the seller's
//! health checks, and with the `metrics` feature `metrics_export` publishes those counts.

mod aggregator;
#[cfg(test)]
mod aggregator_props;
mod by_dimension;
mod client_token;
mod counter;
mod flusher;
mod fnv;
mod hour;
mod journal;
mod metering_thread;
#[cfg(feature = "metrics")]
mod metrics_export;
mod process_identity;
mod saturating;
mod stats;
mod tag_sets;
#[cfg(test)]
pub(crate) mod test_client;

#[cfg(feature = "fuzzing")]
pub(crate) use aggregator::Record;
pub use by_dimension::{DimensionStats, metering_stats, metering_stats_by_dimension};
pub(crate) use counter::registered;
pub use counter::{DeclaredDimensions, Dimension, Quantity, record, record_tagged};
#[cfg(feature = "bench")]
pub(crate) use flusher::{Flusher, Settings};
#[cfg(feature = "fuzzing")]
pub(crate) use journal::{Journal, checksummed, recover};
pub(crate) use metering_thread::{finish, start};
pub use stats::MeteringStats;
