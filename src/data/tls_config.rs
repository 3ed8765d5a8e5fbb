//! The TLS settings of tailor's clients (an SMTP relay, a PostgreSQL server): rustls with
//! Mozilla's roots, plus the certificates of an optional PEM file for a private CA.

use std::path::Path;
use std::sync::Arc;

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::CertificateDer;
use rustls::{ClientConfig, RootCertStore};

/// The TLS settings: Mozilla's roots, plus the certificates of `extra_ca` (a PEM file) for a
/// server with a private CA.
pub fn tls_config(extra_ca: Option<&Path>) -> Result<Arc<ClientConfig>, String> {
    let mut roots = RootCertStore::empty();
    roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
    if let Some(path) = extra_ca {
        let certificates = CertificateDer::pem_file_iter(path)
            .map_err(|e| format!("cannot read CA file `{}`: {e}", path.display()))?;
        for certificate in certificates {
            let certificate = certificate.map_err(|e| format!("CA file `{}`: {e}", path.display()))?;
            roots
                .add(certificate)
                .map_err(|e| format!("CA file `{}`: {e}", path.display()))?;
        }
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| e.to_string())?
        .with_root_certificates(roots)
        .with_no_client_auth();
    Ok(Arc::new(config))
}
