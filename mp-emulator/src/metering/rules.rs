//! Field constraints of the Metering Service model (lengths, patterns, ranges), each mapped
//! to the error name AWS answers with.

use crate::aws_error::AwsError;

pub(crate) const MAX_QUANTITY: i64 = 2_147_483_647;
pub(crate) const MAX_ALLOCATIONS: usize = 2500;
pub(crate) const MAX_TAGS: usize = 5;
pub(crate) const MAX_TAG_KEY: usize = 100;
pub(crate) const MAX_TAG_VALUE: usize = 256;

/// `ProductCode`: 1-255 chars of `[-a-zA-Z0-9/=:_.@]`.
pub(crate) fn check_product_code(code: &str) -> Result<(), AwsError> {
    let ok_char = |c: char| c.is_ascii_alphanumeric() || "-/=:_.@".contains(c);
    if code.is_empty() || code.chars().count() > 255 || !code.chars().all(ok_char) {
        return Err(AwsError::client(
            "InvalidProductCodeException",
            format!(
                "ProductCode `{}` must be 1-255 characters of [-a-zA-Z0-9/=:_.@]",
                truncate(code)
            ),
        ));
    }
    Ok(())
}

/// A required member, AWS-style when absent.
pub(crate) fn required<T>(value: Option<T>, field: &str) -> Result<T, AwsError> {
    value.ok_or_else(|| {
        AwsError::client(
            "ValidationException",
            format!("1 validation error detected: Value null at '{field}' failed to satisfy constraint: Member must not be null"),
        )
    })
}

pub(crate) fn check_length(field: &str, value: &str, max: usize) -> Result<(), AwsError> {
    let n = value.chars().count();
    if n == 0 || n > max {
        return Err(AwsError::validation(
            field,
            truncate(value),
            &format!("Member must have length between 1 and {max}"),
        ));
    }
    Ok(())
}

pub(crate) fn check_quantity(field: &str, quantity: i64) -> Result<(), AwsError> {
    if !(0..=MAX_QUANTITY).contains(&quantity) {
        return Err(AwsError::validation(
            field,
            quantity,
            &format!("Member must have value between 0 and {MAX_QUANTITY}"),
        ));
    }
    Ok(())
}

/// `ClientToken`: 1-64 printable ASCII characters.
pub(crate) fn check_client_token(token: &str) -> Result<(), AwsError> {
    check_length("clientToken", token, 64)?;
    if !token.chars().all(|c| ('\x21'..='\x7e').contains(&c)) {
        return Err(AwsError::validation(
            "clientToken",
            token,
            "Member must satisfy regular expression pattern: [\\x21-\\x7E]+",
        ));
    }
    Ok(())
}

/// Tag keys and values: `[a-zA-Z0-9+ -=._:\/@]`, keys up to 100, values up to 256 chars.
pub(crate) fn check_tag(key: &str, value: &str) -> Result<(), AwsError> {
    let ok_char = |c: char| c.is_ascii_alphanumeric() || "+ -=._:/@".contains(c);
    for (what, s, max) in [("key", key, MAX_TAG_KEY), ("value", value, MAX_TAG_VALUE)] {
        let n = s.chars().count();
        if n == 0 || n > max || !s.chars().all(ok_char) {
            return Err(AwsError::client(
                "InvalidTagException",
                format!(
                    "Tag {what} `{}` must be 1-{max} characters of [a-zA-Z0-9+ -=._:/@]",
                    truncate(s)
                ),
            ));
        }
    }
    Ok(())
}

/// Keeps error messages one readable line even for huge inputs.
fn truncate(s: &str) -> String {
    if s.chars().count() <= 64 {
        s.to_string()
    } else {
        format!("{}...", s.chars().take(64).collect::<String>())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn product_code_rules() {
        assert!(check_product_code("abc-123/=:_.@X").is_ok());
        assert!(check_product_code("").is_err());
        assert!(check_product_code("a b").is_err());
        assert!(check_product_code(&"a".repeat(256)).is_err());
        assert!(check_product_code(&"a".repeat(255)).is_ok());
    }

    #[test]
    fn tag_rules() {
        assert!(check_tag("tenant", "acme corp").is_ok());
        assert_eq!(check_tag("", "v").unwrap_err().name, "InvalidTagException");
        assert!(check_tag(&"k".repeat(101), "v").is_err());
        assert!(check_tag("k", &"v".repeat(257)).is_err());
        assert!(check_tag("k", &"v".repeat(256)).is_ok());
        assert!(check_tag("k", "ünïcode").is_err());
    }

    #[test]
    fn quantity_and_token_rules() {
        assert!(check_quantity("q", 0).is_ok());
        assert!(check_quantity("q", MAX_QUANTITY).is_ok());
        assert!(check_quantity("q", -1).is_err());
        assert!(check_quantity("q", MAX_QUANTITY + 1).is_err());
        assert!(check_client_token("abc").is_ok());
        assert!(check_client_token(&"a".repeat(65)).is_err());
        assert!(check_client_token("a b").is_err());
    }
}
