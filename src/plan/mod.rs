//! Stage 7, plan: what every campaign would do now, as data ([`PlanReport`]): the buckets of
//! every audience member, campaigns taken in the priority order of the workspace graph
//! ([`crate::check::WorkspaceGraph`]), against the ledger's history (read-only); and the plan
//! as text, markdown, JSON, dot, and as a diff against an earlier plan.

mod bucket_counts;
mod campaign;
mod diff;
mod due;
mod facts;
mod format;
mod history;
mod persona_change;
mod power;
mod report;
mod rollout;
mod timing;

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, SecondsFormat, Utc};

pub use bucket_counts::BucketCounts;
pub use diff::{diff_markdown, diff_text};
pub use due::{DueSend, Plan};
pub use facts::{EngineFacts, LocalFacts, ProfileFacts};
pub use format::{render_dot, render_markdown, render_text};
pub use history::{History, PastSend};
pub use persona_change::{base_labels, labels_in, labels_of, members, Labels, Members, PersonaChange};
pub use power::{power_line, PowerReport};
pub use report::{
    CampaignReport, LabelSize, PersonaReport, PlanReport, ScoreReport, SegmentReport, SubjectSample, VariantReport,
};
pub use rollout::RolloutReport;
pub use timing::{fired_events, recipient_zone, schedule_occurrence, Occurrence, Occurrences};

use crate::check::CheckedWorkspace;
use crate::data::Dataset;
use crate::eval::{EvalError, Evaluation};
use crate::model::Campaign;
use campaign::{plan_campaign, CampaignPlan, Policy, Recipients};

fn strings(evaluation: &Evaluation, column: &str) -> Result<Vec<Option<String>>, EvalError> {
    Ok(evaluation
        .frame
        .column(column)?
        .str()?
        .iter()
        .map(|v| v.map(str::to_string))
        .collect())
}

/// The per-profile facts every campaign of one plan reads.
struct Population {
    keys: Vec<String>,
    emails: Vec<Option<String>>,
    zones: Vec<chrono_tz::Tz>,
    consent: Vec<bool>,
}

impl Population {
    fn of(
        workspace: &CheckedWorkspace,
        evaluation: &Evaluation,
        facts: &dyn ProfileFacts,
    ) -> Result<Population, EvalError> {
        let schema = &workspace.schema;
        let manifest = &workspace.manifest;
        let keys: Vec<String> = strings(evaluation, &schema.key)?
            .into_iter()
            .map(Option::unwrap_or_default)
            .collect();
        let emails = strings(evaluation, &schema.email)?;
        let zones: Vec<_> = match &schema.timezone {
            Some(column) => strings(evaluation, column)?
                .iter()
                .map(|z| recipient_zone(z.as_deref(), manifest.timezone))
                .collect(),
            None => vec![manifest.timezone; keys.len()],
        };
        Ok(Population {
            keys,
            emails,
            zones,
            consent: facts.consent()?,
        })
    }
}

/// Plans `campaigns` in the order given, against the earlier sends and suppressions of
/// `history`.
fn plan_in_order(
    workspace: &CheckedWorkspace,
    evaluation: &Evaluation,
    facts: &dyn ProfileFacts,
    campaigns: &[&Campaign],
    history: &History,
    now: DateTime<Utc>,
) -> Result<Vec<CampaignPlan>, EvalError> {
    let population = Population::of(workspace, evaluation, facts)?;
    let recipients = Recipients {
        keys: &population.keys,
        emails: &population.emails,
        zones: &population.zones,
        consent: &population.consent,
        history,
    };
    let manifest = &workspace.manifest;
    // The ledger's sends in the cap's window ending now.
    let mut sends: HashMap<usize, u32> = match manifest.frequency_cap {
        Some(cap) => {
            let since = now.timestamp().saturating_sub(cap.window.seconds);
            population
                .keys
                .iter()
                .enumerate()
                .map(|(row, key)| (row, history.counted_since(key, since)))
                .filter(|&(_, count)| count > 0)
                .collect()
        }
        None => HashMap::new(),
    };
    let mut policy = Policy {
        now,
        cap: manifest.frequency_cap,
        quiet_hours: manifest.quiet_hours,
        sends: &mut sends,
    };
    let mut reports = Vec::with_capacity(campaigns.len());
    for campaign in campaigns {
        let audience = facts.audience(campaign)?;
        let occurrences = facts.occurrences(campaign, &population.zones)?;
        let mut planned = plan_campaign(campaign, &audience, &occurrences, &recipients, &mut policy);
        let history_rate = match &campaign.goal {
            Some(goal) if goal.baseline.is_none() => {
                let reached = facts.goal_reached(campaign, goal)?;
                let reached: HashSet<&str> = reached.iter().map(String::as_str).collect();
                power::historical_rate(&audience, &population.keys, &reached)
            }
            _ => 0.0,
        };
        planned.report.power = power::power_of(campaign, &planned.report, history_rate);
        reports.push(planned);
    }
    Ok(reports)
}

/// Plans every campaign at `now` (only those named in `only`, when given) against `history`.
/// Campaigns claim frequency-cap room in priority order (higher first, ties by name); the
/// report lists them by name.
pub fn build_plan(
    workspace: &CheckedWorkspace,
    evaluation: &Evaluation,
    facts: &dyn ProfileFacts,
    history: &History,
    only: Option<&[String]>,
    now: DateTime<Utc>,
) -> Result<Plan, EvalError> {
    let order: Vec<&Campaign> = workspace
        .graph
        .campaigns_by_priority()
        .filter(|name| only.is_none_or(|names| names.iter().any(|n| n == name)))
        .filter_map(|name| workspace.campaigns.iter().find(|c| c.name == name))
        .collect();
    let mut planned = plan_in_order(workspace, evaluation, facts, &order, history, now)?;
    planned.sort_by(|a, b| a.report.name.cmp(&b.report.name));
    let mut campaigns = Vec::with_capacity(planned.len());
    let mut due = Vec::with_capacity(planned.len());
    let mut held_out = Vec::with_capacity(planned.len());
    for plan in planned {
        due.push((plan.report.name.clone(), plan.due));
        held_out.push((plan.report.name.clone(), plan.held_out));
        campaigns.push(plan.report);
    }
    let mut segments: Vec<SegmentReport> = evaluation
        .segment_sizes
        .iter()
        .map(|(name, size)| SegmentReport {
            name: name.clone(),
            size: *size,
        })
        .collect();
    segments.sort_by(|a, b| a.name.cmp(&b.name));
    let report = PlanReport {
        campaigns,
        ledger: history.source.clone(),
        now: now.to_rfc3339_opts(SecondsFormat::Secs, true),
        personas: evaluation
            .personas
            .iter()
            .map(|persona| PersonaReport {
                imputed: persona.imputed,
                unlabelled: persona.unlabelled(),
                labels: persona
                    .clusters
                    .iter()
                    .map(|cluster| LabelSize {
                        label: cluster.label.clone(),
                        size: cluster.size,
                    })
                    .collect(),
                members: persona_change::Members::new(),
                model: persona.model.clone(),
            })
            .collect(),
        scores: evaluation
            .scores
            .iter()
            .map(|score| ScoreReport {
                mean: score.mean.map(|mean| (mean * 10_000.0).round() / 10_000.0),
                model: score.model.clone(),
                scored: score.scored,
                trained_at: score.trained_at.map(|t| t.to_rfc3339_opts(SecondsFormat::Secs, true)),
            })
            .collect(),
        segments,
    };
    Ok(Plan { report, due, held_out })
}

/// Plans one campaign for the profiles of `dataset` (a test's one profile) against `history`.
pub fn plan_campaign_alone(
    workspace: &CheckedWorkspace,
    dataset: &Dataset,
    evaluation: &Evaluation,
    campaign: &Campaign,
    history: &History,
    now: DateTime<Utc>,
) -> Result<CampaignReport, EvalError> {
    let facts = LocalFacts {
        workspace,
        dataset,
        evaluation,
        now,
    };
    let mut reports = plan_in_order(workspace, evaluation, &facts, &[campaign], history, now)?;
    reports
        .pop()
        .map(|plan| plan.report)
        .ok_or_else(|| EvalError::Engine("no campaign was planned".into()))
}
