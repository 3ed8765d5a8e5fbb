//! Rollout decisions: one row per campaign whose winner was chosen, with when and why. Written
//! once (a decision is never revisited), read by every plan, run and report.

use super::tables::read_decisions;
use super::{Ledger, LedgerError};
use crate::model::{LedgerLocation, RolloutDecision};

impl Ledger {
    /// `campaign`'s rollout decision in the ledger at `location`, opened read-only.
    pub fn rollout_decision(location: &LedgerLocation, campaign: &str) -> Result<Option<RolloutDecision>, LedgerError> {
        let Some(database) = Ledger::read_only(location)? else {
            return Ok(None);
        };
        let decisions = read_decisions(&database).map_err(|e| Ledger::error(location, e))?;
        Ok(decisions.into_iter().find(|(c, _)| c == campaign).map(|(_, d)| d))
    }

    /// Records `campaign`'s rollout decision; false when one was already recorded (it stands).
    pub fn decide(&mut self, campaign: &str, decision: &RolloutDecision) -> Result<bool, LedgerError> {
        self.in_transaction(|ledger| {
            ledger
                .database
                .execute(
                    "INSERT INTO rollouts (campaign, winner, decided_at, reason) VALUES (?1, ?2, ?3, ?4)
                     ON CONFLICT DO NOTHING",
                    &[
                        campaign.into(),
                        (&decision.winner).into(),
                        decision.decided_at.into(),
                        (&decision.reason).into(),
                    ],
                )
                .map(|changed| changed == 1)
                .map_err(|e| ledger.fail(e))
        })
    }
}
