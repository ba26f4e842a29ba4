//! The answer to a request that breaks an input rule. The rules are mp-marketplace-rules', so
//! the emulator refuses exactly what the runtime and the macros refuse; this file only picks
//! the error AWS answers each broken rule with.

use crate::aws_error::AwsError;
use mp_marketplace_rules::{Field, Violation, errors};

/// Applies one rule to the member at `path` (its name in AWS validation messages, such as
/// `usageQuantity`).
pub(crate) fn enforce(path: &str, rule: Result<(), Violation>) -> Result<(), AwsError> {
    rule.map_err(|v| refusal(path, &v))
}

/// A required member, AWS-style when absent.
pub(crate) fn required<T>(value: Option<T>, path: &str) -> Result<T, AwsError> {
    value.ok_or_else(|| AwsError::validation(path, "Member must not be null"))
}

/// The members with an error of their own get it; plain field constraints are the generic
/// `ValidationException`.
fn refusal(path: &str, violation: &Violation) -> AwsError {
    let name = match violation.field() {
        Field::ProductCode => errors::INVALID_PRODUCT_CODE,
        Field::Tags | Field::TagKey | Field::TagValue => errors::INVALID_TAG,
        Field::UsageAllocations => errors::INVALID_USAGE_ALLOCATIONS,
        Field::PublicKeyVersion => errors::INVALID_PUBLIC_KEY_VERSION,
        // License Manager's fields never reach a metering call; the generic error fits them.
        Field::UsageDimension
        | Field::UsageQuantity
        | Field::ClientToken
        | Field::Nonce
        | Field::ProductSku
        | Field::EntitlementName
        | Field::EntitlementUnit => {
            return AwsError::validation(path, violation);
        }
    };
    AwsError::client(name, violation.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use mp_marketplace_rules as rules;

    fn name(path: &str, rule: Result<(), Violation>) -> &'static str {
        enforce(path, rule).unwrap_err().name
    }

    #[test]
    fn each_broken_rule_gets_the_error_aws_answers_with() {
        let tags = |t: &[(&str, &str)]| rules::check_tags(t);
        assert_eq!(
            name("productCode", rules::check_product_code("a b")),
            errors::INVALID_PRODUCT_CODE
        );
        assert_eq!(name("tags", tags(&[])), errors::INVALID_TAG);
        assert_eq!(name("tags", tags(&[("k", "hello!")])), errors::INVALID_TAG);
        assert_eq!(name("tags", tags(&[("k", "ünï")])), errors::INVALID_TAG);
        assert_eq!(
            name("tags", tags(&[("k", "1"), ("k", "2")])),
            errors::INVALID_TAG
        );
        assert_eq!(
            name("usageAllocations", rules::check_allocation_count(0)),
            errors::INVALID_USAGE_ALLOCATIONS
        );
        assert_eq!(
            name("publicKeyVersion", rules::check_public_key_version(0)),
            errors::INVALID_PUBLIC_KEY_VERSION
        );
        for rule in [
            rules::check_dimension(""),
            rules::check_quantity(-1),
            rules::check_client_token("a b"),
            rules::check_nonce(&"n".repeat(256)),
        ] {
            assert_eq!(name("member", rule), errors::VALIDATION);
        }
    }

    #[test]
    fn validation_messages_name_the_member_and_the_rule() {
        let e = enforce("usageQuantity", rules::check_quantity(-1)).unwrap_err();
        assert_eq!(
            e.message,
            "1 validation error detected: Value at 'usageQuantity' failed to satisfy \
             constraint: UsageQuantity is -1; it must be from 0 to 2147483647"
        );
        let e = required::<i64>(None, "timestamp").unwrap_err();
        assert!(e.message.contains("'timestamp'") && e.message.contains("must not be null"));
    }
}
