//! The send ledger: one row per (campaign, profile key, occurrence), moved
//! `reserved → sent | failed | deferred` by a run ([`super::sends`]). It lives in a SQLite
//! file, or in a PostgreSQL database that many runs share ([`LedgerLocation`]); this file opens
//! either, lays out its tables, and holds the lease.

use std::fmt;
use std::path::Path;

use super::database::Database;
use super::lease::{self, Holder, Lease, LeaseError, Sharing, LEASE_SCHEMA, SHARED_LEASE_SCHEMA};
use super::tables::{postgres_layout, ASSIGNMENTS_SCHEMA, LAYOUT_4_COLUMNS, ROLLOUTS_SCHEMA, SENDS_SCHEMA};
use super::LedgerError;
use crate::model::LedgerLocation;

/// The ledger's layout; SQLite's `PRAGMA user_version` (PostgreSQL's `layout` table) says which
/// one a ledger has. Layout 2 added the lease ([`super::lease`]), which a tailor knowing only
/// layout 1 would not respect; layout 3 the arm assignments ([`super::assignments`]) the report
/// reads and the rollout decisions ([`super::rollouts`]); layout 4 which run holds each
/// reserved send, so that runs can share a ledger.
const SCHEMA_VERSION: i64 = 4;

/// The first bytes of every SQLite database file.
const SQLITE_HEADER: &[u8; 16] = b"SQLite format 3\0";

/// A PostgreSQL ledger's layout version.
const POSTGRES_VERSION_TABLE: &str = "CREATE TABLE IF NOT EXISTS layout (version BIGINT NOT NULL);";

/// An open ledger, for writing (only `run`, `serve`, `suppress` and `events` open one).
pub struct Ledger {
    pub(super) database: Database,
    /// Where it is, as errors name it.
    location: String,
    /// The lease this run holds, checked by every reservation ([`Ledger::take_lease`]).
    pub(super) lease: Option<Lease>,
}

impl Drop for Ledger {
    fn drop(&mut self) {
        if let Some(lease) = &self.lease {
            lease::give_back(&self.database, lease);
        }
    }
}

impl Ledger {
    pub(super) fn error(location: &impl fmt::Display, error: impl fmt::Display) -> LedgerError {
        LedgerError {
            location: location.to_string(),
            message: error.to_string(),
        }
    }

    /// A failure of this ledger.
    pub(super) fn fail(&self, error: impl fmt::Display) -> LedgerError {
        Ledger::error(&self.location, error)
    }

    /// Runs `work` in one transaction, committed when it succeeds, rolled back when it fails.
    pub(super) fn in_transaction<T, E: From<LedgerError>>(
        &mut self,
        work: impl FnOnce(&Ledger) -> Result<T, E>,
    ) -> Result<T, E> {
        self.database.begin().map_err(|e| self.fail(e))?;
        match work(self) {
            Ok(value) => {
                self.database.batch("COMMIT").map_err(|e| self.fail(e))?;
                Ok(value)
            }
            Err(error) => {
                let _ = self.database.batch("ROLLBACK");
                Err(error)
            }
        }
    }

    /// Refuses a file at `path` that exists but is not a tailor ledger (an empty file, another
    /// program's file): taking it for a new ledger would send everything again.
    fn refuse_foreign(path: &Path) -> Result<(), LedgerError> {
        use std::io::Read as _;
        let Ok(mut file) = std::fs::File::open(path) else {
            return Ok(());
        };
        let mut header = [0u8; 16];
        let read = file.read(&mut header).map_err(|e| Ledger::error(&path.display(), e))?;
        if read < header.len() || &header != SQLITE_HEADER {
            return Err(Ledger::error(
                &path.display(),
                format!(
                    "the file exists but is not a tailor ledger ({}): refusing to treat it as a new one, which would send everything again; restore the ledger, or remove the file if no run ever sent from it",
                    if read == 0 { "it is empty".to_string() } else { "not a SQLite database".to_string() }
                ),
            ));
        }
        Ok(())
    }

    /// A ledger file that holds tables, but not the ledger's, belongs to something else.
    fn refuse_foreign_tables(&self) -> Result<(), LedgerError> {
        let tables = self
            .database
            .query("SELECT COUNT(*) FROM sqlite_master WHERE type = 'table'", &[])
            .and_then(|rows| rows.first().map_or(Ok(0), |row| row.int(0)))
            .map_err(|e| self.fail(format!("not a SQLite ledger: {e}")))?;
        let has_sends = self.database.has_table("sends").map_err(|e| self.fail(e))?;
        if tables > 0 && !has_sends {
            return Err(self.fail(
                "the file is a SQLite database but not a tailor ledger (it has no `sends` table): point `delivery.ledger` at the ledger",
            ));
        }
        Ok(())
    }

    /// Opens the ledger at `location`, creating it (its folder, or its schema and tables) when
    /// missing.
    pub fn open(location: &LedgerLocation) -> Result<Ledger, LedgerError> {
        let name = location.to_string();
        let database = match location {
            LedgerLocation::File(path) => {
                if let Some(folder) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
                    std::fs::create_dir_all(folder).map_err(|e| Ledger::error(&name, e))?;
                }
                Ledger::refuse_foreign(path)?;
                Database::sqlite(path, false)
            }
            LedgerLocation::Postgres { url, schema, .. } => Database::postgres(url, schema.as_deref()),
        }
        .map_err(|e| Ledger::error(&name, e))?;
        let ledger = Ledger {
            database,
            location: name,
            lease: None,
        };
        match location {
            LedgerLocation::File(_) => {
                ledger.refuse_foreign_tables()?;
                ledger.prepare_sqlite()?;
            }
            LedgerLocation::Postgres { schema, .. } => ledger.prepare_postgres(schema.as_deref())?,
        }
        Ok(ledger)
    }

    /// WAL (readers never wait for the run), full syncs (a reservation survives a power cut),
    /// the tables, and a check that the file is a ledger this version understands.
    fn prepare_sqlite(&self) -> Result<(), LedgerError> {
        let Database::Sqlite(c) = &self.database else {
            return Ok(());
        };
        let version: i64 = c
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .map_err(|e| self.fail(format!("not a SQLite ledger: {e}")))?;
        self.refuse_newer(version)?;
        c.pragma_update(None, "journal_mode", "WAL").map_err(|e| self.fail(e))?;
        c.pragma_update(None, "synchronous", "FULL").map_err(|e| self.fail(e))?;
        for layout in [SENDS_SCHEMA, LEASE_SCHEMA, ASSIGNMENTS_SCHEMA, ROLLOUTS_SCHEMA] {
            self.database.batch(layout).map_err(|e| self.fail(e))?;
        }
        // Tables an older layout created lack layout 4's columns.
        for (table, column, definition) in LAYOUT_4_COLUMNS {
            let present: i64 = c
                .query_row(
                    "SELECT COUNT(*) FROM pragma_table_info(?1) WHERE name = ?2",
                    [table, column],
                    |r| r.get(0),
                )
                .map_err(|e| self.fail(e))?;
            if present == 0 {
                self.database
                    .batch(&format!("ALTER TABLE {table} ADD COLUMN {column} {definition}"))
                    .map_err(|e| self.fail(e))?;
            }
        }
        c.pragma_update(None, "user_version", SCHEMA_VERSION)
            .map_err(|e| self.fail(e))?;
        Ok(())
    }

    /// The schema and tables, laid out once however many runs open the ledger at the same
    /// moment (an advisory lock serializes them), and a check that this version understands
    /// the layout.
    fn prepare_postgres(&self, schema: Option<&str>) -> Result<(), LedgerError> {
        let mut layout = String::from("SELECT pg_advisory_xact_lock(7305125);\n");
        if let Some(schema) = schema {
            // Checked to be letters, digits and `_` with the manifest.
            layout.push_str(&format!("CREATE SCHEMA IF NOT EXISTS \"{schema}\";\n"));
        }
        layout.push_str(POSTGRES_VERSION_TABLE);
        for part in [SENDS_SCHEMA, ASSIGNMENTS_SCHEMA, ROLLOUTS_SCHEMA] {
            layout.push_str(&postgres_layout(part));
        }
        layout.push_str(SHARED_LEASE_SCHEMA);
        let work = || -> Result<(), String> {
            self.database.batch("BEGIN")?;
            self.database.batch(&layout)?;
            let version = self
                .database
                .query("SELECT MAX(version) FROM layout", &[])?
                .first()
                .and_then(|row| row.int(0).ok());
            match version {
                Some(version) => {
                    self.refuse_newer(version).map_err(|e| e.message)?;
                    self.database
                        .execute("UPDATE layout SET version = ?1", &[SCHEMA_VERSION.into()])?;
                }
                None => {
                    self.database
                        .execute("INSERT INTO layout (version) VALUES (?1)", &[SCHEMA_VERSION.into()])?;
                }
            }
            self.database.batch("COMMIT")
        };
        work().map_err(|e| {
            let _ = self.database.batch("ROLLBACK");
            self.fail(e)
        })
    }

    /// Refuses a ledger a newer tailor laid out.
    fn refuse_newer(&self, version: i64) -> Result<(), LedgerError> {
        if version > SCHEMA_VERSION {
            return Err(self.fail(format!(
                "written by a newer tailor (layout {version}; this one knows {SCHEMA_VERSION})"
            )));
        }
        Ok(())
    }

    /// Takes a lease on the ledger for this process: alone, or beside other senders where the
    /// ledger allows it (PostgreSQL); refused while a live run holds a lease that excludes it
    /// ([`super::lease`]). From then on every reservation checks that the lease is still ours.
    pub fn take_lease(&mut self, sharing: Sharing) -> Result<(), LeaseError> {
        let holder = Holder::current();
        let lease = self.in_transaction(|ledger| lease::take(&ledger.database, &holder, sharing))?;
        self.lease = Some(lease);
        Ok(())
    }

    /// Renews the lease this process holds (a long-lived holder, `serve`, calls it while idle,
    /// so that it is not taken for dead); an error when it is no longer ours.
    pub fn renew_lease(&self) -> Result<(), LeaseError> {
        match &self.lease {
            Some(lease) => lease::confirm(&self.database, lease),
            None => Ok(()),
        }
    }

    /// The lease token this process holds, or empty (what its reserved rows carry).
    pub(super) fn worker(&self) -> &str {
        self.lease.as_ref().map_or("", |lease| lease.token.as_str())
    }

    /// The ledger at `location`, read-only; `None` when there is none (no file, or no tables
    /// in the database).
    pub(super) fn read_only(location: &LedgerLocation) -> Result<Option<Database>, LedgerError> {
        let fail = |e| Ledger::error(location, e);
        match location {
            LedgerLocation::File(path) => {
                if !path.exists() {
                    return Ok(None);
                }
                Ledger::refuse_foreign(path)?;
                Database::sqlite(path, true).map(Some).map_err(fail)
            }
            LedgerLocation::Postgres { url, schema, .. } => {
                let database = Database::postgres(url, schema.as_deref()).map_err(fail)?;
                match database.has_table("sends").map_err(fail)? {
                    true => Ok(Some(database)),
                    false => Ok(None),
                }
            }
        }
    }

    /// Whether the ledger at `location` can be reached and read (`check --online`): a missing
    /// one is fine (the first run lays it out).
    pub fn reachable(location: &LedgerLocation) -> Result<(), LedgerError> {
        Ledger::read_only(location).map(|_| ())
    }

    /// Whether several senders may hold the ledger at once (it is in PostgreSQL).
    pub fn is_shared(&self) -> bool {
        self.database.is_shared()
    }

    /// Where the ledger is, as its errors name it.
    pub fn location(&self) -> &str {
        &self.location
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ledger::{Recorded, Reservation, SendKey, Sharing};
    use crate::model::SendState;

    /// A ledger as a tailor knowing layout 3 left it: no `sends.worker`, no `lease.shared`, a
    /// send in flight.
    fn layout_3_ledger(path: &Path) {
        let connection = rusqlite::Connection::open(path).unwrap();
        connection
            .execute_batch(
                "CREATE TABLE sends (
                    campaign TEXT NOT NULL, profile_key TEXT NOT NULL, occurrence TEXT NOT NULL,
                    state TEXT NOT NULL, variant TEXT NOT NULL, message_id TEXT NOT NULL,
                    at INTEGER NOT NULL, updated_at INTEGER NOT NULL, attempts INTEGER NOT NULL DEFAULT 0,
                    reply TEXT, PRIMARY KEY (campaign, profile_key, occurrence)) WITHOUT ROWID;
                 CREATE TABLE lease (id INTEGER PRIMARY KEY CHECK (id = 1), token TEXT NOT NULL,
                    pid INTEGER NOT NULL, started TEXT NOT NULL, host TEXT NOT NULL,
                    taken_at INTEGER NOT NULL, renewed_at INTEGER NOT NULL);
                 INSERT INTO sends VALUES ('winback', 'u1', 'o1', 'reserved', 'gentle', '<a@x>', 5, 5, 0, NULL);
                 PRAGMA user_version = 3;",
            )
            .unwrap();
    }

    #[test]
    fn a_layout_3_ledger_is_brought_to_layout_4_and_its_send_in_flight_resolved() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("ledger.sqlite");
        layout_3_ledger(&path);
        let mut ledger = Ledger::open(&LedgerLocation::File(path.clone())).unwrap();
        ledger.take_lease(Sharing::Exclusive).unwrap();
        let interrupted = ledger.resolve_interrupted(false, 10).unwrap();
        assert_eq!(interrupted.len(), 1);
        assert_eq!(interrupted[0].now, SendState::Deferred);
        // The retry is reserved by this run and recorded; a new send too.
        let send = |key: &str, occurrence: &str| SendKey {
            campaign: "winback".into(),
            key: key.into(),
            occurrence: occurrence.into(),
        };
        let reservations = [(send("u1", "o1"), true), (send("u2", "o1"), false)].map(|(send, retry)| Reservation {
            send,
            variant: "gentle".into(),
            message_id: "<a@x>".into(),
            retry,
        });
        assert_eq!(ledger.reserve(&reservations, 20).unwrap(), [true, true]);
        let outcomes: Vec<Recorded> = reservations
            .iter()
            .map(|r| Recorded {
                send: r.send.clone(),
                variant: r.variant.clone(),
                message_id: r.message_id.clone(),
                state: SendState::Sent,
                attempts: 1,
                reply: "250 ok".into(),
            })
            .collect();
        ledger.record(&outcomes, 20).unwrap();
        drop(ledger);
        let connection = rusqlite::Connection::open(&path).unwrap();
        let version: i64 = connection.query_row("PRAGMA user_version", [], |r| r.get(0)).unwrap();
        assert_eq!(version, SCHEMA_VERSION);
        let sent: i64 = connection
            .query_row(
                "SELECT COUNT(*) FROM sends WHERE state = 'sent' AND worker = ''",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(sent, 2);
    }
}
