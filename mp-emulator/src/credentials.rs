//! The fixed credentials each emulated source vends. The SigV4 check accepts only these, and
//! the ledger's `caller` says which source signed a call, so a test can tell an ECS task role
//! from IRSA or an instance profile.
//!
//! AWS tells two tasks or pods of one role apart by their credentials session, so the
//! emulator does too: a replica's session has the source's keys and a session token of its
//! own, `<the source's session token>/<replica name>`. The source's own token is the default
//! replica's.

pub use crate::routes::ACCOUNT_ID;

use crate::clock::rfc3339;
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
    /// A License Manager license token off AWS compute (on premises, another cloud): STS
    /// `AssumeRoleWithWebIdentity` with an access token from `GetAccessToken`. Each exchange
    /// is an STS session of its own, limited to the token's license.
    LicenseToken,
}

impl CredentialSource {
    /// Every source on AWS compute (an ECS task, an EKS pod, an EC2 instance); the SigV4
    /// check tries them in this order, then [`LicenseToken`](Self::LicenseToken).
    pub const ALL: [CredentialSource; 3] = [Self::EcsTaskRole, Self::Irsa, Self::InstanceProfile];

    /// The name the ledger's `caller` gives this source (`ecs-task-role`, `irsa`,
    /// `instance-profile`, `license-token`).
    pub fn name(self) -> &'static str {
        match self {
            Self::EcsTaskRole => "ecs-task-role",
            Self::Irsa => "irsa",
            Self::InstanceProfile => "instance-profile",
            Self::LicenseToken => "license-token",
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
            Self::LicenseToken => (
                "ASIAMPEMULATORLICTOKN",
                "mp-emulator/license-token/test-only-secret",
                "mp-emulator-license-token-session-token",
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
            Self::LicenseToken => LICENSE_TOKEN_ROLE_ARN,
        }
    }

    /// Whether the source vends a session per replica: an ECS task role per task and IRSA per
    /// pod do; an instance profile has one session for the whole instance, and license-token
    /// sessions are made by STS, one per exchange, not per replica.
    pub fn has_replicas(self) -> bool {
        matches!(self, Self::EcsTaskRole | Self::Irsa)
    }

    /// The STS session `id` of license-token credentials: their keys, and a session token
    /// naming the session (whose license and expiry the emulator keeps).
    pub(crate) fn license_token_session(id: &str) -> ReplicaSession {
        ReplicaSession {
            source: Self::LicenseToken,
            replica: Some(id.to_string()),
        }
    }

    /// The session of replica `name` (`None`: the default one), if this source has replicas
    /// and the name is valid (see [`check_replica_name`]).
    pub fn session(self, replica: Option<&str>) -> Result<ReplicaSession, String> {
        if let Some(name) = replica {
            check_replica_name(name)?;
            if !self.has_replicas() {
                return Err(format!(
                    "replica `{name}`: {self} credentials have no replicas (an instance profile has one session per instance; license-token sessions come from STS, one per exchange); replicas are for the ECS task role and IRSA"
                ));
            }
        }
        Ok(ReplicaSession {
            source: self,
            replica: replica.map(str::to_string),
        })
    }

    /// The session a request's `X-Amz-Security-Token` names: the source's token, or that
    /// token, `/` and a replica name.
    pub(crate) fn session_of_token(self, sent: &str) -> Option<ReplicaSession> {
        let rest = sent.strip_prefix(self.credentials().session_token)?;
        let replica = match rest {
            "" => None,
            _ => Some(rest.strip_prefix('/')?),
        };
        if self == Self::LicenseToken {
            // Only STS makes these sessions, and each has an id.
            let id = replica?;
            check_replica_name(id).ok()?;
            return Some(Self::license_token_session(id));
        }
        self.session(replica).ok()
    }

    /// Finds the source that vends `access_key_id`, if any.
    pub fn by_access_key(access_key_id: &str) -> Option<CredentialSource> {
        Self::ALL
            .into_iter()
            .chain([Self::LicenseToken])
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
    /// The source that vends these credentials.
    pub source: CredentialSource,
    /// The access key id.
    pub access_key_id: &'static str,
    /// The secret access key.
    pub secret_access_key: &'static str,
    /// The session token.
    pub session_token: &'static str,
}

impl FixedCredentials {
    /// The same keys as the SDK's credentials type, named `provider` (for signing).
    pub fn sdk(self, provider: &'static str) -> aws_credential_types::Credentials {
        self.sdk_with_token(self.session_token.to_string(), provider)
    }

    fn sdk_with_token(
        self,
        session_token: String,
        provider: &'static str,
    ) -> aws_credential_types::Credentials {
        aws_credential_types::Credentials::new(
            self.access_key_id,
            self.secret_access_key,
            Some(session_token),
            None,
            provider,
        )
    }

    /// The JSON document the ECS and IMDS credential endpoints answer with.
    pub(crate) fn to_json(self) -> serde_json::Value {
        self.json_with_token(self.session_token)
    }

    fn json_with_token(self, session_token: &str) -> serde_json::Value {
        serde_json::json!({
            "Code": "Success",
            "Type": "AWS-HMAC",
            "LastUpdated": rfc3339(SystemTime::now()),
            "AccessKeyId": self.access_key_id,
            "SecretAccessKey": self.secret_access_key,
            "Token": session_token,
            "Expiration": expiration(),
            "RoleArn": self.source.role_arn(),
        })
    }
}

/// One replica's credentials session (a task of an ECS service, a pod of a Deployment): its
/// source's keys, and a session token naming the replica. Made by [`CredentialSource::session`].
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ReplicaSession {
    source: CredentialSource,
    replica: Option<String>,
}

impl ReplicaSession {
    /// The source whose role this session belongs to.
    pub fn source(&self) -> CredentialSource {
        self.source
    }

    /// The replica's name; `None` for the source's default session. For license-token
    /// credentials, the id of the STS session.
    pub fn replica(&self) -> Option<&str> {
        self.replica.as_deref()
    }

    /// The source's keys.
    pub fn credentials(&self) -> FixedCredentials {
        self.source.credentials()
    }

    /// `<the source's session token>/<replica>`, or the source's token for the default one.
    pub fn session_token(&self) -> String {
        let base = self.credentials().session_token;
        match &self.replica {
            None => base.to_string(),
            Some(name) => format!("{base}/{name}"),
        }
    }

    /// The session as the SDK's credentials type, named `provider` (for signing).
    pub fn sdk(&self, provider: &'static str) -> aws_credential_types::Credentials {
        self.credentials()
            .sdk_with_token(self.session_token(), provider)
    }

    /// The JSON document a credential endpoint answers with for this session.
    pub(crate) fn to_json(&self) -> serde_json::Value {
        self.credentials().json_with_token(&self.session_token())
    }
}

/// The longest replica name.
pub const MAX_REPLICA_NAME_LEN: usize = 64;

/// A replica name is 1 to 64 letters, digits, `.`, `_` or `-` (what a pod or task name and
/// a session token, URL path and file name can all hold as is).
pub fn check_replica_name(name: &str) -> Result<(), String> {
    let allowed = |c: char| c.is_ascii_alphanumeric() || "._-".contains(c);
    if (1..=MAX_REPLICA_NAME_LEN).contains(&name.len()) && name.chars().all(allowed) {
        Ok(())
    } else {
        Err(format!(
            "replica name `{name}` must be 1 to {MAX_REPLICA_NAME_LEN} letters, digits, `.`, `_` or `-`"
        ))
    }
}

/// The role `Emulator::env(Platform::Eks)` exports as `AWS_ROLE_ARN`.
pub const IRSA_ROLE_ARN: &str = "arn:aws:iam::111122223333:role/mp-emulator-irsa";

/// The role the emulator's license tokens name unless told others (`CreateToken` without
/// `RoleArns`, `Emulator::create_license_token` with none), and the `AWS_ROLE_ARN` of
/// `Emulator::env(Platform::Anywhere)`.
pub const LICENSE_TOKEN_ROLE_ARN: &str = "arn:aws:iam::111122223333:role/mp-emulator-license-token";

/// Name of the instance profile role under `/latest/meta-data/iam/security-credentials/`.
pub const INSTANCE_PROFILE_ROLE_NAME: &str = "mp-emulator-instance-profile";

/// Credentials expire 6 hours after being vended, on the real clock (clients check expiry
/// against their own clock, not the emulator's settable one).
pub(crate) fn expiration() -> String {
    rfc3339(SystemTime::now() + Duration::from_secs(6 * 3600))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replica_names() {
        for good in ["a", "pod-0", "web.abc_1", &"x".repeat(64)] {
            assert!(check_replica_name(good).is_ok(), "{good}");
        }
        for bad in ["", "a b", "a/b", "a#b", "pöd", &"x".repeat(65)] {
            assert!(check_replica_name(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn a_session_token_names_its_replica() {
        let irsa = CredentialSource::Irsa;
        let base = irsa.credentials().session_token;
        let pod = irsa.session(Some("pod-a")).unwrap();
        assert_eq!(pod.session_token(), format!("{base}/pod-a"));
        assert_eq!(irsa.session_of_token(&pod.session_token()), Some(pod));
        assert_eq!(
            irsa.session_of_token(base),
            Some(irsa.session(None).unwrap())
        );
        for bad in [
            format!("{base}/"),
            format!("{base}pod-a"),
            format!("{base}/a/b"),
            format!("{base}/{}", "x".repeat(65)),
            "other".to_string(),
        ] {
            assert_eq!(irsa.session_of_token(&bad), None, "{bad}");
        }
    }

    #[test]
    fn a_license_token_session_always_names_its_sts_session() {
        let source = CredentialSource::LicenseToken;
        let base = source.credentials().session_token;
        let session = CredentialSource::license_token_session("s-1");
        assert_eq!(
            source.session_of_token(&format!("{base}/s-1")),
            Some(session)
        );
        assert_eq!(source.session_of_token(base), None);
        assert!(source.session(Some("pod-a")).is_err());
        assert_eq!(
            CredentialSource::by_access_key(source.credentials().access_key_id),
            Some(source)
        );
    }

    #[test]
    fn an_instance_profile_has_one_session() {
        let profile = CredentialSource::InstanceProfile;
        assert!(profile.session(Some("i-1")).is_err());
        let base = profile.credentials().session_token;
        assert_eq!(profile.session_of_token(&format!("{base}/i-1")), None);
        assert!(profile.session_of_token(base).is_some());
    }
}
