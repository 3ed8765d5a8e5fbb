//! The suppression list: addresses never mailed again, kept in the ledger. Fed by permanent
//! SMTP failures and by `tailor suppress add|import`; every plan and run honours it.

use super::database::Database;
use super::{Ledger, LedgerError};
use crate::model::LedgerLocation;

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
        self.database
            .execute(
                "INSERT INTO suppressions (address, reason, source, added_at) VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT DO NOTHING",
                &[
                    (&address.trim().to_lowercase()).into(),
                    reason.into(),
                    source.into(),
                    now.into(),
                ],
            )
            .map(|changed| changed == 1)
            .map_err(|e| self.fail(e))
    }

    /// Takes `address` off the list; false when it was not on it.
    pub fn unsuppress(&self, address: &str) -> Result<bool, LedgerError> {
        self.database
            .execute(
                "DELETE FROM suppressions WHERE address = ?1",
                &[(&address.trim().to_lowercase()).into()],
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
        read_suppressions(&self.database).map_err(|e| self.fail(e))
    }

    /// The whole list of the ledger at `location`, opened read-only; empty when there is none.
    pub fn suppressions_at(location: &LedgerLocation) -> Result<Vec<Suppression>, LedgerError> {
        match Ledger::read_only(location)? {
            Some(database) => read_suppressions(&database).map_err(|e| Ledger::error(location, e)),
            None => Ok(Vec::new()),
        }
    }
}

/// Every suppressed address of the ledger open on `database`, by address (bytewise).
fn read_suppressions(database: &Database) -> Result<Vec<Suppression>, String> {
    let mut list = database
        .query("SELECT address, reason, source, added_at FROM suppressions", &[])?
        .iter()
        .map(|row| {
            Ok(Suppression {
                address: row.text(0)?,
                reason: row.text(1)?,
                source: row.text(2)?,
                added_at: row.int(3)?,
            })
        })
        .collect::<Result<Vec<_>, String>>()?;
    list.sort_by(|a, b| a.address.cmp(&b.address));
    Ok(list)
}
