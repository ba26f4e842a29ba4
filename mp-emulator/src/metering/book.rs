//! The service's memory: the ledger, plus the per-hour record lock and the client tokens
//! already answered, which decide duplicates and idempotency.

use crate::ledger::Ledger;
use std::collections::HashMap;

/// (product, dimension, hour, caller): AWS keeps one record per hour per dimension per task.
pub(crate) type HourKey = (String, String, u64, String);

#[derive(Debug, Default)]
pub(crate) struct Book {
    pub(crate) ledger: Ledger,
    /// The accepted quantity and record id for each hour already recorded.
    pub(crate) hours: HashMap<HourKey, (i64, String)>,
    /// (caller, client token) -> (request fingerprint, record id answered).
    pub(crate) tokens: HashMap<(String, String), (String, String)>,
}
