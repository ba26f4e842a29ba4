//! The two Metering Service operations this emulator plays, named by `X-Amz-Target`.

use crate::aws_error::AwsError;
use crate::aws_json;
use crate::routes::TARGET_PREFIX;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Operation {
    RegisterUsage,
    MeterUsage,
}

impl aws_json::Operation for Operation {
    fn from_target(target: &str) -> Result<Self, AwsError> {
        match target.strip_prefix(TARGET_PREFIX) {
            Some("RegisterUsage") => Ok(Self::RegisterUsage),
            Some("MeterUsage") => Ok(Self::MeterUsage),
            _ => Err(AwsError::client(
                "UnknownOperationException",
                format!(
                    "X-Amz-Target `{target}` is not an operation this emulator plays (RegisterUsage, MeterUsage)"
                ),
            )),
        }
    }

    fn name(self) -> &'static str {
        match self {
            Self::RegisterUsage => "RegisterUsage",
            Self::MeterUsage => "MeterUsage",
        }
    }
}
