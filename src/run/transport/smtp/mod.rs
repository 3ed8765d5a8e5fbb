//! Delivery to an SMTP server: a pool of sessions shared by the sending threads. STARTTLS when
//! the server offers it (`smtp://`; `?tls=required` insists, `?tls=none` never tries), implicit
//! TLS for `smtps://`; AUTH with the URL's user name and the password in
//! `TAILOR_SMTP_PASSWORD`, or XOAUTH2 with the token in `TAILOR_SMTP_OAUTH_TOKEN`; an extra CA
//! for a private relay in `TAILOR_SMTP_CA_FILE`. A URL path names the EHLO host
//! (`smtp://mx:25/sender.example`).

mod reply;
mod session;
mod stream;

use std::fmt;
use std::path::Path;
use std::sync::Mutex;
use std::time::Duration;

use super::{Attempt, Outgoing, Transport};
use crate::model::{is_valid_address, Smtp};
use session::{Credentials, Endpoint, Failure, Session, TlsMode};

/// The environment variable holding the SMTP password.
pub const PASSWORD_VARIABLE: &str = "TAILOR_SMTP_PASSWORD";
/// The environment variable holding an XOAUTH2 access token.
pub const OAUTH_VARIABLE: &str = "TAILOR_SMTP_OAUTH_TOKEN";
/// The environment variable naming a PEM file of extra trusted CA certificates.
pub const CA_FILE_VARIABLE: &str = "TAILOR_SMTP_CA_FILE";

/// Sessions idle longer than this are closed rather than reused (servers drop idle clients).
const MAX_IDLE: Duration = Duration::from_secs(30);

/// An SMTP server, through a pool of sessions.
pub struct SmtpRelay {
    endpoint: Endpoint,
    idle: Mutex<Vec<Session>>,
    /// The sockets of sessions carrying a message now, by message hash, so a stopping run can
    /// cut a server that does not answer ([`Transport::abort`]).
    in_flight: Mutex<std::collections::HashMap<String, std::net::TcpStream>>,
}

/// Settings that do not make a usable SMTP client.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SmtpSetupError(pub String);

impl fmt::Display for SmtpSetupError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// `url` as it may be shown: a password in it replaced by `***` (it is refused anyway, but an
/// error message must not spread it further).
pub fn shown_url(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut parsed) if parsed.password().is_some() => {
            let _ = parsed.set_password(Some("***"));
            parsed.to_string()
        }
        Ok(_) => url.to_string(),
        // Unparsable: show the part after any `user:password@` only.
        Err(_) => match (url.split_once("://"), url.rfind('@')) {
            (Some((scheme, _)), Some(at)) => format!("{scheme}://***@{}", &url[at + 1..]),
            _ => url.to_string(),
        },
    }
}

impl SmtpRelay {
    /// A client for `settings`, with secrets read from `secret` (the environment, in the CLI).
    /// A password in the URL is refused (secrets never live in YAML); the client logs in only
    /// when the URL names a user.
    pub fn new(settings: &Smtp, secret: impl Fn(&str) -> Option<String>) -> Result<SmtpRelay, SmtpSetupError> {
        let shown = shown_url(&settings.url);
        let url = url::Url::parse(&settings.url).map_err(|e| SmtpSetupError(format!("`{shown}`: {e}")))?;
        if url.password().is_some() {
            return Err(SmtpSetupError(format!(
                "the SMTP URL `{shown}` holds a password: remove it from the URL and set {PASSWORD_VARIABLE} instead (secrets never live in YAML)"
            )));
        }
        let host = url
            .host_str()
            .ok_or_else(|| SmtpSetupError(format!("`{shown}` names no host")))?
            .trim_start_matches('[')
            .trim_end_matches(']')
            .to_string();
        let tls_mode = url.query_pairs().find(|(k, _)| k == "tls").map(|(_, v)| v.into_owned());
        let (tls, default_port) = match (url.scheme(), tls_mode.as_deref()) {
            ("smtps", None) => (TlsMode::Implicit, 465),
            ("smtp", None | Some("opportunistic")) => (TlsMode::Opportunistic, 25),
            ("smtp", Some("required")) => (TlsMode::Required, 587),
            ("smtp", Some("none")) => (TlsMode::None, 25),
            (scheme, mode) => {
                return Err(SmtpSetupError(format!(
                    "`{scheme}://` with `tls={}` is not supported: use smtp:// (tls=opportunistic|required|none) or smtps://",
                    mode.unwrap_or("")
                )))
            }
        };
        let user = url.username().to_string();
        let credentials = if user.is_empty() {
            // No user, no login: a secret in the environment alone never sends an empty identity.
            None
        } else if let Some(token) = secret(OAUTH_VARIABLE) {
            Some(Credentials::OAuth { user, token })
        } else if let Some(password) = secret(PASSWORD_VARIABLE) {
            Some(Credentials::Password { user, password })
        } else {
            return Err(SmtpSetupError(format!(
                "the SMTP URL names user `{user}`, but neither {PASSWORD_VARIABLE} nor {OAUTH_VARIABLE} is set"
            )));
        };
        let extra_ca = secret(CA_FILE_VARIABLE);
        let tls_config = crate::data::tls_config(extra_ca.as_deref().map(Path::new)).map_err(SmtpSetupError)?;
        let hello_name = match url.path().trim_matches('/') {
            "" => "localhost".to_string(),
            name => name.to_string(),
        };
        Ok(SmtpRelay {
            endpoint: Endpoint {
                host,
                port: url.port().unwrap_or(default_port),
                tls,
                tls_config,
                timeout: Duration::from_secs(settings.timeout.seconds.max(1) as u64),
                credentials,
                hello_name,
            },
            idle: Mutex::new(Vec::new()),
            in_flight: Mutex::new(std::collections::HashMap::new()),
        })
    }

    /// Opens a session (connection, TLS, login) to show the server is there and accepts us;
    /// the session is kept for the first message.
    pub fn reachable(&self) -> Result<(), String> {
        match Session::open(&self.endpoint) {
            Ok(session) => {
                self.give_back(session);
                Ok(())
            }
            Err(failure) => Err(describe(&failure)),
        }
    }

    fn take(&self) -> Option<Session> {
        let mut idle = self.idle.lock().unwrap_or_else(|p| p.into_inner());
        while let Some(session) = idle.pop() {
            if session.last_used.elapsed() < MAX_IDLE {
                return Some(session);
            }
            session.quit();
        }
        None
    }

    fn give_back(&self, session: Session) {
        self.idle.lock().unwrap_or_else(|p| p.into_inner()).push(session);
    }

    fn in_flight_sockets(&self) -> std::sync::MutexGuard<'_, std::collections::HashMap<String, std::net::TcpStream>> {
        self.in_flight.lock().unwrap_or_else(|p| p.into_inner())
    }
}

fn describe(failure: &Failure) -> String {
    match failure {
        Failure::Setup(text) | Failure::Broken(text) | Failure::Stale(text) => text.clone(),
        Failure::Sender(reply) => format!("the sender was refused: {}", reply.text()),
        Failure::Refused(reply) => reply.text(),
    }
}

impl Transport for SmtpRelay {
    fn abort(&self) {
        for socket in self.in_flight_sockets().values() {
            let _ = socket.shutdown(std::net::Shutdown::Both);
        }
    }

    fn deliver(&self, message: &Outgoing) -> Attempt {
        // Plans only let valid addresses through; anything else could smuggle SMTP commands.
        if !is_valid_address(&message.to) || !is_valid_address(&message.from) {
            return Attempt::Unsendable("the sender or recipient is not a plain email address".into());
        }
        // A pooled session the server has meanwhile closed fails before any answer: then
        // one fresh session gets the message.
        let mut reused = self.take();
        loop {
            let was_reused = reused.is_some();
            let mut session = match reused.take() {
                Some(session) => session,
                None => match Session::open(&self.endpoint) {
                    Ok(session) => session,
                    Err(failure) => return Attempt::Temporary(describe(&failure)),
                },
            };
            if let Some(socket) = session.socket() {
                self.in_flight_sockets().insert(message.hash.clone(), socket);
            }
            let sent = session.send(&message.from, &message.to, &message.bytes);
            self.in_flight_sockets().remove(&message.hash);
            match sent {
                Ok(reply) => {
                    self.give_back(session);
                    return Attempt::Delivered(reply.text());
                }
                Err(Failure::Stale(_)) if was_reused => continue,
                Err(failure) => {
                    let attempt = match &failure {
                        Failure::Refused(reply) if reply.is_permanent() => Attempt::Permanent(reply.text()),
                        // 4xx, the sender refused, a broken connection: try again later.
                        other => Attempt::Temporary(describe(other)),
                    };
                    // A session that answered can carry the next message; 421 closes it.
                    let alive = matches!(&failure, Failure::Refused(r) | Failure::Sender(r) if r.code != 421);
                    if alive {
                        self.give_back(session);
                    }
                    return attempt;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Duration as Span;

    #[test]
    fn addresses_that_could_inject_commands_are_refused_before_connecting() {
        let settings = Smtp {
            url: "smtp://127.0.0.1:9?tls=none".into(),
            pool: 1,
            rate_per_second: 0.0,
            timeout: Span { seconds: 1 },
            retries: 0,
        };
        let relay = SmtpRelay::new(&settings, |_| None).unwrap();
        let message = Outgoing {
            from: "hello@acme.test".into(),
            to: "a@b.test>\r\nRCPT TO:<victim@c.test".into(),
            hash: "0".repeat(32),
            bytes: b"Subject: x\r\n\r\nbody\r\n".to_vec(),
        };
        assert!(matches!(relay.deliver(&message), Attempt::Unsendable(_)));
        // A user name without a password or token is refused up front.
        let named = Smtp {
            url: "smtp://me@127.0.0.1:9".into(),
            ..settings
        };
        assert!(SmtpRelay::new(&named, |_| None).is_err());
    }
}
