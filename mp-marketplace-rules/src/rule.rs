//! What a broken rule looks like, and the few shapes every rule takes (a bounded string of
//! allowed characters, a bounded count).

use std::fmt;

/// The request field a rule belongs to, named as in the AWS API reference.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Field {
    /// `ProductCode`.
    ProductCode,
    /// `UsageDimension`.
    UsageDimension,
    /// `UsageQuantity` (or an allocation's `AllocatedUsageQuantity`).
    UsageQuantity,
    /// `UsageAllocations`.
    UsageAllocations,
    /// An allocation's `Tags`.
    Tags,
    /// A tag's `Key`.
    TagKey,
    /// A tag's `Value`.
    TagValue,
    /// `ClientToken`.
    ClientToken,
    /// `Nonce`.
    Nonce,
    /// `PublicKeyVersion`.
    PublicKeyVersion,
    /// License Manager's `ProductSKU`.
    ProductSku,
    /// An entitlement's `Name` (License Manager).
    EntitlementName,
    /// An entitlement's `Unit` (License Manager).
    EntitlementUnit,
}

impl Field {
    /// The field's name in the API reference.
    pub fn api_name(self) -> &'static str {
        match self {
            Field::ProductCode => "ProductCode",
            Field::UsageDimension => "UsageDimension",
            Field::UsageQuantity => "UsageQuantity",
            Field::UsageAllocations => "UsageAllocations",
            Field::Tags => "Tags",
            Field::TagKey => "tag key",
            Field::TagValue => "tag value",
            Field::ClientToken => "ClientToken",
            Field::Nonce => "Nonce",
            Field::PublicKeyVersion => "PublicKeyVersion",
            Field::ProductSku => "ProductSKU",
            Field::EntitlementName => "entitlement Name",
            Field::EntitlementUnit => "entitlement Unit",
        }
    }

    /// The service whose rule it is, as messages name it.
    pub fn service(self) -> &'static str {
        match self {
            Field::ProductSku | Field::EntitlementName | Field::EntitlementUnit => {
                "License Manager"
            }
            _ => "the Metering Service",
        }
    }

    /// What the field may hold, as a phrase for messages.
    pub fn allowed(self) -> &'static str {
        match self {
            Field::ProductCode => "letters, digits and `-/=:_.@`",
            Field::TagKey | Field::TagValue => "letters, digits and `+ -=._:/@`",
            Field::ClientToken => "printable ASCII without spaces",
            Field::EntitlementUnit => "License Manager's units",
            _ => "any characters",
        }
    }
}

/// One broken rule. `Display` is a sentence naming the field, the value (cut short) and
/// what the rule allows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Violation {
    /// A required string or list is empty.
    Empty {
        /// Which field.
        field: Field,
    },
    /// A string has more characters than the field allows.
    TooLong {
        /// Which field.
        field: Field,
        /// Its length in characters.
        len: usize,
        /// The most the field allows.
        max: usize,
    },
    /// A string holds a character the field does not allow.
    BadChar {
        /// Which field.
        field: Field,
        /// The value, cut short for messages.
        value: String,
        /// The first character not allowed.
        ch: char,
    },
    /// A list has more entries than the field allows.
    TooMany {
        /// Which field.
        field: Field,
        /// How many there are.
        count: usize,
        /// The most the field allows.
        max: usize,
    },
    /// A number outside the field's range.
    OutOfRange {
        /// Which field.
        field: Field,
        /// The number.
        value: i64,
        /// The smallest allowed.
        min: i64,
        /// The largest allowed.
        max: i64,
    },
    /// A value that is not one of the field's listed values (an enum's).
    NotListed {
        /// Which field.
        field: Field,
        /// The value, cut short for messages.
        value: String,
        /// The values the field takes.
        listed: &'static [&'static str],
    },
    /// Two tags of one allocation share a key.
    DuplicateTagKey {
        /// The key, cut short for messages.
        key: String,
    },
}

impl Violation {
    /// The field whose rule is broken.
    pub fn field(&self) -> Field {
        match self {
            Violation::Empty { field }
            | Violation::TooLong { field, .. }
            | Violation::BadChar { field, .. }
            | Violation::TooMany { field, .. }
            | Violation::OutOfRange { field, .. }
            | Violation::NotListed { field, .. } => *field,
            Violation::DuplicateTagKey { .. } => Field::Tags,
        }
    }
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Violation::Empty { field } => write!(f, "{} cannot be empty", field.api_name()),
            Violation::TooLong { field, len, max } => write!(
                f,
                "{} is {len} characters long; the limit is {max}",
                field.api_name()
            ),
            Violation::BadChar { field, value, ch } => write!(
                f,
                "{} {value:?} contains {ch:?}, which {} refuses (allowed: {})",
                field.api_name(),
                field.service(),
                field.allowed()
            ),
            Violation::TooMany { field, count, max } => write!(
                f,
                "{} has {count} entries; the limit is {max}",
                field.api_name()
            ),
            Violation::OutOfRange {
                field,
                value,
                min,
                max,
            } => {
                if *max == i64::MAX {
                    write!(
                        f,
                        "{} is {value}; it must be {min} or more",
                        field.api_name()
                    )
                } else {
                    write!(
                        f,
                        "{} is {value}; it must be from {min} to {max}",
                        field.api_name()
                    )
                }
            }
            Violation::NotListed {
                field,
                value,
                listed,
            } => write!(
                f,
                "{} {value:?} is not one of {} ({})",
                field.api_name(),
                field.allowed(),
                listed.join(", ")
            ),
            Violation::DuplicateTagKey { key } => {
                write!(f, "tag key {key:?} is given twice in one allocation")
            }
        }
    }
}

impl std::error::Error for Violation {}

/// A string of 1 to `max` characters, each allowed by `ok`.
pub(crate) fn text(
    field: Field,
    value: &str,
    max: usize,
    ok: impl Fn(char) -> bool,
) -> Result<(), Violation> {
    if value.is_empty() {
        return Err(Violation::Empty { field });
    }
    at_most(field, value, max)?;
    match value.chars().find(|c| !ok(*c)) {
        Some(ch) => Err(Violation::BadChar {
            field,
            value: shown(value),
            ch,
        }),
        None => Ok(()),
    }
}

/// A string of at most `max` characters.
pub(crate) fn at_most(field: Field, value: &str, max: usize) -> Result<(), Violation> {
    let len = value.chars().count();
    if len > max {
        return Err(Violation::TooLong { field, len, max });
    }
    Ok(())
}

/// A list of 1 to `max` entries.
pub(crate) fn count(field: Field, count: usize, max: usize) -> Result<(), Violation> {
    match count {
        0 => Err(Violation::Empty { field }),
        n if n > max => Err(Violation::TooMany {
            field,
            count: n,
            max,
        }),
        _ => Ok(()),
    }
}

/// A value cut to 64 characters, so a message stays one readable line.
pub(crate) fn shown(value: &str) -> String {
    const MAX: usize = 64;
    if value.chars().count() <= MAX {
        value.to_owned()
    } else {
        format!("{}...", value.chars().take(MAX).collect::<String>())
    }
}
