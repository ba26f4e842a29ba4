//! The license tokens License Manager issued: refresh tokens by id (deleted ones stay, marked,
//! so a refusal can say why), `CreateToken`'s answers by client token, and the STS sessions
//! access tokens were exchanged for, each limited to one license.

use super::refresh_token::{LICENSE_TOKEN_ISSUER_URL, LicenseToken, RefreshTokenClaims};
use crate::credentials::LICENSE_TOKEN_ROLE_ARN;
use crate::token::TokenSigner;
use serde_json::Value;
use std::collections::{BTreeMap, HashMap};

/// How long a refresh token lasts unless told otherwise, as on AWS.
pub(crate) const DEFAULT_EXPIRATION_DAYS: u32 = 365;

/// A refresh token issued.
#[derive(Clone, Debug)]
pub(crate) struct IssuedToken {
    pub(crate) claims: RefreshTokenClaims,
    /// `DeleteToken` revoked it.
    pub(crate) deleted: bool,
}

/// An STS session made from an access token: what its credentials may touch, and until when.
#[derive(Clone, Debug)]
pub(crate) struct TokenSession {
    pub(crate) license_arn: String,
    pub(crate) role_arn: String,
    pub(crate) session_name: String,
    /// Epoch seconds, emulator clock.
    pub(crate) expires_at: u64,
}

#[derive(Debug, Default)]
pub(crate) struct LicenseTokens {
    /// By token id, in id order.
    pub(crate) issued: BTreeMap<String, IssuedToken>,
    /// `CreateToken`'s answers by client token: the request they answered, and the answer.
    pub(crate) answered: HashMap<String, (String, Value)>,
    /// By session id (the suffix of the session token).
    pub(crate) sessions: HashMap<String, TokenSession>,
}

impl LicenseTokens {
    /// Issues a refresh token for `license_arn` naming `role_arns` (none:
    /// [`LICENSE_TOKEN_ROLE_ARN`]), valid `days` from `now`.
    pub(crate) fn issue(
        &mut self,
        signer: &TokenSigner,
        license_arn: &str,
        role_arns: Vec<String>,
        properties: Vec<String>,
        days: u32,
        now: u64,
    ) -> Result<LicenseToken, String> {
        let role_arns = if role_arns.is_empty() {
            vec![LICENSE_TOKEN_ROLE_ARN.to_string()]
        } else {
            role_arns
        };
        let id = crate::ids::uuid_like().replace('-', "");
        let claims = RefreshTokenClaims {
            iss: LICENSE_TOKEN_ISSUER_URL.to_string(),
            aud: license_arn.to_string(),
            role_arns,
            amr: properties,
            iat: now,
            exp: now + u64::from(days) * 86_400,
            jti: id.clone(),
        };
        let token = claims.sign(signer)?;
        self.issued.insert(
            id.clone(),
            IssuedToken {
                claims,
                deleted: false,
            },
        );
        Ok(LicenseToken { id, token })
    }

    /// Revokes token `id`; whether it existed and was not revoked yet.
    pub(crate) fn revoke(&mut self, id: &str) -> bool {
        match self.issued.get_mut(id) {
            Some(token) if !token.deleted => {
                token.deleted = true;
                true
            }
            _ => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::keys::TEST_ONLY_PRIVATE_KEY_PEM;

    #[test]
    fn issued_tokens_verify_and_revoke_once() {
        let signer = TokenSigner::from_pem(TEST_ONLY_PRIVATE_KEY_PEM).unwrap();
        let mut tokens = LicenseTokens::default();
        let t = tokens
            .issue(&signer, "arn:l", vec!["arn:r".into()], vec![], 2, 100)
            .unwrap();
        let claims = RefreshTokenClaims::verify(&signer, &t.token).unwrap();
        assert_eq!(
            (claims.jti.as_str(), claims.exp),
            (t.id.as_str(), 100 + 2 * 86_400)
        );
        assert!(tokens.revoke(&t.id));
        assert!(!tokens.revoke(&t.id));
        assert!(!tokens.revoke("unknown"));
    }
}
