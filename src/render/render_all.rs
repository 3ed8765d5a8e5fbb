//! Rendering every due message of a plan without sending (`tailor plan --render-all`), so a
//! template that breaks on real data is caught in review, not at send time.

use chrono::{DateTime, Utc};

use super::context::Recipient;
use super::message::{render_message, Renderer};
use super::parallel::{map_on_every_core, RENDERS_PER_THREAD};
use crate::check::CheckedWorkspace;
use crate::data::Dataset;
use crate::eval::Evaluation;
use crate::model::Campaign;
use crate::plan::{DueSend, LocalFacts, Plan, SubjectSample};

/// A due message that did not render.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RenderFailure {
    /// The campaign.
    pub campaign: String,
    /// The recipient's profile key.
    pub key: String,
    /// The variant.
    pub variant: String,
    /// What went wrong.
    pub error: String,
}

/// What rendering every due message found.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RenderAllReport {
    /// Messages rendered, per campaign (campaigns with due sends, by name).
    pub rendered: Vec<(String, usize)>,
    /// Messages that failed, in plan order.
    pub failures: Vec<RenderFailure>,
}

/// The inputs a plan was built from.
pub struct PlanInputs<'a> {
    /// The workspace.
    pub workspace: &'a CheckedWorkspace,
    /// The data evaluated.
    pub dataset: &'a Dataset,
    /// Features and segments of every profile.
    pub evaluation: &'a Evaluation,
    /// The run's clock.
    pub now: DateTime<Utc>,
}

impl PlanInputs<'_> {
    /// The per-profile facts of a plan, as the polars engine works them out from this data.
    pub fn local_facts(&self) -> LocalFacts<'_> {
        LocalFacts {
            workspace: self.workspace,
            dataset: self.dataset,
            evaluation: self.evaluation,
            now: self.now,
        }
    }
}

/// Each enabled campaign of `plan` with due sends, with its sends.
fn due_campaigns<'p>(inputs: &PlanInputs<'p>, plan: &'p Plan) -> Vec<(&'p Campaign, &'p [DueSend])> {
    plan.due
        .iter()
        .filter(|(_, sends)| !sends.is_empty())
        .filter_map(|(name, sends)| {
            let campaign = inputs.workspace.campaigns.iter().find(|c| &c.name == name)?;
            Some((campaign, sends.as_slice()))
        })
        .collect()
}

impl<'a> PlanInputs<'a> {
    /// The recipient of `send`.
    pub fn recipient<'s>(&'s self, send: &'s DueSend) -> Recipient<'s> {
        Recipient {
            workspace: self.workspace,
            dataset: self.dataset,
            evaluation: self.evaluation,
            row: send.row,
            now: self.now,
            occurrence: Some(&send.occurrence),
        }
    }
}

/// Renders every due send of `plan` to a complete message (unsubscribe links signed with
/// `secret`), keeping none: the failures say which campaign, recipient and variant broke, and
/// why.
pub fn render_all(renderer: &Renderer, inputs: &PlanInputs, plan: &Plan, secret: &[u8]) -> RenderAllReport {
    let mut report = RenderAllReport::default();
    for (campaign, sends) in due_campaigns(inputs, plan) {
        let failures = map_on_every_core(sends, RENDERS_PER_THREAD, |send| {
            let recipient = inputs.recipient(send);
            let variant = &campaign.variants[send.variant];
            render_message(renderer, inputs.workspace, &recipient, campaign, variant, secret)
                .err()
                .map(|error| RenderFailure {
                    campaign: campaign.name.clone(),
                    key: recipient.key(),
                    variant: variant.name.clone(),
                    error,
                })
        });
        let before = report.failures.len();
        report.failures.extend(failures.into_iter().flatten());
        report
            .rendered
            .push((campaign.name.clone(), sends.len() - (report.failures.len() - before)));
    }
    report
}

/// Fills in each variant's subject for its first due recipient (`plan` shows content); a
/// subject that does not render stays empty.
pub fn sample_subjects(renderer: &Renderer, inputs: &PlanInputs, plan: &mut Plan, secret: &[u8]) {
    let mut subjects: Vec<(String, String, SubjectSample)> = Vec::new();
    for (campaign, sends) in due_campaigns(inputs, plan) {
        for (index, variant) in campaign.variants.iter().enumerate() {
            let Some(send) = sends.iter().find(|s| s.variant == index) else {
                continue;
            };
            let recipient = inputs.recipient(send);
            if let Ok(message) = render_message(renderer, inputs.workspace, &recipient, campaign, variant, secret) {
                let sample = SubjectSample {
                    key: recipient.key(),
                    text: message.subject,
                };
                subjects.push((campaign.name.clone(), variant.name.clone(), sample));
            }
        }
    }
    for (campaign, variant, sample) in subjects {
        let report = plan.report.campaigns.iter_mut().find(|c| c.name == campaign);
        if let Some(v) = report.and_then(|c| c.variants.iter_mut().find(|v| v.name == variant)) {
            v.subject = Some(sample);
        }
    }
}
