//! License Manager's errors as its model defines them: AWS JSON 1.1 errors whose message
//! member is spelt `Message`. Errors of the protocol and of authentication (signature,
//! serialization, unknown operation) keep the shared lowercase shape.

use crate::aws_error::AwsError;
use axum::http::StatusCode;
use mp_marketplace_rules::Violation;

pub(crate) const VALIDATION: &str = "ValidationException";
pub(crate) const INVALID_PARAMETER_VALUE: &str = "InvalidParameterValueException";
pub(crate) const NO_ENTITLEMENTS_ALLOWED: &str = "NoEntitlementsAllowedException";
pub(crate) const ENTITLEMENT_NOT_ALLOWED: &str = "EntitlementNotAllowedException";
pub(crate) const RESOURCE_NOT_FOUND: &str = "ResourceNotFoundException";
pub(crate) const ACCESS_DENIED: &str = "AccessDeniedException";
pub(crate) const AUTHORIZATION: &str = "AuthorizationException";
pub(crate) const RATE_LIMIT_EXCEEDED: &str = "RateLimitExceededException";
pub(crate) const SERVER_INTERNAL: &str = "ServerInternalException";

/// A client fault (400) of the model.
pub(crate) fn error(name: &'static str, message: impl Into<String>) -> AwsError {
    AwsError::client(name, message).message_member("Message")
}

/// The generic input-constraint error for the member at `path`.
pub(crate) fn validation(path: &str, constraint: impl std::fmt::Display) -> AwsError {
    AwsError::validation(path, constraint).message_member("Message")
}

/// Applies one of mp-marketplace-rules' License Manager rules to the member at `path`: a broken
/// rule is the generic `ValidationException` naming the member.
pub(crate) fn enforce<T>(path: &str, rule: Result<T, Violation>) -> Result<T, AwsError> {
    rule.map_err(|v| validation(path, v))
}

/// A `ValidationException` in words of its own.
pub(crate) fn invalid(message: impl Into<String>) -> AwsError {
    error(VALIDATION, message)
}

/// A required member, AWS-style when absent.
pub(crate) fn required<T>(value: Option<T>, path: &str) -> Result<T, AwsError> {
    value.ok_or_else(|| validation(path, "Member must not be null"))
}

/// What throttling answers (the model does not mark it retryable: SDKs do not retry it).
pub(crate) fn rate_limit_exceeded() -> AwsError {
    error(RATE_LIMIT_EXCEEDED, "Rate exceeded")
}

/// What a server error answers (500).
pub(crate) fn server_internal() -> AwsError {
    AwsError::with_status(
        StatusCode::INTERNAL_SERVER_ERROR,
        SERVER_INTERNAL,
        "An internal error occurred (injected by the scenario)",
    )
    .message_member("Message")
}

/// The model's `Arn` pattern, in outline: `arn:aws...:<service>:<region>:<account>:<resource>`.
pub(crate) fn check_arn(path: &str, arn: &str) -> Result<(), AwsError> {
    let parts: Vec<&str> = arn.splitn(6, ':').collect();
    let valid = arn.len() <= 2048
        && parts.len() == 6
        && parts[0] == "arn"
        && parts[1].starts_with("aws")
        && !parts[2].is_empty()
        && !parts[5].is_empty();
    if valid {
        return Ok(());
    }
    Err(validation(
        path,
        "Member must satisfy regular expression pattern: ^arn:aws[a-zA-Z-]*:[A-Za-z0-9][A-Za-z0-9_/.-]{0,62}:[A-Za-z0-9_/.-]{0,63}:[A-Za-z0-9_/.-]{0,63}:[A-Za-z0-9][A-Za-z0-9:_/+=,@.-]{0,1023}$",
    ))
}
