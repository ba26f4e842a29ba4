//! The AWS JSON 1.1 protocol the Metering Service and License Manager both speak: `POST /`
//! with `X-Amz-Target: <prefix>.<Operation>`, a body in `application/x-amz-json-1.1`,
//! answered with a JSON document or an [`AwsError`] (counted in the ledger).

use crate::aws_error::AwsError;
use crate::state::State;
use axum::http::{HeaderValue, StatusCode, header, request::Parts};
use axum::response::{IntoResponse, Response};
use serde::de::DeserializeOwned;

/// A service's operations, named by `X-Amz-Target`.
pub(crate) trait Operation: Copy + Sized {
    /// The operation a target names, or `UnknownOperationException`.
    fn from_target(target: &str) -> Result<Self, AwsError>;
    /// Its name, as the ledger counts requests.
    fn name(self) -> &'static str;
}

/// The request's operation, counted in the ledger's requests (`Unknown` when the target
/// names none: then the error to answer).
pub(crate) fn counted_operation<Op: Operation>(
    state: &State,
    parts: &Parts,
) -> Result<Op, AwsError> {
    let op = Op::from_target(target(parts));
    state.count_request(op.as_ref().map_or("Unknown", |op| op.name()));
    op
}

/// The request's `X-Amz-Target`, empty when absent or not text.
pub(crate) fn target(parts: &Parts) -> &str {
    parts
        .headers
        .get("x-amz-target")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
}

/// The path and query the request was signed over.
pub(crate) fn path_and_query(parts: &Parts) -> &str {
    parts
        .uri
        .path_and_query()
        .map(|p| p.as_str())
        .unwrap_or("/")
}

/// Refuses a body in another content type than the protocol's.
pub(crate) fn check_content_type(parts: &Parts) -> Result<(), AwsError> {
    let content_type = parts
        .headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if content_type.starts_with("application/x-amz-json-1.1") {
        return Ok(());
    }
    Err(AwsError::client(
        "UnknownOperationException",
        format!(
            "Content-Type `{content_type}` is not application/x-amz-json-1.1, the protocol of this service"
        ),
    ))
}

/// The operation's input; an empty body is an empty document, as SDKs send for no members.
pub(crate) fn parse<T: DeserializeOwned>(body: &[u8]) -> Result<T, AwsError> {
    let body = if body.is_empty() {
        b"{}".as_slice()
    } else {
        body
    };
    serde_json::from_slice(body).map_err(|e| {
        AwsError::client(
            "SerializationException",
            format!("The request body is not a valid JSON document for this operation: {e}"),
        )
    })
}

/// A 200 answer with the protocol's content type.
pub(crate) fn ok(value: &serde_json::Value) -> Response {
    let mut response = (StatusCode::OK, value.to_string()).into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/x-amz-json-1.1"),
    );
    response
}

/// An error answer, counted in the ledger's rejections.
pub(crate) fn reject(state: &State, e: AwsError) -> Response {
    state.count_rejection(e.name);
    e.into_response()
}
