//! The STS query protocol's answers: an `AssumeRoleWithWebIdentity` result and the error
//! document, as XML.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

/// A refused STS call: status, error code, message.
pub(super) type StsError = (StatusCode, &'static str, String);

/// What an `AssumeRoleWithWebIdentity` result says.
pub(super) struct AssumedRole<'a> {
    pub(super) subject: &'a str,
    pub(super) audience: &'a str,
    pub(super) role_arn: &'a str,
    pub(super) session_name: &'a str,
    pub(super) credentials: aws_credential_types::Credentials,
    pub(super) expiration: String,
    pub(super) provider: &'a str,
}

impl AssumedRole<'_> {
    pub(super) fn to_xml(&self) -> String {
        let role_name = self.role_arn.rsplit('/').next().unwrap_or_default();
        let role_id = role_name.to_ascii_uppercase().replace(['-', '_', '.'], "");
        let account = self.role_arn.split(':').nth(4).unwrap_or_default();
        format!(
            r#"<AssumeRoleWithWebIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <AssumeRoleWithWebIdentityResult>
    <SubjectFromWebIdentityToken>{}</SubjectFromWebIdentityToken>
    <Audience>{}</Audience>
    <AssumedRoleUser>
      <Arn>arn:aws:sts::{account}:assumed-role/{role_name}/{session_name}</Arn>
      <AssumedRoleId>AROA{role_id}:{session_name}</AssumedRoleId>
    </AssumedRoleUser>
    <Credentials>
      <AccessKeyId>{}</AccessKeyId>
      <SecretAccessKey>{}</SecretAccessKey>
      <SessionToken>{}</SessionToken>
      <Expiration>{}</Expiration>
    </Credentials>
    <Provider>{}</Provider>
  </AssumeRoleWithWebIdentityResult>
  <ResponseMetadata><RequestId>{}</RequestId></ResponseMetadata>
</AssumeRoleWithWebIdentityResponse>"#,
            escape(self.subject),
            escape(self.audience),
            escape(self.credentials.access_key_id()),
            escape(self.credentials.secret_access_key()),
            escape(self.credentials.session_token().unwrap_or_default()),
            self.expiration,
            escape(self.provider),
            crate::ids::uuid_like(),
            account = escape(account),
            role_name = escape(role_name),
            role_id = escape(&role_id),
            session_name = escape(self.session_name),
        )
    }
}

pub(super) fn error_xml(code: &str, message: &str) -> String {
    format!(
        r#"<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <Error><Type>Sender</Type><Code>{code}</Code><Message>{}</Message></Error>
  <RequestId>{}</RequestId>
</ErrorResponse>"#,
        escape(message),
        crate::ids::uuid_like()
    )
}

pub(super) fn response(status: StatusCode, xml: String) -> Response {
    let mut response = (status, xml).into_response();
    response
        .headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static("text/xml"));
    response
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}
