//! PS256 signing with the emulator's key, and the RegisterUsage `Signature` it signs: a JWT
//! over the product code, key version, the caller's nonce and the issue time, verifiable
//! with the published public key. The same key verifies the tokens the emulator takes back
//! (License Manager's license tokens).

use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

/// Claims of a RegisterUsage token. No `exp`: AWS's tokens carry none.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RegisterUsageClaims {
    /// The product code registered.
    #[serde(rename = "productCode")]
    pub product_code: String,
    /// The public key version that verifies the token.
    #[serde(rename = "publicKeyVersion")]
    pub public_key_version: i32,
    /// The nonce the caller sent, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nonce: Option<String>,
    /// Issue time, epoch seconds (emulator clock).
    pub iat: u64,
}

/// Signs tokens with one RSA private key (RegisterUsage's, License Manager's), and verifies
/// them with its public key.
pub(crate) struct TokenSigner {
    key: EncodingKey,
    public: DecodingKey,
}

impl std::fmt::Debug for TokenSigner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TokenSigner(..)")
    }
}

impl TokenSigner {
    pub(crate) fn from_pem(pem: &str) -> anyhow::Result<Self> {
        let key = EncodingKey::from_rsa_pem(pem.as_bytes()).map_err(|e| {
            anyhow::anyhow!("the signing key is not an RSA private key in PEM form: {e}")
        })?;
        let public_pem = crate::public_key::public_key_pem(pem).map_err(anyhow::Error::msg)?;
        let public = DecodingKey::from_rsa_pem(public_pem.as_bytes())
            .map_err(|e| anyhow::anyhow!("the signing key's public key is not usable: {e}"))?;
        Ok(Self { key, public })
    }

    /// The claims of `token` if this key signed it (PS256) under key id `kid`. Nothing about
    /// time is checked here: expiry is judged on the emulator's clock by the caller.
    pub(crate) fn verify<T: DeserializeOwned>(&self, token: &str, kid: &str) -> Option<T> {
        let header = jsonwebtoken::decode_header(token).ok()?;
        if header.alg != Algorithm::PS256 || header.kid.as_deref() != Some(kid) {
            return None;
        }
        let mut validation = Validation::new(Algorithm::PS256);
        validation.required_spec_claims.clear();
        validation.validate_exp = false;
        validation.validate_aud = false;
        jsonwebtoken::decode(token, &self.public, &validation)
            .ok()
            .map(|d| d.claims)
    }

    pub(crate) fn sign(&self, claims: &impl Serialize) -> Result<String, String> {
        self.sign_with_header(claims, Header::new(Algorithm::PS256))
    }

    /// Signs with `kid` in the header, for tokens that share the key but not its purpose
    /// (License Manager's `SignedToken`).
    pub(crate) fn sign_with_key_id(
        &self,
        claims: &impl Serialize,
        kid: &str,
    ) -> Result<String, String> {
        let mut header = Header::new(Algorithm::PS256);
        header.kid = Some(kid.to_string());
        self.sign_with_header(claims, header)
    }

    fn sign_with_header(&self, claims: &impl Serialize, header: Header) -> Result<String, String> {
        jsonwebtoken::encode(&header, claims, &self.key)
            .map_err(|e| format!("signing the token failed: {e}"))
    }

    /// `header.payload.signature` with a PS256 signature over whatever `header.payload` is:
    /// for forgeries whose segments are not what a JWT library would produce.
    pub(crate) fn sign_segments(&self, header: &str, payload: &str) -> Result<String, String> {
        let message = format!("{header}.{payload}");
        let signature = jsonwebtoken::crypto::sign(message.as_bytes(), &self.key, Algorithm::PS256)
            .map_err(|e| format!("signing the RegisterUsage token failed: {e}"))?;
        Ok(format!("{message}.{signature}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::keys::*;
    use jsonwebtoken::{DecodingKey, Validation};

    fn verify(token: &str) -> jsonwebtoken::errors::Result<RegisterUsageClaims> {
        let mut v = Validation::new(Algorithm::PS256);
        v.required_spec_claims.clear();
        v.validate_exp = false;
        let key = DecodingKey::from_rsa_pem(TEST_ONLY_PUBLIC_KEY_PEM.as_bytes())?;
        jsonwebtoken::decode(token, &key, &v).map(|d| d.claims)
    }

    #[test]
    fn signed_token_verifies_with_published_key_only() {
        let claims = RegisterUsageClaims {
            product_code: "p".into(),
            public_key_version: 1,
            nonce: Some("n".into()),
            iat: 1,
        };
        let good = TokenSigner::from_pem(TEST_ONLY_PRIVATE_KEY_PEM)
            .unwrap()
            .sign(&claims)
            .unwrap();
        assert_eq!(verify(&good).unwrap(), claims);
        let forged = TokenSigner::from_pem(TEST_ONLY_OTHER_PRIVATE_KEY_PEM)
            .unwrap()
            .sign(&claims)
            .unwrap();
        assert!(verify(&forged).is_err());
    }

    #[test]
    fn bad_pem_is_a_clear_error() {
        let e = TokenSigner::from_pem("not a key").unwrap_err().to_string();
        assert!(e.contains("RSA private key"), "{e}");
    }
}
