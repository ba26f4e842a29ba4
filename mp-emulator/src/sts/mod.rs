//! STS `AssumeRoleWithWebIdentity` (query protocol: form body in, XML out), sent unsigned to
//! `AWS_ENDPOINT_URL_STS`: the exchange IRSA makes on EKS (`irsa`), and the one a product off
//! AWS compute makes with a License Manager access token (`license_token`).

mod irsa;
mod license_token;
mod xml;

use crate::state::State;
use axum::http::StatusCode;
use axum::response::Response;
use std::collections::HashMap;
use xml::StsError;

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
        Ok(body) => xml::response(StatusCode::OK, body),
        Err((status, code, message)) => {
            state.count_rejection(code);
            xml::response(status, xml::error_xml(code, &message))
        }
    }
}

fn assume_role_with_web_identity(
    state: &State,
    form: &HashMap<String, String>,
) -> Result<String, StsError> {
    let field = |name: &str| form.get(name).map(String::as_str).unwrap_or("");
    let token = field("WebIdentityToken");
    let (role, session_name) = (field("RoleArn"), field("RoleSessionName"));
    if license_token::looks_like_access_token(token) {
        let duration = form.get("DurationSeconds").map(String::as_str);
        return license_token::assume_role(state, token, role, session_name, duration);
    }
    irsa::assume_role(state, token, role, session_name)
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
