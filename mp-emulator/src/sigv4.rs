//! SigV4 check on AWS JSON requests: parse `Authorization`, find the vended credentials for
//! its access key and the replica session its security token names, check the scope names the
//! service's signing name, recompute the signature with the aws-sigv4 crate over the headers
//! named in `SignedHeaders` and the body, and compare. The caller checks the scope's region,
//! because the error for a wrong region depends on the service and operation.

use crate::aws_error::AwsError;
use crate::credentials::{CredentialSource, ReplicaSession};
use aws_sigv4::http_request::{
    SessionTokenMode, SignableBody, SignableRequest, SigningSettings, sign,
};
use aws_sigv4::sign::v4;
use aws_smithy_runtime_api::client::identity::Identity;
use axum::http::{HeaderMap, StatusCode};
use std::time::{Duration, SystemTime};

/// The signing name of the AWS Marketplace Metering Service.
pub const SIGNING_NAME: &str = "aws-marketplace";

/// The signing name of AWS License Manager.
pub const LICENSE_MANAGER_SIGNING_NAME: &str = "license-manager";

/// Who signed a request (which source, which replica's session), and for which region.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Signer {
    pub(crate) source: CredentialSource,
    /// The replica whose session signed; `None` for the source's default session.
    pub(crate) replica: Option<String>,
    pub(crate) region: String,
}

/// The parts of an `Authorization: AWS4-HMAC-SHA256 ...` header.
#[derive(Debug, PartialEq, Eq)]
struct Authorization<'a> {
    access_key_id: &'a str,
    date: &'a str,
    region: &'a str,
    service: &'a str,
    signed_headers: Vec<&'a str>,
    signature: &'a str,
}

/// The SigV4 headers (`authorization`, `x-amz-date`, `x-amz-security-token`) that a client
/// holding `source`'s credentials adds to `POST url` with `headers` and `body`, signed now
/// as the AWS SDKs sign for `region` and the Metering Service: for tests and fuzzers that
/// build requests by hand.
pub fn client_signature(
    source: CredentialSource,
    region: &str,
    url: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> Result<Vec<(String, String)>, String> {
    client_signature_for(SIGNING_NAME, source, region, url, headers, body)
}

/// [`client_signature`] for the service whose signing name is `signing_name` (for example
/// [`LICENSE_MANAGER_SIGNING_NAME`]).
pub fn client_signature_for(
    signing_name: &str,
    source: CredentialSource,
    region: &str,
    url: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> Result<Vec<(String, String)>, String> {
    let identity: Identity = source.credentials().sdk("mp-emulator-client").into();
    let params = v4::SigningParams::builder()
        .identity(&identity)
        .region(region)
        .name(signing_name)
        .time(SystemTime::now())
        .settings(SigningSettings::default())
        .build()
        .map_err(|e| format!("signing parameters: {e}"))?
        .into();
    let signable = SignableRequest::new(
        "POST",
        url,
        headers.iter().copied(),
        SignableBody::Bytes(body),
    )
    .map_err(|e| format!("cannot sign POST {url}: {e}"))?;
    let (instructions, _) = sign(signable, &params)
        .map_err(|e| format!("cannot sign POST {url}: {e}"))?
        .into_parts();
    Ok(instructions
        .headers()
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect())
}

fn forbidden(name: &'static str, message: impl Into<String>) -> AwsError {
    AwsError::with_status(StatusCode::FORBIDDEN, name, message)
}

fn incomplete(message: impl Into<String>) -> AwsError {
    AwsError::client("IncompleteSignatureException", message)
}

fn parse_authorization(value: &str) -> Result<Authorization<'_>, AwsError> {
    let rest = value.strip_prefix("AWS4-HMAC-SHA256 ").ok_or_else(|| {
        incomplete("Authorization header must use the AWS4-HMAC-SHA256 algorithm")
    })?;
    let (mut credential, mut signed, mut signature) = (None, None, None);
    for part in rest.split(',').map(str::trim) {
        if let Some(v) = part.strip_prefix("Credential=") {
            credential = Some(v);
        } else if let Some(v) = part.strip_prefix("SignedHeaders=") {
            signed = Some(v);
        } else if let Some(v) = part.strip_prefix("Signature=") {
            signature = Some(v);
        }
    }
    let missing =
        |what: &str| incomplete(format!("Authorization header requires '{what}' parameter"));
    let credential = credential.ok_or_else(|| missing("Credential"))?;
    let signed = signed.ok_or_else(|| missing("SignedHeaders"))?;
    let signature = signature.ok_or_else(|| missing("Signature"))?;
    let scope: Vec<&str> = credential.split('/').collect();
    let [access_key_id, date, region, service, "aws4_request"] = scope[..] else {
        return Err(incomplete(format!(
            "Credential scope `{credential}` must be <key>/<yyyymmdd>/<region>/<service>/aws4_request"
        )));
    };
    Ok(Authorization {
        access_key_id,
        date,
        region,
        service,
        signed_headers: signed.split(';').collect(),
        signature,
    })
}

fn parse_amz_date(value: &str) -> Option<SystemTime> {
    let format = time::macros::format_description!("[year][month][day]T[hour][minute][second]Z");
    let t = time::PrimitiveDateTime::parse(value, format).ok()?;
    Some(t.assume_utc().into())
}

/// How far a request's signing time may be from the real clock, as on AWS.
const MAX_SKEW: Duration = Duration::from_secs(15 * 60);

/// AWS refuses signatures made more than 15 minutes from its own (real) clock; the emulator's
/// settable clock is for the MeterUsage window only, so signatures are judged on real time.
fn check_skew(date: &str, signed_at: SystemTime, now: SystemTime) -> Result<(), AwsError> {
    let skew = now
        .duration_since(signed_at)
        .unwrap_or_else(|e| e.duration());
    if skew > MAX_SKEW {
        return Err(forbidden(
            "InvalidSignatureException",
            format!(
                "Signature expired: {date} is more than 15 minutes from the server's time; check the client's clock"
            ),
        ));
    }
    Ok(())
}

/// Verifies a request's SigV4 signature for the service whose signing name is
/// `signing_name`; on success says which vended credentials signed it.
pub(crate) fn verify(
    signing_name: &str,
    method: &str,
    path_and_query: &str,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<Signer, AwsError> {
    let Some(auth) = headers.get("authorization") else {
        return Err(forbidden(
            "MissingAuthenticationTokenException",
            "Missing Authentication Token: sign the request with SigV4",
        ));
    };
    let auth = auth
        .to_str()
        .map_err(|_| incomplete("Authorization header is not ASCII"))?;
    let auth = parse_authorization(auth)?;
    let source = CredentialSource::by_access_key(auth.access_key_id).ok_or_else(|| {
        forbidden(
            "UnrecognizedClientException",
            "The security token included in the request is invalid: the access key is not one the emulator vends",
        )
    })?;
    if auth.service != signing_name {
        return Err(forbidden(
            "InvalidSignatureException",
            format!(
                "Credential should be scoped to correct service: '{signing_name}', not '{}'",
                auth.service
            ),
        ));
    }
    let session: ReplicaSession = headers
        .get("x-amz-security-token")
        .and_then(|v| v.to_str().ok())
        .and_then(|token| source.session_of_token(token))
        .ok_or_else(|| {
            forbidden(
                "UnrecognizedClientException",
                "The security token included in the request is invalid",
            )
        })?;
    let date = headers
        .get("x-amz-date")
        .and_then(|v| v.to_str().ok())
        .ok_or_else(|| incomplete("X-Amz-Date header is missing"))?;
    let time = parse_amz_date(date)
        .ok_or_else(|| incomplete(format!("X-Amz-Date `{date}` is not yyyymmddThhmmssZ")))?;
    if !date.starts_with(auth.date) {
        return Err(forbidden(
            "InvalidSignatureException",
            "Date in Credential scope does not match X-Amz-Date",
        ));
    }
    check_skew(date, time, SystemTime::now())?;

    let mut settings = SigningSettings::default();
    settings.excluded_headers = None;
    if !auth.signed_headers.contains(&"x-amz-security-token") {
        settings.session_token_mode = SessionTokenMode::Exclude;
    }
    let identity: Identity = session.sdk("mp-emulator").into();
    let params = v4::SigningParams::builder()
        .identity(&identity)
        .region(auth.region)
        .name(auth.service)
        .time(time)
        .settings(settings)
        .build()
        .map_err(|e| AwsError::internal(format!("signing parameters: {e}")))?
        .into();

    let mut signed = Vec::new();
    for name in &auth.signed_headers {
        for value in headers.get_all(*name) {
            let value = value
                .to_str()
                .map_err(|_| incomplete(format!("signed header `{name}` is not ASCII")))?;
            signed.push((*name, value));
        }
    }
    let signable = SignableRequest::new(
        method,
        path_and_query,
        signed.into_iter(),
        SignableBody::Bytes(body),
    )
    .map_err(|e| incomplete(format!("cannot canonicalise the request: {e}")))?;
    let (_, expected) = sign(signable, &params)
        .map_err(|e| incomplete(format!("cannot canonicalise the request: {e}")))?
        .into_parts();
    if expected != auth.signature {
        return Err(forbidden(
            "InvalidSignatureException",
            "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method.",
        ));
    }
    Ok(Signer {
        source,
        replica: session.replica().map(str::to_string),
        region: auth.region.to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_authorization_header() {
        let a = parse_authorization(
            "AWS4-HMAC-SHA256 Credential=AK/20260101/us-east-1/aws-marketplace/aws4_request, SignedHeaders=host;x-amz-date, Signature=abc",
        )
        .unwrap();
        assert_eq!(a.access_key_id, "AK");
        assert_eq!(a.region, "us-east-1");
        assert_eq!(a.signed_headers, ["host", "x-amz-date"]);
        assert_eq!(a.signature, "abc");
        assert!(
            parse_authorization("AWS4-HMAC-SHA256 Credential=AK/x, SignedHeaders=a, Signature=b")
                .is_err()
        );
        assert!(parse_authorization("Basic abc").is_err());
    }

    #[test]
    fn signatures_more_than_15_minutes_off_are_expired() {
        let now = SystemTime::now();
        assert!(check_skew("d", now - Duration::from_secs(14 * 60), now).is_ok());
        assert!(check_skew("d", now + Duration::from_secs(14 * 60), now).is_ok());
        let e = check_skew("d", now - Duration::from_secs(16 * 60), now).unwrap_err();
        assert_eq!(
            (e.status, e.name),
            (StatusCode::FORBIDDEN, "InvalidSignatureException")
        );
        assert!(check_skew("d", now + Duration::from_secs(16 * 60), now).is_err());
    }

    #[test]
    fn missing_authorization_is_403() {
        let e = verify(SIGNING_NAME, "POST", "/", &HeaderMap::new(), b"{}").unwrap_err();
        assert_eq!(e.status, StatusCode::FORBIDDEN);
        assert_eq!(e.name, "MissingAuthenticationTokenException");
    }
}
