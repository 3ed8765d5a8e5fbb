//! Rendering every due message of a plan without sending (`tailor plan --render-all`), so a
//! template that breaks on real data is caught in review, not at send time.

use std::collections::HashMap;

use chrono::{DateTime, Utc};

use super::context::Recipient;
use super::message::{render_message, Renderer};
use crate::check::CheckedWorkspace;
use crate::data::{trigger_events, Dataset, Evaluation};
use crate::model::Timing;
use crate::plan::Plan;

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

/// Renders every due send of `plan` to a complete message (unsubscribe links signed with
/// `secret`), keeping none: the failures say which campaign, recipient and variant broke, and
/// why. An error is returned only when the trigger events themselves cannot be worked out.
pub fn render_all(
    renderer: &Renderer,
    inputs: &PlanInputs,
    plan: &Plan,
    secret: &[u8],
) -> Result<RenderAllReport, String> {
    let mut report = RenderAllReport::default();
    for (name, sends) in &plan.due {
        let Some(campaign) = inputs.workspace.campaigns.iter().find(|c| &c.name == name) else {
            continue;
        };
        if sends.is_empty() {
            continue;
        }
        // Trigger events are worked out once per campaign, not once per recipient.
        let fired: Option<HashMap<String, String>> = match &campaign.timing {
            Timing::Event(trigger) => {
                let candidates =
                    trigger_events(inputs.workspace, inputs.dataset, inputs.evaluation, trigger, inputs.now)
                        .map_err(|e| e.to_string())?;
                Some(
                    crate::plan::event_occurrences(trigger, &candidates, &inputs.dataset.events, inputs.now)
                        .map_err(|e| e.to_string())?,
                )
            }
            _ => None,
        };
        let mut rendered = 0;
        for send in sends {
            let recipient = Recipient {
                workspace: inputs.workspace,
                dataset: inputs.dataset,
                evaluation: inputs.evaluation,
                row: send.row,
                now: inputs.now,
                fired: fired.as_ref(),
            };
            let variant = &campaign.variants[send.variant];
            match render_message(renderer, inputs.workspace, &recipient, campaign, variant, secret) {
                Ok(_) => rendered += 1,
                Err(error) => report.failures.push(RenderFailure {
                    campaign: campaign.name.clone(),
                    key: recipient.key(),
                    variant: variant.name.clone(),
                    error,
                }),
            }
        }
        report.rendered.push((campaign.name.clone(), rendered));
    }
    Ok(report)
}
