//! A refused License Manager call, as the handlers hand it to the dispatcher.

use crate::aws_error::AwsError;

/// A refused call, and the SKU it concerned when known (for the ledger).
pub(crate) struct Refused {
    pub(super) error: AwsError,
    pub(super) sku: Option<String>,
}

impl Refused {
    pub(super) fn about(error: AwsError, sku: &str) -> Self {
        Self {
            error,
            sku: Some(sku.to_string()),
        }
    }
}

impl From<AwsError> for Refused {
    fn from(error: AwsError) -> Self {
        Self { error, sku: None }
    }
}
