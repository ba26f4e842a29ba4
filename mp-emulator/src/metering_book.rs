//! The service's memory: the ledger, plus the per-hour record lock and the client tokens
//! already answered, which decide duplicates and idempotency.

use crate::credentials::CredentialSource;
use crate::ledger::Ledger;
use std::collections::HashMap;

/// (product, dimension, hour, task): AWS keeps one record per hour per dimension per task or
/// pod, and tells tasks of one role apart by their credentials session, so the task is the
/// source and the replica whose session signed (`None`: the default session).
pub(crate) type HourKey = (String, String, u64, (CredentialSource, Option<String>));

#[derive(Debug, Default)]
pub(crate) struct Book {
    pub(crate) ledger: Ledger,
    /// The accepted quantity and record id for each hour already recorded.
    pub(crate) hours: HashMap<HourKey, (i64, String)>,
    /// (caller, client token) -> (request fingerprint, record id answered). Keyed on the
    /// source alone: AWS scopes a client token to the caller's role, not to its session.
    pub(crate) tokens: HashMap<(String, String), (String, String)>,
}
