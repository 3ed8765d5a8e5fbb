//! The suppression list: addresses never mailed again, kept in the ledger. Fed by permanent
//! SMTP failures and by `tailor suppress add|import`; every plan and run honours it.

use rusqlite::params;

use super::{Ledger, LedgerError};

/// One suppressed address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Suppression {
    /// The address, lowercased.
    pub address: String,
    /// Why.
    pub reason: String,
    /// Where it came from: `smtp`, `add` or `import`.
    pub source: String,
    /// When (Unix seconds).
    pub added_at: i64,
}

impl Ledger {
    /// Suppresses `address` (compared lowercased); false when it already was.
    pub fn suppress(&self, address: &str, reason: &str, source: &str, now: i64) -> Result<bool, LedgerError> {
        self.connection()
            .execute(
                "INSERT INTO suppressions (address, reason, source, added_at) VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT DO NOTHING",
                params![address.trim().to_lowercase(), reason, source, now],
            )
            .map(|changed| changed == 1)
            .map_err(|e| self.fail(e))
    }

    /// Takes `address` off the list; false when it was not on it.
    pub fn unsuppress(&self, address: &str) -> Result<bool, LedgerError> {
        self.connection()
            .execute(
                "DELETE FROM suppressions WHERE address = ?1",
                params![address.trim().to_lowercase()],
            )
            .map(|changed| changed == 1)
            .map_err(|e| self.fail(e))
    }

    /// Suppresses many addresses in one transaction; returns how many were new.
    pub fn suppress_all(&mut self, entries: &[(String, String)], source: &str, now: i64) -> Result<usize, LedgerError> {
        let mut added = 0;
        self.in_transaction(|ledger| {
            for (address, reason) in entries {
                if ledger.suppress(address, reason, source, now)? {
                    added += 1;
                }
            }
            Ok(())
        })?;
        Ok(added)
    }

    /// The whole list, by address.
    pub fn suppressions(&self) -> Result<Vec<Suppression>, LedgerError> {
        Ledger::read_suppressions(self.connection(), self.path())
    }

    /// The whole list of the ledger at `path`, opened read-only; empty when there is none.
    pub fn suppressions_at(path: &std::path::Path) -> Result<Vec<Suppression>, LedgerError> {
        if !path.exists() {
            return Ok(Vec::new());
        }
        Ledger::read_suppressions(&Ledger::open_read_only(path)?, path)
    }

    fn read_suppressions(
        connection: &rusqlite::Connection,
        path: &std::path::Path,
    ) -> Result<Vec<Suppression>, LedgerError> {
        let fail = |e: rusqlite::Error| Ledger::error(path, e);
        let mut statement = connection
            .prepare("SELECT address, reason, source, added_at FROM suppressions ORDER BY address")
            .map_err(fail)?;
        let rows = statement
            .query_map([], |r| {
                Ok(Suppression {
                    address: r.get(0)?,
                    reason: r.get(1)?,
                    source: r.get(2)?,
                    added_at: r.get(3)?,
                })
            })
            .map_err(fail)?;
        rows.collect::<Result<Vec<_>, _>>().map_err(fail)
    }
}
