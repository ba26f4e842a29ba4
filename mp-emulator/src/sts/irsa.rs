//! IRSA's exchange: the web identity token the emulator wrote to an
//! `AWS_WEB_IDENTITY_TOKEN_FILE`, for the IRSA role. Each pod has a token of its own and so
//! gets a session of its own: the emulator's token is the default replica's, and
//! `<that token>#<replica>` (what a replica's token file holds) is that replica's.

use super::xml::{AssumedRole, StsError};
use crate::credentials::{CredentialSource, IRSA_ROLE_ARN, expiration};
use crate::state::State;
use axum::http::StatusCode;

pub(super) fn assume_role(
    state: &State,
    token: &str,
    role_arn: &str,
    session_name: &str,
) -> Result<String, StsError> {
    let session = replica_of_token(state, token)
        .and_then(|replica| CredentialSource::Irsa.session(replica).ok())
        .ok_or_else(|| {
            (
                StatusCode::BAD_REQUEST,
                "InvalidIdentityToken",
                "WebIdentityToken is neither one this emulator wrote to an AWS_WEB_IDENTITY_TOKEN_FILE nor a License Manager access token it issued"
                    .to_string(),
            )
        })?;
    if role_arn != IRSA_ROLE_ARN {
        return Err((
            StatusCode::FORBIDDEN,
            "AccessDenied",
            format!(
                "Not authorized to perform sts:AssumeRoleWithWebIdentity on `{role_arn}`: use {IRSA_ROLE_ARN}"
            ),
        ));
    }
    Ok(AssumedRole {
        subject: "system:serviceaccount:default:mp-emulator",
        audience: "sts.amazonaws.com",
        role_arn: IRSA_ROLE_ARN,
        session_name,
        credentials: session.sdk("mp-emulator"),
        expiration: expiration(),
        provider: "arn:aws:iam::111122223333:oidc-provider/oidc.eks.mp-emulator",
    }
    .to_xml())
}

/// The replica a web identity token names: `Some(None)` for the emulator's own token,
/// `Some(Some(name))` for `<token>#<name>`, `None` for any other token.
fn replica_of_token<'a>(state: &State, token: &'a str) -> Option<Option<&'a str>> {
    match token.strip_prefix(state.web_identity_token.as_str())? {
        "" => Some(None),
        rest => rest.strip_prefix('#').map(Some),
    }
}
