//! EC2 instance metadata, IMDSv2 only: `PUT /latest/api/token` (the TTL header is echoed, or
//! aws-config gives up), then GETs carrying `x-aws-ec2-metadata-token`: region, availability
//! zone and instance-profile credentials.

use crate::credentials::{CredentialSource, INSTANCE_PROFILE_ROLE_NAME};
use crate::state::State;
use axum::extract::{Path, State as Shared};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use std::sync::Arc;

pub(crate) const TOKEN_PATH: &str = "/latest/api/token";
const TTL_HEADER: &str = "x-aws-ec2-metadata-token-ttl-seconds";
const TOKEN_HEADER: &str = "x-aws-ec2-metadata-token";

pub(crate) async fn token(Shared(state): Shared<Arc<State>>, headers: HeaderMap) -> Response {
    let ttl = headers
        .get(TTL_HEADER)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u32>().ok());
    match ttl {
        Some(ttl @ 1..=21600) => {
            let mut response = state.imds_token.clone().into_response();
            if let Ok(v) = HeaderValue::from_str(&ttl.to_string()) {
                response.headers_mut().insert(TTL_HEADER, v);
            }
            response
        }
        _ => (
            StatusCode::BAD_REQUEST,
            format!("{TTL_HEADER} must be an integer between 1 and 21600"),
        )
            .into_response(),
    }
}

/// Every GET needs the session token (IMDSv1 is off, as on hardened instances).
fn authorised(state: &State, headers: &HeaderMap) -> bool {
    headers.get(TOKEN_HEADER).and_then(|v| v.to_str().ok()) == Some(state.imds_token.as_str())
}

pub(crate) async fn metadata(
    Shared(state): Shared<Arc<State>>,
    Path(path): Path<String>,
    headers: HeaderMap,
) -> Response {
    if !authorised(&state, &headers) {
        return (
            StatusCode::UNAUTHORIZED,
            "missing or invalid x-aws-ec2-metadata-token: PUT /latest/api/token first (IMDSv2)",
        )
            .into_response();
    }
    let region = &state.config.region;
    let text = match path.trim_end_matches('/') {
        "placement/region" => region.clone(),
        "placement/availability-zone" => format!("{region}a"),
        "instance-id" => "i-0123456789abcdef0".to_string(),
        "iam/security-credentials" => INSTANCE_PROFILE_ROLE_NAME.to_string(),
        p if p == format!("iam/security-credentials/{INSTANCE_PROFILE_ROLE_NAME}") => {
            CredentialSource::InstanceProfile
                .credentials()
                .to_json()
                .to_string()
        }
        _ => return (StatusCode::NOT_FOUND, "Not Found").into_response(),
    };
    text.into_response()
}
