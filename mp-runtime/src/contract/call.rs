//! One `checkout!` or `consume!` call: a client token of its own, reused by its retries
//! (throttling and network errors, for up to a minute), so a retried attempt License
//! Manager did execute is answered again, not granted twice; and its counts.

use super::context;
use super::error::ContractError;
use super::license_manager::{self, Ask, CheckedOut};
use super::policy::Outcome;
use super::stats::{COUNTERS, bump};
use crate::aws::retry::{self, AttemptError, Stopped};
use aws_sdk_licensemanager::types::CheckoutType;
use std::time::Duration;
use tokio::time::Instant;

/// How long one call retries throttling and network errors.
const CALL_DEADLINE: Duration = Duration::from_secs(60);

/// A granted call.
pub(crate) struct Granted {
    pub(crate) checked: CheckedOut,
    /// When it was first asked (the keeper's monotonic clock): License Manager's 60 minutes
    /// for a floating checkout start no earlier.
    pub(crate) asked_at: std::time::Instant,
}

/// Checks `ask` out of this process's license.
pub(crate) async fn checkout_retried(
    checkout_type: CheckoutType,
    ask: Ask,
) -> Result<Granted, ContractError> {
    let context = context::get().ok_or(ContractError::NotStarted)?;
    let asked_at = context.clock.monotonic();
    let token =
        license_manager::client_token().map_err(|f| ContractError::Refused(f.message.into()))?;
    let result = with_retries(|| {
        let (checkout_type, token) = (checkout_type.clone(), token.clone());
        async move {
            license_manager::checkout_license(
                &context.client,
                context.spec.product_sku,
                checkout_type,
                &[ask],
                &token,
            )
            .await
        }
    })
    .await;
    let (entitlement, requested) = (ask.name, ask.value.unwrap_or_default());
    let error = match result {
        Ok(checked) => {
            bump(&COUNTERS.checkouts);
            return Ok(Granted { checked, asked_at });
        }
        // A floating pool is empty, or a drawdown quantity has less left than asked.
        Err(Outcome::NotAllowed(_) | Outcome::NotFound(_)) => match checkout_type {
            CheckoutType::Perpetual => ContractError::Exhausted {
                entitlement,
                requested,
            },
            _ => ContractError::PoolEmpty {
                entitlement,
                requested,
            },
        },
        Err(Outcome::Expired(_)) => ContractError::LicenseExpired,
        Err(Outcome::Retry(why)) => ContractError::Unavailable(why),
        Err(other) => ContractError::Refused(other.answer().clone()),
    };
    match error {
        ContractError::PoolEmpty { .. }
        | ContractError::Exhausted { .. }
        | ContractError::LicenseExpired => bump(&COUNTERS.refusals),
        _ => bump(&COUNTERS.failures),
    }
    Err(error)
}

/// Runs `call` until it succeeds, fails for good, or [`CALL_DEADLINE`] passes; the outcome
/// to act on.
async fn with_retries<T, F, Fut>(mut call: F) -> Result<T, Outcome>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, Outcome>>,
{
    let result = retry::until_deadline(Instant::now() + CALL_DEADLINE, || {
        let attempt = call();
        async move {
            attempt.await.map_err(|outcome| match outcome {
                Outcome::Retry(why) => AttemptError::Transient(why.to_string()),
                other => AttemptError::Final(other),
            })
        }
    })
    .await;
    result.map_err(|stopped| match stopped {
        Stopped::Final(outcome) => outcome,
        Stopped::GaveUp { attempts, last } => Outcome::Retry(
            format!(
                "{attempts} attempt(s) in {}s, last: {last}",
                CALL_DEADLINE.as_secs()
            )
            .into(),
        ),
    })
}
