//! mp-emulator: a local AWS Marketplace for paid containers, on loopback.
//!
//! One HTTP server plays the Metering Service (AWS JSON 1.1, SigV4-checked, PS256-signed
//! RegisterUsage tokens), AWS License Manager (contract pricing: tiers, floating and
//! drawdown entitlements per product SKU), ECS task metadata and container credentials,
//! IMDSv2, and STS web identity, with scenarios, faults, a settable clock and a ledger of what
//! would be billed. See the crate README for endpoints, scenarios and JSON formats.

mod aws_error;
mod aws_json;
mod clock;
mod config;
mod connection;
mod control;
mod credentials;
mod ecs;
mod emulator;
mod env;
mod faults;
mod forgery;
mod ids;
mod imds;
mod keys;
mod ledger;
mod license;
mod metering;
mod public_key;
mod scenario;
mod server;
mod sigv4;
mod state;
mod sts;
mod token;

pub use config::{
    DEMO_CUSTOM_DIMENSIONS, DEMO_CUSTOM_PRODUCT, DEMO_HOURLY_PRODUCT, EmulatorConfig, Pricing,
    Product,
};
pub use credentials::{
    CredentialSource, FixedCredentials, INSTANCE_PROFILE_ROLE_NAME, IRSA_ROLE_ARN,
    MAX_REPLICA_NAME_LEN, ReplicaSession, check_replica_name,
};
pub use ecs::ACCOUNT_ID;
pub use emulator::Emulator;
pub use env::Platform;
pub use forgery::{FORGED_NONCE, FORGED_PRODUCT_CODE, Forgery, OVERSIZED_TOKEN_BYTES};
pub use keys::{
    TEST_ONLY_KEY_VERSION, TEST_ONLY_OTHER_PRIVATE_KEY_PEM, TEST_ONLY_PRIVATE_KEY_PEM,
    TEST_ONLY_PUBLIC_KEY_PEM,
};
pub use ledger::{Allocation, Ledger, MeterRecord, Registration, Tag};
pub use license::activity::{
    Checkout, ConsumptionEvent, EntitlementAmount, LicenseActivity, PoolLevel, Refusal, TierChange,
};
pub use license::signed_token::{LICENSE_TOKEN_ISSUER, LICENSE_TOKEN_KEY_ID, LicenseTokenClaims};
pub use license::spec::{
    DEMO_CONTRACT_LICENSE, DEMO_CONTRACT_SKU, LicenseSpec, Quantity, Upgrade, When,
    parse_license_flag,
};
pub use license::{EntitlementUnit, LICENSE_MANAGER_TARGET_PREFIX, MARKETPLACE_KEY_FINGERPRINT};
pub use metering::TARGET_PREFIX;
pub use public_key::public_key_pem;
pub use scenario::{DryRunAnswer, Faults, Outcome, PlatformNotSupportedOn, Scenario};
pub use server::MAX_BODY_BYTES;
pub use sigv4::{
    LICENSE_MANAGER_SIGNING_NAME, SIGNING_NAME, client_signature, client_signature_for,
};
pub use token::RegisterUsageClaims;
