//! Forged RegisterUsage Signatures, for tamper tests: what a proxy on the network path or a
//! fake endpoint could answer instead of AWS. The emulator holds the (test-only) signing key,
//! so the claim forgeries are validly PS256-signed and only their claims are wrong: a client
//! must refuse them on the claims, not on the signature.

use crate::token::{RegisterUsageClaims, TokenSigner};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde_json::json;

/// The product code a [`Forgery::WrongProductCode`] token names.
pub const FORGED_PRODUCT_CODE: &str = "forgedproduct00000000001";
/// The nonce a [`Forgery::OtherNonce`] token carries: shaped like a real one (64 hex digits),
/// but not the one any caller sent.
pub const FORGED_NONCE: &str = "0000000000000000000000000000000000000000000000000000000000000000";
/// Roughly how long a [`Forgery::Oversized`] token is: 4 MiB.
pub const OVERSIZED_TOKEN_BYTES: usize = 4 << 20;

/// Which forged `Signature` the emulator answers RegisterUsage with
/// (`EmulatorConfig::forge_signature`). The call is otherwise handled as usual: validated,
/// counted, and recorded in the ledger as a registration.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Forgery {
    /// Header `{"alg":"none"}`, the genuine claims, an empty signature.
    AlgNone,
    /// HS256 keyed with the public key's PEM text: the RS/HS confusion attack on libraries
    /// that take the algorithm from the token.
    Hs256WithPublicKey,
    /// Validly signed, for [`FORGED_PRODUCT_CODE`].
    WrongProductCode,
    /// Validly signed, naming the key version after the configured one.
    WrongKeyVersion,
    /// Validly signed, carrying [`FORGED_NONCE`] instead of the caller's nonce.
    OtherNonce,
    /// Validly signed over a claims segment that is not base64url.
    MalformedBase64,
    /// Validly signed over base64url of text that is not JSON.
    MalformedJson,
    /// The genuine claims plus a padding claim, validly signed, about
    /// [`OVERSIZED_TOKEN_BYTES`] long.
    Oversized,
}

impl Forgery {
    /// Every forgery, for tests that go through them all.
    pub const ALL: [Forgery; 8] = [
        Forgery::AlgNone,
        Forgery::Hs256WithPublicKey,
        Forgery::WrongProductCode,
        Forgery::WrongKeyVersion,
        Forgery::OtherNonce,
        Forgery::MalformedBase64,
        Forgery::MalformedJson,
        Forgery::Oversized,
    ];
}

/// The forged token for the genuine `claims`; `signing_key_pem` is the emulator's key, whose
/// public half keys the HS256 forgery.
pub(crate) fn forge(
    forgery: Forgery,
    claims: &RegisterUsageClaims,
    signer: &TokenSigner,
    signing_key_pem: &str,
) -> Result<String, String> {
    let ps256_header = || b64(br#"{"typ":"JWT","alg":"PS256"}"#);
    let mut forged = claims.clone();
    match forgery {
        Forgery::AlgNone => {
            let header = b64(br#"{"typ":"JWT","alg":"none"}"#);
            Ok(format!("{header}.{}.", b64(&to_json(claims)?)))
        }
        Forgery::Hs256WithPublicKey => {
            let public = crate::public_key::public_key_pem(signing_key_pem)?;
            let key = EncodingKey::from_secret(public.as_bytes());
            jsonwebtoken::encode(&Header::new(Algorithm::HS256), claims, &key)
                .map_err(|e| format!("forging an HS256 token failed: {e}"))
        }
        Forgery::WrongProductCode => {
            forged.product_code = FORGED_PRODUCT_CODE.to_owned();
            signer.sign(&forged)
        }
        Forgery::WrongKeyVersion => {
            forged.public_key_version = claims.public_key_version.saturating_add(1);
            signer.sign(&forged)
        }
        Forgery::OtherNonce => {
            forged.nonce = Some(FORGED_NONCE.to_owned());
            signer.sign(&forged)
        }
        Forgery::MalformedBase64 => signer.sign_segments(&ps256_header(), "!!not*base64url!!"),
        Forgery::MalformedJson => {
            signer.sign_segments(&ps256_header(), &b64(br#"{"productCode": "#))
        }
        Forgery::Oversized => {
            // base64url turns 3 bytes into 4.
            let mut padded = serde_json::to_value(claims).map_err(|e| e.to_string())?;
            padded["padding"] = json!("x".repeat(OVERSIZED_TOKEN_BYTES / 4 * 3));
            signer.sign(&padded)
        }
    }
}

fn b64(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

fn to_json(claims: &RegisterUsageClaims) -> Result<Vec<u8>, String> {
    serde_json::to_vec(claims).map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::keys::{TEST_ONLY_PRIVATE_KEY_PEM as PRIVATE, TEST_ONLY_PUBLIC_KEY_PEM as PUBLIC};
    use jsonwebtoken::errors::ErrorKind;
    use jsonwebtoken::{DecodingKey, Validation, decode, decode_header};
    use serde_json::{Map, Value};

    fn claims() -> RegisterUsageClaims {
        RegisterUsageClaims {
            product_code: "prod1".into(),
            public_key_version: 1,
            nonce: Some("n0nce".into()),
            iat: 1_700_000_000,
        }
    }

    fn forged(forgery: Forgery) -> String {
        let signer = TokenSigner::from_pem(PRIVATE).unwrap();
        forge(forgery, &claims(), &signer, PRIVATE).unwrap()
    }

    /// Decodes with the published key the way a verifier pinned to PS256 does.
    fn ps256_claims(token: &str) -> jsonwebtoken::errors::Result<Map<String, Value>> {
        let mut v = Validation::new(Algorithm::PS256);
        v.required_spec_claims.clear();
        v.validate_exp = false;
        let key = DecodingKey::from_rsa_pem(PUBLIC.as_bytes()).unwrap();
        decode(token, &key, &v).map(|d| d.claims)
    }

    #[test]
    fn alg_none_carries_the_genuine_claims_unsigned() {
        let token = forged(Forgery::AlgNone);
        let [header, payload, signature] = token.split('.').collect::<Vec<_>>()[..] else {
            panic!("{token}")
        };
        assert_eq!(
            URL_SAFE_NO_PAD.decode(header).unwrap(),
            br#"{"typ":"JWT","alg":"none"}"#
        );
        let claims: RegisterUsageClaims =
            serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).unwrap()).unwrap();
        assert_eq!(claims, super::tests::claims());
        assert_eq!(signature, "");
    }

    #[test]
    fn hs256_verifies_with_the_public_key_pem_as_its_secret() {
        let token = forged(Forgery::Hs256WithPublicKey);
        assert_eq!(decode_header(&token).unwrap().alg, Algorithm::HS256);
        let mut v = Validation::new(Algorithm::HS256);
        v.required_spec_claims.clear();
        v.validate_exp = false;
        let key = DecodingKey::from_secret(PUBLIC.as_bytes());
        let claims: RegisterUsageClaims = decode(&token, &key, &v).unwrap().claims;
        assert_eq!(claims, super::tests::claims());
    }

    #[test]
    fn claim_forgeries_verify_and_differ_only_in_their_claim() {
        let genuine = serde_json::to_value(claims()).unwrap();
        let cases = [
            (
                Forgery::WrongProductCode,
                "productCode",
                json!(FORGED_PRODUCT_CODE),
            ),
            (Forgery::WrongKeyVersion, "publicKeyVersion", json!(2)),
            (Forgery::OtherNonce, "nonce", json!(FORGED_NONCE)),
        ];
        for (forgery, claim, value) in cases {
            let mut expected = genuine.clone();
            expected[claim] = value;
            let got = ps256_claims(&forged(forgery)).unwrap();
            assert_eq!(Value::Object(got), expected, "{forgery:?}");
        }
    }

    #[test]
    fn malformed_tokens_are_validly_signed_but_do_not_decode() {
        let err = ps256_claims(&forged(Forgery::MalformedBase64)).unwrap_err();
        assert!(matches!(err.kind(), ErrorKind::Base64(_)), "{err:?}");
        let err = ps256_claims(&forged(Forgery::MalformedJson)).unwrap_err();
        assert!(matches!(err.kind(), ErrorKind::Json(_)), "{err:?}");
    }

    #[test]
    fn oversized_is_a_genuine_token_of_about_four_mib() {
        let token = forged(Forgery::Oversized);
        assert!(
            token.len() > OVERSIZED_TOKEN_BYTES - 1024,
            "{}",
            token.len()
        );
        assert!(
            token.len() < OVERSIZED_TOKEN_BYTES + 1024,
            "{}",
            token.len()
        );
        let got = ps256_claims(&token).unwrap();
        assert_eq!(got["nonce"], "n0nce");
        assert_eq!(got["productCode"], "prod1");
    }

    #[test]
    fn every_forgery_is_refused_by_a_ps256_verifier_or_differs_in_a_claim() {
        for forgery in Forgery::ALL {
            let token = forged(forgery);
            let accepted = ps256_claims(&token).is_ok_and(|c| {
                c["productCode"] == "prod1" && c["publicKeyVersion"] == 1 && c["nonce"] == "n0nce"
            });
            // Oversized is genuine in every claim: only a size bound refuses it.
            assert_eq!(accepted, forgery == Forgery::Oversized, "{forgery:?}");
        }
    }
}
