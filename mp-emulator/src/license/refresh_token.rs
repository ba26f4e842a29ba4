//! License Manager's license tokens as the emulator issues them: the refresh token
//! `CreateToken` returns (a buyer's long-lived secret, mounted on premises) and the access
//! token `GetAccessToken` trades it for (one hour, for STS `AssumeRoleWithWebIdentity`). Both
//! are PS256 JWTs signed with the emulator's key, each under a key id of its own so neither
//! passes for the other; times are epoch seconds on the emulator's clock.

use crate::token::TokenSigner;
use serde::{Deserialize, Serialize};

/// The `kid` in the header of every refresh token the emulator issues.
pub const REFRESH_TOKEN_KEY_ID: &str = "mp-emulator-license-manager-refresh-token-test-only";

/// The `kid` in the header of every access token the emulator issues.
pub const ACCESS_TOKEN_KEY_ID: &str = "mp-emulator-license-manager-access-token-test-only";

/// The issuer (`iss`) of every license token the emulator issues.
pub const LICENSE_TOKEN_ISSUER_URL: &str = "https://license-manager.mp-emulator.test-only";

/// How long an access token lasts, as on AWS.
pub const ACCESS_TOKEN_SECS: u64 = 3600;

/// A refresh token: what `CreateToken` returns and what `Emulator::create_license_token`
/// mints, for `AWS_WEB_IDENTITY_REFRESH_TOKEN_FILE`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LicenseToken {
    /// The token's id (`TokenId`; the JWT's `jti`), what `DeleteToken` and
    /// `Emulator::revoke_license_token` take.
    pub id: String,
    /// The refresh token itself (a JWT).
    pub token: String,
}

/// Claims of a refresh token, as `CreateToken` documents them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RefreshTokenClaims {
    /// The issuer ([`LICENSE_TOKEN_ISSUER_URL`]).
    pub iss: String,
    /// The license's ARN.
    pub aud: String,
    /// The IAM roles the token may assume (`RoleArns`).
    #[serde(rename = "roleArns")]
    pub role_arns: Vec<String>,
    /// `TokenProperties`.
    pub amr: Vec<String>,
    /// Issue time.
    pub iat: u64,
    /// Expiry: `ExpirationInDays` after `iat`.
    pub exp: u64,
    /// The token's id (`TokenId`).
    pub jti: String,
}

/// Claims of an access token.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccessTokenClaims {
    /// The issuer ([`LICENSE_TOKEN_ISSUER_URL`]).
    pub iss: String,
    /// The license's ARN.
    pub aud: String,
    /// The id of the refresh token it was traded for.
    pub sub: String,
    /// The IAM roles the token may assume.
    #[serde(rename = "roleArns")]
    pub role_arns: Vec<String>,
    /// The refresh token's properties and those `GetAccessToken` added.
    pub amr: Vec<String>,
    /// Issue time.
    pub iat: u64,
    /// Expiry: [`ACCESS_TOKEN_SECS`] after `iat`.
    pub exp: u64,
    /// The access token's own id.
    pub jti: String,
}

impl RefreshTokenClaims {
    pub(crate) fn sign(&self, signer: &TokenSigner) -> Result<String, String> {
        signer.sign_with_key_id(self, REFRESH_TOKEN_KEY_ID)
    }

    /// The claims of `token` if the emulator signed it as a refresh token.
    pub(crate) fn verify(signer: &TokenSigner, token: &str) -> Option<Self> {
        signer.verify(token, REFRESH_TOKEN_KEY_ID)
    }
}

impl AccessTokenClaims {
    pub(crate) fn sign(&self, signer: &TokenSigner) -> Result<String, String> {
        signer.sign_with_key_id(self, ACCESS_TOKEN_KEY_ID)
    }

    /// The claims of `token` if the emulator signed it as an access token.
    pub(crate) fn verify(signer: &TokenSigner, token: &str) -> Option<Self> {
        signer.verify(token, ACCESS_TOKEN_KEY_ID)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::keys::{TEST_ONLY_OTHER_PRIVATE_KEY_PEM, TEST_ONLY_PRIVATE_KEY_PEM};

    fn claims() -> RefreshTokenClaims {
        RefreshTokenClaims {
            iss: LICENSE_TOKEN_ISSUER_URL.into(),
            aud: "arn:aws:license-manager::1:license:l-1".into(),
            role_arns: vec!["arn:aws:iam::1:role/r".into()],
            amr: vec![],
            iat: 1,
            exp: 2,
            jti: "t".into(),
        }
    }

    #[test]
    fn a_refresh_token_verifies_only_as_a_refresh_token_of_this_key() {
        let signer = TokenSigner::from_pem(TEST_ONLY_PRIVATE_KEY_PEM).unwrap();
        let token = claims().sign(&signer).unwrap();
        assert_eq!(RefreshTokenClaims::verify(&signer, &token), Some(claims()));
        assert_eq!(AccessTokenClaims::verify(&signer, &token), None);
        let other = TokenSigner::from_pem(TEST_ONLY_OTHER_PRIVATE_KEY_PEM).unwrap();
        let forged = claims().sign(&other).unwrap();
        assert_eq!(RefreshTokenClaims::verify(&signer, &forged), None);
        assert_eq!(RefreshTokenClaims::verify(&signer, "not.a.jwt"), None);
    }
}
