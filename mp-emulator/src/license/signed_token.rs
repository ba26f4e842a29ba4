//! CheckoutLicense's `SignedToken`: a PS256 JWT over what was checked out, signed with the
//! emulator's key (the one RegisterUsage tokens are signed with) under a key id of its own,
//! so a program can verify it offline with the emulator's public key.

use super::activity::EntitlementAmount;
use serde::{Deserialize, Serialize};

/// The `kid` in the header of every `SignedToken` the emulator issues.
pub const LICENSE_TOKEN_KEY_ID: &str = "mp-emulator-license-manager-test-only";

/// The issuer (`iss`) of every `SignedToken` the emulator issues.
pub const LICENSE_TOKEN_ISSUER: &str = "mp-emulator (test only): AWS/Marketplace";

/// Claims of a `SignedToken`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LicenseTokenClaims {
    /// The issuer (`LICENSE_TOKEN_ISSUER`).
    pub iss: String,
    /// The license's ARN.
    #[serde(rename = "licenseArn")]
    pub license_arn: String,
    /// The product SKU.
    #[serde(rename = "productSKU")]
    pub product_sku: String,
    /// The issuer's key fingerprint.
    #[serde(rename = "keyFingerprint")]
    pub key_fingerprint: String,
    /// `PROVISIONAL` or `PERPETUAL`.
    #[serde(rename = "checkoutType")]
    pub checkout_type: String,
    /// The entitlements allowed.
    pub entitlements: Vec<EntitlementAmount>,
    /// The consumption's token.
    #[serde(rename = "licenseConsumptionToken")]
    pub license_consumption_token: String,
    /// The node id the caller sent, if any.
    #[serde(rename = "nodeId", default, skip_serializing_if = "Option::is_none")]
    pub node_id: Option<String>,
    /// The buyer's account.
    pub beneficiary: String,
    /// Issue time (`IssuedAt`), epoch seconds, emulator clock.
    pub iat: u64,
    /// `Expiration`, epoch seconds, emulator clock.
    pub exp: u64,
}
