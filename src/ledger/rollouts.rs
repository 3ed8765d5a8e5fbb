//! Rollout decisions: one row per campaign whose winner was chosen, with when and why. Written
//! once (a decision is never revisited), read by every plan, run and report.

use rusqlite::{params, Connection, OptionalExtension};

use super::{Ledger, LedgerError};
use crate::model::RolloutDecision;

/// The table (layout 3).
pub(super) const ROLLOUTS_SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS rollouts (
    campaign    TEXT    NOT NULL PRIMARY KEY,
    winner      TEXT    NOT NULL,
    decided_at  INTEGER NOT NULL,  -- the run's now (Unix seconds)
    reason      TEXT    NOT NULL   -- the decision and its figures, in words
) WITHOUT ROWID;
";

/// Every decision in the ledger open on `connection` (none in a ledger without the table).
pub(super) fn read_decisions(connection: &Connection) -> rusqlite::Result<Vec<(String, RolloutDecision)>> {
    let exists: Option<String> = connection
        .query_row(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'rollouts'",
            [],
            |r| r.get(0),
        )
        .optional()?;
    if exists.is_none() {
        return Ok(Vec::new());
    }
    let mut statement =
        connection.prepare("SELECT campaign, winner, decided_at, reason FROM rollouts ORDER BY campaign")?;
    let rows = statement.query_map([], |r| {
        Ok((
            r.get(0)?,
            RolloutDecision {
                winner: r.get(1)?,
                decided_at: r.get(2)?,
                reason: r.get(3)?,
            },
        ))
    })?;
    rows.collect()
}

impl Ledger {
    /// `campaign`'s rollout decision in the ledger at `path`, opened read-only.
    pub fn rollout_decision(path: &std::path::Path, campaign: &str) -> Result<Option<RolloutDecision>, LedgerError> {
        if !path.exists() {
            return Ok(None);
        }
        let connection = Ledger::open_read_only(path)?;
        let decisions = read_decisions(&connection).map_err(|e| Ledger::error(path, e))?;
        Ok(decisions.into_iter().find(|(c, _)| c == campaign).map(|(_, d)| d))
    }

    /// Records `campaign`'s rollout decision; false when one was already recorded (it stands).
    pub fn decide(&mut self, campaign: &str, decision: &RolloutDecision) -> Result<bool, LedgerError> {
        self.in_transaction(|ledger| {
            ledger
                .connection()
                .execute(
                    "INSERT INTO rollouts (campaign, winner, decided_at, reason) VALUES (?1, ?2, ?3, ?4)
                     ON CONFLICT DO NOTHING",
                    params![campaign, decision.winner, decision.decided_at, decision.reason],
                )
                .map(|changed| changed == 1)
                .map_err(|e| ledger.fail(e))
        })
    }
}
