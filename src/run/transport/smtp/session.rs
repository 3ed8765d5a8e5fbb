//! One SMTP session (RFC 5321): greeting, EHLO, STARTTLS, AUTH, then any number of messages,
//! each `MAIL`, `RCPT` and `DATA` pipelined in one write when the server offers PIPELINING
//! (RFC 2920), the dot-stuffed body and its final `.` in another.

use std::io::{BufReader, Write};
use std::net::{TcpStream, ToSocketAddrs};
use std::sync::Arc;
use std::time::{Duration, Instant};

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use rustls::ClientConfig;

use super::reply::Reply;
use super::stream::Stream;

/// How the connection is encrypted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TlsMode {
    /// TLS from the first byte (`smtps://`).
    Implicit,
    /// STARTTLS, and refuse a server that does not offer it.
    Required,
    /// STARTTLS when the server offers it.
    Opportunistic,
    /// Never.
    None,
}

/// Who the client logs in as.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Credentials {
    /// AUTH PLAIN with a password.
    Password {
        /// The user name.
        user: String,
        /// The password.
        password: String,
    },
    /// AUTH XOAUTH2 with an access token.
    OAuth {
        /// The user name.
        user: String,
        /// The token.
        token: String,
    },
}

/// Where and how to connect.
#[derive(Clone)]
pub struct Endpoint {
    /// Host name or address.
    pub host: String,
    /// Port.
    pub port: u16,
    /// Encryption.
    pub tls: TlsMode,
    /// TLS settings.
    pub tls_config: Arc<ClientConfig>,
    /// Connect, read and write timeout.
    pub timeout: Duration,
    /// Login, if any.
    pub credentials: Option<Credentials>,
    /// The name given in EHLO.
    pub hello_name: String,
}

/// Why a session or a message failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Failure {
    /// Setting up the session failed (connection, TLS, login): nobody's address is at fault.
    Setup(String),
    /// The server refused the sender (`MAIL`): nobody's address is at fault either.
    Sender(Reply),
    /// The server refused this message (`RCPT`, `DATA` or after the body).
    Refused(Reply),
    /// The connection broke or timed out mid-message.
    Broken(String),
    /// The connection broke before the server answered anything about this message (a pooled
    /// connection the server had closed): the message never started.
    Stale(String),
}

/// An open session, ready for a message.
pub struct Session {
    stream: BufReader<Stream>,
    pipelining: bool,
    /// When it last finished a message.
    pub last_used: Instant,
}

fn broken(error: std::io::Error) -> Failure {
    Failure::Broken(error.to_string())
}

/// `text` with CR and LF normalised to CRLF, dot-stuffed, ending in CRLF, then `.` CRLF.
pub fn data_block(text: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(text.len() + text.len() / 64 + 8);
    let mut line_start = true;
    let mut bytes = text.iter().copied().peekable();
    while let Some(byte) = bytes.next() {
        if line_start && byte == b'.' {
            out.push(b'.');
        }
        match byte {
            b'\r' => {
                if bytes.peek() == Some(&b'\n') {
                    bytes.next();
                }
                out.extend_from_slice(b"\r\n");
                line_start = true;
            }
            b'\n' => {
                out.extend_from_slice(b"\r\n");
                line_start = true;
            }
            other => {
                out.push(other);
                line_start = false;
            }
        }
    }
    if !line_start {
        out.extend_from_slice(b"\r\n");
    }
    out.extend_from_slice(b".\r\n");
    out
}

impl Session {
    /// A second handle on the session's socket (see [`Stream::socket`]).
    pub fn socket(&self) -> Option<std::net::TcpStream> {
        self.stream.get_ref().socket()
    }

    fn send_line(&mut self, line: &str) -> Result<Reply, Failure> {
        let stream = self.stream.get_mut();
        stream.write_all(line.as_bytes()).map_err(broken)?;
        stream.write_all(b"\r\n").map_err(broken)?;
        stream.flush().map_err(broken)?;
        Reply::read(&mut self.stream).map_err(broken)
    }

    fn expect(&mut self, line: &str, what: &str) -> Result<Reply, Failure> {
        let reply = self.send_line(line)?;
        if reply.is_positive() {
            Ok(reply)
        } else {
            Err(Failure::Setup(format!("{what}: {}", reply.text())))
        }
    }

    /// Connects, greets, encrypts and logs in as `endpoint` says.
    pub fn open(endpoint: &Endpoint) -> Result<Session, Failure> {
        let addresses = (endpoint.host.as_str(), endpoint.port)
            .to_socket_addrs()
            .map_err(|e| Failure::Setup(format!("cannot resolve `{}`: {e}", endpoint.host)))?;
        let mut last_error = format!("`{}` has no address", endpoint.host);
        let mut connected = None;
        for address in addresses {
            match TcpStream::connect_timeout(&address, endpoint.timeout) {
                Ok(tcp) => {
                    connected = Some(tcp);
                    break;
                }
                Err(error) => last_error = format!("cannot connect to {address}: {error}"),
            }
        }
        let tcp = connected.ok_or(Failure::Setup(last_error))?;
        let setup = |e: std::io::Error| Failure::Setup(e.to_string());
        tcp.set_nodelay(true).map_err(setup)?;
        tcp.set_read_timeout(Some(endpoint.timeout)).map_err(setup)?;
        tcp.set_write_timeout(Some(endpoint.timeout)).map_err(setup)?;
        let mut stream = Stream::Plain(tcp);
        if endpoint.tls == TlsMode::Implicit {
            stream = stream
                .into_tls(&endpoint.tls_config, &endpoint.host)
                .map_err(Failure::Setup)?;
        }
        let mut session = Session {
            stream: BufReader::new(stream),
            pipelining: false,
            last_used: Instant::now(),
        };
        let greeting = Reply::read(&mut session.stream).map_err(|e| Failure::Setup(e.to_string()))?;
        if !greeting.is_positive() {
            return Err(Failure::Setup(format!(
                "the server refused the connection: {}",
                greeting.text()
            )));
        }
        let ehlo = format!("EHLO {}", endpoint.hello_name);
        let mut features = session.expect(&ehlo, "EHLO")?;
        let offers = |features: &Reply, name: &str| {
            features.lines.iter().skip(1).any(|l| {
                l.split_whitespace()
                    .next()
                    .is_some_and(|w| w.eq_ignore_ascii_case(name))
            })
        };
        let starttls = match endpoint.tls {
            TlsMode::Required if !offers(&features, "STARTTLS") => {
                return Err(Failure::Setup(
                    "the server does not offer STARTTLS, which `tls=required` insists on".into(),
                ))
            }
            TlsMode::Required => true,
            TlsMode::Opportunistic => offers(&features, "STARTTLS"),
            TlsMode::Implicit | TlsMode::None => false,
        };
        if starttls {
            session.expect("STARTTLS", "STARTTLS")?;
            let plain = session.stream.into_inner();
            let encrypted = plain
                .into_tls(&endpoint.tls_config, &endpoint.host)
                .map_err(Failure::Setup)?;
            session.stream = BufReader::new(encrypted);
            features = session.expect(&ehlo, "EHLO after STARTTLS")?;
        }
        if let Some(credentials) = &endpoint.credentials {
            let encrypted = matches!(session.stream.get_ref(), Stream::Tls(_));
            if !encrypted && endpoint.tls != TlsMode::None {
                return Err(Failure::Setup(
                    "the server offers no TLS: refusing to send credentials in clear (add `?tls=none` to the URL to allow it on a trusted network)".into(),
                ));
            }
            let line = match credentials {
                Credentials::Password { user, password } => {
                    format!("AUTH PLAIN {}", STANDARD.encode(format!("\0{user}\0{password}")))
                }
                Credentials::OAuth { user, token } => format!(
                    "AUTH XOAUTH2 {}",
                    STANDARD.encode(format!("user={user}\x01auth=Bearer {token}\x01\x01"))
                ),
            };
            let reply = session.send_line(&line)?;
            if reply.code != 235 {
                return Err(Failure::Setup(format!("login refused: {}", reply.text())));
            }
        }
        session.pipelining = offers(&features, "PIPELINING");
        Ok(session)
    }

    /// Sends one message from `from` to `to`; the server's final answer when it accepts it.
    /// After a refusal the session is reset and can carry the next message.
    pub fn send(&mut self, from: &str, to: &str, message: &[u8]) -> Result<Reply, Failure> {
        let commands = [
            format!("MAIL FROM:<{from}>"),
            format!("RCPT TO:<{to}>"),
            "DATA".to_string(),
        ];
        // A connection that breaks before the first answer never started this message.
        let stale = |failure: Failure| match failure {
            Failure::Broken(text) => Failure::Stale(text),
            other => other,
        };
        let replies = if self.pipelining {
            let stream = self.stream.get_mut();
            let batch = commands.join("\r\n") + "\r\n";
            stream.write_all(batch.as_bytes()).map_err(|e| stale(broken(e)))?;
            stream.flush().map_err(|e| stale(broken(e)))?;
            let mut replies = Vec::with_capacity(3);
            for index in 0..commands.len() {
                let reply = Reply::read(&mut self.stream).map_err(broken);
                replies.push(if index == 0 { reply.map_err(stale)? } else { reply? });
            }
            replies
        } else {
            let mut replies = Vec::with_capacity(3);
            for (index, command) in commands.iter().enumerate() {
                let reply = self.send_line(command);
                let reply = if index == 0 { reply.map_err(stale)? } else { reply? };
                let positive = reply.is_positive();
                replies.push(reply);
                if !positive {
                    break;
                }
            }
            replies
        };
        if let Some(refusal) = replies.iter().position(|r| !r.is_positive()) {
            let failure = if refusal == 0 {
                Failure::Sender(replies[0].clone())
            } else {
                Failure::Refused(replies[refusal].clone())
            };
            // DATA may have been accepted after a refused RCPT (pipelined): end it empty.
            if replies.get(2).is_some_and(|r| r.code == 354) {
                let _ = self.send_line(".");
            }
            self.reset();
            return Err(failure);
        }
        let stream = self.stream.get_mut();
        stream.write_all(&data_block(message)).map_err(broken)?;
        stream.flush().map_err(broken)?;
        let reply = Reply::read(&mut self.stream).map_err(broken)?;
        self.last_used = Instant::now();
        if reply.is_positive() {
            Ok(reply)
        } else {
            Err(Failure::Refused(reply))
        }
    }

    fn reset(&mut self) {
        let _ = self.send_line("RSET");
    }

    /// Says goodbye (best effort).
    pub fn quit(mut self) {
        let _ = self.send_line("QUIT");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn data_blocks_are_dot_stuffed_and_terminated() {
        assert_eq!(data_block(b"a\r\n.b\r\n"), b"a\r\n..b\r\n.\r\n");
        assert_eq!(data_block(b".\nx\ry"), b"..\r\nx\r\ny\r\n.\r\n");
        assert_eq!(data_block(b""), b".\r\n");
    }
}
