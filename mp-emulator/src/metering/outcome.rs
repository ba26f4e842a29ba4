//! The answers that depend on the situation rather than on the request's fields: the region
//! check and the scenario's outcome. The same situation has different error names in
//! RegisterUsage and MeterUsage, and MeterUsage models fewer of them.

use super::Operation;
use crate::aws_error::AwsError;
use crate::scenario::Outcome;
use crate::sigv4::Signer;
use crate::state::State;

/// The region error of each operation.
fn region_error_name(op: Operation) -> &'static str {
    match op {
        Operation::RegisterUsage => "InvalidRegionException",
        Operation::MeterUsage => "InvalidEndpointRegionException",
    }
}

/// A request signed for another region than the emulator's is refused.
pub(super) fn check_region(state: &State, signer: &Signer, op: Operation) -> Result<(), AwsError> {
    if signer.region == state.config.region {
        return Ok(());
    }
    Err(AwsError::client(
        region_error_name(op),
        format!(
            "{} must be called in the region the task runs in ({}), not {}",
            op.name(),
            state.config.region,
            signer.region
        ),
    ))
}

/// The error the scenario in force imposes on `op`, if any.
pub(super) fn check_outcome(state: &State, op: Operation) -> Result<(), AwsError> {
    let outcome = state.scenario().scenario.outcome;
    let (name, message) = match (outcome, op) {
        (Outcome::Entitled, _) => return Ok(()),
        (Outcome::NotEntitled, _) => (
            "CustomerNotEntitledException",
            "The customer does not have a subscription to this product",
        ),
        (Outcome::WrongRegion, _) => (
            region_error_name(op),
            "The call must be made in the region the task runs in",
        ),
        (Outcome::UnknownProduct, _) => (
            "InvalidProductCodeException",
            "The product code is not a product this seller lists",
        ),
        // MeterUsage models no platform, disabled-API or key-version errors.
        (_, Operation::MeterUsage) => return Ok(()),
        (Outcome::PlatformNotSupported, _) => (
            "PlatformNotSupportedException",
            "This call is supported only on Amazon ECS, Amazon EKS and AWS Fargate",
        ),
        (Outcome::DisabledApi, _) => ("DisabledApiException", "The API is disabled in this region"),
        (Outcome::InvalidPublicKeyVersion, _) => (
            "InvalidPublicKeyVersionException",
            "The public key version is not valid for this product",
        ),
    };
    Err(AwsError::client(name, message))
}

/// A well-formed product code the emulator was not configured with.
pub(super) fn unknown_product(code: &str) -> AwsError {
    AwsError::client(
        "InvalidProductCodeException",
        format!("ProductCode `{code}` is not a product this seller lists"),
    )
}
