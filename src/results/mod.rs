//! Stage 10, results: what each campaign achieved. Attribution reads the ledger (who was sent
//! or held out, and when) and the events (opens, clicks, the goal), read-only
//! ([`attribution`]); the analysis compares the arms with `stats` ([`analysis`]); then text,
//! markdown and an SVG chart ([`format`], [`chart`]); JSON is the analysis serialized.

mod analysis;
mod attribution;
mod chart;
mod event_rows;
mod format;
mod rollout;
mod summary;

pub use analysis::{analyse, ArmResult, CampaignResults, Comparing, Comparison, DayPoint, Rate, ALPHA, SRM_ALPHA};
pub use attribution::{attribute, ArmUnits, Attributed, LedgerFacts, Unit};
pub use chart::render_svg;
pub use format::{render_markdown, render_text};
pub use summary::{render_summary_markdown, render_summary_text, summarize, CampaignSummary};

use crate::check::CheckedWorkspace;
use crate::data::Dataset;
use crate::ledger::{Ledger, LedgerError};
use crate::model::{Campaign, Metric, Rollout, RolloutDecision};
use rollout::decision;

/// Attributes and analyses `campaign` at `now` from the workspace's ledger and `dataset`; the
/// verdict reads the always-valid test when `sequential`.
pub fn campaign_results(
    workspace: &CheckedWorkspace,
    dataset: &Dataset,
    campaign: &Campaign,
    now: chrono::DateTime<chrono::Utc>,
    sequential: bool,
) -> Result<CampaignResults, LedgerError> {
    let attributed = attributed(workspace, dataset, campaign, now)?;
    let goal = goal_text(campaign);
    let comparing = Comparing {
        metric: if goal.is_some() {
            Metric::Conversion
        } else {
            Metric::Click
        },
        variants_only: false,
        sequential,
    };
    let mut results = analyse(
        &campaign.name,
        goal,
        has_value(campaign),
        &attributed,
        comparing,
        &clock(now),
    );
    // The decision attribution read from the ledger: not read a second time.
    results.rollout = attributed.decision.as_ref().map(|d| {
        format!(
            "rollout: `{}` won and went to the rest ({} profiles, not compared here): {}",
            d.winner, attributed.rolled_out, d.reason
        )
    });
    Ok(results)
}

/// `purchase within 7d`, for a campaign with a goal.
fn goal_text(campaign: &Campaign) -> Option<String> {
    campaign
        .goal
        .as_ref()
        .map(|g| format!("{} within {}", g.event, g.within))
}

fn has_value(campaign: &Campaign) -> bool {
    campaign.goal.as_ref().is_some_and(|g| g.value.is_some())
}

fn clock(now: chrono::DateTime<chrono::Utc>) -> String {
    now.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

/// Decides `campaign`'s rollout at `now` from its test's outcomes: the winner, or `Err` with
/// why no decision can be taken yet (a sample ratio mismatch).
pub fn decide_rollout(
    workspace: &CheckedWorkspace,
    dataset: &Dataset,
    campaign: &Campaign,
    rollout: &Rollout,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<Result<RolloutDecision, String>, LedgerError> {
    let attributed = attributed(workspace, dataset, campaign, now)?;
    let comparing = Comparing {
        metric: rollout.metric,
        variants_only: true,
        sequential: false,
    };
    let results = analyse(
        &campaign.name,
        goal_text(campaign),
        false,
        &attributed,
        comparing,
        &clock(now),
    );
    Ok(decision(&results, rollout, now.timestamp()))
}

/// The attributed outcomes of `campaign` at `now`.
pub fn attributed(
    workspace: &CheckedWorkspace,
    dataset: &Dataset,
    campaign: &Campaign,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<Attributed, LedgerError> {
    let path = &workspace.manifest.delivery.ledger;
    let record = Ledger::campaign_record(path, &campaign.name)?;
    let suppressions = Ledger::suppressions_at(path)?;
    let decision = Ledger::rollout_decision(path, &campaign.name)?;
    let facts = LedgerFacts {
        record: &record,
        suppressions: &suppressions,
        decision: decision.as_ref(),
    };
    Ok(attribute(campaign, &workspace.schema, &facts, dataset, now.timestamp()))
}
