//! A dataset kept in PostgreSQL: `source: postgres://[user@]host[:port]/database?table=name`
//! (`name` may be `schema.table`). The table is read into typed columns, as a Parquet file is,
//! and then checked column by column against the schema like one.
//!
//! What the URL leaves out comes from the usual libpq environment (`PGHOST`, `PGPORT`,
//! `PGUSER`, `PGDATABASE`, `PGPASSWORD`) and libpq's defaults (localhost, the system user);
//! `TAILOR_PG_PASSWORD` takes precedence for the password, and a URL holding one is refused,
//! so that none is ever written in the workspace. `sslmode=require` (or `verify-ca`,
//! `verify-full`) encrypts the connection with TLS and always verifies the server's
//! certificate (Mozilla's roots, plus `sslrootcert=FILE.pem`); without it the connection is
//! plain text, as for a server on the same host.

use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::Arc;

use polars::prelude::*;
use postgres::config::SslMode;
use postgres::fallible_iterator::FallibleIterator;
use postgres::types::ToSql;
use postgres::types::Type as PgType;
use postgres::{Client, Config, NoTls};
use tokio_postgres_rustls::MakeRustlsConnect;

use super::postgres_column::PostgresColumn;
use super::{tls_config, LoadError};
use crate::model::{split_postgres_source, ColumnKind, TableColumn};

/// A table in a PostgreSQL database, named by a dataset source.
#[derive(Debug, Clone)]
pub struct PostgresTable {
    config: Config,
    table: String,
    encryption: Encryption,
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

/// How a column of type `ty` is read, and the SQL that selects `column` for it (a type tailor
/// does not read directly is converted by the server: numbers to `float8`, the rest to text,
/// which the checks then hold to the declared type).
fn reading(ty: &PgType, column: &str) -> (ColumnKind, String) {
    let quoted = format!("\"{}\"", column.replace('"', "\"\""));
    match *ty {
        PgType::INT2 | PgType::INT4 | PgType::INT8 => (ColumnKind::Int, format!("{quoted}::int8")),
        PgType::FLOAT4 | PgType::FLOAT8 | PgType::NUMERIC => (ColumnKind::Float, format!("{quoted}::float8")),
        PgType::BOOL => (ColumnKind::Bool, quoted),
        PgType::DATE => (ColumnKind::Date, quoted),
        PgType::TIMESTAMP => (ColumnKind::Timestamp, quoted),
        PgType::TIMESTAMPTZ => (ColumnKind::TimestampUtc, quoted),
        PgType::TEXT_ARRAY | PgType::VARCHAR_ARRAY | PgType::BPCHAR_ARRAY | PgType::NAME_ARRAY => {
            (ColumnKind::TextList, format!("{quoted}::text[]"))
        }
        _ => (ColumnKind::Text, format!("{quoted}::text")),
    }
}

impl PostgresTable {
    /// The table `source` names, or why it names none.
    pub fn parse(source: &str) -> Result<PostgresTable, String> {
        let (url, table) = split_postgres_source(source)?;
        let (encryption, url) = Encryption::of(&url)?;
        let mut config = Config::from_str(&url).map_err(|e| format!("not a PostgreSQL URL: {e}"))?;
        if encryption != Encryption::Plain {
            config.ssl_mode(SslMode::Require);
        }
        fill_from_environment(&mut config);
        Ok(PostgresTable {
            config,
            table,
            encryption,
        })
    }

    /// The table's name (`schema.table`), quoted for SQL.
    fn quoted_table(&self) -> String {
        self.table
            .split('.')
            .map(|part| format!("\"{part}\""))
            .collect::<Vec<_>>()
            .join(".")
    }

    fn connect(&self, source: &Path) -> Result<Client, LoadError> {
        let connected = match &self.encryption {
            Encryption::Plain => self.config.connect(NoTls),
            Encryption::Verified { root_certificate } => {
                let tls = tls_config(root_certificate.as_deref()).map_err(|why| LoadError::io(source, why))?;
                self.config.connect(MakeRustlsConnect::new(Arc::unwrap_or_clone(tls)))
            }
        };
        connected.map_err(|e| LoadError::io(source, format!("cannot connect to PostgreSQL: {}", described(&e))))
    }

    /// The table's columns, in table order: how tailor reads each and its type in the table.
    pub fn columns(&self, source: &Path) -> Result<Vec<TableColumn>, LoadError> {
        Ok(self
            .typed_columns(source)?
            .into_iter()
            .map(|(name, ty)| TableColumn {
                kind: reading(&ty, &name).0,
                sql_type: ty.name().to_string(),
                name,
            })
            .collect())
    }

    /// The table's columns and their PostgreSQL types, in table order.
    fn typed_columns(&self, source: &Path) -> Result<Vec<(String, PgType)>, LoadError> {
        let mut client = self.connect(source)?;
        let statement = client
            .prepare(&format!("SELECT * FROM {} LIMIT 0", self.quoted_table()))
            .map_err(|e| LoadError::io(source, format!("cannot read table `{}`: {}", self.table, described(&e))))?;
        Ok(statement
            .columns()
            .iter()
            .map(|c| (c.name().to_string(), c.type_().clone()))
            .collect())
    }

    /// Every row of the table as typed columns, ordered by all of them (the same table reads
    /// the same frame every time). `source` names the dataset in errors.
    pub fn read(&self, source: &Path) -> Result<DataFrame, LoadError> {
        let columns = self.typed_columns(source)?;
        let readings: Vec<(ColumnKind, String)> = columns.iter().map(|(name, ty)| reading(ty, name)).collect();
        let selected: Vec<&str> = readings.iter().map(|(_, sql)| sql.as_str()).collect();
        let order: Vec<String> = (1..=columns.len()).map(|i| i.to_string()).collect();
        let query = format!(
            "SELECT {} FROM {} ORDER BY {}",
            selected.join(", "),
            self.quoted_table(),
            order.join(", ")
        );
        let mut client = self.connect(source)?;
        let failed = |e: postgres::Error| {
            LoadError::io(source, format!("cannot read table `{}`: {}", self.table, described(&e)))
        };
        let no_parameters: [&(dyn ToSql + Sync); 0] = [];
        let mut rows = client.query_raw(query.as_str(), no_parameters).map_err(failed)?;
        let mut values: Vec<PostgresColumn> = readings.iter().map(|(kind, _)| PostgresColumn::new(*kind)).collect();
        let bad_cell = |name: &str, e: String| {
            LoadError::io(source, format!("cannot read column `{name}` of `{}`: {e}", self.table))
        };
        // Rows stream in and go straight into their columns: the table is held once.
        while let Some(row) = rows.next().map_err(failed)? {
            for (index, column) in values.iter_mut().enumerate() {
                column.push(&row, index).map_err(|e| bad_cell(&columns[index].0, e))?;
            }
        }
        let mut frame_columns = Vec::with_capacity(columns.len());
        for ((name, _), column) in columns.iter().zip(values) {
            frame_columns.push(column.finish(name).map_err(|e| bad_cell(name, e))?);
        }
        DataFrame::new_infer_height(frame_columns).map_err(|e| LoadError::io(source, e))
    }
}

/// What the server said (its message, not only "db error"), or the client's error.
fn described(error: &postgres::Error) -> String {
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
