//! One reading of License Manager's errors for every call (start-up checkout, re-check,
//! `checkout!`, `consume!`, extension, check-in): the transport is settled as for metering
//! (`error_policy::read`: intercepted, retried, broken), then the error code.

use super::error::LicenseManagerError;
use crate::aws::error_policy::{Transport, read};
use aws_sdk_licensemanager::config::http::HttpResponse;
use aws_sdk_licensemanager::error::{ProvideErrorMetadata, SdkError};

/// What a failed License Manager call means.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Outcome {
    /// Throttling (`RateLimitExceededException`), a server error or the network: try again.
    Retry(LicenseManagerError),
    /// The certificate does not chain to the pinned roots.
    Intercepted(LicenseManagerError),
    /// No entitlement allowed: no license, or the pool or quantity is used up
    /// (`NoEntitlementsAllowedException`, `EntitlementNotAllowedException`).
    NotAllowed(LicenseManagerError),
    /// As `NotAllowed`, but the license expired.
    Expired(LicenseManagerError),
    /// `ResourceNotFoundException`: no such license, or a consumption already returned.
    NotFound(LicenseManagerError),
    /// `AccessDeniedException`, `AuthorizationException`: the role lacks a permission.
    Denied(LicenseManagerError),
    /// `RedirectException`: the call went to another region than the license's.
    WrongRegion(LicenseManagerError),
    /// Anything else (`ValidationException`, an answer that could not be read, ...).
    Refused(LicenseManagerError),
}

impl Outcome {
    /// The service's `Code: message`, or what went wrong without one.
    pub(crate) fn detail(&self) -> &str {
        self.answer().message()
    }

    /// What License Manager answered, with its source.
    pub(crate) fn answer(&self) -> &LicenseManagerError {
        match self {
            Outcome::Retry(d)
            | Outcome::Intercepted(d)
            | Outcome::NotAllowed(d)
            | Outcome::Expired(d)
            | Outcome::NotFound(d)
            | Outcome::Denied(d)
            | Outcome::WrongRegion(d)
            | Outcome::Refused(d) => d,
        }
    }
}

/// What `error` means, keeping it as the answer's source.
pub(crate) fn classify<E>(error: SdkError<E, HttpResponse>) -> Outcome
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
{
    let (outcome, detail): (fn(LicenseManagerError) -> Outcome, String) = match read(&error) {
        Ok((code, detail)) => (by_code(code, &detail), detail),
        Err(Transport::Retry(why)) => (Outcome::Retry, why),
        Err(Transport::Intercepted(why)) => (Outcome::Intercepted, why),
        Err(Transport::Broken(why)) => (Outcome::Refused, why),
    };
    outcome(LicenseManagerError::caused_by(detail, error))
}

fn by_code(code: &str, detail: &str) -> fn(LicenseManagerError) -> Outcome {
    match code {
        "RateLimitExceededException" | "ServerInternalException" | "ThrottlingException" => {
            Outcome::Retry
        }
        "NoEntitlementsAllowedException" | "EntitlementNotAllowedException"
            if detail.to_ascii_lowercase().contains("expired") =>
        {
            Outcome::Expired
        }
        "NoEntitlementsAllowedException" | "EntitlementNotAllowedException" => Outcome::NotAllowed,
        "ResourceNotFoundException" => Outcome::NotFound,
        "AccessDeniedException" | "AuthorizationException" => Outcome::Denied,
        "RedirectException" => Outcome::WrongRegion,
        _ => Outcome::Refused,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_sdk_licensemanager::error::{ConnectorError, ErrorMetadata};
    use aws_sdk_licensemanager::operation::checkout_license::CheckoutLicenseError;
    use aws_smithy_runtime_api::http::StatusCode;
    use aws_smithy_types::body::SdkBody;

    type Error = SdkError<CheckoutLicenseError, HttpResponse>;

    fn service(code: &str, message: &str, status: u16) -> Error {
        let error = CheckoutLicenseError::generic(
            ErrorMetadata::builder().code(code).message(message).build(),
        );
        let response = HttpResponse::new(StatusCode::try_from(status).unwrap(), SdkBody::empty());
        SdkError::service_error(error, response)
    }

    #[test]
    fn codes() {
        let outcome = |code, message| classify(service(code, message, 400));
        assert!(matches!(
            outcome("RateLimitExceededException", "slow"),
            Outcome::Retry(_)
        ));
        assert!(matches!(
            outcome("NoEntitlementsAllowedException", "No entitlements allowed"),
            Outcome::NotAllowed(_)
        ));
        assert!(matches!(
            outcome("NoEntitlementsAllowedException", "The license has expired"),
            Outcome::Expired(_)
        ));
        assert!(matches!(
            outcome("EntitlementNotAllowedException", "pool"),
            Outcome::NotAllowed(_)
        ));
        assert!(matches!(
            outcome("ResourceNotFoundException", "x"),
            Outcome::NotFound(_)
        ));
        assert!(matches!(
            outcome("AccessDeniedException", "x"),
            Outcome::Denied(_)
        ));
        assert!(matches!(
            outcome("RedirectException", "x"),
            Outcome::WrongRegion(_)
        ));
        assert_eq!(
            outcome("ValidationException", "bad"),
            Outcome::Refused("ValidationException: bad".into())
        );
        assert!(matches!(
            classify(service("ServerInternalException", "x", 500)),
            Outcome::Retry(_)
        ));
        let reset: Error = SdkError::dispatch_failure(ConnectorError::io("reset".into()));
        assert!(matches!(classify(reset), Outcome::Retry(_)));
    }
}
