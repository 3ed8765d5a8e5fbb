//! Stage 6, plan: what every campaign would do now, as data ([`PlanReport`]) and as the
//! execution graph ([`ExecutionGraph`]); evaluating it reads the datasets through `data`.

mod campaign;
mod diff;
mod format;
mod graph;
mod report;
mod timing;

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, SecondsFormat, Utc};

pub use diff::{diff_markdown, diff_text};
pub use format::{render_dot, render_markdown, render_text};
pub use graph::{ExecutionGraph, GraphNode, NodeKind};
pub use report::{CampaignReport, PlanReport, SegmentReport, VariantReport};
pub use timing::{event_occurrences, recipient_zone, schedule_occurrence, Occurrence};

use crate::check::CheckedWorkspace;
use crate::data::{condition_flags, trigger_events, Dataset, EvalError, Evaluation};
use crate::model::Timing;
use campaign::{plan_campaign, Policy, Recipients};

/// What is known of earlier sends.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LedgerState {
    /// No ledger (a pull request's CI machine): nothing was sent, nothing is suppressed.
    Missing(String),
    /// A ledger exists, but this version cannot read it yet: the plan assumes nothing was sent.
    Unread(String),
}

impl LedgerState {
    /// The ledger at `path`, as far as planning knows it.
    pub fn at(path: &std::path::Path) -> LedgerState {
        let shown = path.display().to_string();
        if path.exists() {
            LedgerState::Unread(shown)
        } else {
            LedgerState::Missing(shown)
        }
    }

    /// The plan's description of it.
    pub fn describe(&self) -> String {
        match self {
            LedgerState::Missing(path) => {
                format!("no ledger at {path}: assuming nothing was sent and nobody is suppressed")
            }
            LedgerState::Unread(path) => {
                format!("a ledger exists at {path}, but reading it is not built yet: assuming nothing was sent and nobody is suppressed")
            }
        }
    }
}

fn strings(evaluation: &Evaluation, column: &str) -> Result<Vec<Option<String>>, EvalError> {
    Ok(evaluation
        .frame
        .column(column)?
        .str()?
        .iter()
        .map(|v| v.map(str::to_string))
        .collect())
}

/// Plans every campaign at `now`. Campaigns claim frequency-cap room in priority order (higher
/// first, ties by name); the report lists them by name.
pub fn build_plan(
    workspace: &CheckedWorkspace,
    dataset: &Dataset,
    evaluation: &Evaluation,
    ledger: &LedgerState,
    now: DateTime<Utc>,
) -> Result<PlanReport, EvalError> {
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
    let consent = condition_flags(workspace, dataset, evaluation, &manifest.consent, now)?;
    let suppressed = HashSet::new();
    let recipients = Recipients {
        keys: &keys,
        emails: &emails,
        zones: &zones,
        consent: &consent,
        suppressed: &suppressed,
    };
    let mut sends = HashMap::new();
    let mut policy = Policy {
        now,
        cap: manifest.frequency_cap,
        quiet_hours: manifest.quiet_hours,
        sends: &mut sends,
    };
    let mut order: Vec<_> = workspace.campaigns.iter().collect();
    order.sort_by(|a, b| b.priority.cmp(&a.priority).then_with(|| a.name.cmp(&b.name)));
    let now_id = now.to_rfc3339_opts(SecondsFormat::Secs, true);
    let mut campaigns = Vec::with_capacity(order.len());
    for campaign in order {
        let audience = match &campaign.audience {
            Some(audience) => condition_flags(workspace, dataset, evaluation, audience, now)?,
            None => vec![true; keys.len()],
        };
        let occurrences: Vec<Occurrence> = match &campaign.timing {
            Timing::Schedule(schedule) => zones
                .iter()
                .map(|&zone| schedule_occurrence(schedule, zone, now))
                .collect(),
            Timing::Condition(trigger) => condition_flags(workspace, dataset, evaluation, &trigger.when, now)?
                .into_iter()
                .map(|fires| {
                    if fires {
                        Occurrence::Due(now_id.clone())
                    } else {
                        Occurrence::NotDue
                    }
                })
                .collect(),
            Timing::Event(trigger) => {
                let candidates = trigger_events(workspace, dataset, evaluation, trigger, now)?;
                let fired = timing::event_occurrences(trigger, &candidates, &dataset.events, now)?;
                keys.iter()
                    .map(|k| {
                        fired
                            .get(k)
                            .map_or(Occurrence::NotDue, |id| Occurrence::Due(id.clone()))
                    })
                    .collect()
            }
        };
        campaigns.push(plan_campaign(
            campaign,
            &audience,
            &occurrences,
            &recipients,
            &mut policy,
        ));
    }
    campaigns.sort_by(|a, b| a.name.cmp(&b.name));
    let mut segments: Vec<SegmentReport> = evaluation
        .segment_sizes
        .iter()
        .map(|(name, size)| SegmentReport {
            name: name.clone(),
            size: *size,
        })
        .collect();
    segments.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(PlanReport {
        campaigns,
        ledger: ledger.describe(),
        now: now_id,
        segments,
    })
}
