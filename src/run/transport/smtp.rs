//! Delivery to an SMTP server through lettre: a pool of connections shared by the sending
//! threads; STARTTLS when the server offers it (`smtp://`; `?tls=required` insists,
//! `?tls=none` never tries), implicit TLS for `smtps://`; AUTH with the URL's user name and the
//! password in `TAILOR_SMTP_PASSWORD`, or XOAUTH2 with the token in `TAILOR_SMTP_OAUTH_TOKEN`.

use std::fmt;

use lettre::address::Envelope;
use lettre::transport::smtp::authentication::{Credentials, Mechanism};
use lettre::transport::smtp::client::{Tls, TlsParameters};
use lettre::transport::smtp::PoolConfig;
use lettre::{Address, SmtpTransport, Transport as _};

use super::{Attempt, Outgoing, Transport};
use crate::model::Smtp;

/// The environment variable holding the SMTP password.
pub const PASSWORD_VARIABLE: &str = "TAILOR_SMTP_PASSWORD";
/// The environment variable holding an XOAUTH2 access token.
pub const OAUTH_VARIABLE: &str = "TAILOR_SMTP_OAUTH_TOKEN";

/// An SMTP server, through a connection pool.
pub struct SmtpRelay {
    transport: SmtpTransport,
}

/// Settings that do not make a usable SMTP client.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SmtpSetupError(pub String);

impl fmt::Display for SmtpSetupError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The server's answer on one line: `250 2.0.0 Ok: queued`.
fn answer(response: &lettre::transport::smtp::response::Response) -> String {
    let text: Vec<&str> = response.message().collect();
    format!("{} {}", response.code(), text.join(" "))
}

impl SmtpRelay {
    /// A client for `settings`, with secrets read from `secret` (the environment, in the CLI).
    pub fn new(settings: &Smtp, secret: impl Fn(&str) -> Option<String>) -> Result<SmtpRelay, SmtpSetupError> {
        let url = url::Url::parse(&settings.url).map_err(|e| SmtpSetupError(format!("`{}`: {e}", settings.url)))?;
        let host = url
            .host_str()
            .ok_or_else(|| SmtpSetupError(format!("`{}` names no host", settings.url)))?
            .to_string();
        let tls_mode = url.query_pairs().find(|(k, _)| k == "tls").map(|(_, v)| v.into_owned());
        let parameters =
            || TlsParameters::new(host.clone()).map_err(|e| SmtpSetupError(format!("TLS for `{host}`: {e}")));
        let (tls, default_port) = match (url.scheme(), tls_mode.as_deref()) {
            ("smtps", _) => (Tls::Wrapper(parameters()?), 465),
            ("smtp", None | Some("opportunistic")) => (Tls::Opportunistic(parameters()?), 25),
            ("smtp", Some("required")) => (Tls::Required(parameters()?), 587),
            ("smtp", Some("none")) => (Tls::None, 25),
            (scheme, mode) => {
                return Err(SmtpSetupError(format!(
                    "`{scheme}://` with `tls={}` is not supported: use smtp:// (tls=opportunistic|required|none) or smtps://",
                    mode.unwrap_or("")
                )))
            }
        };
        let timeout = std::time::Duration::from_secs(settings.timeout.seconds.max(1) as u64);
        let mut builder = SmtpTransport::builder_dangerous(host.as_str())
            .port(url.port().unwrap_or(default_port))
            .tls(tls)
            .timeout(Some(timeout))
            .pool_config(PoolConfig::new().max_size(settings.pool.max(1)));
        let user = url.username();
        if let Some(token) = secret(OAUTH_VARIABLE) {
            builder = builder
                .credentials(Credentials::new(user.to_string(), token))
                .authentication(vec![Mechanism::Xoauth2]);
        } else if let Some(password) = secret(PASSWORD_VARIABLE) {
            builder = builder
                .credentials(Credentials::new(user.to_string(), password))
                .authentication(vec![Mechanism::Plain, Mechanism::Login]);
        } else if !user.is_empty() {
            return Err(SmtpSetupError(format!(
                "the SMTP URL names user `{user}`, but neither {PASSWORD_VARIABLE} nor {OAUTH_VARIABLE} is set"
            )));
        }
        Ok(SmtpRelay {
            transport: builder.build(),
        })
    }

    /// Whether the server answers at all (a run stops early, exit 2, when it does not).
    pub fn reachable(&self) -> Result<(), String> {
        match self.transport.test_connection() {
            Ok(true) => Ok(()),
            Ok(false) => Err("the server did not answer NOOP".into()),
            Err(error) => Err(error.to_string()),
        }
    }
}

impl Transport for SmtpRelay {
    fn deliver(&self, message: &Outgoing) -> Attempt {
        let (Ok(from), Ok(to)) = (message.from.parse::<Address>(), message.to.parse::<Address>()) else {
            return Attempt::Unsendable("the sender or recipient address is not usable in SMTP".into());
        };
        let envelope = match Envelope::new(Some(from), vec![to]) {
            Ok(envelope) => envelope,
            Err(error) => return Attempt::Unsendable(error.to_string()),
        };
        match self.transport.send_raw(&envelope, &message.bytes) {
            Ok(response) => Attempt::Delivered(answer(&response)),
            Err(error) if error.is_permanent() => Attempt::Permanent(error.to_string()),
            // 4xx, timeouts, dropped connections, TLS hiccups: try again later.
            Err(error) => Attempt::Temporary(error.to_string()),
        }
    }
}
