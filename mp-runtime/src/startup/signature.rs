//! Verification of the `RegisterUsage` `Signature`: a PS256 JWT from AWS Marketplace whose
//! claims echo what was sent. PS256 (RSASSA-PSS, SHA-256) is fixed here, never taken from the
//! token: a header naming anything else is refused before any key is used.

use aws_lc_rs::signature::{ParsedPublicKey, RSA_PSS_2048_8192_SHA256};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rustls_pki_types::SubjectPublicKeyInfoDer;
use rustls_pki_types::pem::PemObject;
use serde_json::{Map, Value};
use std::fmt;

/// The longest Signature looked at. AWS's tokens are under 1 KiB (a PS256 signature with a
/// 2048-bit key is 342 characters, the claims about 150); 16 KiB leaves room for a 4096-bit key
/// and new claims, and keeps a hostile answer from being decoded and hashed at any size.
pub(crate) const MAX_TOKEN_BYTES: usize = 16 * 1024;

/// The other JWS algorithm names (RFC 7518, and EdDSA) a token could name instead of PS256:
/// named back in the refusal, since naming one is a choice, not garbage.
const OTHER_ALGORITHMS: [&str; 12] = [
    "HS256", "HS384", "HS512", "RS256", "RS384", "RS512", "ES256", "ES384", "ES512", "PS384",
    "PS512", "EdDSA",
];

/// What the token must echo.
pub(crate) struct Expected<'a> {
    pub(crate) nonce: &'a str,
    pub(crate) product_code: &'a str,
    pub(crate) key_version: u32,
}

/// Why a Signature was refused. Display is the reason in the exit-87 line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Rejected {
    TooLong(usize),
    /// Not three base64url segments with a JSON header naming an algorithm; says which part.
    NotAJwt(&'static str),
    OtherAlgorithm(&'static str),
    /// The configured key, not the token, is at fault; says how.
    BadKey(&'static str),
    /// Signature or claims segment not base64url, or claims not a JSON object; says which.
    Malformed(&'static str),
    BadSignature,
    Nonce,
    ProductCode {
        found: Option<String>,
        expected: String,
    },
    KeyVersion {
        found: Option<u64>,
        expected: u32,
    },
}

impl fmt::Display for Rejected {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Rejected::TooLong(len) => write!(
                f,
                "the Signature is {len} bytes, more than the {MAX_TOKEN_BYTES} any genuine token needs"
            ),
            Rejected::NotAJwt(why) => write!(f, "the Signature is not a PS256 JWT ({why})"),
            Rejected::OtherAlgorithm(alg) => write!(
                f,
                "the Signature uses algorithm {alg}; only PS256 is accepted"
            ),
            Rejected::BadKey(why) => write!(
                f,
                "the configured public key is not an RSA public key in PEM form ({why})"
            ),
            // A bad encoding is said as such, not as a key mismatch the seller would go and check.
            Rejected::Malformed(why) => write!(f, "the Signature is malformed ({why})"),
            Rejected::BadSignature => {
                f.write_str("the Signature does not verify with the configured public key")
            }
            Rejected::Nonce => f.write_str(
                "the Signature's nonce is not the one sent (a replayed or foreign token)",
            ),
            Rejected::ProductCode { found, expected } => write!(
                f,
                "the Signature is for product {}, not {expected}",
                found.as_deref().unwrap_or("(none)")
            ),
            Rejected::KeyVersion { found, expected } => write!(
                f,
                "the Signature names public key version {}, not the configured {expected}",
                found.map_or("(none)".to_owned(), |v| v.to_string())
            ),
        }
    }
}

impl std::error::Error for Rejected {}

/// Checks algorithm, signature, nonce, product code and key version; `Err` says which failed
/// (the [`Rejected`] reason as text).
pub(crate) fn verify(
    token: &str,
    public_key_pem: &str,
    expected: &Expected<'_>,
) -> Result<(), String> {
    check(token, public_key_pem, expected).map_err(|rejected| rejected.to_string())
}

/// [`verify`], with the reason typed.
pub(crate) fn check(
    token: &str,
    public_key_pem: &str,
    expected: &Expected<'_>,
) -> Result<(), Rejected> {
    if token.len() > MAX_TOKEN_BYTES {
        return Err(Rejected::TooLong(token.len()));
    }
    let mut segments = token.split('.');
    let (Some(header), Some(payload), Some(signature), None) = (
        segments.next(),
        segments.next(),
        segments.next(),
        segments.next(),
    ) else {
        return Err(Rejected::NotAJwt("not three dot-separated segments"));
    };
    check_algorithm(header)?;
    let key = public_key(public_key_pem)?;
    let signature = URL_SAFE_NO_PAD
        .decode(signature)
        .map_err(|_| Rejected::Malformed("the signature segment is not base64url"))?;
    let signed = &token[..header.len() + 1 + payload.len()];
    key.verify_sig(signed.as_bytes(), &signature)
        .map_err(|_| Rejected::BadSignature)?;
    let claims = URL_SAFE_NO_PAD
        .decode(payload)
        .map_err(|_| Rejected::Malformed("the claims segment is not base64url"))?;
    let claims: Map<String, Value> = serde_json::from_slice(&claims)
        .map_err(|_| Rejected::Malformed("the claims are not a JSON object"))?;
    check_claims(&claims, expected)
}

/// The header must name PS256.
fn check_algorithm(header: &str) -> Result<(), Rejected> {
    let header = URL_SAFE_NO_PAD
        .decode(header)
        .map_err(|_| Rejected::NotAJwt("the header is not base64url"))?;
    let header: Map<String, Value> = serde_json::from_slice(&header)
        .map_err(|_| Rejected::NotAJwt("the header is not a JSON object"))?;
    match header.get("alg").and_then(Value::as_str) {
        Some("PS256") => Ok(()),
        Some(alg) => match OTHER_ALGORITHMS.into_iter().find(|known| *known == alg) {
            Some(known) => Err(Rejected::OtherAlgorithm(known)),
            None if alg.eq_ignore_ascii_case("none") => {
                Err(Rejected::NotAJwt("algorithm none: an unsigned token"))
            }
            None => Err(Rejected::NotAJwt("the header names an unknown algorithm")),
        },
        None => Err(Rejected::NotAJwt("the header names no algorithm")),
    }
}

/// The configured `PUBLIC KEY` PEM (SubjectPublicKeyInfo), as a PS256 verification key.
fn public_key(pem: &str) -> Result<ParsedPublicKey, Rejected> {
    let der = SubjectPublicKeyInfoDer::from_pem_slice(pem.as_bytes())
        .map_err(|_| Rejected::BadKey("no PUBLIC KEY block"))?;
    ParsedPublicKey::new(&RSA_PSS_2048_8192_SHA256, der.as_ref())
        .map_err(|_| Rejected::BadKey("not an RSA key of 2048 to 8192 bits"))
}

fn check_claims(claims: &Map<String, Value>, expected: &Expected<'_>) -> Result<(), Rejected> {
    if claims.get("nonce").and_then(Value::as_str) != Some(expected.nonce) {
        return Err(Rejected::Nonce);
    }
    // AWS documents spell the claim both ways.
    let code = claims
        .get("productCode")
        .or_else(|| claims.get("ProductCode"))
        .and_then(Value::as_str);
    if code != Some(expected.product_code) {
        return Err(Rejected::ProductCode {
            found: code.map(str::to_owned),
            expected: expected.product_code.to_owned(),
        });
    }
    let version = claims.get("publicKeyVersion").and_then(|v| match v {
        Value::Number(n) => n.as_u64(),
        // Digits only: `str::parse` would also take "+1".
        Value::String(s) if !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) => {
            s.parse().ok()
        }
        _ => None,
    });
    if version != Some(u64::from(expected.key_version)) {
        return Err(Rejected::KeyVersion {
            found: version,
            expected: expected.key_version,
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use jsonwebtoken::{Algorithm, EncodingKey, Header, encode};
    use serde_json::json;

    // mp-emulator's test-only keys: the public one is what a seller would configure.
    use mp_emulator::keys::{
        TEST_ONLY_OTHER_PRIVATE_KEY_PEM as OTHER_PRIVATE, TEST_ONLY_PRIVATE_KEY_PEM as PRIVATE,
        TEST_ONLY_PUBLIC_KEY_PEM as PUBLIC,
    };

    const EXPECTED: Expected<'static> = Expected {
        nonce: "n0nce",
        product_code: "prod1",
        key_version: 1,
    };

    fn claims() -> Value {
        json!({"productCode": "prod1", "publicKeyVersion": 1, "nonce": "n0nce", "iat": 1_700_000_000})
    }

    fn sign(private_pem: &str, claims: &Value) -> String {
        let key = EncodingKey::from_rsa_pem(private_pem.as_bytes()).unwrap();
        encode(&Header::new(Algorithm::PS256), claims, &key).unwrap()
    }

    fn b64(bytes: &[u8]) -> String {
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
    }

    #[test]
    fn genuine_token_verifies() {
        assert_eq!(verify(&sign(PRIVATE, &claims()), PUBLIC, &EXPECTED), Ok(()));
    }

    #[test]
    fn capitalised_product_code_claim_is_accepted() {
        let token = sign(
            PRIVATE,
            &json!({"ProductCode": "prod1", "publicKeyVersion": 1, "nonce": "n0nce"}),
        );
        assert_eq!(verify(&token, PUBLIC, &EXPECTED), Ok(()));
    }

    #[test]
    fn token_signed_with_another_key_is_rejected() {
        let err = verify(&sign(OTHER_PRIVATE, &claims()), PUBLIC, &EXPECTED).unwrap_err();
        assert!(
            err.starts_with("the Signature does not verify with the configured public key"),
            "{err}"
        );
    }

    #[test]
    fn alg_none_is_rejected() {
        let header = b64(br#"{"alg":"none","typ":"JWT"}"#);
        let token = format!("{header}.{}.", b64(claims().to_string().as_bytes()));
        let err = verify(&token, PUBLIC, &EXPECTED).unwrap_err();
        assert!(err.starts_with("the Signature is not a PS256 JWT"), "{err}");
    }

    #[test]
    fn hs256_keyed_with_the_public_key_is_rejected() {
        let key = EncodingKey::from_secret(PUBLIC.as_bytes());
        let token = encode(&Header::new(Algorithm::HS256), &claims(), &key).unwrap();
        assert_eq!(
            verify(&token, PUBLIC, &EXPECTED).unwrap_err(),
            "the Signature uses algorithm HS256; only PS256 is accepted"
        );
    }

    #[test]
    fn rs256_is_rejected() {
        let key = EncodingKey::from_rsa_pem(PRIVATE.as_bytes()).unwrap();
        let token = encode(&Header::new(Algorithm::RS256), &claims(), &key).unwrap();
        assert!(
            verify(&token, PUBLIC, &EXPECTED)
                .unwrap_err()
                .contains("algorithm RS256")
        );
    }

    #[test]
    fn wrong_nonce_is_rejected() {
        let mut c = claims();
        c["nonce"] = json!("replayed");
        let err = verify(&sign(PRIVATE, &c), PUBLIC, &EXPECTED).unwrap_err();
        assert_eq!(
            err,
            "the Signature's nonce is not the one sent (a replayed or foreign token)"
        );
    }

    #[test]
    fn wrong_product_code_is_rejected() {
        let mut c = claims();
        c["productCode"] = json!("otherprod");
        let err = verify(&sign(PRIVATE, &c), PUBLIC, &EXPECTED).unwrap_err();
        assert_eq!(err, "the Signature is for product otherprod, not prod1");
    }

    #[test]
    fn wrong_key_version_is_rejected() {
        let mut c = claims();
        c["publicKeyVersion"] = json!(2);
        let err = verify(&sign(PRIVATE, &c), PUBLIC, &EXPECTED).unwrap_err();
        assert_eq!(
            err,
            "the Signature names public key version 2, not the configured 1"
        );
        for spelled in ["\"1\"", "1"] {
            c["publicKeyVersion"] = serde_json::from_str(spelled).unwrap();
            assert!(
                verify(&sign(PRIVATE, &c), PUBLIC, &EXPECTED).is_ok(),
                "{spelled}"
            );
        }
        for odd in ["+1", " 1", "1.0", ""] {
            c["publicKeyVersion"] = json!(odd);
            assert!(
                verify(&sign(PRIVATE, &c), PUBLIC, &EXPECTED).is_err(),
                "{odd:?}"
            );
        }
    }

    /// A PS256 signature by the genuine key over `header.payload`, whatever the payload is.
    fn sign_segments(payload: &str) -> String {
        let key = EncodingKey::from_rsa_pem(PRIVATE.as_bytes()).unwrap();
        let message = format!("{}.{payload}", b64(br#"{"alg":"PS256","typ":"JWT"}"#));
        let signature =
            jsonwebtoken::crypto::sign(message.as_bytes(), &key, Algorithm::PS256).unwrap();
        format!("{message}.{signature}")
    }

    #[test]
    fn validly_signed_claims_that_are_not_base64_are_malformed() {
        let err = verify(&sign_segments("!!not*base64!!"), PUBLIC, &EXPECTED).unwrap_err();
        assert!(err.starts_with("the Signature is malformed"), "{err}");
    }

    #[test]
    fn validly_signed_claims_that_are_not_json_are_malformed() {
        for payload in [&b"{not json"[..], b"[1,2]", b"\xff\xfe"] {
            let err = verify(&sign_segments(&b64(payload)), PUBLIC, &EXPECTED).unwrap_err();
            assert!(err.starts_with("the Signature is malformed"), "{err}");
        }
    }

    #[test]
    fn a_signature_segment_that_is_not_base64_is_malformed() {
        let genuine = sign(PRIVATE, &claims());
        let (message, _) = genuine.rsplit_once('.').unwrap();
        let err = verify(&format!("{message}.%%%"), PUBLIC, &EXPECTED).unwrap_err();
        assert!(err.starts_with("the Signature is malformed"), "{err}");
    }

    #[test]
    fn a_genuine_token_padded_past_the_cap_is_refused_before_decoding() {
        // Validly signed: without the cap it would verify.
        let mut c = claims();
        c["padding"] = json!("x".repeat(4 << 20));
        let token = sign(PRIVATE, &c);
        assert_eq!(
            verify(&token, PUBLIC, &EXPECTED).unwrap_err(),
            format!(
                "the Signature is {} bytes, more than the 16384 any genuine token needs",
                token.len()
            )
        );
    }

    #[test]
    fn the_cap_leaves_room_above_a_genuine_token() {
        let genuine = sign(PRIVATE, &claims());
        assert!(genuine.len() * 10 < MAX_TOKEN_BYTES, "{}", genuine.len());
        // Right at the cap is still looked at (and verifies).
        let mut c = claims();
        c["padding"] = json!("");
        let unpadded = sign(PRIVATE, &c).len();
        // base64url grows 3 bytes to 4, so pad by three quarters of what is left.
        c["padding"] = json!("x".repeat((MAX_TOKEN_BYTES - unpadded - 4) * 3 / 4));
        let near = sign(PRIVATE, &c);
        assert!(near.len() <= MAX_TOKEN_BYTES && near.len() > MAX_TOKEN_BYTES - 16);
        assert_eq!(verify(&near, PUBLIC, &EXPECTED), Ok(()));
    }

    #[test]
    fn garbage_is_rejected() {
        for token in ["", "garbage", "a.b.c", "..", &"x".repeat(10_000)] {
            assert!(verify(token, PUBLIC, &EXPECTED).is_err(), "{token}");
        }
    }

    #[test]
    fn the_typed_reason_is_the_text_verify_gives() {
        let mut c = claims();
        c["nonce"] = json!("replayed");
        let token = sign(PRIVATE, &c);
        assert_eq!(check(&token, PUBLIC, &EXPECTED), Err(Rejected::Nonce));
        assert_eq!(
            verify(&token, PUBLIC, &EXPECTED),
            Err(Rejected::Nonce.to_string())
        );
        let other = sign(OTHER_PRIVATE, &claims());
        assert_eq!(
            check(&other, PUBLIC, &EXPECTED),
            Err(Rejected::BadSignature)
        );
    }

    #[test]
    fn the_algorithm_comes_from_this_code_not_from_the_token() {
        let payload = b64(claims().to_string().as_bytes());
        for (header, reason) in [
            (
                r#"{"alg":"none"}"#,
                "the Signature is not a PS256 JWT (algorithm none: an unsigned token)",
            ),
            (
                r#"{"alg":"PS512"}"#,
                "the Signature uses algorithm PS512; only PS256 is accepted",
            ),
            (
                r#"{"alg":"ps256"}"#,
                "the Signature is not a PS256 JWT (the header names an unknown algorithm)",
            ),
            (
                r#"{"typ":"JWT"}"#,
                "the Signature is not a PS256 JWT (the header names no algorithm)",
            ),
            (
                r#"["PS256"]"#,
                "the Signature is not a PS256 JWT (the header is not a JSON object)",
            ),
        ] {
            let token = format!("{}.{payload}.", b64(header.as_bytes()));
            assert_eq!(
                verify(&token, PUBLIC, &EXPECTED).unwrap_err(),
                reason,
                "{header}"
            );
        }
    }

    #[test]
    fn a_private_key_or_junk_as_public_key_is_reported() {
        let err = verify(&sign(PRIVATE, &claims()), "not a pem", &EXPECTED).unwrap_err();
        assert!(
            err.starts_with("the configured public key is not an RSA public key"),
            "{err}"
        );
    }
}
