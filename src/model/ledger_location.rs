//! Where the send ledger lives (`delivery.ledger`): a SQLite file for one sender at a time, or
//! a PostgreSQL database, `postgres://[user@]host[:port]/database[?schema=NAME]`, that many
//! `tailor run` processes on many hosts share.

use std::fmt;
use std::path::{Path, PathBuf};

use super::{is_postgres_source, split_postgres_url};

/// The folder, in the workspace, holding what a PostgreSQL ledger's host keeps locally (the
/// event log `serve` writes), as the default SQLite ledger's folder does.
const LOCAL_STATE: &str = ".tailor";

/// Where the send ledger lives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LedgerLocation {
    /// A SQLite file, relative to the workspace folder once resolved.
    File(PathBuf),
    /// A PostgreSQL database shared by many senders.
    Postgres {
        /// The connection URL, without tailor's own `schema=` option (and never a password).
        url: String,
        /// The schema holding the ledger's tables, when not the connection's default.
        schema: Option<String>,
        /// The local folder for what this host keeps beside the ledger (`.tailor`).
        local: PathBuf,
    },
}

impl LedgerLocation {
    /// The location `value` names, files relative to the workspace folder `root`, or why it
    /// names none.
    pub fn parse(value: &str, root: &Path) -> Result<LedgerLocation, String> {
        if !is_postgres_source(value) {
            return Ok(LedgerLocation::File(root.join(value)));
        }
        let (url, schema) = split_postgres_url(value, "schema")?;
        if let Some(schema) = &schema {
            if schema.is_empty() || !schema.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
                return Err(format!("`{schema}` is not a schema name (letters, digits and `_`)"));
            }
        }
        Ok(LedgerLocation::Postgres {
            url,
            schema,
            local: root.join(LOCAL_STATE),
        })
    }

    /// The folder holding what is kept locally beside the ledger: the SQLite file's folder, or
    /// the workspace's `.tailor` for a PostgreSQL ledger.
    pub fn local_folder(&self) -> PathBuf {
        match self {
            LedgerLocation::File(path) => path.parent().unwrap_or(Path::new("")).to_path_buf(),
            LedgerLocation::Postgres { local, .. } => local.clone(),
        }
    }

    /// Whether several senders may share the ledger at once (a PostgreSQL ledger).
    pub fn is_shared(&self) -> bool {
        matches!(self, LedgerLocation::Postgres { .. })
    }
}

impl fmt::Display for LedgerLocation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LedgerLocation::File(path) => write!(f, "{}", path.display()),
            LedgerLocation::Postgres { url, schema: None, .. } => write!(f, "{url}"),
            LedgerLocation::Postgres {
                url,
                schema: Some(schema),
                ..
            } => {
                let separator = if url.contains('?') { '&' } else { '?' };
                write!(f, "{url}{separator}schema={schema}")
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_ledger_is_a_file_in_the_workspace_or_a_postgres_database() {
        let root = Path::new("shop");
        assert_eq!(
            LedgerLocation::parse(".tailor/ledger.sqlite", root),
            Ok(LedgerLocation::File(root.join(".tailor/ledger.sqlite")))
        );
        let shared = LedgerLocation::parse("postgres://db/crm?schema=mail&sslmode=require", root).unwrap();
        assert_eq!(
            shared,
            LedgerLocation::Postgres {
                url: "postgres://db/crm?sslmode=require".into(),
                schema: Some("mail".into()),
                local: root.join(".tailor"),
            }
        );
        assert_eq!(shared.to_string(), "postgres://db/crm?sslmode=require&schema=mail");
        assert!(shared.is_shared());
        assert_eq!(shared.local_folder(), root.join(".tailor"));
        assert!(LedgerLocation::parse("postgres://me:pw@db/crm", root)
            .unwrap_err()
            .contains("password"));
        assert!(LedgerLocation::parse("postgres://db/crm?schema=a;b", root)
            .unwrap_err()
            .contains("not a schema name"));
    }
}
