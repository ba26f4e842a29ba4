//! AWS Marketplace as the issuer of every license the emulator grants.

/// The issuer of every AWS Marketplace license; `CheckoutLicense` must name it.
pub const MARKETPLACE_KEY_FINGERPRINT: &str = "aws:294406891311:AWS/Marketplace:issuer-fingerprint";

/// The account AWS Marketplace issues licenses from.
pub(crate) const MARKETPLACE_ACCOUNT: &str = "294406891311";

/// The issuer name on AWS Marketplace licenses.
pub(crate) const MARKETPLACE_ISSUER: &str = "AWS/Marketplace";
