//! The connection's byte stream: plain TCP (with Nagle off: every SMTP step is a short write
//! followed by a wait for the reply, and Nagle would hold the final `.` for the server's
//! delayed ACK) or TLS through rustls, with the Mozilla roots plus an optional extra CA.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::sync::Arc;

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName};
use rustls::{ClientConfig, ClientConnection, RootCertStore, StreamOwned};

/// A plain or TLS stream.
pub enum Stream {
    /// Plain TCP.
    Plain(TcpStream),
    /// TLS over TCP.
    Tls(Box<StreamOwned<ClientConnection, TcpStream>>),
}

impl Stream {
    /// A second handle on the TCP socket underneath, to shut it down from another thread.
    pub fn socket(&self) -> Option<TcpStream> {
        match self {
            Stream::Plain(tcp) => tcp.try_clone().ok(),
            Stream::Tls(tls) => tls.sock.try_clone().ok(),
        }
    }

    /// This stream, TLS from here on (implicit TLS, or after STARTTLS).
    pub fn into_tls(self, config: &Arc<ClientConfig>, host: &str) -> Result<Stream, String> {
        let Stream::Plain(tcp) = self else {
            return Err("the connection is already encrypted".into());
        };
        let name = ServerName::try_from(host.to_string()).map_err(|e| format!("`{host}`: {e}"))?;
        let connection = ClientConnection::new(Arc::clone(config), name).map_err(|e| e.to_string())?;
        let mut tls = StreamOwned::new(connection, tcp);
        // Finish the handshake now, so a bad certificate is reported as such.
        while tls.conn.is_handshaking() {
            tls.conn
                .complete_io(&mut tls.sock)
                .map_err(|e| format!("TLS handshake with `{host}`: {e}"))?;
        }
        Ok(Stream::Tls(Box::new(tls)))
    }
}

impl Read for Stream {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        match self {
            Stream::Plain(tcp) => tcp.read(buf),
            Stream::Tls(tls) => tls.read(buf),
        }
    }
}

impl Write for Stream {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        match self {
            Stream::Plain(tcp) => tcp.write(buf),
            Stream::Tls(tls) => tls.write(buf),
        }
    }

    fn flush(&mut self) -> std::io::Result<()> {
        match self {
            Stream::Plain(tcp) => tcp.flush(),
            Stream::Tls(tls) => tls.flush(),
        }
    }
}

/// The TLS settings: Mozilla's roots, plus the certificates of `extra_ca` (a PEM file) for a
/// relay with a private CA.
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
