//! A PostgreSQL server named by a URL, `postgres://[user@]host[:port]/database[?options]`, and
//! how tailor connects to it: shared by the datasets kept in tables and the shared ledger.
//!
//! What the URL leaves out comes from the usual libpq environment (`PGHOST`, `PGPORT`,
//! `PGUSER`, `PGDATABASE`, `PGPASSWORD`) and libpq's defaults (localhost, the system user);
//! `TAILOR_PG_PASSWORD` takes precedence for the password. `sslmode=require` (or `verify-ca`,
//! `verify-full`) encrypts the connection with TLS and always verifies the server's
//! certificate (Mozilla's roots, plus `sslrootcert=FILE.pem`); without it the connection is
//! plain text, as for a server on the same host.

use std::path::PathBuf;
use std::str::FromStr;
use std::sync::Arc;

use postgres::config::SslMode;
use postgres::{Client, Config, NoTls};
use tokio_postgres_rustls::MakeRustlsConnect;

use super::tls_config;

/// A server and database to connect to, with its credentials and encryption settled.
#[derive(Debug, Clone)]
pub struct PostgresServer {
    config: Config,
    encryption: Encryption,
}

impl PostgresServer {
    /// The server `url` names (without `table=` or other tailor options), or why it names none.
    pub fn parse(url: &str) -> Result<PostgresServer, String> {
        let (encryption, url) = Encryption::of(url)?;
        let mut config = Config::from_str(&url).map_err(|e| format!("not a PostgreSQL URL: {e}"))?;
        if encryption != Encryption::Plain {
            config.ssl_mode(SslMode::Require);
        }
        fill_from_environment(&mut config);
        Ok(PostgresServer { config, encryption })
    }

    /// A new connection, or what the server (or the network) said.
    pub fn connect(&self) -> Result<Client, String> {
        let connected = match &self.encryption {
            Encryption::Plain => self.config.connect(NoTls),
            Encryption::Verified { root_certificate } => {
                let tls = tls_config(root_certificate.as_deref())?;
                self.config.connect(MakeRustlsConnect::new(Arc::unwrap_or_clone(tls)))
            }
        };
        connected.map_err(|e| format!("cannot connect to PostgreSQL: {}", described(&e)))
    }
}

/// Whether the connection is encrypted, from the URL's `sslmode` (libpq's names).
#[derive(Debug, Clone, PartialEq, Eq)]
enum Encryption {
    /// `disable`, `allow`, `prefer` or none given: plain text (tailor does not encrypt without
    /// checking whom it talks to).
    Plain,
    /// `require`, `verify-ca` or `verify-full`: TLS, the server's certificate verified against
    /// Mozilla's roots and the PEM file `sslrootcert=` names, for its host name.
    Verified {
        /// The extra CA file.
        root_certificate: Option<PathBuf>,
    },
}

impl Encryption {
    /// The encryption `url`'s `sslmode` and `sslrootcert` ask for, and the URL without them.
    fn of(url: &str) -> Result<(Encryption, String), String> {
        let (base, query) = url.split_once('?').unwrap_or((url, ""));
        let (mut mode, mut root_certificate, mut rest) = (None, None, Vec::new());
        for pair in query.split('&').filter(|p| !p.is_empty()) {
            match pair.split_once('=') {
                Some(("sslmode", value)) => mode = Some(value.to_string()),
                Some(("sslrootcert", path)) => root_certificate = Some(PathBuf::from(path)),
                _ => rest.push(pair),
            }
        }
        let encryption = match mode.as_deref() {
            None | Some("disable" | "allow" | "prefer") => Encryption::Plain,
            Some("require" | "verify-ca" | "verify-full") => Encryption::Verified { root_certificate },
            Some(other) => {
                return Err(format!(
                    "`sslmode={other}` is not one of disable, allow, prefer, require, verify-ca, verify-full"
                ))
            }
        };
        let url = if rest.is_empty() {
            base.to_string()
        } else {
            format!("{base}?{}", rest.join("&"))
        };
        Ok((encryption, url))
    }
}

/// What the server said (its message, not only "db error"), or the client's error.
pub fn described(error: &postgres::Error) -> String {
    match error.as_db_error() {
        Some(db) => format!("{} ({})", db.message(), db.code().code()),
        None => {
            let mut text = error.to_string();
            let mut cause = std::error::Error::source(error);
            while let Some(inner) = cause {
                text.push_str(&format!(": {inner}"));
                cause = inner.source();
            }
            text
        }
    }
}

/// The name of the user running tailor, libpq's default role.
fn system_user() -> Option<String> {
    // SAFETY: getpwuid returns null or a pointer to a static record, read at once.
    unsafe {
        let record = libc::getpwuid(libc::geteuid());
        if record.is_null() || (*record).pw_name.is_null() {
            return None;
        }
        std::ffi::CStr::from_ptr((*record).pw_name)
            .to_str()
            .ok()
            .map(str::to_string)
    }
}

/// Fills what the URL leaves out from the libpq environment (and the password from
/// `TAILOR_PG_PASSWORD` first).
fn fill_from_environment(config: &mut Config) {
    let variable = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
    if config.get_hosts().is_empty() {
        config.host(&variable("PGHOST").unwrap_or_else(|| "localhost".into()));
    }
    if config.get_ports().is_empty() {
        if let Some(port) = variable("PGPORT").and_then(|p| p.parse().ok()) {
            config.port(port);
        }
    }
    if config.get_user().is_none() {
        let user = variable("PGUSER")
            .or_else(system_user)
            .unwrap_or_else(|| "postgres".into());
        config.user(&user);
    }
    if config.get_dbname().is_none() {
        if let Some(database) = variable("PGDATABASE") {
            config.dbname(&database);
        }
    }
    if let Some(password) = variable("TAILOR_PG_PASSWORD").or_else(|| variable("PGPASSWORD")) {
        config.password(password);
    }
}
