//! What planning reads from the ledger: every send row, the suppressed addresses and the
//! rollout decisions, as one [`History`].

use std::collections::HashSet;

use super::database::Database;
use super::tables::read_decisions;
use super::{Ledger, LedgerError};
use crate::model::{LedgerLocation, SendState};
use crate::plan::{History, PastSend};

impl Ledger {
    /// What planning needs from the ledger at `location`, opened read-only; [`History::none`]
    /// when there is no ledger.
    pub fn history(location: &LedgerLocation) -> Result<History, LedgerError> {
        match Ledger::read_only(location)? {
            Some(database) => read_history(&database, location).map_err(|e| Ledger::error(location, e)),
            None => Ok(History::none(location)),
        }
    }

    /// What planning needs from this open ledger (a run plans on the connection it writes
    /// with, after resolving interrupted sends).
    pub fn current_history(&self) -> Result<History, LedgerError> {
        read_history(&self.database, &self.location()).map_err(|e| self.fail(e))
    }
}

/// Every send row, suppressed address and decision of the ledger open on `database`.
fn read_history(database: &Database, location: &impl std::fmt::Display) -> Result<History, String> {
    let source = format!("ledger {location}");
    if !database.has_table("sends")? {
        return Ok(History::from_rows(&source, Vec::new(), HashSet::new()));
    }
    let mut sends = Vec::new();
    for row in database.query("SELECT campaign, profile_key, occurrence, state, at FROM sends", &[])? {
        let state = row.text(3)?;
        sends.push(PastSend {
            campaign: row.text(0)?,
            key: row.text(1)?,
            occurrence: row.text(2)?,
            state: SendState::parse(&state).ok_or_else(|| format!("unknown send state `{state}`"))?,
            at: row.int(4)?,
        });
    }
    // In key order, bytewise, whatever order the database returns them in.
    sends.sort_by(|a, b| (&a.campaign, &a.key, &a.occurrence).cmp(&(&b.campaign, &b.key, &b.occurrence)));
    let suppressed = database
        .query("SELECT address FROM suppressions", &[])?
        .iter()
        .map(|row| row.text(0))
        .collect::<Result<HashSet<_>, _>>()?;
    let decisions = read_decisions(database)?;
    Ok(History::from_rows(&source, sends, suppressed).with_decisions(decisions))
}
