//! Licenses as AWS License Manager holds them for contract pricing: what the emulator is told
//! to grant per product SKU ([`LicenseSpec`]), the book of pools and consumptions it keeps,
//! the signed token a checkout returns, the license tokens that stand in for AWS credentials
//! off AWS compute, and the activity the ledger reports.
//! `license_manager` serves the API over this model.

pub(crate) mod activity;
pub(crate) mod book;
pub(crate) mod issuer;
pub(crate) mod refresh_token;
pub(crate) mod signed_token;
pub(crate) mod spec;
pub(crate) mod token_book;
pub(crate) mod unit;

pub use crate::routes::LICENSE_MANAGER_TARGET_PREFIX;
pub use activity::{
    Checkout, ConsumptionEvent, EntitlementAmount, LicenseActivity, PoolLevel, Refusal, TierChange,
};
pub use issuer::MARKETPLACE_KEY_FINGERPRINT;
pub use refresh_token::{
    ACCESS_TOKEN_KEY_ID, ACCESS_TOKEN_SECS, AccessTokenClaims, LICENSE_TOKEN_ISSUER_URL,
    LicenseToken, REFRESH_TOKEN_KEY_ID, RefreshTokenClaims,
};
pub use signed_token::{LICENSE_TOKEN_ISSUER, LICENSE_TOKEN_KEY_ID, LicenseTokenClaims};
pub use spec::{
    DEMO_CONTRACT_LICENSE, DEMO_CONTRACT_SKU, LicenseSpec, Quantity, Upgrade, When,
    parse_license_flag,
};
pub use unit::EntitlementUnit;
