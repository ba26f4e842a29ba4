//! The process around the seller's code: where "now" comes from (`clock`), and how it ends
//! (`shutdown`: signals, the seller's grace period, exit codes). Below the metering thread
//! and contract pricing's keeper, which both use it.

pub(crate) mod clock;
pub(crate) mod shutdown;
