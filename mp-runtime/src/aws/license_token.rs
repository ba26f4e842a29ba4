//! Credentials for a contract product outside AWS compute (AWS Marketplace for Containers
//! Anywhere: on premises, EKS Anywhere, ECS Anywhere, any Kubernetes cluster). There is no
//! task role, no IRSA and no instance metadata there. The buyer creates a License Manager
//! license token and an IAM role; the product's Helm chart mounts the token as a file
//! (`AWS_WEB_IDENTITY_REFRESH_TOKEN_FILE`) and names the role (`AWS_ROLE_ARN`).
//!
//! This provider trades the token for an access token (License Manager `GetAccessToken`,
//! unsigned: there are no credentials yet, and the token is what authenticates), and the
//! access token for role credentials (STS `AssumeRoleWithWebIdentity`), then does it again
//! before they expire. A production build sends both calls to the pinned regional endpoints.
//! The provider caches the credentials itself, on the clock the contract keeper uses, so the
//! tests' clock moves their expiry as it moves the emulator's.

use crate::aws::anywhere::REFRESH_TOKEN_FILE_VAR;
use crate::aws::region::Region;
use crate::aws::{license_client, sts_client};
use crate::build_mode::BuildMode;
use crate::env::Env;
use crate::exit;
use crate::failure::{Failure, causes, quoted};
use crate::process::clock::Clock;
use crate::regular_file::{self, Symlinks};
use aws_config::SdkConfig;
use aws_credential_types::Credentials;
use aws_credential_types::provider::error::CredentialsError;
use aws_credential_types::provider::{ProvideCredentials, future};
use aws_sdk_licensemanager::error::{ProvideErrorMetadata, SdkError};
use std::fmt;
use std::io::Read;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

/// The role the token's access tokens assume.
const ROLE_ARN_VAR: &str = "AWS_ROLE_ARN";
/// A license token is a JWT of a few hundred bytes; anything this large was never one.
const MAX_TOKEN_BYTES: u64 = 64 * 1024;
/// Credentials are renewed this long before they expire, so no call is signed with a set
/// about to lapse (access tokens, and so the credentials, last an hour).
const REFRESH_MARGIN: Duration = Duration::from_secs(5 * 60);

/// Where the buyer's license token is. Present only on an Anywhere deployment.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct LicenseTokenSource {
    file: PathBuf,
    role_arn: String,
}

impl LicenseTokenSource {
    /// `None` when no token file is named (ECS, EKS with IRSA); `Err` (exit 84) when a token
    /// file is named without the role it is for.
    pub(crate) fn from_env(env: &dyn Env) -> Result<Option<Self>, Failure> {
        let Some(file) = env.var(REFRESH_TOKEN_FILE_VAR) else {
            return Ok(None);
        };
        let Some(role_arn) = env.var(ROLE_ARN_VAR) else {
            return Err(Failure::new(
                exit::NO_CREDENTIALS,
                format!(
                    "{REFRESH_TOKEN_FILE_VAR} is set but {ROLE_ARN_VAR} is not: the license \
                     token is exchanged for the credentials of the role the buyer created \
                     with it. Set {ROLE_ARN_VAR} from the license secret's `iam_role` key"
                ),
            ));
        };
        Ok(Some(LicenseTokenSource {
            file: file.into(),
            role_arn,
        }))
    }

    /// The token, read afresh at each exchange: the buyer may rotate the secret.
    fn read_token(&self) -> Result<String, TokenRefused> {
        let unreadable = |why: String| TokenRefused {
            exit_code: exit::NO_CREDENTIALS,
            line: format!(
                "the license token file {REFRESH_TOKEN_FILE_VAR}={} cannot be read ({why}). \
                 Mount the buyer's license secret (key `license_token`) there, or unset the \
                 variable on ECS and EKS",
                quoted(&self.file.to_string_lossy())
            ),
        };
        let file = regular_file::open(
            &self.file,
            Symlinks::Follow,
            MAX_TOKEN_BYTES,
            "a license token",
        )
        .map_err(|e| unreadable(e.to_string()))?
        .ok_or_else(|| unreadable("no such file".to_owned()))?;
        let mut token = String::new();
        file.take(MAX_TOKEN_BYTES)
            .read_to_string(&mut token)
            .map_err(|e| unreadable(e.to_string()))?;
        let token = token.trim();
        if token.is_empty() {
            return Err(unreadable("it is empty".to_owned()));
        }
        Ok(token.to_owned())
    }
}

/// A refusal that no retry mends: the file is unreadable, or License Manager or STS refused
/// the token or the role. Reported as its exit code and line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct TokenRefused {
    exit_code: i32,
    line: String,
}

impl TokenRefused {
    pub(crate) fn failure(&self) -> Failure {
        Failure::new(self.exit_code, self.line.clone())
    }
}

impl fmt::Display for TokenRefused {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.line)
    }
}

impl std::error::Error for TokenRefused {}

/// The refusal behind a credentials error, if that is what it is.
pub(crate) fn refusal(error: &CredentialsError) -> Option<&TokenRefused> {
    std::error::Error::source(error)?.downcast_ref::<TokenRefused>()
}

/// The license-token credentials provider.
pub(crate) struct LicenseTokenProvider {
    source: LicenseTokenSource,
    license_manager: aws_sdk_licensemanager::Client,
    sts: aws_sdk_sts::Client,
    clock: Arc<dyn Clock>,
    session_name: String,
    cached: tokio::sync::Mutex<Option<Credentials>>,
}

impl fmt::Debug for LicenseTokenProvider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LicenseTokenProvider")
            .field("source", &self.source)
            .finish_non_exhaustive()
    }
}

impl LicenseTokenProvider {
    /// `anonymous` is the shared configuration without credentials: the exchange needs none.
    pub(crate) fn new(
        source: LicenseTokenSource,
        anonymous: &SdkConfig,
        region: &Region,
        mode: BuildMode,
        clock: Arc<dyn Clock>,
    ) -> Result<Self, Failure> {
        let license_manager = license_client::builder(anonymous, region, mode)?
            .allow_no_auth()
            .build();
        Ok(LicenseTokenProvider {
            source,
            license_manager: aws_sdk_licensemanager::Client::from_conf(license_manager),
            sts: aws_sdk_sts::Client::from_conf(sts_client::config(anonymous, region, mode)?),
            clock,
            session_name: format!("mp-runtime-{}", std::process::id()),
            cached: tokio::sync::Mutex::new(None),
        })
    }

    async fn credentials(&self) -> Result<Credentials, CredentialsError> {
        // Held across the exchange: concurrent callers wait for one exchange, not make several.
        let mut cached = self.cached.lock().await;
        let now = self.clock.now();
        if let Some(credentials) = cached.as_ref().filter(|c| fresh(c, now)) {
            return Ok(credentials.clone());
        }
        let credentials = self.exchange().await?;
        *cached = Some(credentials.clone());
        Ok(credentials)
    }

    async fn exchange(&self) -> Result<Credentials, CredentialsError> {
        let token = self
            .source
            .read_token()
            .map_err(CredentialsError::invalid_configuration)?;
        let access_token = self
            .license_manager
            .get_access_token()
            .token(token)
            .send()
            .await
            .map_err(|e| classify(e, "License Manager GetAccessToken", TOKEN_ADVICE))?
            .access_token
            .ok_or_else(|| {
                CredentialsError::provider_error("GetAccessToken answered without an AccessToken")
            })?;
        let answer = self
            .sts
            .assume_role_with_web_identity()
            .role_arn(&self.source.role_arn)
            .role_session_name(&self.session_name)
            .web_identity_token(access_token)
            .send()
            .await
            .map_err(|e| classify(e, "STS AssumeRoleWithWebIdentity", ROLE_ADVICE))?;
        let c = answer.credentials.ok_or_else(|| {
            CredentialsError::provider_error("AssumeRoleWithWebIdentity answered no Credentials")
        })?;
        let expiry = SystemTime::try_from(c.expiration).map_err(|_| {
            CredentialsError::provider_error(
                "AssumeRoleWithWebIdentity answered an unreadable Expiration",
            )
        })?;
        Ok(Credentials::new(
            c.access_key_id,
            c.secret_access_key,
            Some(c.session_token),
            Some(expiry),
            "LicenseToken",
        ))
    }
}

fn fresh(credentials: &Credentials, now: SystemTime) -> bool {
    credentials
        .expiry()
        .and_then(|expiry| expiry.checked_sub(REFRESH_MARGIN))
        .is_some_and(|renew_at| now < renew_at)
}

const TOKEN_ADVICE: &str = "the license token is expired, revoked, or not one License Manager \
     issued: ask the buyer for a new token (License Manager CreateToken on the license) and \
     update the license secret's `license_token`";
const ROLE_ADVICE: &str = "the role does not accept this token: the secret's `iam_role` must be \
     a role named when the token was created, whose trust policy allows \
     sts:AssumeRoleWithWebIdentity";

/// A service's refusal stops start-up (exit 84, as any credentials that cannot be had) with
/// what to do; throttling, server errors
/// and anything that never got an answer are worth another attempt.
fn classify<E, R>(error: SdkError<E, R>, call: &str, advice: &str) -> CredentialsError
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
    R: fmt::Debug + Send + Sync + 'static,
{
    let SdkError::ServiceError(service) = &error else {
        return CredentialsError::provider_error(format!("{call}: {}", causes(&error)));
    };
    let code = service
        .err()
        .code()
        .unwrap_or("an unnamed error")
        .to_owned();
    if is_transient(&code) {
        return CredentialsError::provider_error(format!("{call}: {}", causes(&error)));
    }
    let message = service.err().message().unwrap_or("").to_owned();
    CredentialsError::invalid_configuration(TokenRefused {
        exit_code: exit::NO_CREDENTIALS,
        line: format!("license token refused: {call} answered {code} ({message}): {advice}"),
    })
}

/// Throttling and server errors; and STS's `ExpiredTokenException`, which means the access
/// token lapsed on its way (a slow exchange), so the next exchange fetches a fresh one.
fn is_transient(code: &str) -> bool {
    matches!(
        code,
        "ExpiredTokenException"
            | "RateLimitExceededException"
            | "ServerInternalException"
            | "InternalFailure"
            | "ServiceUnavailable"
            | "Throttling"
            | "ThrottlingException"
            | "IDPCommunicationError"
    )
}

impl ProvideCredentials for LicenseTokenProvider {
    fn provide_credentials<'a>(&'a self) -> future::ProvideCredentials<'a>
    where
        Self: 'a,
    {
        future::ProvideCredentials::new(self.credentials())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::env::env_of;

    #[test]
    fn no_token_file_is_not_an_anywhere_deployment() {
        assert_eq!(LicenseTokenSource::from_env(&env_of(&[])), Ok(None));
        let only_role = env_of(&[(ROLE_ARN_VAR, "arn:aws:iam::111122223333:role/x")]);
        assert_eq!(LicenseTokenSource::from_env(&only_role), Ok(None));
    }

    #[test]
    fn a_token_without_its_role_is_exit_84() {
        let env = env_of(&[(REFRESH_TOKEN_FILE_VAR, "/var/run/secrets/token")]);
        let failure = LicenseTokenSource::from_env(&env).unwrap_err();
        assert_eq!(failure.code, exit::NO_CREDENTIALS);
        assert!(
            failure.to_string().contains("AWS_ROLE_ARN is not"),
            "{failure}"
        );
    }

    fn source(file: PathBuf) -> LicenseTokenSource {
        LicenseTokenSource {
            file,
            role_arn: "arn:aws:iam::111122223333:role/x".to_owned(),
        }
    }

    #[test]
    fn the_token_is_read_trimmed_through_the_secret_s_link() {
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path().join("..data");
        std::fs::write(&data, "eyJ.token.sig\n").unwrap();
        let link = dir.path().join("license_token");
        std::os::unix::fs::symlink(&data, &link).unwrap();
        assert_eq!(source(link).read_token().unwrap(), "eyJ.token.sig");
    }

    #[test]
    fn a_missing_empty_or_fifo_token_file_is_exit_84_at_once() {
        let dir = tempfile::tempdir().unwrap();
        let empty = dir.path().join("empty");
        std::fs::write(&empty, " \n").unwrap();
        let fifo = dir.path().join("fifo");
        let c = std::ffi::CString::new(fifo.to_str().unwrap()).unwrap();
        assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
        for (path, why) in [
            (dir.path().join("none"), "no such file"),
            (empty, "it is empty"),
            (fifo, "is a FIFO"),
        ] {
            let refused = source(path).read_token().unwrap_err();
            assert_eq!(refused.exit_code, exit::NO_CREDENTIALS);
            assert!(refused.line.contains(why), "{refused}");
            assert!(refused.line.contains("license_token"), "{refused}");
        }
    }

    #[test]
    fn credentials_are_renewed_before_they_expire() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_800_000_000);
        let expiring = |in_secs| {
            Credentials::new(
                "a",
                "s",
                None,
                Some(now + Duration::from_secs(in_secs)),
                "t",
            )
        };
        assert!(fresh(&expiring(3600), now));
        assert!(!fresh(&expiring(299), now));
        assert!(!fresh(&Credentials::new("a", "s", None, None, "t"), now));
    }
}
