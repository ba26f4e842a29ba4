//! STS `AssumeRoleWithWebIdentity` (query protocol: form body in, XML out), the exchange IRSA
//! makes on EKS. aws-config sends it unsigned to `AWS_ENDPOINT_URL_STS`. Each pod has a token
//! of its own and so gets a session of its own: the emulator's token is the default replica's,
//! and `<that token>#<replica>` (what a replica's token file holds) is that replica's.

use crate::credentials::{CredentialSource, IRSA_ROLE_ARN, expiration};
use crate::state::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use std::collections::HashMap;

/// True when a `POST /` body is a query-protocol (form) request rather than AWS JSON.
pub(crate) fn is_query_request(content_type: &str) -> bool {
    content_type.starts_with("application/x-www-form-urlencoded")
}

pub(crate) fn serve(state: &State, body: &[u8]) -> Response {
    let form = parse_form(body);
    let action = form.get("Action").map(String::as_str).unwrap_or("");
    state.count_request(if action.is_empty() { "Unknown" } else { action });
    let result = match action {
        "AssumeRoleWithWebIdentity" => assume_role_with_web_identity(state, &form),
        _ => Err((
            StatusCode::BAD_REQUEST,
            "InvalidAction",
            format!("Action `{action}` is not one this emulator plays (AssumeRoleWithWebIdentity)"),
        )),
    };
    match result {
        Ok(xml) => xml_response(StatusCode::OK, xml),
        Err((status, code, message)) => {
            state.count_rejection(code);
            xml_response(status, error_xml(code, &message))
        }
    }
}

type StsError = (StatusCode, &'static str, String);

fn assume_role_with_web_identity(
    state: &State,
    form: &HashMap<String, String>,
) -> Result<String, StsError> {
    let field = |name: &str| form.get(name).map(String::as_str).unwrap_or("");
    let session = replica_of_token(state, field("WebIdentityToken"))
        .and_then(|replica| CredentialSource::Irsa.session(replica).ok())
        .ok_or_else(|| {
            (
                StatusCode::BAD_REQUEST,
                "InvalidIdentityToken",
                "WebIdentityToken is not one this emulator wrote to an AWS_WEB_IDENTITY_TOKEN_FILE"
                    .to_string(),
            )
        })?;
    if field("RoleArn") != IRSA_ROLE_ARN {
        return Err((
            StatusCode::FORBIDDEN,
            "AccessDenied",
            format!(
                "Not authorized to perform sts:AssumeRoleWithWebIdentity on `{}`: use {IRSA_ROLE_ARN}",
                field("RoleArn")
            ),
        ));
    }
    let session_name = field("RoleSessionName");
    let creds = session.credentials();
    Ok(format!(
        r#"<AssumeRoleWithWebIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <AssumeRoleWithWebIdentityResult>
    <SubjectFromWebIdentityToken>system:serviceaccount:default:mp-emulator</SubjectFromWebIdentityToken>
    <Audience>sts.amazonaws.com</Audience>
    <AssumedRoleUser>
      <Arn>arn:aws:sts::111122223333:assumed-role/mp-emulator-irsa/{session_name}</Arn>
      <AssumedRoleId>AROAMPEMULATORIRSA:{session_name}</AssumedRoleId>
    </AssumedRoleUser>
    <Credentials>
      <AccessKeyId>{}</AccessKeyId>
      <SecretAccessKey>{}</SecretAccessKey>
      <SessionToken>{}</SessionToken>
      <Expiration>{}</Expiration>
    </Credentials>
    <Provider>arn:aws:iam::111122223333:oidc-provider/oidc.eks.mp-emulator</Provider>
  </AssumeRoleWithWebIdentityResult>
  <ResponseMetadata><RequestId>{}</RequestId></ResponseMetadata>
</AssumeRoleWithWebIdentityResponse>"#,
        creds.access_key_id,
        xml_escape(creds.secret_access_key),
        session.session_token(),
        expiration(),
        crate::ids::uuid_like(),
        session_name = xml_escape(session_name),
    ))
}

/// The replica a web identity token names: `Some(None)` for the emulator's own token,
/// `Some(Some(name))` for `<token>#<name>`, `None` for any other token.
fn replica_of_token<'a>(state: &State, token: &'a str) -> Option<Option<&'a str>> {
    match token.strip_prefix(state.web_identity_token.as_str())? {
        "" => Some(None),
        rest => rest.strip_prefix('#').map(Some),
    }
}

fn error_xml(code: &str, message: &str) -> String {
    format!(
        r#"<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <Error><Type>Sender</Type><Code>{code}</Code><Message>{}</Message></Error>
  <RequestId>{}</RequestId>
</ErrorResponse>"#,
        xml_escape(message),
        crate::ids::uuid_like()
    )
}

fn xml_response(status: StatusCode, xml: String) -> Response {
    let mut response = (status, xml).into_response();
    response
        .headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static("text/xml"));
    response
}

fn xml_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// `application/x-www-form-urlencoded` into a map (last value wins).
fn parse_form(body: &[u8]) -> HashMap<String, String> {
    let decode = |s: &str| {
        percent_encoding::percent_decode_str(&s.replace('+', " "))
            .decode_utf8_lossy()
            .into_owned()
    };
    String::from_utf8_lossy(body)
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|pair| {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            (decode(k), decode(v))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn form_decoding() {
        let f = parse_form(b"Action=AssumeRoleWithWebIdentity&RoleArn=arn%3Aaws%3Aiam&X=a+b");
        assert_eq!(f["Action"], "AssumeRoleWithWebIdentity");
        assert_eq!(f["RoleArn"], "arn:aws:iam");
        assert_eq!(f["X"], "a b");
    }
}
