//! The process around the seller's code: where "now" comes from (`clock`), the background
//! threads (`background`), and how it ends (`shutdown`: signals, the seller's grace period,
//! exit codes). Below the metering thread
//! and contract pricing's keeper, which both use it.

pub(crate) mod background;
pub(crate) mod clock;
pub(crate) mod shutdown;
