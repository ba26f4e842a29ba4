//! `public_key = "path.pem"`: found and checked at compile time, so a wrong file is a build
//! error rather than an exit 87 in production. Checks only the few DER bytes that say "RSA
//! SubjectPublicKeyInfo"; the runtime's verifier parses the key itself.

use std::path::{Component, Path, PathBuf};

const BEGIN: &str = "-----BEGIN PUBLIC KEY-----";
const END: &str = "-----END PUBLIC KEY-----";
/// DER of OID 1.2.840.113549.1.1.1 (rsaEncryption), tag and length included.
const RSA_OID: [u8; 11] = [
    0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01,
];

/// Resolves `relative` against the crate's directory and checks the file; returns the
/// absolute path for `include_str!`.
pub(crate) fn resolve(manifest_dir: &Path, relative: &str) -> Result<PathBuf, String> {
    // Lexically cleaned so the error names the file plainly, not `a/b/../../c`.
    let path = clean(&manifest_dir.join(relative));
    let text = std::fs::read_to_string(&path).map_err(|e| {
        format!(
            "cannot read public key file {} ({e}); the path is relative to the directory holding Cargo.toml",
            path.display()
        )
    })?;
    check_pem(&text).map_err(|why| format!("{} {why}", path.display()))?;
    Ok(path)
}

/// Drops `.` and folds `..` without touching the file system.
fn clean(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for part in path.components() {
        match part {
            Component::CurDir => {}
            Component::ParentDir if out.file_name().is_some() => {
                out.pop();
            }
            Component::ParentDir if out.has_root() => {} // `/..` is `/`
            other => out.push(other),
        }
    }
    out
}

/// Why `text` is not a PEM RSA public key, or `Ok`.
fn check_pem(text: &str) -> Result<(), String> {
    if text.contains("PRIVATE KEY-----") {
        return Err(
            "is a private key: public_key needs the public half (`openssl rsa -in key.pem -pubout`)"
                .into(),
        );
    }
    let not_pem = || format!("is not a PEM public key: expected a `{BEGIN}` block");
    let body = text
        .split_once(BEGIN)
        .and_then(|(_, rest)| rest.split_once(END))
        .map(|(body, _)| body)
        .ok_or_else(not_pem)?;
    let der = decode_base64(body).ok_or_else(not_pem)?;
    if !is_rsa_spki(&der) {
        return Err(
            "is not an RSA public key (SubjectPublicKeyInfo with rsaEncryption): AWS Marketplace signs with RSA"
                .into(),
        );
    }
    Ok(())
}

/// `SEQUENCE { SEQUENCE { OID rsaEncryption, ... }, ... }`
fn is_rsa_spki(der: &[u8]) -> bool {
    let Some(inner) = sequence_contents(der) else {
        return false;
    };
    let Some(algorithm) = sequence_contents(inner) else {
        return false;
    };
    algorithm.starts_with(&RSA_OID)
}

/// The contents of the DER SEQUENCE at the start of `der`.
fn sequence_contents(der: &[u8]) -> Option<&[u8]> {
    let (&tag, rest) = der.split_first()?;
    if tag != 0x30 {
        return None;
    }
    let (&first, rest) = rest.split_first()?;
    let (len, rest) = if first < 0x80 {
        (usize::from(first), rest)
    } else {
        let count = usize::from(first & 0x7f);
        if count == 0 || count > 4 || rest.len() < count {
            return None;
        }
        let (bytes, rest) = rest.split_at(count);
        (
            bytes.iter().fold(0, |n, b| (n << 8) | usize::from(*b)),
            rest,
        )
    };
    rest.get(..len)
}

/// Standard base64 with padding, ignoring whitespace.
fn decode_base64(text: &str) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    let (mut acc, mut bits) = (0u32, 0u32);
    for c in text.bytes().filter(|b| !b.is_ascii_whitespace()) {
        let v = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            b'=' => break,
            _ => return None,
        };
        acc = (acc << 6) | u32::from(v);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    const PUBLIC: &str = include_str!("../../../mp-emulator/keys/test-only-public.pem");
    const PRIVATE: &str = include_str!("../../../mp-emulator/keys/test-only-private.pem");

    #[test]
    fn base64() {
        assert_eq!(decode_base64("aGVsbG8=").unwrap(), b"hello");
        assert_eq!(decode_base64("aGVs\nbG8h").unwrap(), b"hello!");
        assert_eq!(decode_base64("a*b"), None);
    }

    #[test]
    fn accepts_the_test_key() {
        assert_eq!(check_pem(PUBLIC), Ok(()));
    }

    #[test]
    fn rejects_private_garbage_and_non_rsa() {
        assert!(check_pem(PRIVATE).unwrap_err().contains("private key"));
        assert!(check_pem("hello").unwrap_err().contains("not a PEM"));
        // An EC P-256 SubjectPublicKeyInfo prefix: right shape, wrong algorithm.
        let ec = "-----BEGIN PUBLIC KEY-----\nMBMwEwYHKoZIzj0CAQYIKoZIzj0DAQc=\n-----END PUBLIC KEY-----";
        assert!(check_pem(ec).unwrap_err().contains("not an RSA"));
    }

    #[test]
    fn cleans_paths() {
        assert_eq!(
            clean(Path::new("/a/b/./../../c/d.pem")),
            Path::new("/c/d.pem")
        );
        assert_eq!(clean(Path::new("/a/../../b")), Path::new("/b"));
    }

    #[test]
    fn missing_file_names_the_resolved_path() {
        let err = resolve(Path::new("/nonexistent-dir"), "keys/k.pem").unwrap_err();
        assert!(err.contains("/nonexistent-dir/keys/k.pem"), "{err}");
    }
}
