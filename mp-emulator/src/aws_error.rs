//! Errors in the exact shape AWS JSON 1.1 services answer with, so SDKs map them to their
//! typed variants: status, `{"__type": ..., "message": ...}` and `x-amzn-errortype`. A
//! service whose model spells the member `Message` (License Manager) answers with that.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use mp_marketplace_rules::errors;

#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct AwsError {
    pub(crate) status: StatusCode,
    pub(crate) name: &'static str,
    pub(crate) message: String,
    /// The body member holding the message: `message`, or the model's own spelling.
    pub(crate) message_member: &'static str,
}

impl AwsError {
    /// A client fault (400).
    pub(crate) fn client(name: &'static str, message: impl Into<String>) -> Self {
        Self::with_status(StatusCode::BAD_REQUEST, name, message)
    }

    pub(crate) fn with_status(
        status: StatusCode,
        name: &'static str,
        message: impl Into<String>,
    ) -> Self {
        Self {
            status,
            name,
            message: message.into(),
            message_member: "message",
        }
    }

    /// The same error with its message under `member` (`Message` in License Manager's model).
    pub(crate) fn message_member(mut self, member: &'static str) -> Self {
        self.message_member = member;
        self
    }

    /// AWS's generic input-constraint error (`1 validation error detected: ...`) for the
    /// member at `path`.
    pub(crate) fn validation(path: &str, constraint: impl std::fmt::Display) -> Self {
        Self::client(
            errors::VALIDATION,
            format!(
                "1 validation error detected: Value at '{path}' failed to satisfy constraint: {constraint}"
            ),
        )
    }

    pub(crate) fn internal(message: impl Into<String>) -> Self {
        Self::with_status(
            StatusCode::INTERNAL_SERVER_ERROR,
            errors::INTERNAL_SERVICE_ERROR,
            message,
        )
    }
}

impl IntoResponse for AwsError {
    fn into_response(self) -> Response {
        let mut body = serde_json::Map::new();
        body.insert("__type".into(), self.name.into());
        body.insert(self.message_member.into(), self.message.into());
        let body = serde_json::Value::Object(body);
        let mut response = (self.status, body.to_string()).into_response();
        let headers = response.headers_mut();
        headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/x-amz-json-1.1"),
        );
        headers.insert("x-amzn-errortype", HeaderValue::from_static(self.name));
        headers.insert("x-amzn-requestid", crate::ids::request_id_header());
        response
    }
}
