//! Rollout decisions at the start of a run: for each rollout campaign still testing whose first
//! test send is `decide_after` old, the winner is chosen from the test's outcomes and recorded
//! in the ledger (a dry run only shows it), so that this run already sends it to the rest.

use chrono::{DateTime, Utc};

use crate::check::CheckedWorkspace;
use crate::data::Dataset;
use crate::ledger::{Ledger, LedgerError};
use crate::model::RolloutDecision;
use crate::plan::History;
use crate::results::decide_rollout;

/// What the run decided: decisions taken now, and why others had to wait.
#[derive(Debug, Default)]
pub struct Decided {
    /// New decisions (campaign, decision), recorded unless the run is dry.
    pub decisions: Vec<(String, RolloutDecision)>,
    /// Campaigns due for a decision that cannot be taken yet, with why.
    pub waiting: Vec<(String, String)>,
}

/// Takes the decisions due at `now` for the campaigns in `only` (all when `None`).
pub fn decide_rollouts(
    workspace: &CheckedWorkspace,
    dataset: &Dataset,
    history: &History,
    only: Option<&[String]>,
    mut ledger: Option<&mut Ledger>,
    now: DateTime<Utc>,
) -> Result<Decided, LedgerError> {
    let mut decided = Decided::default();
    for campaign in &workspace.campaigns {
        let Some(rollout) = &campaign.rollout else { continue };
        if !campaign.enabled
            || only.is_some_and(|names| !names.contains(&campaign.name))
            || history.decision(&campaign.name).is_some()
        {
            continue;
        }
        let Some(first) = history.first_sent(&campaign.name) else {
            continue;
        };
        if now.timestamp() < first.saturating_add(rollout.decide_after.seconds) {
            continue;
        }
        match decide_rollout(workspace, dataset, campaign, rollout, now)? {
            Ok(decision) => {
                if let Some(ledger) = ledger.as_deref_mut() {
                    ledger.decide(&campaign.name, &decision)?;
                }
                decided.decisions.push((campaign.name.clone(), decision));
            }
            Err(why) => decided.waiting.push((campaign.name.clone(), why)),
        }
    }
    Ok(decided)
}
