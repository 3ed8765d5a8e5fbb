//! Who may write the ledger: a lease row inside the ledger itself per run holding it, naming
//! the run (process id, its start time and host) and renewed by every transaction that reserves
//! sends. It cannot be side-stepped by deleting a file beside the ledger: a run takes the lease
//! in the same database it writes, and each reservation checks, in its own transaction, that
//! the lease is still this run's.
//!
//! A SQLite ledger has one holder at a time. A PostgreSQL ledger is shared: any number of
//! `run`s hold *shared* leases at once and split the sends between them (each reserved row
//! names its run's lease), while an *exclusive* holder (`serve`, or a verb rewriting the event
//! log) excludes every other.
//!
//! A lease whose holder is gone (a killed run: its process no longer exists on this host, or
//! the lease was not renewed for [`STALE_AFTER_SECONDS`] when held from another host) is taken
//! over, and the run taking it resolves what the dead one left reserved.

use std::fmt;
use std::time::{SystemTime, UNIX_EPOCH};

use sha2::{Digest, Sha256};

use super::database::Database;

/// A lease held from another host counts as abandoned after this long without renewal.
pub const STALE_AFTER_SECONDS: i64 = 15 * 60;

/// The lease's table in a SQLite ledger: one row (part of the ledger's layout; `shared`, always
/// 0 there, from layout 4).
pub(super) const LEASE_SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS lease (
    id          INTEGER PRIMARY KEY CHECK (id = 1),
    token       TEXT    NOT NULL,  -- unique to the holding run
    pid         INTEGER NOT NULL,
    started     TEXT    NOT NULL,  -- the process's start time, so a reused pid is not taken for it
    host        TEXT    NOT NULL,
    taken_at    INTEGER NOT NULL,  -- wall clock, Unix seconds
    renewed_at  INTEGER NOT NULL,
    shared      INTEGER NOT NULL DEFAULT 0
);
";

/// The lease's table in a PostgreSQL ledger: a row per holder.
pub(super) const SHARED_LEASE_SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS lease (
    token       TEXT    NOT NULL PRIMARY KEY,
    pid         BIGINT  NOT NULL,
    started     TEXT    NOT NULL,
    host        TEXT    NOT NULL,
    taken_at    BIGINT  NOT NULL,
    renewed_at  BIGINT  NOT NULL,
    shared      BIGINT  NOT NULL DEFAULT 0  -- 1: a sender that shares the ledger with others
);
";

/// Who holds a lease.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Holder {
    /// Its process id.
    pub pid: u32,
    /// Its process's start time (clock ticks since boot, from `/proc`), or empty.
    pub started: String,
    /// Its host name.
    pub host: String,
}

impl fmt::Display for Holder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "process {} on {}", self.pid, self.host)
    }
}

impl Holder {
    /// This process.
    pub fn current() -> Holder {
        let pid = std::process::id();
        Holder {
            pid,
            started: process_start(pid).unwrap_or_default(),
            host: host_name(),
        }
    }

    /// Whether the holder still runs, as far as this host can tell: a process on this host is
    /// checked directly; one elsewhere by how recently it renewed the lease.
    fn is_alive(&self, renewed_at: i64, now: i64) -> bool {
        if self.host == host_name() && std::path::Path::new("/proc/self/stat").exists() {
            return process_start(self.pid).is_some_and(|started| started == self.started);
        }
        now - renewed_at < STALE_AFTER_SECONDS
    }
}

/// The lease a run holds; its token is checked by every reservation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lease {
    /// Unique to this run.
    pub token: String,
}

/// Why the lease was not taken or kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LeaseError {
    /// Another live run holds it.
    Held(Holder),
    /// This run's lease was taken over (it was thought dead): it must stop at once.
    Lost,
    /// The ledger failed.
    Ledger(String),
}

impl From<super::LedgerError> for LeaseError {
    fn from(error: super::LedgerError) -> LeaseError {
        LeaseError::Ledger(error.to_string())
    }
}

impl fmt::Display for LeaseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LeaseError::Held(holder) => write!(f, "another run ({holder}) holds the ledger's lease"),
            LeaseError::Lost => write!(f, "this run's lease on the ledger was taken over by another run"),
            LeaseError::Ledger(message) => write!(f, "{message}"),
        }
    }
}

fn wall_clock() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}

/// The start time of process `pid` (field 22 of `/proc/PID/stat`), when it exists.
fn process_start(pid: u32) -> Option<String> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // The command name (field 2) may hold spaces and parentheses: count from its end.
    let after_name = &stat[stat.rfind(')')? + 1..];
    after_name.split_whitespace().nth(19).map(str::to_string)
}

/// This machine's name.
fn host_name() -> String {
    ["/proc/sys/kernel/hostname", "/etc/hostname"]
        .iter()
        .find_map(|p| std::fs::read_to_string(p).ok())
        .map(|h| h.trim().to_string())
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| "unknown-host".to_string())
}

/// How a run holds the lease.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sharing {
    /// Alone: refused while anyone else holds it.
    Exclusive,
    /// Beside other shared holders, where the ledger allows it (PostgreSQL); alone elsewhere.
    Shared,
}

/// Takes a lease on the ledger open on `database` for `holder` (inside the caller's
/// transaction, the lease table locked, so two runs cannot both see it free): refused while a
/// live run holds one that excludes this one; a dead holder's lease is dropped.
pub(super) fn take(database: &Database, holder: &Holder, sharing: Sharing) -> Result<Lease, LeaseError> {
    let fail = LeaseError::Ledger;
    let shared = sharing == Sharing::Shared && database.is_shared();
    database.lock_table("lease").map_err(fail)?;
    let now = wall_clock();
    let holders = database
        .query("SELECT token, pid, started, host, renewed_at, shared FROM lease", &[])
        .map_err(fail)?;
    for row in holders {
        let other = Holder {
            pid: u32::try_from(row.int(1).map_err(fail)?).unwrap_or(u32::MAX),
            started: row.text(2).map_err(fail)?,
            host: row.text(3).map_err(fail)?,
        };
        if !other.is_alive(row.int(4).map_err(fail)?, now) {
            database
                .execute(
                    "DELETE FROM lease WHERE token = ?1",
                    &[(&row.text(0).map_err(fail)?).into()],
                )
                .map_err(fail)?;
        } else if !(shared && row.int(5).map_err(fail)? == 1) {
            return Err(LeaseError::Held(other));
        }
    }
    let token: String = Sha256::new()
        .chain_update(format!(
            "{}:{}:{}:{:?}",
            holder.pid,
            holder.started,
            holder.host,
            SystemTime::now()
        ))
        .finalize()[..16]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    database
        .execute(
            "INSERT INTO lease (token, pid, started, host, taken_at, renewed_at, shared)
             VALUES (?1, ?2, ?3, ?4, ?5, ?5, ?6)",
            &[
                (&token).into(),
                i64::from(holder.pid).into(),
                (&holder.started).into(),
                (&holder.host).into(),
                now.into(),
                i64::from(shared).into(),
            ],
        )
        .map_err(fail)?;
    Ok(Lease { token })
}

/// Inside a transaction that writes the ledger: checks that `lease` is still held, and renews
/// it.
pub(super) fn confirm(database: &Database, lease: &Lease) -> Result<(), LeaseError> {
    let renewed = database
        .execute(
            "UPDATE lease SET renewed_at = ?2 WHERE token = ?1",
            &[(&lease.token).into(), wall_clock().into()],
        )
        .map_err(LeaseError::Ledger)?;
    if renewed == 1 {
        Ok(())
    } else {
        Err(LeaseError::Lost)
    }
}

/// Gives the lease back (the run ended); a lease taken over meanwhile is left alone.
pub(super) fn give_back(database: &Database, lease: &Lease) {
    // A failure here leaves a lease whose holder is gone: the next run takes it over.
    let _ = database.execute("DELETE FROM lease WHERE token = ?1", &[(&lease.token).into()]);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ledger() -> Database {
        let database = Database::Sqlite(rusqlite::Connection::open_in_memory().unwrap());
        database.batch(LEASE_SCHEMA).unwrap();
        database
    }

    #[test]
    fn a_live_holder_keeps_the_lease_and_a_dead_one_loses_it() {
        let database = ledger();
        let me = Holder::current();
        let lease = take(&database, &me, Sharing::Exclusive).unwrap();
        assert_eq!(
            take(&database, &me, Sharing::Exclusive),
            Err(LeaseError::Held(me.clone()))
        );
        // A SQLite ledger is never shared.
        assert_eq!(take(&database, &me, Sharing::Shared), Err(LeaseError::Held(me.clone())));
        assert_eq!(confirm(&database, &lease), Ok(()));
        // A holder whose process is gone (no process has this id and start time).
        database
            .execute(
                "UPDATE lease SET pid = ?1, started = ?2",
                &[i64::from(u32::MAX - 1).into(), "1".into()],
            )
            .unwrap();
        let taken_over = take(&database, &me, Sharing::Exclusive).unwrap();
        assert_eq!(confirm(&database, &lease), Err(LeaseError::Lost));
        assert_eq!(confirm(&database, &taken_over), Ok(()));
        give_back(&database, &taken_over);
        assert!(take(&database, &me, Sharing::Exclusive).is_ok());
    }

    #[test]
    fn the_process_start_time_is_read() {
        assert!(process_start(std::process::id()).is_some());
    }
}
