//! The AWS Marketplace Metering Service's contract for container products, stated once.
//!
//! Every limit and character class the service enforces on `RegisterUsage` and `MeterUsage`
//! input lives here, each with the one function that checks it. The compile-time checks of
//! `#[marketplace_main]` and `meter!`, the runtime that sends the records and the local
//! emulator that stands in for the service all call these functions, so they cannot
//! disagree about what AWS accepts. The crate has no dependencies.
//!
//! Source: the AWS Marketplace Metering Service API reference (`RegisterUsage`,
//! `MeterUsage`, `UsageAllocation`, `Tag`) and the service model the AWS SDKs are generated
//! from (`meteringmarketplace` 2016-01-14). Where the two leave room, the stricter reading
//! is taken, and the item says so.
//!
//! | input | rule | checked by |
//! |---|---|---|
//! | `ProductCode` | 1 to 255 characters of letters, digits and `-/=:_.@` | [`check_product_code`] |
//! | `UsageDimension` | 1 to 255 characters | [`check_dimension`] |
//! | `UsageQuantity`, `AllocatedUsageQuantity` | 0 to 2,147,483,647 | [`check_quantity`] |
//! | `UsageAllocations` | 1 to 2,500 allocations that sum to `UsageQuantity` | [`check_allocation_count`] |
//! | `Tags` of one allocation | 1 to 5 tags, keys unique; left out for the untagged share | [`check_tags`] |
//! | tag key | 1 to 100 characters of letters, digits and `+ -=._:/@` | [`check_tag_key`] |
//! | tag value | 1 to 256 characters of the same | [`check_tag_value`] |
//! | `ClientToken` | 1 to 64 printable ASCII characters, no space | [`check_client_token`] |
//! | `Nonce` | at most 255 characters | [`check_nonce`] |
//! | `PublicKeyVersion` | 1 or more | [`check_public_key_version`] |
//! | `Timestamp` | within the last 6 hours; one record per dimension and hour | [`time`] |
//!
//! The errors each call is modelled to return are in [`errors`].
//!
//! AWS License Manager's rules for the calls contract pricing makes are in [`license`]:
//!
//! | input | rule | checked by |
//! |---|---|---|
//! | `ProductSKU` | 1 or more characters | [`license::check_product_sku`] |
//! | an entitlement's `Name` | 1 or more characters | [`license::check_entitlement_name`] |
//! | an entitlement's `Unit` | one of the model's 27 units, spelt as on the wire; `None` is a tier's | [`license::check_entitlement_unit`] |

#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod errors;
pub mod license;
mod rule;
pub mod time;

pub use rule::{Field, Violation};

/// Longest `ProductCode`.
pub const MAX_PRODUCT_CODE_LEN: usize = 255;
/// Longest `UsageDimension` (the dimension's API name on the listing).
pub const MAX_DIMENSION_LEN: usize = 255;
/// Largest `UsageQuantity` and `AllocatedUsageQuantity`: the service's 32-bit signed range.
pub const MAX_QUANTITY: u64 = 2_147_483_647;
/// Most `UsageAllocations` one `MeterUsage` takes.
pub const MAX_ALLOCATIONS: usize = 2_500;
/// Most tags on one allocation.
pub const MAX_TAGS: usize = 5;
/// Longest tag key.
pub const MAX_TAG_KEY_LEN: usize = 100;
/// Longest tag value.
pub const MAX_TAG_VALUE_LEN: usize = 256;
/// Longest `ClientToken`.
pub const MAX_CLIENT_TOKEN_LEN: usize = 64;
/// Longest `Nonce`.
pub const MAX_NONCE_LEN: usize = 255;

/// The punctuation a product code may hold besides ASCII letters and digits.
pub const PRODUCT_CODE_PUNCTUATION: &str = "-/=:_.@";
/// The punctuation a tag key or value may hold besides ASCII letters and digits.
///
/// The model's pattern is `^[a-zA-Z0-9+ -=._:\/@]+$`. Read as a regular expression, the
/// ` -=` in it is a range from space to `=`, which would also admit ``!"#$%&'()*,;<`` and
/// more; the API reference lists the characters one by one. This crate takes the list: a
/// value outside it may or may not be refused by AWS, and a refused tag costs the record.
pub const TAG_PUNCTUATION: &str = "+ -=._:/@";

/// Whether `c` may appear in a product code.
pub fn is_product_code_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || PRODUCT_CODE_PUNCTUATION.contains(c)
}

/// Whether `c` may appear in a tag key or value.
pub fn is_tag_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || TAG_PUNCTUATION.contains(c)
}

/// `ProductCode`: 1 to 255 characters of letters, digits and `-/=:_.@`.
pub fn check_product_code(code: &str) -> Result<(), Violation> {
    rule::text(
        Field::ProductCode,
        code,
        MAX_PRODUCT_CODE_LEN,
        is_product_code_char,
    )
}

/// `UsageDimension`: 1 to 255 characters. The service takes any characters; the listing
/// decides which names exist (`InvalidUsageDimensionException` otherwise).
pub fn check_dimension(name: &str) -> Result<(), Violation> {
    rule::text(Field::UsageDimension, name, MAX_DIMENSION_LEN, |_| true)
}

/// `UsageQuantity` or `AllocatedUsageQuantity`: 0 to 2,147,483,647.
pub fn check_quantity(quantity: i64) -> Result<(), Violation> {
    if (0..=MAX_QUANTITY as i64).contains(&quantity) {
        Ok(())
    } else {
        Err(Violation::OutOfRange {
            field: Field::UsageQuantity,
            value: quantity,
            min: 0,
            max: MAX_QUANTITY as i64,
        })
    }
}

/// The number of `UsageAllocations`: 1 to 2,500 when the list is sent at all.
pub fn check_allocation_count(count: usize) -> Result<(), Violation> {
    rule::count(Field::UsageAllocations, count, MAX_ALLOCATIONS)
}

/// A tag key: 1 to 100 characters of letters, digits and `+ -=._:/@`.
pub fn check_tag_key(key: &str) -> Result<(), Violation> {
    rule::text(Field::TagKey, key, MAX_TAG_KEY_LEN, is_tag_char)
}

/// A tag value: 1 to 256 characters of letters, digits and `+ -=._:/@`.
pub fn check_tag_value(value: &str) -> Result<(), Violation> {
    rule::text(Field::TagValue, value, MAX_TAG_VALUE_LEN, is_tag_char)
}

/// One allocation's tags: 1 to 5, every key and value valid, no key twice.
pub fn check_tags<K: AsRef<str>, V: AsRef<str>>(tags: &[(K, V)]) -> Result<(), Violation> {
    rule::count(Field::Tags, tags.len(), MAX_TAGS)?;
    for (i, (key, value)) in tags.iter().enumerate() {
        let key = key.as_ref();
        check_tag_key(key)?;
        check_tag_value(value.as_ref())?;
        if tags[..i].iter().any(|(seen, _)| seen.as_ref() == key) {
            return Err(Violation::DuplicateTagKey {
                key: rule::shown(key),
            });
        }
    }
    Ok(())
}

/// `ClientToken`: 1 to 64 printable ASCII characters without spaces.
///
/// The model states only the length; the stricter character set keeps a token that is
/// safe in every header, log line and journal.
pub fn check_client_token(token: &str) -> Result<(), Violation> {
    rule::text(Field::ClientToken, token, MAX_CLIENT_TOKEN_LEN, |c| {
        c.is_ascii_graphic()
    })
}

/// `Nonce`: at most 255 characters (it may be left out).
pub fn check_nonce(nonce: &str) -> Result<(), Violation> {
    rule::at_most(Field::Nonce, nonce, MAX_NONCE_LEN)
}

/// `PublicKeyVersion`: 1 or more (the portal numbers keys from 1).
pub fn check_public_key_version(version: i64) -> Result<(), Violation> {
    if version >= 1 {
        Ok(())
    } else {
        Err(Violation::OutOfRange {
            field: Field::PublicKeyVersion,
            value: version,
            min: 1,
            max: i64::MAX,
        })
    }
}

#[cfg(test)]
mod tests;
