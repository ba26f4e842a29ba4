//! The Metering Service's and License Manager's input rules, as mp-marketplace-rules states
//! them, turned into compile errors at the token that breaks them.

use mp_marketplace_rules::{
    Field, MAX_DIMENSION_LEN, MAX_PRODUCT_CODE_LEN, MAX_TAG_KEY_LEN, MAX_TAG_VALUE_LEN, MAX_TAGS,
    Violation,
};
use quote::ToTokens;

/// An error at `tokens` saying which rule `violation` breaks and what is valid.
pub(crate) fn error(tokens: impl ToTokens, violation: &Violation) -> syn::Error {
    syn::Error::new_spanned(tokens, message(violation))
}

/// The rule's own sentence, and what is valid where the sentence does not say it.
pub(crate) fn message(violation: &Violation) -> String {
    match violation {
        Violation::Empty { field } => format!("{violation}: {}", valid(*field)),
        _ => violation.to_string(),
    }
}

fn valid(field: Field) -> String {
    let allowed = field.allowed();
    match field {
        Field::ProductCode => {
            format!("a product code is 1 to {MAX_PRODUCT_CODE_LEN} characters of {allowed}")
        }
        Field::UsageDimension => {
            format!("a dimension name is 1 to {MAX_DIMENSION_LEN} characters")
        }
        Field::Tags => format!("a usage allocation takes 1 to {MAX_TAGS} tags"),
        Field::TagKey => format!("a tag key is 1 to {MAX_TAG_KEY_LEN} characters of {allowed}"),
        Field::TagValue => {
            format!("a tag value is 1 to {MAX_TAG_VALUE_LEN} characters of {allowed}")
        }
        Field::ProductSku => "write the product ID License Manager knows the listing by, as \
                              the AWS Marketplace Management Portal shows it, e.g. \
                              \"prod-abcd1234efgh5\""
            .to_owned(),
        Field::EntitlementName => "write the entitlement's name as the listing shows it, e.g. \
                                   \"ConcurrentUsers\""
            .to_owned(),
        // Not checked at compile time.
        other => format!("{} takes {allowed}", other.api_name()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use mp_marketplace_rules::{check_product_code, check_tags};

    #[test]
    fn says_what_is_valid() {
        let empty = check_product_code("").unwrap_err();
        assert_eq!(
            message(&empty),
            "ProductCode cannot be empty: a product code is 1 to 255 characters of letters, digits and `-/=:_.@`"
        );
        let none = check_tags::<&str, &str>(&[]).unwrap_err();
        assert_eq!(
            message(&none),
            "Tags cannot be empty: a usage allocation takes 1 to 5 tags"
        );
        let bad = check_product_code("a b").unwrap_err();
        assert!(message(&bad).contains("(allowed: letters, digits"));
    }
}
