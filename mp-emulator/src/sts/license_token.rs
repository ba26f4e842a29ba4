//! The exchange off AWS compute: a License Manager access token (`GetAccessToken`) for one of
//! the roles it names. The session is one of its own, limited to the token's license, and
//! ends when the access token does (or sooner, with `DurationSeconds`), on the emulator clock.

use super::xml::{AssumedRole, StsError};
use crate::clock::{from_epoch_secs, rfc3339};
use crate::credentials::CredentialSource;
use crate::license::book::whole;
use crate::license::refresh_token::AccessTokenClaims;
use crate::license::token_book::TokenSession;
use crate::state::State;
use axum::http::StatusCode;

/// How long a session lasts unless `DurationSeconds` says otherwise, as on AWS.
const DEFAULT_DURATION_SECS: u64 = 3600;

/// Whether a web identity token is meant as a License Manager access token (a JWT), rather
/// than IRSA's.
pub(super) fn looks_like_access_token(token: &str) -> bool {
    token.split('.').count() == 3
}

pub(super) fn assume_role(
    state: &State,
    token: &str,
    role_arn: &str,
    session_name: &str,
    duration: Option<&str>,
) -> Result<String, StsError> {
    let claims = AccessTokenClaims::verify(&state.signer, token).ok_or_else(|| {
        (
            StatusCode::BAD_REQUEST,
            "InvalidIdentityToken",
            "WebIdentityToken is not a License Manager access token this emulator issued (GetAccessToken)"
                .to_string(),
        )
    })?;
    let now = whole(state.clock.now_epoch_secs());
    if claims.exp <= now {
        return Err((
            StatusCode::BAD_REQUEST,
            "ExpiredTokenException",
            format!(
                "Token expired: current date/time {} must be before the expiration date/time {}",
                rfc3339(from_epoch_secs(now as f64)),
                rfc3339(from_epoch_secs(claims.exp as f64))
            ),
        ));
    }
    if !claims.role_arns.iter().any(|r| r == role_arn) {
        return Err((
            StatusCode::FORBIDDEN,
            "AccessDenied",
            format!(
                "Not authorized to perform sts:AssumeRoleWithWebIdentity on `{role_arn}`: the license token names {}",
                claims.role_arns.join(", ")
            ),
        ));
    }
    let duration = match duration {
        None | Some("") => DEFAULT_DURATION_SECS,
        Some(d) => d.parse::<u64>().ok().filter(|d| (900..=43_200).contains(d)).ok_or_else(|| {
            (
                StatusCode::BAD_REQUEST,
                "ValidationError",
                format!("1 validation error detected: Value '{d}' at 'durationSeconds' failed to satisfy constraint: Member must have value between 900 and 43200"),
            )
        })?,
    };
    let expires_at = (now + duration).min(claims.exp);
    let id = crate::ids::uuid_like();
    state.licenses().tokens.sessions.insert(
        id.clone(),
        TokenSession {
            license_arn: claims.aud.clone(),
            role_arn: role_arn.to_string(),
            session_name: session_name.to_string(),
            expires_at,
        },
    );
    Ok(AssumedRole {
        subject: &claims.sub,
        audience: &claims.aud,
        role_arn,
        session_name,
        credentials: CredentialSource::license_token_session(&id).sdk("mp-emulator"),
        expiration: rfc3339(from_epoch_secs(expires_at as f64)),
        provider: &claims.iss,
    }
    .to_xml())
}
