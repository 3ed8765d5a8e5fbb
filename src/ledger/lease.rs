//! One run per ledger at a time: a lease row inside the ledger itself, naming the run that
//! holds it (process id, its start time and host) and renewed by every transaction that
//! reserves sends. It cannot be side-stepped by deleting a file beside the ledger: a run takes
//! the lease in the same database it writes, and each reservation checks, in its own
//! transaction, that the lease is still this run's.
//!
//! A lease whose holder is gone (a killed run: its process no longer exists on this host, or
//! the lease was not renewed for [`STALE_AFTER_SECONDS`] when held from another host) is taken
//! over, and the next run resolves what the dead one left reserved.

use std::fmt;
use std::time::{SystemTime, UNIX_EPOCH};

use rusqlite::{params, Connection, OptionalExtension};
use sha2::{Digest, Sha256};

/// A lease held from another host counts as abandoned after this long without renewal.
pub const STALE_AFTER_SECONDS: i64 = 15 * 60;

/// The lease's table (part of the ledger's layout).
pub(super) const LEASE_SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS lease (
    id          INTEGER PRIMARY KEY CHECK (id = 1),
    token       TEXT    NOT NULL,  -- unique to the holding run
    pid         INTEGER NOT NULL,
    started     TEXT    NOT NULL,  -- the process's start time, so a reused pid is not taken for it
    host        TEXT    NOT NULL,
    taken_at    INTEGER NOT NULL,  -- wall clock, Unix seconds
    renewed_at  INTEGER NOT NULL
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

/// Takes the lease on the ledger open on `connection` for `holder` (inside the caller's
/// immediate transaction, so two runs cannot both see it free): refused while another live
/// run holds it; taken over from a dead one.
pub(super) fn take(connection: &Connection, holder: &Holder) -> Result<Lease, LeaseError> {
    let fail = |e: rusqlite::Error| LeaseError::Ledger(e.to_string());
    let now = wall_clock();
    let current = connection
        .query_row(
            "SELECT pid, started, host, renewed_at FROM lease WHERE id = 1",
            [],
            |r| {
                Ok((
                    Holder {
                        pid: r.get(0)?,
                        started: r.get(1)?,
                        host: r.get(2)?,
                    },
                    r.get::<_, i64>(3)?,
                ))
            },
        )
        .optional()
        .map_err(fail)?;
    if let Some((other, renewed_at)) = current {
        if other.is_alive(renewed_at, now) {
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
    connection
        .execute(
            "INSERT OR REPLACE INTO lease (id, token, pid, started, host, taken_at, renewed_at)
             VALUES (1, ?1, ?2, ?3, ?4, ?5, ?5)",
            params![token, holder.pid, holder.started, holder.host, now],
        )
        .map_err(fail)?;
    Ok(Lease { token })
}

/// Inside a transaction that writes the ledger: checks that `lease` is still the ledger's
/// lease, and renews it.
pub(super) fn confirm(connection: &Connection, lease: &Lease) -> Result<(), LeaseError> {
    let renewed = connection
        .execute(
            "UPDATE lease SET renewed_at = ?2 WHERE id = 1 AND token = ?1",
            params![lease.token, wall_clock()],
        )
        .map_err(|e| LeaseError::Ledger(e.to_string()))?;
    if renewed == 1 {
        Ok(())
    } else {
        Err(LeaseError::Lost)
    }
}

/// Gives the lease back (the run ended); a lease taken over meanwhile is left alone.
pub(super) fn give_back(connection: &Connection, lease: &Lease) {
    // A failure here leaves a lease whose holder is gone: the next run takes it over.
    let _ = connection.execute("DELETE FROM lease WHERE id = 1 AND token = ?1", params![lease.token]);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ledger() -> Connection {
        let connection = Connection::open_in_memory().unwrap();
        connection.execute_batch(LEASE_SCHEMA).unwrap();
        connection
    }

    #[test]
    fn a_live_holder_keeps_the_lease_and_a_dead_one_loses_it() {
        let connection = ledger();
        let me = Holder::current();
        let lease = take(&connection, &me).unwrap();
        assert_eq!(take(&connection, &me), Err(LeaseError::Held(me.clone())));
        assert_eq!(confirm(&connection, &lease), Ok(()));
        // A holder whose process is gone (no process has this id and start time).
        let dead = Holder {
            pid: u32::MAX - 1,
            started: "1".into(),
            host: me.host.clone(),
        };
        connection
            .execute(
                "UPDATE lease SET pid = ?1, started = ?2",
                params![dead.pid, dead.started],
            )
            .unwrap();
        let taken_over = take(&connection, &me).unwrap();
        assert_eq!(confirm(&connection, &lease), Err(LeaseError::Lost));
        assert_eq!(confirm(&connection, &taken_over), Ok(()));
        give_back(&connection, &taken_over);
        assert!(take(&connection, &me).is_ok());
    }

    #[test]
    fn the_process_start_time_is_read() {
        assert!(process_start(std::process::id()).is_some());
    }
}
