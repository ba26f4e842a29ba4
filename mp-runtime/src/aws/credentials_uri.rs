//! `AWS_CONTAINER_CREDENTIALS_FULL_URI`: where the ECS/EKS agent serves the task's
//! credentials, and where its authorization token is sent. It must be https, or plain http to
//! a loopback address or the ECS/EKS agent. aws-config has the same rule but settles host
//! names through DNS and only when credentials are first fetched; this check settles it from
//! the text alone, before aws-config is built, so a refused endpoint is never resolved nor
//! connected to. Checked in every build.

use crate::env::Env;
use crate::exit;
use crate::failure::{Failure, quoted};
use aws_credential_types::provider::error::CredentialsError;
use aws_credential_types::provider::{ProvideCredentials, future};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use url::Url;

/// The variable checked.
pub(crate) const FULL_URI_VAR: &str = "AWS_CONTAINER_CREDENTIALS_FULL_URI";

/// The agents AWS documents: the ECS agent, and the EKS agent on IPv4 and IPv6.
const AGENTS: [IpAddr; 3] = [
    IpAddr::V4(Ipv4Addr::new(169, 254, 170, 2)),
    IpAddr::V4(Ipv4Addr::new(169, 254, 170, 23)),
    IpAddr::V6(Ipv6Addr::new(0xfd00, 0x0ec2, 0, 0, 0, 0, 0, 0x23)),
];

/// `Err` when the variable is set to an endpoint this runtime will not send credentials
/// requests to.
pub(crate) fn check(env: &dyn Env) -> Result<(), Refused> {
    match env.var(FULL_URI_VAR) {
        Some(value) if !allowed(&value) => Err(Refused { value }),
        _ => Ok(()),
    }
}

fn allowed(value: &str) -> bool {
    // No parser may read around whitespace or control characters differently.
    if value.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return false;
    }
    let Ok(url) = Url::parse(value) else {
        return false;
    };
    match url.scheme() {
        "https" => true,
        "http" => written_ip(value).is_some_and(|ip| {
            // The host the URL parser found is the literal as written, so aws-config's own
            // parser (http::Uri) cannot find another one (userinfo, `127.1`, `0x7f.0.0.1`).
            let parsed = url.host_str().and_then(|host| {
                let unbracketed = host.trim_start_matches('[').trim_end_matches(']');
                unbracketed.parse::<IpAddr>().ok()
            });
            parsed == Some(ip) && (ip.is_loopback() || AGENTS.contains(&ip))
        }),
        _ => false,
    }
}

/// The authority exactly as written, when it is an IP literal with an optional port and
/// nothing else (no userinfo): `127.0.0.1`, `127.0.0.1:8080`, `[::1]:80`.
fn written_ip(value: &str) -> Option<IpAddr> {
    let (_, rest) = value.split_once("://")?;
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let authority = &rest[..end];
    let (host, port) = match authority.strip_prefix('[') {
        Some(bracketed) => bracketed.split_once(']')?,
        None => authority.split_at(authority.find(':').unwrap_or(authority.len())),
    };
    let port_ok = port.is_empty()
        || port
            .strip_prefix(':')
            .is_some_and(|digits| digits.bytes().all(|b| b.is_ascii_digit()));
    if !port_ok {
        return None;
    }
    if authority.starts_with('[') {
        host.parse::<Ipv6Addr>().ok().map(IpAddr::V6)
    } else {
        // Dotted quad only: std refuses `127.1`, `0x7f.0.0.1`, `2130706433` and leading zeros.
        host.parse::<Ipv4Addr>().ok().map(IpAddr::V4)
    }
}

/// A refused endpoint: reported as exit 84, and handed to aws-config as the credentials
/// provider in place of its chain, so the refused address is never contacted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Refused {
    value: String,
}

impl Refused {
    pub(crate) fn failure(&self) -> Failure {
        Failure::new(exit::NO_CREDENTIALS, self.to_string())
    }
}

impl std::fmt::Display for Refused {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{FULL_URI_VAR}={} is not an allowed credentials endpoint: use https, or plain http \
             only to a loopback address or the ECS/EKS agent (169.254.170.2, 169.254.170.23, \
             [fd00:ec2::23]), written as an IP literal. Unset it (ECS and IRSA set what they \
             need) or fix it",
            quoted(&self.value)
        )
    }
}

impl std::error::Error for Refused {}

impl ProvideCredentials for Refused {
    fn provide_credentials<'a>(&'a self) -> future::ProvideCredentials<'a>
    where
        Self: 'a,
    {
        future::ProvideCredentials::ready(Err(CredentialsError::invalid_configuration(
            self.clone(),
        )))
    }
}

/// The refusal behind a credentials error, if that is what it is.
pub(crate) fn refusal(error: &CredentialsError) -> Option<&Refused> {
    std::error::Error::source(error)?.downcast_ref::<Refused>()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::env::env_of;

    fn check_value(value: &str) -> Result<(), Refused> {
        check(&env_of(&[(FULL_URI_VAR, value)]))
    }

    #[test]
    fn unset_or_empty_is_not_this_check_s_business() {
        assert_eq!(check(&env_of(&[])), Ok(()));
        assert_eq!(check_value(""), Ok(()));
    }

    #[test]
    fn https_anywhere_is_allowed() {
        for value in [
            "https://creds.example.com/v1",
            "https://192.0.2.10/creds",
            "HTTPS://creds.example.com:8443/x?y=1",
            "https://[2001:db8::1]/",
        ] {
            assert_eq!(check_value(value), Ok(()), "{value}");
        }
    }

    #[test]
    fn plain_http_to_loopback_or_an_agent_is_allowed() {
        for value in [
            // What mp-emulator exports, and a local sidecar.
            "http://127.0.0.1:41234/ecs/credentials",
            "http://127.0.0.1/",
            "http://127.0.0.1",
            "http://127.45.6.7:80/x",
            "http://[::1]:8080/creds",
            "http://[0:0:0:0:0:0:0:1]/",
            "HTTP://127.0.0.1/creds",
            "Http://127.0.0.1/creds",
            // ECS agent; EKS Pod Identity agent on IPv4 and IPv6.
            "http://169.254.170.2/v2/credentials/abc",
            "http://169.254.170.23/v1/credentials",
            "http://[fd00:ec2::23]/v1/credentials",
            "http://[FD00:EC2:0:0:0:0:0:23]:80/v1/credentials",
            // Only what follows the authority contains the tricks: still loopback.
            "http://127.0.0.1/@evil.example/",
            "http://127.0.0.1#@evil.example",
            "http://127.0.0.1?x=@evil.example",
        ] {
            assert_eq!(check_value(value), Ok(()), "{value}");
        }
    }

    #[test]
    fn plain_http_anywhere_else_is_refused() {
        for value in [
            "http://192.0.2.10/creds",
            "http://10.0.0.5:8080/creds",
            "http://169.254.169.254/latest/meta-data/iam/security-credentials/role",
            "http://169.254.170.3/",
            "http://0.0.0.0/",
            "http://[::]/",
            "http://[2001:db8::1]/",
            // An IPv4-mapped loopback is not loopback to aws-config either.
            "http://[::ffff:127.0.0.1]/",
            "HTTP://192.0.2.10/creds",
        ] {
            assert!(check_value(value).is_err(), "{value}");
        }
    }

    #[test]
    fn host_names_are_refused_even_when_they_would_resolve_to_loopback() {
        for value in [
            "http://localhost/creds",
            "http://localhost:8080/creds",
            "http://127.0.0.1.nip.io/",
            "http://metadata.internal/",
        ] {
            assert!(check_value(value).is_err(), "{value}");
        }
    }

    #[test]
    fn other_spellings_of_an_address_are_refused() {
        // Parsers disagree on these; only the plain literal is accepted.
        for value in [
            "http://127.1/",
            "http://0x7f.0.0.1/",
            "http://0x7f000001/",
            "http://2130706433/",
            "http://0177.0.0.1/",
            "http://127.000.000.001/",
            "http://[::1%25lo]/",
        ] {
            assert!(check_value(value).is_err(), "{value}");
        }
    }

    #[test]
    fn userinfo_and_separator_tricks_are_refused() {
        for value in [
            "http://127.0.0.1@evil.example/creds",
            "http://127.0.0.1:80@evil.example/",
            "http://evil.example@127.0.0.1/",
            "http://user:pass@127.0.0.1/",
            "http://[::1]@evil.example/",
            "http://127.0.0.1\\@evil.example/",
            "http://evil.example\\@127.0.0.1/",
            "http://127.0.0.1%40evil.example/",
            "http://127.0.0.1.evil.example/",
            "http://127.0.0.1 @evil.example/",
            "http://127.0.0.1\t.evil.example/",
            "http://127.0.0.1\n/",
            " http://127.0.0.1/",
            "http:127.0.0.1/creds",
            "http:/127.0.0.1/creds",
            "http:\\\\127.0.0.1/creds",
        ] {
            assert!(check_value(value).is_err(), "{value:?}");
        }
    }

    #[test]
    fn ports_must_be_numbers_in_range() {
        for value in [
            "http://127.0.0.1:99999/",
            "http://127.0.0.1:80:80/",
            "http://127.0.0.1:x/",
            "http://[::1]x/",
        ] {
            assert!(check_value(value).is_err(), "{value}");
        }
    }

    #[test]
    fn other_schemes_and_junk_are_refused() {
        for value in [
            "file:///var/run/creds",
            "ftp://127.0.0.1/",
            "unix:///var/run/agent.sock",
            "127.0.0.1:8080/creds",
            "/v2/credentials",
            "not a url",
            "http://",
            "https://",
        ] {
            assert!(check_value(value).is_err(), "{value}");
        }
    }

    #[test]
    fn the_refusal_is_exit_84_naming_the_variable_and_what_is_allowed() {
        let failure = check_value("http://192.0.2.10/creds")
            .unwrap_err()
            .failure();
        assert_eq!(failure.code, exit::NO_CREDENTIALS);
        assert_eq!(
            failure.line(),
            "mp-runtime: AWS_CONTAINER_CREDENTIALS_FULL_URI=\"http://192.0.2.10/creds\" is not an \
             allowed credentials endpoint: use https, or plain http only to a loopback address or \
             the ECS/EKS agent (169.254.170.2, 169.254.170.23, [fd00:ec2::23]), written as an IP \
             literal. Unset it (ECS and IRSA set what they need) or fix it. [exit 84]"
        );
    }

    #[test]
    fn the_provider_reports_the_refusal_without_any_network() {
        let refused = check_value("http://192.0.2.10/creds").unwrap_err();
        let rt = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        let error = rt.block_on(refused.provide_credentials()).unwrap_err();
        assert!(matches!(error, CredentialsError::InvalidConfiguration(_)));
        assert_eq!(refusal(&error), Some(&refused));
    }
}
