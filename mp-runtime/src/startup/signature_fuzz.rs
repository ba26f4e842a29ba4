//! Fuzz-style smoke run of RegisterUsage `Signature` verification, in `cargo test` with a
//! fixed seed. The Signature is a PS256 JWT whose claims echo the nonce, product code and
//! public key version sent; this proves that `verify` never panics on any input, and accepts
//! only a token signed with the configured key whose claims are exactly the expected ones.
//! Longer runs: `fuzz/` (cargo-fuzz, target `token_verify`).

use crate::fixed_seed::config;
use crate::startup::signature::{Expected, verify};
use base64::Engine;
use jsonwebtoken::{Algorithm, EncodingKey, Header, encode};
use mp_emulator::keys::{TEST_ONLY_PRIVATE_KEY_PEM as PRIVATE, TEST_ONLY_PUBLIC_KEY_PEM as PUBLIC};
use proptest::prelude::*;
use serde_json::{Map, Value, json};

const EXPECTED: Expected<'static> = Expected {
    nonce: "n0nce",
    product_code: "prod1",
    key_version: 1,
};

/// A token as AWS would sign it: PS256 with the (test-only) private key.
pub(crate) fn sign(claims: &Value) -> String {
    let key = EncodingKey::from_rsa_pem(PRIVATE.as_bytes()).expect("the test-only key parses");
    encode(&Header::new(Algorithm::PS256), claims, &key).expect("signing succeeds")
}

/// The claims a genuine answer to `EXPECTED` carries.
pub(crate) fn genuine_claims() -> Value {
    json!({"productCode": "prod1", "publicKeyVersion": 1, "nonce": "n0nce", "iat": 1_700_000_000})
}

pub(crate) fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// This suite's seed.
const SEED: u64 = 0x5167_4e61_7475_7265;

/// A claim value: half the time the expected one (so a fair share of cases should pass),
/// else another, a near miss, of another type, or absent.
fn claim(expected: &'static str, other: &'static str) -> impl Strategy<Value = Option<Value>> {
    prop_oneof![
        8 => Just(Some(json!(expected))),
        1 => Just(Some(json!(other))),
        1 => Just(Some(json!(format!("{expected} ")))),
        1 => Just(Some(json!(expected.to_uppercase()))),
        1 => Just(Some(json!(""))),
        1 => Just(Some(Value::Null)),
        1 => Just(Some(json!(1))),
        1 => Just(Some(json!([expected]))),
        1 => Just(None),
    ]
}

fn version() -> impl Strategy<Value = Option<Value>> {
    prop_oneof![
        6 => Just(Some(json!(1))),
        3 => Just(Some(json!("1"))),
        1 => Just(Some(json!(2))),
        1 => Just(Some(json!("2"))),
        1 => Just(Some(json!(0))),
        1 => Just(Some(json!(-1))),
        1 => Just(Some(json!(1.0))),
        1 => Just(Some(json!(u64::MAX))),
        1 => Just(Some(json!("one"))),
        1 => Just(Some(Value::Null)),
        1 => Just(Some(json!(true))),
        1 => Just(None),
    ]
}

/// Signed claims drawn around the expected ones: either spelling of the product code claim
/// (or both), every claim present, absent, wrong or of the wrong type.
fn signed_claims() -> impl Strategy<Value = Map<String, Value>> {
    (
        claim("n0nce", "replayed"),
        claim("prod1", "otherprod"),
        claim("prod1", "otherprod"),
        version(),
        any::<bool>(),
    )
        .prop_map(|(nonce, lower, upper, version, iat)| {
            let mut claims = Map::new();
            let fields = [
                ("nonce", nonce),
                ("productCode", lower),
                ("ProductCode", upper),
                ("publicKeyVersion", version),
            ];
            for (name, value) in fields {
                if let Some(value) = value {
                    claims.insert(name.to_owned(), value);
                }
            }
            if iat {
                claims.insert("iat".to_owned(), json!(1_700_000_000));
            }
            claims
        })
}

/// The acceptance rule, written from the facts rather than from `verify`: nonce and product
/// code equal as strings (`productCode` wins over `ProductCode` when present), key version 1
/// as a number or a decimal string.
fn should_accept(claims: &Map<String, Value>) -> bool {
    let nonce_ok = claims.get("nonce") == Some(&json!("n0nce"));
    let code = claims
        .get("productCode")
        .or_else(|| claims.get("ProductCode"));
    let code_ok = code == Some(&json!("prod1"));
    let version_ok =
        matches!(claims.get("publicKeyVersion"), Some(v) if *v == json!(1) || *v == json!("1"));
    nonce_ok && code_ok && version_ok
}

/// One byte of a token changed: a bit flip, or a byte replaced by a JWT-ish character.
fn mutate(token: &str, at: usize, how: u8) -> String {
    let mut bytes = token.as_bytes().to_vec();
    let i = at % bytes.len();
    bytes[i] = match how % 4 {
        0 => bytes[i] ^ (1 << (how / 4 % 8)),
        1 => b'.',
        2 => b"AZaz09-_=+/"[usize::from(how) % 11],
        _ => bytes[(i + 1) % bytes.len()],
    };
    String::from_utf8_lossy(&bytes).into_owned()
}

/// Genuine tokens are signed once: PSS signing is the slow part of every case.
fn genuine() -> &'static str {
    static TOKEN: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    TOKEN.get_or_init(|| sign(&genuine_claims()))
}

#[test]
fn the_genuine_token_verifies() {
    assert_eq!(verify(genuine(), PUBLIC, &EXPECTED), Ok(()));
}

proptest! {
    #![proptest_config(config(2_000, SEED))]

    /// Any text at all: an error, never a panic.
    #[test]
    fn arbitrary_text_is_rejected(token in any::<String>()) {
        prop_assert!(verify(&token, PUBLIC, &EXPECTED).is_err());
    }

    /// Three dot-separated segments of base64url-encoded arbitrary bytes (often valid JSON
    /// headers naming PS256): still never accepted without the key's signature.
    #[test]
    fn arbitrary_three_part_tokens_are_rejected(
        header in prop_oneof![
            proptest::collection::vec(any::<u8>(), 0..64),
            Just(br#"{"alg":"PS256","typ":"JWT"}"#.to_vec()),
            Just(br#"{"alg":"PS256"}"#.to_vec()),
        ],
        payload in prop_oneof![
            proptest::collection::vec(any::<u8>(), 0..96),
            Just(genuine_claims().to_string().into_bytes()),
        ],
        signature in proptest::collection::vec(any::<u8>(), 0..300),
    ) {
        let token = format!("{}.{}.{}", b64(&header), b64(&payload), b64(&signature));
        prop_assert!(verify(&token, PUBLIC, &EXPECTED).is_err());
    }

    /// The genuine payload and signature under another header: another algorithm (including
    /// `none` and the HMAC-with-public-key confusion), or PS256 with extra fields.
    #[test]
    fn changed_headers_are_rejected(
        alg in prop::sample::select(vec![
            "none", "None", "HS256", "HS512", "RS256", "PS384", "PS512", "ES256", "EdDSA",
            "PS256 ", "ps256", "", "PS256",
        ]),
        extra in prop::sample::select(vec![
            None,
            Some(("kid", json!("1"))),
            Some(("typ", json!("JOSE"))),
            Some(("jku", json!("http://127.0.0.1:1/jwks"))),
            Some(("crit", json!(["exp"]))),
        ]),
    ) {
        let mut header = json!({"alg": alg, "typ": "JWT"});
        if let Some((name, value)) = extra {
            header[name] = value;
        }
        let parts: Vec<&str> = genuine().split('.').collect();
        let token = format!("{}.{}.{}", b64(header.to_string().as_bytes()), parts[1], parts[2]);
        prop_assume!(token != genuine());
        prop_assert!(verify(&token, PUBLIC, &EXPECTED).is_err(), "{token}");
    }
}

proptest! {
    // Cheap cases, and many positions to reach.
    #![proptest_config(config(10_000, SEED))]

    /// Any single-byte change to a genuine token is refused (the signature covers header and
    /// payload; base64 is decoded strictly, so no two encodings of one token exist).
    #[test]
    fn mutated_genuine_tokens_are_rejected(at in any::<usize>(), how in any::<u8>()) {
        let token = mutate(genuine(), at, how);
        prop_assume!(token != genuine());
        prop_assert!(verify(&token, PUBLIC, &EXPECTED).is_err(), "{token}");
    }
}

proptest! {
    // Each case signs a token (PSS with a 2048-bit key): fewer cases.
    #![proptest_config(config(200, SEED))]

    /// Tokens genuinely signed with the configured key are accepted exactly when their claims
    /// are the expected ones: a replayed nonce, another product or key version never passes.
    #[test]
    fn signed_tokens_are_accepted_only_with_the_expected_claims(claims in signed_claims()) {
        let token = sign(&Value::Object(claims.clone()));
        let verdict = verify(&token, PUBLIC, &EXPECTED);
        prop_assert_eq!(verdict.is_ok(), should_accept(&claims), "{:?} {:?}", claims, verdict);
    }

    /// Payload and signature segments of two genuine tokens swapped or recombined: only the
    /// untouched expected token passes.
    #[test]
    fn recombined_segments_are_rejected(
        claims in signed_claims(),
        order in prop::sample::select(vec![
            vec![0, 1, 5], vec![3, 1, 2], vec![0, 4, 2], vec![0, 1, 2, 5], vec![0, 2, 1], vec![1, 0, 2],
        ]),
    ) {
        // The same claims signed again give another valid (randomised PSS) signature.
        prop_assume!(Value::Object(claims.clone()) != genuine_claims());
        let other = sign(&Value::Object(claims));
        let segments: Vec<&str> = genuine().split('.').chain(other.split('.')).collect();
        let token = order.iter().map(|i| segments[*i]).collect::<Vec<_>>().join(".");
        prop_assume!(token != genuine() && token != other);
        prop_assert!(verify(&token, PUBLIC, &EXPECTED).is_err(), "{token}");
    }
}
