//! The environment that points a process at the emulator (`Emulator::env`, `mp-emulator env`).

use crate::credentials::{CredentialSource, IRSA_ROLE_ARN, LICENSE_TOKEN_ROLE_ARN};
use crate::license::token_book::DEFAULT_EXPIRATION_DAYS;
use crate::routes::{CREDENTIALS_PATH, METADATA_PATH, REPLICA_METADATA_PREFIX};
use crate::state::State;
use std::path::{Path, PathBuf};

/// Which credential source the exported environment selects.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Platform {
    /// ECS task role via the container-credentials endpoint.
    Ecs,
    /// EKS IRSA via a web identity token file and STS.
    Eks,
    /// EC2 instance profile via IMDS (nothing extra exported).
    Ec2,
    /// Off AWS compute (on premises, another cloud's Kubernetes), as the buyer's Helm chart
    /// sets a container up from its License Manager license token: `AWS_ROLE_ARN`
    /// ([`LICENSE_TOKEN_ROLE_ARN`]) and `AWS_WEB_IDENTITY_REFRESH_TOKEN_FILE`, a file holding a
    /// refresh token for the first SKU (in SKU order) the buyer holds a license for, minted
    /// at the first call and valid 365 days. If the buyer holds no license then, no token is
    /// minted and the variable is not exported. No ECS or instance metadata:
    /// `AWS_EC2_METADATA_DISABLED=true`.
    Anywhere,
}

impl Platform {
    /// The name `mp-emulator env --platform` and the control API take.
    pub fn name(self) -> &'static str {
        match self {
            Self::Ecs => "ecs",
            Self::Eks => "eks",
            Self::Ec2 => "ec2",
            Self::Anywhere => "anywhere",
        }
    }

    /// The credential source a process on this platform signs with.
    pub fn source(self) -> CredentialSource {
        match self {
            Self::Ecs => CredentialSource::EcsTaskRole,
            Self::Eks => CredentialSource::Irsa,
            Self::Ec2 => CredentialSource::InstanceProfile,
            Self::Anywhere => CredentialSource::LicenseToken,
        }
    }
}

impl std::str::FromStr for Platform {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        [Self::Ecs, Self::Eks, Self::Ec2, Self::Anywhere]
            .into_iter()
            .find(|p| p.name() == s)
            .ok_or_else(|| format!("unknown platform `{s}`: use ecs, eks, ec2 or anywhere"))
    }
}

/// The environment pointing a process at the emulator whose state is `state`, which that
/// process reaches at `url` (another host name or port than the emulator's own from
/// another container or through a published port).
pub(crate) fn for_process(state: &State, platform: Platform, url: &str) -> Vec<(String, String)> {
    let token_file = match platform {
        Platform::Anywhere => refresh_token_file(state),
        _ => Some(state.web_identity_token_file.clone()),
    };
    environment(
        url,
        &state.config.region,
        platform,
        None,
        &state.ecs_auth_token,
        token_file.as_deref(),
    )
}

/// `Platform::Anywhere`'s refresh token file, written at the first call (see
/// [`Platform::Anywhere`]); `None` while the buyer holds no license.
fn refresh_token_file(state: &State) -> Option<PathBuf> {
    let path = state
        .web_identity_token_file
        .with_file_name("license-refresh-token");
    let mut minted = state.anywhere_refresh_token();
    if minted.is_none() {
        let sku = state.settled_licenses().licenses().next()?.sku.clone();
        let token = state
            .mint_license_token(&sku, &[], DEFAULT_EXPIRATION_DAYS)
            .ok()?;
        write_atomically(&path, &token.token).ok()?;
        *minted = Some(token);
    }
    Some(path)
}

/// The environment of replica `replica` (a task on ECS, a pod on EKS), whose credentials
/// are a session of its own, reaching the emulator at `url`; on EKS this writes the
/// replica's web identity token file.
pub(crate) fn for_replica(
    state: &State,
    platform: Platform,
    replica: &str,
    url: &str,
) -> Result<Vec<(String, String)>, String> {
    platform.source().session(Some(replica))?;
    let token_file = state
        .web_identity_token_file
        .with_file_name(format!("web-identity-token-{replica}"));
    if platform == Platform::Eks {
        write_atomically(&token_file, &state.replica_web_identity_token(replica))?;
    }
    Ok(environment(
        url,
        &state.config.region,
        platform,
        Some(replica),
        &state.ecs_auth_token,
        Some(&token_file),
    ))
}

/// The environment of one replica (`None`: the default one) on `platform`. An EKS pod has no
/// ECS task metadata, so only ECS and EC2 (where an ECS task may run on the instance's
/// credentials) get `ECS_CONTAINER_METADATA_URI_V4`; off AWS compute there is no metadata at
/// all. `token_file` is EKS's web identity token file, or Anywhere's refresh token file.
fn environment(
    url: &str,
    region: &str,
    platform: Platform,
    replica: Option<&str>,
    ecs_auth_token: &str,
    token_file: Option<&Path>,
) -> Vec<(String, String)> {
    let mut env = vec![
        ("AWS_REGION", region.to_string()),
        ("AWS_ENDPOINT_URL_MARKETPLACE_METERING", url.to_string()),
        ("AWS_ENDPOINT_URL_LICENSE_MANAGER", url.to_string()),
        ("AWS_ENDPOINT_URL_STS", url.to_string()),
    ];
    if matches!(platform, Platform::Ecs | Platform::Ec2) {
        let metadata = match replica {
            None => format!("{url}{}", METADATA_PATH),
            Some(name) => format!("{url}{}/{name}", REPLICA_METADATA_PREFIX),
        };
        env.push(("ECS_CONTAINER_METADATA_URI_V4", metadata));
    }
    if platform != Platform::Anywhere {
        env.push(("AWS_EC2_METADATA_SERVICE_ENDPOINT", url.to_string()));
    }
    env.extend([
        // Hermetic: no profile of the machine running the tests can leak in.
        ("AWS_CONFIG_FILE", "/dev/null".to_string()),
        ("AWS_SHARED_CREDENTIALS_FILE", "/dev/null".to_string()),
    ]);
    match platform {
        Platform::Ecs => {
            let credentials = match replica {
                None => format!("{url}{}", CREDENTIALS_PATH),
                Some(name) => format!("{url}{}/{name}", CREDENTIALS_PATH),
            };
            env.push(("AWS_CONTAINER_CREDENTIALS_FULL_URI", credentials));
            env.push((
                "AWS_CONTAINER_AUTHORIZATION_TOKEN",
                ecs_auth_token.to_string(),
            ));
        }
        Platform::Eks => {
            env.push(("AWS_ROLE_ARN", IRSA_ROLE_ARN.to_string()));
            if let Some(file) = token_file {
                env.push(("AWS_WEB_IDENTITY_TOKEN_FILE", file.display().to_string()));
            }
        }
        Platform::Ec2 => {}
        Platform::Anywhere => {
            env.push(("AWS_EC2_METADATA_DISABLED", "true".to_string()));
            env.push(("AWS_ROLE_ARN", LICENSE_TOKEN_ROLE_ARN.to_string()));
            if let Some(file) = token_file {
                env.push((
                    "AWS_WEB_IDENTITY_REFRESH_TOKEN_FILE",
                    file.display().to_string(),
                ));
            }
        }
    }
    env.into_iter().map(|(k, v)| (k.to_string(), v)).collect()
}

/// Checks a URL a client reaches the emulator at: `http://HOST:PORT` or `https://HOST:PORT`,
/// an authority without path, query or credentials, since every endpoint is appended to it.
pub(crate) fn check_reach_url(url: &str) -> Result<(), String> {
    let authority = url
        .strip_prefix("http://")
        .or_else(|| url.strip_prefix("https://"))
        .unwrap_or_default();
    let valid = |c: char| c.is_ascii_alphanumeric() || "-._:[]".contains(c);
    if authority.is_empty() || !authority.chars().all(valid) {
        return Err(format!(
            "`{url}` is not a URL the emulator can be reached at: give http://HOST:PORT, without a path"
        ));
    }
    Ok(())
}

/// Writes `path` through a file of its own renamed into place, so a process reading it never
/// sees it half-written, even while another call writes it again.
fn write_atomically(path: &Path, contents: &str) -> Result<(), String> {
    let partial = path.with_extension(format!("partial-{}", crate::ids::uuid_like()));
    std::fs::write(&partial, contents)
        .and_then(|()| std::fs::rename(&partial, path))
        .map_err(|e| {
            let _ = std::fs::remove_file(&partial);
            format!("cannot write {}: {e}", path.display())
        })
}
