//! RegisterUsage Signature verification (mp-runtime `signature::verify`) on fuzzed input.
//! The first byte picks how the rest becomes a token:
//! - 0: the rest as text, used as the token: never a panic, never accepted;
//! - 1: byte edits (position, xor) applied to a genuine token: accepted only if the edits
//!   left it unchanged;
//! - 2: the rest as the claims JSON of a token genuinely signed with the test-only key:
//!   accepted only if nonce, product code and key version are the expected ones.

#![no_main]

use jsonwebtoken::{Algorithm, EncodingKey, Header, encode};
use libfuzzer_sys::fuzz_target;
use mp_emulator::keys::{TEST_ONLY_PRIVATE_KEY_PEM as PRIVATE, TEST_ONLY_PUBLIC_KEY_PEM as PUBLIC};
use mp_runtime::fuzzing::verify_signature;
use serde_json::{Map, Value, json};
use std::sync::OnceLock;

const NONCE: &str = "n0nce";
const PRODUCT: &str = "prod1";

fn sign(claims: &Value) -> String {
    let key = EncodingKey::from_rsa_pem(PRIVATE.as_bytes()).unwrap();
    encode(&Header::new(Algorithm::PS256), claims, &key).unwrap()
}

fn genuine() -> &'static str {
    static TOKEN: OnceLock<String> = OnceLock::new();
    TOKEN.get_or_init(|| {
        sign(&json!({"productCode": PRODUCT, "publicKeyVersion": 1, "nonce": NONCE, "iat": 1_700_000_000}))
    })
}

fn verify(token: &str) -> Result<(), String> {
    verify_signature(token, PUBLIC, NONCE, PRODUCT, 1)
}

/// The acceptance rule of docs/signature-verification.md: the claims echo what was sent.
fn should_accept(claims: &Map<String, Value>) -> bool {
    let code = claims
        .get("productCode")
        .or_else(|| claims.get("ProductCode"));
    let version = claims.get("publicKeyVersion");
    claims.get("nonce") == Some(&json!(NONCE))
        && code == Some(&json!(PRODUCT))
        && (version == Some(&json!(1))
            || version
                .and_then(Value::as_str)
                .and_then(|s| s.parse::<u64>().ok())
                == Some(1))
}

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    match mode % 3 {
        0 => {
            let token = String::from_utf8_lossy(rest);
            assert!(verify(&token).is_err(), "accepted a forged token: {token}");
        }
        1 => {
            let mut token = genuine().as_bytes().to_vec();
            for edit in rest.chunks_exact(3) {
                let at = usize::from(u16::from_le_bytes([edit[0], edit[1]])) % token.len();
                token[at] ^= edit[2];
            }
            let token = String::from_utf8_lossy(&token).into_owned();
            let verdict = verify(&token);
            assert_eq!(verdict.is_ok(), token == genuine(), "{token}: {verdict:?}");
        }
        _ => {
            let Ok(Value::Object(claims)) = serde_json::from_slice::<Value>(rest) else {
                return;
            };
            let verdict = verify(&sign(&Value::Object(claims.clone())));
            assert_eq!(
                verdict.is_ok(),
                should_accept(&claims),
                "{claims:?}: {verdict:?}"
            );
        }
    }
});
