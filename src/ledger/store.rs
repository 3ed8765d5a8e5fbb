//! The send ledger (SQLite): one row per (campaign, profile key, occurrence), moved
//! `reserved → sent | failed | deferred` by a run. A row is reserved, and the reservation
//! committed, before its message leaves; so a re-run never sends what was sent, and a crash
//! leaves exactly the in-flight messages `reserved`.
//!
//! Writes are grouped: a run reserves a batch in one transaction and records outcomes in
//! another, so the ledger is not what limits the sending rate.

use std::collections::HashSet;
use std::fmt;
use std::path::{Path, PathBuf};

use rusqlite::{params, Connection, OpenFlags, OptionalExtension};

use super::lease::{self, Holder, Lease, LeaseError, LEASE_SCHEMA};
use super::tables::{assign, read_decisions, ASSIGNMENTS_SCHEMA, ROLLOUTS_SCHEMA, SCHEMA};
use super::{Interrupted, LedgerError, Recorded, Reservation, SendKey};
use crate::model::SendState;
use crate::plan::{History, PastSend};

/// The ledger's layout; `PRAGMA user_version` says which one a file has. Layout 2 added the
/// lease ([`super::lease`]), which a tailor knowing only layout 1 would not respect; layout 3
/// the arm assignments ([`super::assignments`]) the report reads and the rollout decisions
/// ([`super::rollouts`]).
const SCHEMA_VERSION: i64 = 3;

/// The first bytes of every SQLite database file.
const SQLITE_HEADER: &[u8; 16] = b"SQLite format 3\0";

/// An open ledger, for writing (only `run` and `suppress` open one).
pub struct Ledger {
    connection: Connection,
    path: PathBuf,
    /// The lease this run holds, checked by every reservation ([`Ledger::take_lease`]).
    lease: Option<Lease>,
}

impl Drop for Ledger {
    fn drop(&mut self) {
        if let Some(lease) = &self.lease {
            lease::give_back(&self.connection, lease);
        }
    }
}

impl Ledger {
    pub(super) fn error(path: &Path, error: impl fmt::Display) -> LedgerError {
        LedgerError {
            path: path.to_path_buf(),
            message: error.to_string(),
        }
    }

    /// A failure of this ledger.
    pub(super) fn fail(&self, error: impl fmt::Display) -> LedgerError {
        Ledger::error(&self.path, error)
    }

    /// Runs `work` in one immediate transaction, committed when it succeeds, rolled back when
    /// it fails.
    pub(super) fn in_transaction<T, E: From<LedgerError>>(
        &mut self,
        work: impl FnOnce(&Ledger) -> Result<T, E>,
    ) -> Result<T, E> {
        self.connection
            .execute_batch("BEGIN IMMEDIATE")
            .map_err(|e| self.fail(e))?;
        match work(self) {
            Ok(value) => {
                self.connection.execute_batch("COMMIT").map_err(|e| self.fail(e))?;
                Ok(value)
            }
            Err(error) => {
                let _ = self.connection.execute_batch("ROLLBACK");
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
        let read = file.read(&mut header).map_err(|e| Ledger::error(path, e))?;
        if read < header.len() || &header != SQLITE_HEADER {
            return Err(Ledger::error(
                path,
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
        let tables: Vec<String> = self
            .connection
            .prepare("SELECT name FROM sqlite_master WHERE type = 'table'")
            .and_then(|mut s| s.query_map([], |r| r.get(0))?.collect())
            .map_err(|e| self.fail(format!("not a SQLite ledger: {e}")))?;
        if !tables.is_empty() && !tables.iter().any(|t| t == "sends") {
            return Err(self.fail(
                "the file is a SQLite database but not a tailor ledger (it has no `sends` table): point `delivery.ledger` at the ledger",
            ));
        }
        Ok(())
    }

    /// Opens the ledger at `path`, creating it (and its folder) when missing.
    pub fn open(path: &Path) -> Result<Ledger, LedgerError> {
        if let Some(folder) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(folder).map_err(|e| Ledger::error(path, e))?;
        }
        Ledger::refuse_foreign(path)?;
        let connection = Connection::open(path).map_err(|e| Ledger::error(path, e))?;
        let ledger = Ledger {
            connection,
            path: path.to_path_buf(),
            lease: None,
        };
        ledger.refuse_foreign_tables()?;
        ledger.prepare()?;
        Ok(ledger)
    }

    /// WAL (readers never wait for the run), full syncs (a reservation survives a power cut),
    /// the tables, and a check that the file is a ledger this version understands.
    fn prepare(&self) -> Result<(), LedgerError> {
        let c = &self.connection;
        c.busy_timeout(std::time::Duration::from_secs(10))
            .map_err(|e| self.fail(e))?;
        let version: i64 = c
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .map_err(|e| self.fail(format!("not a SQLite ledger: {e}")))?;
        if version > SCHEMA_VERSION {
            return Err(self.fail(format!(
                "written by a newer tailor (layout {version}; this one knows {SCHEMA_VERSION})"
            )));
        }
        c.pragma_update(None, "journal_mode", "WAL").map_err(|e| self.fail(e))?;
        c.pragma_update(None, "synchronous", "FULL").map_err(|e| self.fail(e))?;
        c.execute_batch(SCHEMA).map_err(|e| self.fail(e))?;
        c.execute_batch(LEASE_SCHEMA).map_err(|e| self.fail(e))?;
        c.execute_batch(ASSIGNMENTS_SCHEMA).map_err(|e| self.fail(e))?;
        c.execute_batch(ROLLOUTS_SCHEMA).map_err(|e| self.fail(e))?;
        c.pragma_update(None, "user_version", SCHEMA_VERSION)
            .map_err(|e| self.fail(e))?;
        Ok(())
    }

    /// Takes the ledger's lease for this run: refused while another live run holds it
    /// ([`super::lease`]). From then on every reservation checks that the lease is still ours.
    pub fn take_lease(&mut self) -> Result<(), LeaseError> {
        let holder = Holder::current();
        let lease = self.in_transaction(|ledger| lease::take(&ledger.connection, &holder))?;
        self.lease = Some(lease);
        Ok(())
    }

    /// Renews the lease this process holds (a long-lived holder, `serve`, calls it while idle,
    /// so that it is not taken for dead); an error when it is no longer ours.
    pub fn renew_lease(&self) -> Result<(), LeaseError> {
        match &self.lease {
            Some(lease) => lease::confirm(&self.connection, lease),
            None => Ok(()),
        }
    }

    /// The ledger's path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// What planning needs from the ledger at `path`, opened read-only; [`History::none`] when
    /// there is no ledger.
    pub fn history(path: &Path) -> Result<History, LedgerError> {
        if !path.exists() {
            return Ok(History::none(path));
        }
        let connection = Ledger::open_read_only(path)?;
        Ledger::read_history(&connection, path)
    }

    /// The existing ledger at `path`, read-only (it must be a SQLite file).
    pub(super) fn open_read_only(path: &Path) -> Result<Connection, LedgerError> {
        Ledger::refuse_foreign(path)?;
        Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_ONLY).map_err(|e| Ledger::error(path, e))
    }

    /// What planning needs from this open ledger (a run plans on the connection it writes
    /// with, after resolving interrupted sends).
    pub fn current_history(&self) -> Result<History, LedgerError> {
        Ledger::read_history(&self.connection, &self.path)
    }

    /// Every send row and suppressed address of the ledger open on `connection`.
    fn read_history(connection: &Connection, path: &Path) -> Result<History, LedgerError> {
        let fail = |e: rusqlite::Error| Ledger::error(path, e);
        let has_tables: Option<String> = connection
            .query_row(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'sends'",
                [],
                |r| r.get(0),
            )
            .optional()
            .map_err(fail)?;
        if has_tables.is_none() {
            return Ok(History::from_rows(
                &format!("ledger {}", path.display()),
                Vec::new(),
                HashSet::new(),
            ));
        }
        let mut statement = connection
            .prepare("SELECT campaign, profile_key, occurrence, state, at FROM sends")
            .map_err(fail)?;
        let rows = statement
            .query_map([], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, String>(3)?,
                    r.get::<_, i64>(4)?,
                ))
            })
            .map_err(fail)?;
        let mut sends = Vec::new();
        for row in rows {
            let (campaign, key, occurrence, state, at) = row.map_err(fail)?;
            let state =
                SendState::parse(&state).ok_or_else(|| Ledger::error(path, format!("unknown send state `{state}`")))?;
            sends.push(PastSend {
                campaign,
                key,
                occurrence,
                state,
                at,
            });
        }
        let mut statement = connection.prepare("SELECT address FROM suppressions").map_err(fail)?;
        let suppressed = statement
            .query_map([], |r| r.get::<_, String>(0))
            .map_err(fail)?
            .collect::<Result<HashSet<_>, _>>()
            .map_err(fail)?;
        let decisions = read_decisions(connection).map_err(fail)?;
        Ok(History::from_rows(&format!("ledger {}", path.display()), sends, suppressed).with_decisions(decisions))
    }

    /// Resolves the rows a stopped run left `reserved`: at-least-once makes them `deferred`
    /// (the next send carries the same Message-ID, so receivers can drop a duplicate);
    /// at-most-once makes them `uncertain` (never resent). Returns them, for the run to list.
    pub fn resolve_interrupted(&mut self, at_most_once: bool, now: i64) -> Result<Vec<Interrupted>, LedgerError> {
        let to = if at_most_once {
            SendState::Uncertain
        } else {
            SendState::Deferred
        };
        let transaction = self
            .connection
            .transaction()
            .map_err(|e| Ledger::error(&self.path, e))?;
        let interrupted = {
            let mut statement = transaction
                .prepare(
                    "UPDATE sends SET state = ?1, updated_at = ?2, reply = 'in flight when a run stopped'
                     WHERE state = 'reserved' RETURNING campaign, profile_key, occurrence, message_id",
                )
                .map_err(|e| Ledger::error(&self.path, e))?;
            let rows = statement
                .query_map(params![to.name(), now], |r| {
                    Ok(Interrupted {
                        send: SendKey {
                            campaign: r.get(0)?,
                            key: r.get(1)?,
                            occurrence: r.get(2)?,
                        },
                        message_id: r.get(3)?,
                        now: to,
                    })
                })
                .map_err(|e| Ledger::error(&self.path, e))?;
            let mut interrupted = rows
                .collect::<Result<Vec<_>, _>>()
                .map_err(|e| Ledger::error(&self.path, e))?;
            interrupted.sort_by(|a, b| {
                (&a.send.campaign, &a.send.key, &a.send.occurrence).cmp(&(
                    &b.send.campaign,
                    &b.send.key,
                    &b.send.occurrence,
                ))
            });
            interrupted
        };
        transaction.commit().map_err(|e| Ledger::error(&self.path, e))?;
        Ok(interrupted)
    }

    /// Reserves `batch` in one transaction, committed before any of it is sent. Returns, per
    /// reservation, whether it was granted: a new send whose row exists, or a retry whose row
    /// is no longer `deferred`, is not.
    pub fn reserve(&mut self, batch: &[Reservation], now: i64) -> Result<Vec<bool>, LedgerError> {
        let path = self.path.clone();
        let fail = |e: rusqlite::Error| Ledger::error(&path, e);
        let transaction = self.connection.transaction().map_err(fail)?;
        // The lease is checked (and renewed) in the transaction that claims the sends.
        if let Some(lease) = &self.lease {
            lease::confirm(&transaction, lease).map_err(|e| Ledger::error(&path, e))?;
        }
        let mut granted = Vec::with_capacity(batch.len());
        {
            let mut insert = transaction
                .prepare_cached(
                    "INSERT INTO sends (campaign, profile_key, occurrence, state, variant, message_id, at, updated_at)
                     VALUES (?1, ?2, ?3, 'reserved', ?4, ?5, ?6, ?6) ON CONFLICT DO NOTHING",
                )
                .map_err(fail)?;
            let mut retry = transaction
                .prepare_cached(
                    "UPDATE sends SET state = 'reserved', variant = ?4, message_id = ?5, updated_at = ?6
                     WHERE campaign = ?1 AND profile_key = ?2 AND occurrence = ?3 AND state = 'deferred'",
                )
                .map_err(fail)?;
            for r in batch {
                let statement = if r.retry { &mut retry } else { &mut insert };
                let changed = statement
                    .execute(params![
                        r.send.campaign,
                        r.send.key,
                        r.send.occurrence,
                        r.variant,
                        r.message_id,
                        now
                    ])
                    .map_err(fail)?;
                if changed == 1 {
                    // A profile's arm, and the moment its outcomes start to count.
                    assign(&transaction, &r.send.campaign, &r.send.key, &r.variant, now).map_err(fail)?;
                }
                granted.push(changed == 1);
            }
        }
        transaction.commit().map_err(fail)?;
        Ok(granted)
    }

    /// Records how sends ended, in one transaction; a `sent` row's time becomes `now`. (A row
    /// is normally there, reserved; it is written whole when it is not.)
    pub fn record(&mut self, outcomes: &[Recorded], now: i64) -> Result<(), LedgerError> {
        if outcomes.is_empty() {
            return Ok(());
        }
        let path = self.path.clone();
        let fail = |e: rusqlite::Error| Ledger::error(&path, e);
        let transaction = self.connection.transaction().map_err(fail)?;
        {
            let mut update = transaction
                .prepare_cached(
                    "INSERT INTO sends (campaign, profile_key, occurrence, state, variant, message_id, at, updated_at, attempts, reply)
                     VALUES (?1, ?2, ?3, ?4, ?8, ?9, ?7, ?7, ?5, ?6)
                     ON CONFLICT (campaign, profile_key, occurrence) DO UPDATE SET
                       state = excluded.state, attempts = sends.attempts + excluded.attempts,
                       reply = excluded.reply, updated_at = excluded.updated_at,
                       at = CASE WHEN excluded.state = 'sent' THEN excluded.updated_at ELSE sends.at END",
                )
                .map_err(fail)?;
            for o in outcomes {
                update
                    .execute(params![
                        o.send.campaign,
                        o.send.key,
                        o.send.occurrence,
                        o.state.name(),
                        o.attempts,
                        o.reply,
                        now,
                        o.variant,
                        o.message_id
                    ])
                    .map_err(fail)?;
            }
        }
        transaction.commit().map_err(fail)
    }

    /// Gives back reservations whose messages never left (a run that stopped itself): a
    /// retry goes back to `deferred`, a new send is forgotten.
    pub fn release(&mut self, sends: &[(SendKey, bool)]) -> Result<(), LedgerError> {
        let path = self.path.clone();
        let fail = |e: rusqlite::Error| Ledger::error(&path, e);
        let transaction = self.connection.transaction().map_err(fail)?;
        {
            let mut forget = transaction
                .prepare_cached(
                    "DELETE FROM sends WHERE campaign = ?1 AND profile_key = ?2 AND occurrence = ?3 AND state = 'reserved'",
                )
                .map_err(fail)?;
            let mut defer = transaction
                .prepare_cached(
                    "UPDATE sends SET state = 'deferred' WHERE campaign = ?1 AND profile_key = ?2 AND occurrence = ?3 AND state = 'reserved'",
                )
                .map_err(fail)?;
            for (send, retry) in sends {
                let statement = if *retry { &mut defer } else { &mut forget };
                statement
                    .execute(params![send.campaign, send.key, send.occurrence])
                    .map_err(fail)?;
            }
        }
        transaction.commit().map_err(fail)
    }

    /// The connection, for the suppression list.
    pub(super) fn connection(&self) -> &Connection {
        &self.connection
    }
}
