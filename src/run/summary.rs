//! What a run did, per campaign: the numbers a deploy log shows and `--format json` prints.
//! Profile keys only: no address or other personal field appears unless `--show-pii`.
//! Struct fields are declared in alphabetical order so that JSON keys come out sorted.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use serde::Serialize;

use crate::model::Bucket;
use crate::plan::PlanReport;

/// One campaign's outcome.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct CampaignSummary {
    /// Not sent because this occurrence was already sent (or `once_per` rules it out).
    pub already_sent: usize,
    /// Not sent now, sent by a later run: `quiet_hours`, `temporary_failure`.
    pub deferred: usize,
    /// `deferred`, by reason.
    pub deferred_by_reason: BTreeMap<String, usize>,
    /// Refused for good, or not rendered.
    pub failed: usize,
    /// Held back by the frequency cap.
    pub frequency_cap: usize,
    /// The campaign.
    pub name: String,
    /// Claimed by another run sharing the ledger after this one planned: that run sends them.
    pub other_runs: usize,
    /// Accepted by the server or written to the outbox (with `--dry-run`: would be).
    pub sent: usize,
    /// `sent`, per variant.
    pub variants: BTreeMap<String, usize>,
}

/// A message that failed, or a send left in flight by an earlier run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SendNote {
    /// The campaign.
    pub campaign: String,
    /// What happened.
    pub detail: String,
    /// The profile key.
    pub key: String,
    /// The occurrence id.
    pub occurrence: String,
}

/// The whole run.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct RunSummary {
    /// Per campaign, by name.
    pub campaigns: Vec<CampaignSummary>,
    /// Whether nothing was delivered or recorded.
    pub dry_run: bool,
    /// Messages that failed.
    pub failures: Vec<SendNote>,
    /// Sends a stopped run left in flight, as resolved at the start of this one.
    pub interrupted: Vec<SendNote>,
    /// The run's clock.
    pub now: String,
    /// Why the run stopped itself, if it did.
    pub stopped: Option<String>,
    /// Messages that did not render (a broken template: the run fails).
    pub unrendered: usize,
    /// Whether the run stopped because this machine could not take messages (the outbox
    /// cannot be written): an I/O failure, not a fault of the input.
    #[serde(skip)]
    pub local_failure: bool,
}

impl RunSummary {
    /// A summary with one empty entry per planned campaign, holding what the plan already
    /// decided: quiet hours, caps, earlier sends.
    pub fn from_plan(plan: &PlanReport, dry_run: bool) -> RunSummary {
        let campaigns = plan
            .campaigns
            .iter()
            .map(|c| {
                let held = |bucket: Bucket| c.variants.iter().map(|v| v.held.get(bucket)).sum();
                let quiet: usize = held(Bucket::QuietHours);
                let mut summary = CampaignSummary {
                    name: c.name.clone(),
                    already_sent: held(Bucket::AlreadySent),
                    frequency_cap: held(Bucket::FrequencyCap),
                    variants: c.variants.iter().map(|v| (v.name.clone(), 0)).collect(),
                    ..CampaignSummary::default()
                };
                summary.defer("quiet_hours", quiet);
                summary
            })
            .collect();
        RunSummary {
            campaigns,
            dry_run,
            now: plan.now.clone(),
            ..RunSummary::default()
        }
    }

    /// The entry of campaign `name`.
    pub fn campaign(&mut self, name: &str) -> Option<&mut CampaignSummary> {
        self.campaigns.iter_mut().find(|c| c.name == name)
    }

    /// Messages sent (or, dry, that would be).
    pub fn sent(&self) -> usize {
        self.campaigns.iter().map(|c| c.sent).sum()
    }

    /// The summary as aligned text.
    pub fn render_text(&self) -> String {
        let mut out = String::new();
        let verb = if self.dry_run { "would send" } else { "sent" };
        let _ = writeln!(
            out,
            "tailor run at {}{}",
            self.now,
            if self.dry_run {
                " (dry run: nothing sent or recorded)"
            } else {
                ""
            }
        );
        for note in &self.interrupted {
            let _ = writeln!(
                out,
                "  interrupted earlier: {} `{}` ({}): {}",
                note.campaign, note.key, note.occurrence, note.detail
            );
        }
        let width = self.campaigns.iter().map(|c| c.name.len()).max().unwrap_or(8).max(8);
        let _ = writeln!(
            out,
            "{:<width$}  {:>10}  {:>6}  {:>8}  {:>12}  {:>7}",
            "campaign", verb, "failed", "deferred", "already sent", "capped"
        );
        for c in &self.campaigns {
            let _ = writeln!(
                out,
                "{:<width$}  {:>10}  {:>6}  {:>8}  {:>12}  {:>7}",
                c.name, c.sent, c.failed, c.deferred, c.already_sent, c.frequency_cap
            );
            let variants: Vec<String> = c.variants.iter().map(|(v, n)| format!("{v} {n}")).collect();
            if c.sent > 0 {
                let _ = writeln!(out, "{:<width$}    variants: {}", "", variants.join(", "));
            }
            if c.other_runs > 0 {
                let _ = writeln!(out, "{:<width$}    claimed by other runs: {}", "", c.other_runs);
            }
            if c.deferred > 0 {
                let reasons: Vec<String> = c
                    .deferred_by_reason
                    .iter()
                    .filter(|(_, n)| **n > 0)
                    .map(|(r, n)| format!("{r} {n}"))
                    .collect();
                let _ = writeln!(out, "{:<width$}    deferred: {}", "", reasons.join(", "));
            }
        }
        for note in &self.failures {
            let _ = writeln!(out, "  failed: {} `{}`: {}", note.campaign, note.key, note.detail);
        }
        if let Some(reason) = &self.stopped {
            let _ = writeln!(out, "stopped: {reason}");
        }
        let _ = writeln!(
            out,
            "{} {} message{}",
            verb,
            self.sent(),
            if self.sent() == 1 { "" } else { "s" }
        );
        out
    }
}

impl CampaignSummary {
    /// Counts one message of `variant` as sent.
    pub fn count_sent(&mut self, variant: &str) {
        self.sent += 1;
        *self.variants.entry(variant.to_string()).or_default() += 1;
    }

    /// Counts `count` deferred sends for `reason`.
    pub fn defer(&mut self, reason: &str, count: usize) {
        *self.deferred_by_reason.entry(reason.to_string()).or_default() += count;
        self.deferred += count;
    }
}
