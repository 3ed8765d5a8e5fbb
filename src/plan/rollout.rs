//! A rollout campaign's phase as the plan shows it: testing on its share (and how many wait
//! for the winner), or decided (the winner, when and why).

use serde::{Deserialize, Serialize};

use crate::model::{Rollout, RolloutDecision};

/// A rollout's state in a plan. Fields in alphabetical order (sorted JSON keys).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RolloutReport {
    /// When the winner was chosen (RFC 3339), once it was.
    pub decided_at: Option<String>,
    /// How long after the first test send the decision is taken, e.g. `1d`.
    pub decide_after: String,
    /// `click` or `conversion`.
    pub metric: String,
    /// Audience members outside the test share still waiting for the winner.
    pub pending: usize,
    /// Why the winner won, in words.
    pub reason: Option<String>,
    /// The test share, in percent.
    pub test_share: f64,
    /// The variant sent to the rest, once chosen.
    pub winner: Option<String>,
}

impl RolloutReport {
    /// The report of `rollout` with `decision` (if taken) and `pending` members waiting.
    pub fn of(rollout: &Rollout, decision: Option<&RolloutDecision>, pending: usize) -> RolloutReport {
        RolloutReport {
            decided_at: decision.and_then(|d| {
                chrono::DateTime::from_timestamp(d.decided_at, 0)
                    .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
            }),
            decide_after: rollout.decide_after.to_string(),
            metric: rollout.metric.name().into(),
            pending,
            reason: decision.map(|d| d.reason.clone()),
            test_share: f64::from(rollout.test_share.hundredths) / 100.0,
            winner: decision.map(|d| d.winner.clone()),
        }
    }

    /// One line for the plan.
    pub fn line(&self) -> String {
        match (&self.winner, &self.decided_at) {
            (Some(winner), Some(at)) => format!(
                "rollout: `{winner}` won at {at} and goes to the rest — {}",
                self.reason.as_deref().unwrap_or("")
            ),
            _ => format!(
                "rollout: testing on {}% of the audience; {} wait for the winner, chosen on {} {} after the first send",
                self.test_share, self.pending, self.metric, self.decide_after
            ),
        }
    }
}
