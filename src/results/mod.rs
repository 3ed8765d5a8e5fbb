//! Stage 10, results: what each campaign achieved. Attribution reads the ledger (who was sent
//! or held out, and when) and the events (opens, clicks, the goal), read-only
//! ([`attribution`]); the analysis compares the arms with `stats` ([`analysis`]); then text,
//! markdown and an SVG chart ([`format`], [`chart`]); JSON is the analysis serialized.

mod analysis;
mod attribution;
mod chart;
mod format;
mod summary;

pub use analysis::{analyse, ArmResult, CampaignResults, Comparison, DayPoint, Rate, ALPHA, SRM_ALPHA};
pub use attribution::{attribute, ArmUnits, Attributed, Unit};
pub use chart::render_svg;
pub use format::{render_markdown, render_text};
pub use summary::{render_summary_markdown, render_summary_text, summarize, CampaignSummary};

use crate::check::CheckedWorkspace;
use crate::data::Dataset;
use crate::ledger::{Ledger, LedgerError};
use crate::model::Campaign;

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
    let goal = campaign
        .goal
        .as_ref()
        .map(|g| format!("{} within {}", g.event, g.within));
    let has_value = campaign.goal.as_ref().is_some_and(|g| g.value.is_some());
    let clock = now.to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    Ok(analyse(
        &campaign.name,
        goal,
        has_value,
        &attributed,
        sequential,
        &clock,
    ))
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
    Ok(attribute(
        campaign,
        &workspace.schema,
        &record,
        &suppressions,
        dataset,
        now.timestamp(),
    ))
}
