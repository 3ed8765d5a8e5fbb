//! Rollout decisions: one row per campaign whose winner was chosen, with when and why. Written
//! once (a decision is never revisited), read by every plan, run and report.

use rusqlite::params;

use super::tables::read_decisions;
use super::{Ledger, LedgerError};
use crate::model::RolloutDecision;

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
