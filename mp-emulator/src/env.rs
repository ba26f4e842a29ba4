//! The environment that points a process at the emulator (`Emulator::env`, `mp-emulator env`).

use std::path::Path;

/// Which credential source the exported environment selects.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Platform {
    /// ECS task role via the container-credentials endpoint.
    Ecs,
    /// EKS IRSA via a web identity token file and STS.
    Eks,
    /// EC2 instance profile via IMDS (nothing extra exported).
    Ec2,
}

impl std::str::FromStr for Platform {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "ecs" => Ok(Self::Ecs),
            "eks" => Ok(Self::Eks),
            "ec2" => Ok(Self::Ec2),
            other => Err(format!("unknown platform `{other}`: use ecs, eks or ec2")),
        }
    }
}

/// An EKS pod has no ECS task metadata, so only ECS and EC2 (where an ECS task may run on the
/// instance's credentials) get `ECS_CONTAINER_METADATA_URI_V4`.
pub(crate) fn environment(
    url: &str,
    region: &str,
    platform: Platform,
    ecs_auth_token: &str,
    web_identity_token_file: &Path,
) -> Vec<(String, String)> {
    let mut env = vec![
        ("AWS_REGION", region.to_string()),
        ("AWS_ENDPOINT_URL_MARKETPLACE_METERING", url.to_string()),
        ("AWS_ENDPOINT_URL_STS", url.to_string()),
    ];
    if platform != Platform::Eks {
        env.push((
            "ECS_CONTAINER_METADATA_URI_V4",
            format!("{url}/ecs/v4/container"),
        ));
    }
    env.extend([
        ("AWS_EC2_METADATA_SERVICE_ENDPOINT", url.to_string()),
        // Hermetic: no profile of the machine running the tests can leak in.
        ("AWS_CONFIG_FILE", "/dev/null".to_string()),
        ("AWS_SHARED_CREDENTIALS_FILE", "/dev/null".to_string()),
    ]);
    match platform {
        Platform::Ecs => {
            env.push((
                "AWS_CONTAINER_CREDENTIALS_FULL_URI",
                format!("{url}/ecs/credentials"),
            ));
            env.push((
                "AWS_CONTAINER_AUTHORIZATION_TOKEN",
                ecs_auth_token.to_string(),
            ));
        }
        Platform::Eks => {
            env.push((
                "AWS_ROLE_ARN",
                crate::credentials::IRSA_ROLE_ARN.to_string(),
            ));
            env.push((
                "AWS_WEB_IDENTITY_TOKEN_FILE",
                web_identity_token_file.display().to_string(),
            ));
        }
        Platform::Ec2 => {}
    }
    env.into_iter().map(|(k, v)| (k.to_string(), v)).collect()
}
