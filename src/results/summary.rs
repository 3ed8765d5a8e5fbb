//! One line per campaign: how many were sent, and their open, click, conversion and
//! unsubscribe rates (`tailor report` without a campaign).

use std::fmt::Write as _;

use serde::Serialize;

use super::analysis::{percent, Rate};
use super::attribution::Attributed;
use crate::ledger::HOLDOUT_ARM;

/// One campaign's totals over its sent arms (the holdout is left out).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CampaignSummary {
    /// Clicks of the delivered.
    pub click: Rate,
    /// Conversions of the sent (`None` without a goal).
    pub conversion: Option<Rate>,
    /// The campaign.
    pub name: String,
    /// Opens by people, of the delivered.
    pub open: Rate,
    /// Profiles sent to.
    pub sent: u64,
    /// Unsubscribes of the sent.
    pub unsubscribe: Rate,
}

/// The totals of `attributed` for campaign `name`.
pub fn summarize(name: &str, has_goal: bool, attributed: &Attributed) -> CampaignSummary {
    let units: Vec<_> = attributed
        .arms
        .iter()
        .filter(|a| a.name != HOLDOUT_ARM)
        .flat_map(|a| a.units.values())
        .collect();
    let delivered = units.iter().filter(|u| u.delivered).count() as u64;
    let sent = units.len() as u64;
    let counted = |test: &dyn Fn(&&super::Unit) -> bool| units.iter().filter(|u| test(u)).count() as u64;
    CampaignSummary {
        click: Rate::of(counted(&|u| u.delivered && u.clicked), delivered),
        conversion: has_goal.then(|| Rate::of(counted(&|u| u.converted_at.is_some()), sent)),
        name: name.to_string(),
        open: Rate::of(counted(&|u| u.delivered && u.opened), delivered),
        sent,
        unsubscribe: Rate::of(counted(&|u| u.unsubscribed), sent),
    }
}

/// One campaign's cells: name, sent, and the open, click, conversion and unsubscribe rates.
fn cells(s: &CampaignSummary) -> [String; 6] {
    [
        s.name.clone(),
        s.sent.to_string(),
        percent(&s.open),
        percent(&s.click),
        s.conversion.as_ref().map_or("no goal".into(), percent),
        percent(&s.unsubscribe),
    ]
}

/// The summaries as an aligned table.
pub fn render_summary_text(now: &str, summaries: &[CampaignSummary]) -> String {
    let mut out = format!("results at {now}\n\n");
    let _ = writeln!(
        out,
        "{:24} {:>7} {:>7} {:>7} {:>10} {:>12}",
        "campaign", "sent", "open", "click", "conversion", "unsubscribe"
    );
    for s in summaries {
        let [name, sent, open, click, conversion, unsubscribe] = cells(s);
        let _ = writeln!(
            out,
            "{name:24} {sent:>7} {open:>7} {click:>7} {conversion:>10} {unsubscribe:>12}"
        );
    }
    out.push_str("\n`tailor report DIR CAMPAIGN` compares a campaign's arms.\n");
    out
}

/// The summaries as a markdown table.
pub fn render_summary_markdown(now: &str, summaries: &[CampaignSummary]) -> String {
    let mut out = format!("### Campaign results at {now}\n\n| campaign | sent | open | click | conversion | unsubscribe |\n|---|---:|---:|---:|---:|---:|\n");
    for s in summaries {
        let _ = writeln!(out, "| {} |", cells(s).join(" | "));
    }
    out
}
