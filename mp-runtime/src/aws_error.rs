//! The first question about any failed metering call, asked the same way for RegisterUsage
//! and the DryRun MeterUsage: did the service answer with a modelled error (which each call
//! maps to its own exit code), or is it something to retry (network, timeout, 5xx), or some
//! other final failure?

use crate::exit;
use crate::failure::{Failure, causes};
use crate::startup::retry::AttemptError;
use aws_sdk_marketplacemetering::config::http::HttpResponse;
use aws_sdk_marketplacemetering::error::{ProvideErrorMetadata, SdkError};

/// The modelled service error, or what the attempt amounts to when there is none.
/// `call` names the call in the final failure's message ("RegisterUsage").
pub(crate) fn triage<'a, E>(
    error: &'a SdkError<E, HttpResponse>,
    call: &str,
) -> Result<&'a E, AttemptError>
where
    E: std::error::Error + 'static,
{
    match error {
        SdkError::ServiceError(e) => Ok(e.err()),
        SdkError::TimeoutError(_) | SdkError::DispatchFailure(_) => Err(AttemptError::Transient(
            format!("network error: {}", causes(error)),
        )),
        SdkError::ResponseError(e) if e.raw().status().is_server_error() => Err(
            AttemptError::Transient(format!("HTTP {}", e.raw().status().as_u16())),
        ),
        _ => Err(AttemptError::Final(Failure::new(
            exit::OTHER,
            format!("{call} failed: {}", causes(error)),
        ))),
    }
}

/// `ErrorName: message`, as quoted in the one-line failures.
pub(crate) fn detail(service: &impl ProvideErrorMetadata) -> String {
    format!(
        "{}: {}",
        service.code().unwrap_or("unknown error"),
        service.message().unwrap_or("no message")
    )
}
