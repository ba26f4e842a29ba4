//! The fixed credentials each emulated source vends. The SigV4 check accepts only these, and
//! the ledger's `caller` says which source signed a call, so a test can tell an ECS task role
//! from IRSA or an instance profile.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::time::{Duration, SystemTime};

/// Where a process got the credentials it signed with.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum CredentialSource {
    /// ECS task role, from the container-credentials endpoint.
    EcsTaskRole,
    /// EKS IAM Roles for Service Accounts, from STS AssumeRoleWithWebIdentity.
    Irsa,
    /// EC2 instance profile, from IMDS.
    InstanceProfile,
}

impl CredentialSource {
    pub const ALL: [CredentialSource; 3] = [Self::EcsTaskRole, Self::Irsa, Self::InstanceProfile];

    pub fn name(self) -> &'static str {
        match self {
            Self::EcsTaskRole => "ecs-task-role",
            Self::Irsa => "irsa",
            Self::InstanceProfile => "instance-profile",
        }
    }

    /// The credentials this source vends (fixed, test-only).
    pub fn credentials(self) -> FixedCredentials {
        let (access_key_id, secret_access_key, session_token) = match self {
            Self::EcsTaskRole => (
                "ASIAMPEMULATORECSTASK",
                "mp-emulator/ecs-task-role/test-only-secret",
                "mp-emulator-ecs-task-role-session-token",
            ),
            Self::Irsa => (
                "ASIAMPEMULATORIRSA000",
                "mp-emulator/irsa/test-only-secret",
                "mp-emulator-irsa-session-token",
            ),
            Self::InstanceProfile => (
                "ASIAMPEMULATORINSTPRF",
                "mp-emulator/instance-profile/test-only-secret",
                "mp-emulator-instance-profile-session-token",
            ),
        };
        FixedCredentials {
            source: self,
            access_key_id,
            secret_access_key,
            session_token,
        }
    }

    /// The role these credentials belong to.
    pub fn role_arn(self) -> &'static str {
        match self {
            Self::EcsTaskRole => "arn:aws:iam::111122223333:role/mp-emulator-task-role",
            Self::Irsa => IRSA_ROLE_ARN,
            Self::InstanceProfile => "arn:aws:iam::111122223333:role/mp-emulator-instance-profile",
        }
    }

    /// Finds the source that vends `access_key_id`, if any.
    pub fn by_access_key(access_key_id: &str) -> Option<CredentialSource> {
        Self::ALL
            .into_iter()
            .find(|s| s.credentials().access_key_id == access_key_id)
    }
}

impl fmt::Display for CredentialSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// One source's access key, secret and session token.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FixedCredentials {
    pub source: CredentialSource,
    pub access_key_id: &'static str,
    pub secret_access_key: &'static str,
    pub session_token: &'static str,
}

impl FixedCredentials {
    /// The same keys as the SDK's credentials type, named `provider` (for signing).
    pub fn sdk(self, provider: &'static str) -> aws_credential_types::Credentials {
        aws_credential_types::Credentials::new(
            self.access_key_id,
            self.secret_access_key,
            Some(self.session_token.to_string()),
            None,
            provider,
        )
    }

    /// The JSON document the ECS and IMDS credential endpoints answer with.
    pub(crate) fn to_json(self) -> serde_json::Value {
        serde_json::json!({
            "Code": "Success",
            "Type": "AWS-HMAC",
            "LastUpdated": rfc3339(SystemTime::now()),
            "AccessKeyId": self.access_key_id,
            "SecretAccessKey": self.secret_access_key,
            "Token": self.session_token,
            "Expiration": expiration(),
            "RoleArn": self.source.role_arn(),
        })
    }
}

/// The role `Emulator::env(Platform::Eks)` exports as `AWS_ROLE_ARN`.
pub const IRSA_ROLE_ARN: &str = "arn:aws:iam::111122223333:role/mp-emulator-irsa";

/// Name of the instance profile role under `/latest/meta-data/iam/security-credentials/`.
pub const INSTANCE_PROFILE_ROLE_NAME: &str = "mp-emulator-instance-profile";

/// Credentials expire 6 hours after being vended, on the real clock (clients check expiry
/// against their own clock, not the emulator's settable one).
pub(crate) fn expiration() -> String {
    rfc3339(SystemTime::now() + Duration::from_secs(6 * 3600))
}

pub(crate) fn rfc3339(t: SystemTime) -> String {
    let t = time::OffsetDateTime::from(t)
        .replace_nanosecond(0)
        .unwrap_or_else(|_| t.into());
    t.format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}
