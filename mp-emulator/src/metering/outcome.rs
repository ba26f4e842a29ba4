//! The answers that depend on the situation rather than on the request's fields: the region
//! check and the scenario's outcome. The same situation has different error names in
//! RegisterUsage and MeterUsage, and MeterUsage models fewer of them.

use super::operation::Operation;
use crate::aws_error::AwsError;
use crate::aws_json::Operation as _;
use crate::credentials::CredentialSource;
use crate::scenario::{Outcome, PlatformNotSupportedOn};
use crate::sigv4::Signer;
use crate::state::State;
use mp_marketplace_rules::errors;

/// The region error of each operation.
fn region_error_name(op: Operation) -> &'static str {
    match op {
        Operation::RegisterUsage => errors::INVALID_REGION,
        Operation::MeterUsage => errors::INVALID_ENDPOINT_REGION,
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

/// Credentials made from a License Manager license token belong to a process off AWS compute
/// (on premises, another cloud), where AWS Marketplace meters nothing: RegisterUsage answers
/// `PlatformNotSupportedException` there. MeterUsage models no platform error, but it is the
/// answer AWS gives either call outside ECS and EKS (`PlatformNotSupportedOn::Both`), so it is
/// the closest one, and an SDK still reads its code.
pub(super) fn check_platform(signer: &Signer, op: Operation) -> Result<(), AwsError> {
    if signer.source != CredentialSource::LicenseToken {
        return Ok(());
    }
    Err(AwsError::client(
        errors::PLATFORM_NOT_SUPPORTED,
        format!(
            "{} is supported only on Amazon ECS, Amazon EKS and AWS Fargate: these credentials come from a License Manager license token, which a product off AWS compute uses for contract pricing only",
            op.name()
        ),
    ))
}

/// The error the scenario in force imposes on `op`, if any.
pub(super) fn check_outcome(state: &State, op: Operation) -> Result<(), AwsError> {
    let (outcome, platform_calls) = {
        let active = state.scenario();
        (
            active.scenario.outcome,
            active.scenario.platform_not_supported_on,
        )
    };
    let (name, message) = match (outcome, op) {
        (Outcome::Entitled, _) => return Ok(()),
        (Outcome::NotEntitled, _) => (
            errors::CUSTOMER_NOT_ENTITLED,
            "The customer does not have a subscription to this product",
        ),
        (Outcome::WrongRegion, _) => (
            region_error_name(op),
            "The call must be made in the region the task runs in",
        ),
        (Outcome::UnknownProduct, _) => (
            errors::INVALID_PRODUCT_CODE,
            "The product code is not a product this seller lists",
        ),
        // MeterUsage's model lists no platform error; only the switch makes it answer one.
        (Outcome::PlatformNotSupported, Operation::MeterUsage)
            if platform_calls == PlatformNotSupportedOn::RegisterUsage =>
        {
            return Ok(());
        }
        (Outcome::PlatformNotSupported, _) => (
            errors::PLATFORM_NOT_SUPPORTED,
            "This call is supported only on Amazon ECS, Amazon EKS and AWS Fargate",
        ),
        // MeterUsage models no disabled-API or key-version errors.
        (_, Operation::MeterUsage) => return Ok(()),
        (Outcome::DisabledApi, _) => (errors::DISABLED_API, "The API is disabled in this region"),
        (Outcome::InvalidPublicKeyVersion, _) => (
            errors::INVALID_PUBLIC_KEY_VERSION,
            "The public key version is not valid for this product",
        ),
    };
    Err(AwsError::client(name, message))
}

/// A well-formed product code the emulator was not configured with.
pub(super) fn unknown_product(code: &str) -> AwsError {
    AwsError::client(
        errors::INVALID_PRODUCT_CODE,
        format!("ProductCode `{code}` is not a product this seller lists"),
    )
}
