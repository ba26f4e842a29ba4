//! Where the emulator serves what: the HTTP paths of the ECS agent's endpoints, the
//! `X-Amz-Target` prefixes that tell the two AWS JSON services apart on `POST /`, and the
//! account every emulated ARN lives in. A leaf: the endpoints, the environment that points a
//! process at them and the router all read it, and it reads nothing.

pub(crate) const METADATA_PATH: &str = "/ecs/v4/container";
pub(crate) const TASK_PATH: &str = "/ecs/v4/container/task";
pub(crate) const CREDENTIALS_PATH: &str = "/ecs/credentials";
/// A replica's `ECS_CONTAINER_METADATA_URI_V4` is `REPLICA_METADATA_PREFIX/<replica>`.
pub(crate) const REPLICA_METADATA_PREFIX: &str = "/ecs/v4/replicas";
pub(crate) const REPLICA_METADATA_PATH: &str = "/ecs/v4/replicas/{replica}";
pub(crate) const REPLICA_TASK_PATH: &str = "/ecs/v4/replicas/{replica}/task";
/// A replica's `AWS_CONTAINER_CREDENTIALS_FULL_URI` is `CREDENTIALS_PATH/<replica>`.
pub(crate) const REPLICA_CREDENTIALS_PATH: &str = "/ecs/credentials/{replica}";

/// The target prefix of every Metering Service operation.
pub const TARGET_PREFIX: &str = "AWSMPMeteringService.";

/// The target prefix of every License Manager operation.
pub const LICENSE_MANAGER_TARGET_PREFIX: &str = "AWSLicenseManager.";

/// The account every emulated ARN lives in.
pub const ACCOUNT_ID: &str = "111122223333";
