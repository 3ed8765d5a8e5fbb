//! The connection's byte stream: plain TCP (with Nagle off: every SMTP step is a short write
//! followed by a wait for the reply, and Nagle would hold the final `.` for the server's
//! delayed ACK) or TLS through rustls ([`crate::data::tls_config`]).

use std::io::{Read, Write};
use std::net::TcpStream;
use std::sync::Arc;

use rustls::pki_types::ServerName;
use rustls::{ClientConfig, ClientConnection, StreamOwned};

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
