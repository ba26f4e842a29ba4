//! Talking to AWS, for every phase: the region, credentials, which certificates a production
//! build trusts, the Metering Service and License Manager clients, retrying with backoff, and
//! what each AWS error means (`error_policy`). Start-up, the metering thread and contract
//! pricing's keeper all stand on this layer; it knows none of them.

pub(crate) mod anywhere;
pub(crate) mod backoff;
pub(crate) mod credentials;
mod credentials_uri;
pub(crate) mod error_policy;
mod first_answer;
#[cfg(feature = "contract")]
pub(crate) mod license_client;
#[cfg(feature = "contract")]
pub(crate) mod license_token;
pub(crate) mod metering_client;
pub(crate) mod region;
pub(crate) mod retry;
#[cfg(feature = "contract")]
pub(crate) mod sts_client;
pub(crate) mod trust;
