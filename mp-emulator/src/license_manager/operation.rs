//! License Manager's operations, named by `X-Amz-Target`: what the dispatcher and the
//! license-token scope check both name.

use crate::aws_error::AwsError;
use crate::aws_json;
use crate::routes::LICENSE_MANAGER_TARGET_PREFIX;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Operation {
    CheckoutLicense,
    CheckInLicense,
    ExtendLicenseConsumption,
    GetLicense,
    ListReceivedLicenses,
    CreateToken,
    DeleteToken,
    ListTokens,
    GetAccessToken,
}

impl Operation {
    pub(super) const ALL: [Operation; 9] = [
        Self::CheckoutLicense,
        Self::CheckInLicense,
        Self::ExtendLicenseConsumption,
        Self::GetLicense,
        Self::ListReceivedLicenses,
        Self::CreateToken,
        Self::DeleteToken,
        Self::ListTokens,
        Self::GetAccessToken,
    ];
}

impl aws_json::Operation for Operation {
    fn from_target(target: &str) -> Result<Self, AwsError> {
        let name = target.strip_prefix(LICENSE_MANAGER_TARGET_PREFIX);
        Self::ALL
            .into_iter()
            .find(|op| Some(op.name()) == name)
            .ok_or_else(|| {
                AwsError::client(
                    "UnknownOperationException",
                    format!(
                        "X-Amz-Target `{target}` is not a License Manager operation this emulator plays ({})",
                        Self::ALL.map(Self::name).join(", ")
                    ),
                )
            })
    }

    fn name(self) -> &'static str {
        match self {
            Self::CheckoutLicense => "CheckoutLicense",
            Self::CheckInLicense => "CheckInLicense",
            Self::ExtendLicenseConsumption => "ExtendLicenseConsumption",
            Self::GetLicense => "GetLicense",
            Self::ListReceivedLicenses => "ListReceivedLicenses",
            Self::CreateToken => "CreateToken",
            Self::DeleteToken => "DeleteToken",
            Self::ListTokens => "ListTokens",
            Self::GetAccessToken => "GetAccessToken",
        }
    }
}
