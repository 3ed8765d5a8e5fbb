//! Power before sending: for a campaign whose arms are compared (a holdout, or several
//! variants), the smallest lift its arm sizes can detect at 80% power and α = 0.05, on a
//! baseline rate — the goal's declared `baseline`, else the goal's rate over the audience in the
//! data (a goal event in the `within` window before now).

use std::collections::HashSet;

use serde::{Deserialize, Serialize};

use super::report::CampaignReport;
use crate::model::Campaign;
use crate::stats::detectable_lift;

/// The significance level the detectable lift is computed for.
pub const POWER_ALPHA: f64 = 0.05;
/// The power it is computed for.
pub const POWER: f64 = 0.8;

/// What an A/B campaign can detect. Fields in alphabetical order (sorted JSON keys).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PowerReport {
    /// The baseline conversion rate.
    pub baseline: f64,
    /// Where it comes from: `goal.baseline` or `history`.
    pub baseline_from: String,
    /// The arm compared against: `holdout` or the first variant.
    pub control: String,
    /// Its recipients.
    pub control_units: usize,
    /// The smallest absolute lift detectable (`None`: none within [0, 1]).
    pub detectable_lift: Option<f64>,
    /// The same, relative to the baseline.
    pub relative_lift: Option<f64>,
    /// The smallest compared arm's recipients.
    pub treatment_units: usize,
}

/// The share of `audience` rows whose key has a goal event in the window (`goal_keys`).
pub fn historical_rate(audience: &[bool], keys: &[String], goal_keys: &HashSet<&str>) -> f64 {
    let (mut members, mut converted) = (0usize, 0usize);
    for (row, _) in audience.iter().enumerate().filter(|(_, in_audience)| **in_audience) {
        members += 1;
        converted += usize::from(goal_keys.contains(keys[row].as_str()));
    }
    if members == 0 {
        0.0
    } else {
        converted as f64 / members as f64
    }
}

/// The power of `campaign` as planned in `report`, on `history_rate` unless the goal declares
/// a baseline; `None` without a goal or without two arms to compare.
pub fn power_of(campaign: &Campaign, report: &CampaignReport, history_rate: f64) -> Option<PowerReport> {
    let goal = campaign.goal.as_ref()?;
    let mut arms: Vec<(String, usize)> = Vec::new();
    if campaign.holdout.hundredths > 0 {
        arms.push(("holdout".into(), report.holdout));
    }
    arms.extend(report.variants.iter().map(|v| (v.name.clone(), v.count)));
    if arms.len() < 2 {
        return None;
    }
    let (control, control_units) = arms[0].clone();
    let treatment_units = arms[1..].iter().map(|(_, n)| *n).min().unwrap_or(0);
    let (baseline, baseline_from) = match goal.baseline {
        Some(p) => (f64::from(p.hundredths) / 10_000.0, "goal.baseline"),
        None => (history_rate, "history"),
    };
    let detectable = detectable_lift(
        baseline,
        control_units as u64,
        treatment_units as u64,
        POWER_ALPHA,
        POWER,
    );
    Some(PowerReport {
        baseline,
        baseline_from: baseline_from.into(),
        control,
        control_units,
        detectable_lift: detectable,
        relative_lift: detectable.filter(|_| baseline > 0.0).map(|d| d / baseline),
        treatment_units,
    })
}

/// One line saying what the campaign can detect.
pub fn power_line(power: &PowerReport) -> String {
    let lift = match (power.detectable_lift, power.relative_lift) {
        (Some(d), Some(r)) => format!("+{:.1} pp ({:+.0}% relative)", d * 100.0, r * 100.0),
        (Some(d), None) => format!("+{:.1} pp", d * 100.0),
        _ => "no lift within reach".into(),
    };
    format!(
        "power: 80% to detect {lift} over a {:.1}% baseline ({}) with {} {} vs {} per arm (α = 0.05)",
        power.baseline * 100.0,
        power.baseline_from,
        power.control_units,
        power.control,
        power.treatment_units
    )
}
