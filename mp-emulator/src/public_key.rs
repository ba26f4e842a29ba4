//! Derives the PEM public key (SubjectPublicKeyInfo) from an RSA private key PEM, so
//! `mp-emulator public-key --key FILE` can publish the key that verifies a custom signing key.
//! A minimal DER walk: PKCS#8 wraps PKCS#1, whose first two integers after the version are the
//! modulus and public exponent.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;

/// DER of the rsaEncryption algorithm identifier: SEQUENCE { OID 1.2.840.113549.1.1.1, NULL }.
const RSA_ALGORITHM_ID: &[u8] = &[
    0x30, 0x0d, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01, 0x05, 0x00,
];

/// The public key PEM (`-----BEGIN PUBLIC KEY-----`) for an RSA private key PEM
/// (PKCS#8 `PRIVATE KEY` or PKCS#1 `RSA PRIVATE KEY`).
pub fn public_key_pem(private_pem: &str) -> Result<String, String> {
    let (label, der) = decode_pem(private_pem)?;
    let pkcs1 = match label.as_str() {
        "PRIVATE KEY" => pkcs8_inner(&der)?,
        "RSA PRIVATE KEY" => der,
        other => return Err(format!("expected an RSA private key PEM, found `{other}`")),
    };
    let mut key = Reader::new(&pkcs1).sequence()?;
    key.integer()?; // version
    let modulus = key.integer()?;
    let exponent = key.integer()?;
    let rsa_public = tlv(0x30, &[tlv(0x02, modulus), tlv(0x02, exponent)].concat());
    let bit_string = tlv(0x03, &[&[0u8][..], &rsa_public].concat());
    let spki = tlv(0x30, &[RSA_ALGORITHM_ID, &bit_string].concat());
    Ok(encode_pem("PUBLIC KEY", &spki))
}

fn pkcs8_inner(der: &[u8]) -> Result<Vec<u8>, String> {
    let mut info = Reader::new(der).sequence()?;
    info.integer()?; // version
    let algorithm = info.element(0x30)?;
    // The OID element of the identifier: 06 09 2a 86 48 86 f7 0d 01 01 01.
    if !algorithm.starts_with(&RSA_ALGORITHM_ID[2..13]) {
        return Err("the private key is not an RSA key".into());
    }
    Ok(info.element(0x04)?.to_vec())
}

fn decode_pem(pem: &str) -> Result<(String, Vec<u8>), String> {
    let begin = pem
        .lines()
        .find_map(|l| l.trim().strip_prefix("-----BEGIN ")?.strip_suffix("-----"))
        .ok_or("not a PEM file: no -----BEGIN line")?
        .to_string();
    let body: String = pem
        .lines()
        .skip_while(|l| !l.starts_with("-----BEGIN "))
        .skip(1)
        .take_while(|l| !l.starts_with("-----END "))
        .map(str::trim)
        .collect();
    let der = STANDARD
        .decode(body)
        .map_err(|e| format!("the PEM body is not base64: {e}"))?;
    Ok((begin, der))
}

fn encode_pem(label: &str, der: &[u8]) -> String {
    let b64 = STANDARD.encode(der);
    let mut out = format!("-----BEGIN {label}-----\n");
    for chunk in b64.as_bytes().chunks(64) {
        out.push_str(std::str::from_utf8(chunk).unwrap_or_default());
        out.push('\n');
    }
    out.push_str(&format!("-----END {label}-----\n"));
    out
}

/// One DER element: tag, length, contents.
fn tlv(tag: u8, contents: &[u8]) -> Vec<u8> {
    let mut out = vec![tag];
    let n = contents.len();
    if n < 0x80 {
        out.push(n as u8);
    } else {
        let bytes: Vec<u8> = n
            .to_be_bytes()
            .into_iter()
            .skip_while(|b| *b == 0)
            .collect();
        out.push(0x80 | bytes.len() as u8);
        out.extend(bytes);
    }
    out.extend_from_slice(contents);
    out
}

struct Reader<'a> {
    rest: &'a [u8],
}

impl<'a> Reader<'a> {
    fn new(der: &'a [u8]) -> Self {
        Self { rest: der }
    }

    fn element(&mut self, tag: u8) -> Result<&'a [u8], String> {
        let malformed = || "the key is not valid DER".to_string();
        let (&t, rest) = self.rest.split_first().ok_or_else(malformed)?;
        if t != tag {
            return Err(malformed());
        }
        let (&first, mut rest) = rest.split_first().ok_or_else(malformed)?;
        let len = if first < 0x80 {
            first as usize
        } else {
            let n = (first & 0x7f) as usize;
            if n == 0 || n > 4 || rest.len() < n {
                return Err(malformed());
            }
            let len = rest[..n]
                .iter()
                .fold(0usize, |acc, b| (acc << 8) | *b as usize);
            rest = &rest[n..];
            len
        };
        if rest.len() < len {
            return Err(malformed());
        }
        let (contents, rest) = rest.split_at(len);
        self.rest = rest;
        Ok(contents)
    }

    fn sequence(&mut self) -> Result<Reader<'a>, String> {
        Ok(Reader::new(self.element(0x30)?))
    }

    fn integer(&mut self) -> Result<&'a [u8], String> {
        self.element(0x02)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::keys::*;

    #[test]
    fn derives_the_published_public_key() {
        assert_eq!(
            public_key_pem(TEST_ONLY_PRIVATE_KEY_PEM).unwrap().trim(),
            TEST_ONLY_PUBLIC_KEY_PEM.trim()
        );
        assert_ne!(
            public_key_pem(TEST_ONLY_OTHER_PRIVATE_KEY_PEM)
                .unwrap()
                .trim(),
            TEST_ONLY_PUBLIC_KEY_PEM.trim()
        );
    }

    #[test]
    fn garbage_is_an_error_not_a_panic() {
        assert!(public_key_pem("hello").is_err());
        assert!(
            public_key_pem("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n")
                .is_err()
        );
        assert!(public_key_pem(TEST_ONLY_PUBLIC_KEY_PEM).is_err());
    }
}
