//! Which certificates a production build believes for the calls that carry billing.
//!
//! A buyer controls the environment (`SSL_CERT_FILE`, `SSL_CERT_DIR`), the files mounted
//! over `/etc/ssl/certs`, and name resolution (`hostAliases`, a private DNS zone, a sidecar).
//! With the platform's trust store, a buyer who adds their own CA and points
//! `metering.marketplace.<region>.amazonaws.com` at their own server would answer every
//! `MeterUsage` with 200 and never be billed. So the metering client of a production build
//! trusts only the roots AWS endpoints chain to, compiled in (`trust/amazon-roots.pem`):
//! Amazon Root CA 1 to 4 and the Starfield Services root that cross-signs them. Nothing in
//! the environment or on the file system can add to them.
//!
//! The metering client and contract pricing's License Manager client are pinned (a buyer's
//! License Manager would grant the highest tier and an endless pool). Credentials (the ECS agent, IRSA's STS call, instance
//! metadata) keep the platform's defaults: a forged credential only makes AWS refuse the
//! signed metering call, it cannot make a fake endpoint acceptable, and the ECS and EKS
//! credential agents speak plain http on link-local addresses anyway.
//!
//! A local-testing build keeps the platform's trust store, so plain http to mp-emulator and
//! a developer's own certificates work.

use crate::exit;
use crate::failure::Failure;
use aws_sdk_marketplacemetering::config::SharedHttpClient;
use aws_smithy_http_client::HttpClientError;
use aws_smithy_http_client::tls::{self, TlsContext, TrustStore, rustls_provider::CryptoMode};

/// Amazon Root CA 1-4 and Starfield Services Root Certificate Authority - G2, as PEM.
const AMAZON_ROOTS: &str = include_str!("trust/amazon-roots.pem");

/// An HTTPS client that trusts only [`AMAZON_ROOTS`], for the `client` named in the failure.
/// A failure stops start-up, never a fallback to the platform's trust store: that would be
/// the hole this module closes.
pub(crate) fn pinned_http_client(client: &str) -> Result<SharedHttpClient, Failure> {
    let roots = TrustStore::empty()
        .with_native_roots(false)
        .with_pem_certificate(AMAZON_ROOTS.as_bytes());
    let context = TlsContext::builder()
        .with_trust_store(roots)
        .build()
        .map_err(|e: HttpClientError| {
            Failure::new(
                exit::OTHER,
                format!("could not build the {client} client's TLS trust store: {e}"),
            )
        })?;
    Ok(aws_smithy_http_client::Builder::new()
        .tls_provider(tls::Provider::Rustls(CryptoMode::AwsLc))
        .tls_context(context)
        .build_https())
}

/// Why the TLS handshake refused the server's certificate, if that is what `error` (or one
/// of its causes) is.
pub(crate) fn certificate_problem(error: &(dyn std::error::Error + 'static)) -> Option<String> {
    let mut next = Some(error);
    while let Some(e) = next {
        if let Some(problem) = rustls_certificate_error(e) {
            return Some(problem);
        }
        // io::Error's `source()` skips the error it wraps (often another io::Error around
        // rustls's), so step into the wrapped one instead.
        next = match e
            .downcast_ref::<std::io::Error>()
            .and_then(|io| io.get_ref())
        {
            Some(wrapped) => Some(wrapped as &(dyn std::error::Error + 'static)),
            None => e.source(),
        };
    }
    None
}

fn rustls_certificate_error(e: &(dyn std::error::Error + 'static)) -> Option<String> {
    match e.downcast_ref::<rustls::Error>()? {
        error @ (rustls::Error::InvalidCertificate(_) | rustls::Error::NoCertificatesPresented) => {
            Some(error.to_string())
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rustls::pki_types::CertificateDer;
    use rustls::pki_types::pem::PemObject;

    /// SHA-256 fingerprints as Amazon Trust Services publishes them.
    const PUBLISHED: [(&str, &str); 5] = [
        (
            "Amazon Root CA 1",
            "8ecde6884f3d87b1125ba31ac3fcb13d7016de7f57cc904fe1cb97c6ae98196e",
        ),
        (
            "Amazon Root CA 2",
            "1ba5b2aa8c65401a82960118f80bec4f62304d83cec4713a19c39c011ea46db4",
        ),
        (
            "Amazon Root CA 3",
            "18ce6cfe7bf14e60b2e347b8dfe868cb31d02ebb3ada271569f50343b46db3a4",
        ),
        (
            "Amazon Root CA 4",
            "e35d28419ed02025cfa69038cd623962458da5c695fbdea3c22b0bfb25897092",
        ),
        (
            "Starfield Services Root Certificate Authority - G2",
            "568d6905a2c88708a4b3025190edcfedb1974a606a13c6e5290fcb2ae63edab5",
        ),
    ];

    #[test]
    fn the_compiled_in_roots_are_exactly_the_published_ones() {
        let certs = CertificateDer::pem_slice_iter(AMAZON_ROOTS.as_bytes())
            .collect::<Result<Vec<_>, _>>()
            .expect("the bundle parses");
        let fingerprints: Vec<String> = certs
            .iter()
            .map(|der| {
                aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, der)
                    .as_ref()
                    .iter()
                    .map(|b| format!("{b:02x}"))
                    .collect()
            })
            .collect();
        let published: Vec<String> = PUBLISHED.iter().map(|(_, f)| f.to_string()).collect();
        assert_eq!(fingerprints, published);
    }

    #[test]
    fn a_refused_certificate_is_found_inside_io_errors() {
        let tls = rustls::Error::InvalidCertificate(rustls::CertificateError::UnknownIssuer);
        // As hyper-rustls reports it: an io::Error around an io::Error around rustls's.
        let io = std::io::Error::new(std::io::ErrorKind::InvalidData, tls);
        let io = std::io::Error::other(io);
        let outer = aws_sdk_marketplacemetering::error::ConnectorError::io(Box::new(io));
        let problem = certificate_problem(&outer).expect("found");
        assert!(problem.contains("UnknownIssuer"), "{problem}");
        let reset = std::io::Error::new(std::io::ErrorKind::ConnectionReset, "reset");
        assert_eq!(certificate_problem(&reset), None);
    }
}
