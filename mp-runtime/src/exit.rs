//! The documented exit codes, one per class an operator acts on differently. With 80 to 94
//! start-up failed and the seller's code never ran; 95 and 96 end a process that was running,
//! because it could no longer be billed.
//!
//! A supervisor or test can tell them apart:
//!
//! ```
//! use mp_runtime::exit;
//!
//! fn explain(code: i32) -> &'static str {
//!     match code {
//!         exit::NOT_ENTITLED => "subscribe to the product in AWS Marketplace",
//!         exit::NO_CREDENTIALS => "give the task a task role, or the pod an IRSA service account",
//!         exit::GAVE_UP => "check the network path to the metering endpoint",
//!         _ => "see the troubleshooting table",
//!     }
//! }
//! assert_eq!(explain(80), "subscribe to the product in AWS Marketplace");
//! ```

/// The AWS account running the task has no subscription to the product
/// (`CustomerNotEntitledException`).
pub const NOT_ENTITLED: i32 = 80;
/// AWS Marketplace refused the platform (`PlatformNotSupportedException`); production
/// builds only, a local-testing build warns and continues.
pub const PLATFORM_NOT_SUPPORTED: i32 = 81;
/// The call went to another region than the task's: the metering endpoint's
/// `InvalidRegionException` or `InvalidEndpointRegionException`, or, under contract pricing,
/// License Manager's `RedirectException`.
pub const WRONG_REGION: i32 = 82;
/// No usable region: nothing in the environment or the metadata services gave a valid one
/// (outside AWS, where no metadata service exists, only the environment is asked).
pub const NO_REGION: i32 = 83;
/// No AWS credentials: neither an ECS task role nor IRSA (nor an instance profile) answered,
/// or `AWS_CONTAINER_CREDENTIALS_FULL_URI` names an endpoint that is refused (plain http off
/// the host and off the ECS/EKS agent addresses). Contract pricing outside AWS: the license
/// token file is missing or unreadable, its role is not named, or License Manager or STS
/// refused the token or the role.
pub const NO_CREDENTIALS: i32 = 84;
/// AWS Marketplace does not know the product code (`InvalidProductCodeException`).
pub const INVALID_PRODUCT_CODE: i32 = 85;
/// `MARKETPLACE_PRODUCT_CODE` names a code this binary does not trust.
pub const UNTRUSTED_PRODUCT_CODE: i32 = 86;
/// The `RegisterUsage` signature did not verify against the configured public key.
pub const BAD_SIGNATURE: i32 = 87;
/// The start-up deadline passed while retrying throttling, server or network errors (of the
/// metering endpoint, or under contract pricing of License Manager's).
pub const GAVE_UP: i32 = 88;
/// The Metering API is disabled in the region (`DisabledApiException`).
pub const API_DISABLED: i32 = 89;
/// AWS Marketplace does not know the configured public key version
/// (`InvalidPublicKeyVersionException`).
pub const INVALID_PUBLIC_KEY_VERSION: i32 = 90;
/// Any other start-up error: access denied, an unexpected response, a bad local setting.
pub const OTHER: i32 = 91;
/// The metering endpoint's certificate does not chain to the Amazon roots a production
/// build trusts: a proxy, a name override or a TLS-inspecting firewall intercepted the
/// connection. Settled at the first attempt, never retried.
pub const INTERCEPTED: i32 = 92;
/// Contract pricing: License Manager holds no license of the product for this account
/// (`NoEntitlementsAllowedException`, `ResourceNotFoundException` on the start-up checkout).
pub const NO_LICENSE: i32 = 93;
/// Contract pricing: the buyer's license expired (its agreement ended and was not renewed).
pub const LICENSE_EXPIRED: i32 = 94;

/// After start-up: usage has waited to be delivered (custom pricing), or the license could
/// not be checked (contract pricing), for longer than the attribute's `offline_limit`. The
/// runtime journals what it holds and ends the process: the product does not run unbilled
/// for longer than the seller allows.
pub const OFFLINE_LIMIT: i32 = 95;
/// After start-up: the metering thread or the license keeper stopped (a panic, a thread
/// that could not run). The process ends rather than serve without metering.
pub const METERING_STOPPED: i32 = 96;
