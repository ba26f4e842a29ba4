//! mp-emulator: a local AWS Marketplace for paid containers, on loopback.
//!
//! One HTTP server plays the Metering Service (AWS JSON 1.1, SigV4-checked, PS256-signed
//! RegisterUsage tokens), ECS task metadata and container credentials, IMDSv2, and STS web
//! identity, with scenarios, faults, a settable clock and a ledger of what would be billed.
//! See the crate README for endpoints, scenarios and JSON formats.

mod aws_error;
mod clock;
mod config;
mod connection;
mod control;
mod credentials;
mod ecs;
mod emulator;
mod env;
mod forgery;
mod ids;
mod imds;
mod keys;
mod ledger;
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
pub use metering::TARGET_PREFIX;
pub use public_key::public_key_pem;
pub use scenario::{DryRunAnswer, Faults, Outcome, PlatformNotSupportedOn, Scenario};
pub use server::MAX_BODY_BYTES;
pub use sigv4::{SIGNING_NAME, client_signature};
pub use token::RegisterUsageClaims;
