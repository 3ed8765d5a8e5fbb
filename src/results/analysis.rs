//! The A/B analysis of one campaign's attributed outcomes: per arm, counts and rates with Wilson
//! intervals; against the control (the holdout when there is one, else the first variant), the
//! lift with its interval, the two-proportion z-test (Holm-corrected when several arms are
//! compared), exact Beta(1, 1) posteriors, the always-valid sequential test and, with a goal
//! value, Welch's t-test on revenue per recipient; across arms, chi-square and the sample-ratio
//! check; and a verdict in words.

use serde::Serialize;

use super::attribution::{ArmUnits, Attributed, Unit};
use crate::ledger::HOLDOUT_ARM;
use crate::model::Metric;
use crate::stats::{
    chi_square_contingency, chi_square_fit, holm, msprt, sample_size_per_arm, two_proportion_z_test, welch_t_test,
    BetaComparison, ChiSquare, Interval, Moments, Proportion, Sequential, Welch, SEQUENTIAL_TUNING,
};

/// The significance level of every test and interval.
pub const ALPHA: f64 = 0.05;
/// The sample-ratio p-value below which no verdict is given.
pub const SRM_ALPHA: f64 = 0.001;
/// The power the "more recipients" estimate aims for.
pub const POWER: f64 = 0.8;

/// A rate with its Wilson 95% interval.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Rate {
    /// Successes and trials.
    pub count: Proportion,
    /// The rate.
    pub rate: f64,
    /// Its interval.
    pub interval: Interval,
}

impl Rate {
    /// `successes` of `trials`, with the interval.
    pub fn of(successes: u64, trials: u64) -> Rate {
        let count = Proportion { successes, trials };
        Rate {
            count,
            rate: count.rate(),
            interval: count.wilson(ALPHA),
        }
    }
}

/// One arm's outcomes. Fields in alphabetical order, so JSON keys come out sorted.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ArmResult {
    /// Bounced (failed send or bounced address), of the delivered.
    pub bounces: u64,
    /// Clicks (people), of the delivered.
    pub click: Rate,
    /// Complaints, of the delivered.
    pub complaints: u64,
    /// Conversions (first goal event in the window), of the units.
    pub conversion: Rate,
    /// Messages that reached the server (0 for the holdout).
    pub delivered: u64,
    /// Its declared share of the audience.
    pub expected_share: f64,
    /// Whether this is the holdout.
    pub holdout: bool,
    /// Opens by machines only (mail-privacy proxies), not counted as opens.
    pub machine_opens: u64,
    /// The arm's name.
    pub name: String,
    /// Opens by people, of the delivered.
    pub open: Rate,
    /// Revenue: the goal value summed.
    pub revenue: f64,
    /// Revenue per unit.
    pub revenue_per_unit: f64,
    /// Profiles in the arm (sent or held out).
    pub units: u64,
    /// Unsubscribes, of the units.
    pub unsubscribe: Rate,
}

/// One arm against the control on the primary metric (fields in alphabetical order).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Comparison {
    /// The arm.
    pub arm: String,
    /// Bayesian: probability to beat the control, expected losses.
    pub bayes: BetaComparison,
    /// The absolute lift (difference of rates) with its interval.
    pub lift: Interval,
    /// The observed absolute lift.
    pub lift_observed: f64,
    /// Holm-adjusted (equal to `p_value` with one comparison).
    pub p_adjusted: f64,
    /// The z-test's two-sided p-value.
    pub p_value: f64,
    /// The relative lift's delta-method interval.
    pub relative_interval: Option<Interval>,
    /// The relative lift, (arm − control) / control, when the control's rate is not 0.
    pub relative_lift: Option<f64>,
    /// Revenue per unit, Welch's t-test, when the goal has a value.
    pub revenue: Option<Welch>,
    /// The always-valid sequential test.
    pub sequential: Option<Sequential>,
    /// The z statistic.
    pub z: f64,
}

/// The analysis of one campaign. Fields in alphabetical order, so JSON keys come out sorted.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CampaignResults {
    /// Every arm, control first.
    pub arms: Vec<ArmResult>,
    /// The campaign.
    pub campaign: String,
    /// Independence of arm and outcome across all arms.
    pub chi_square: Option<ChiSquare>,
    /// Each other arm against the control.
    pub comparisons: Vec<Comparison>,
    /// The control arm.
    pub control: String,
    /// The goal, as `purchase within 7d`, if any.
    pub goal: Option<String>,
    /// The metric compared: `conversion` with a goal, else `click`.
    pub metric: String,
    /// The report's clock.
    pub now: String,
    /// A decided rollout: the winner and why (from the ledger).
    pub rollout: Option<String>,
    /// The sample-ratio check of arm sizes against the weights.
    pub sample_ratio: Option<ChiSquare>,
    /// Whether the arm sizes do not fit the weights (p < 0.001): then no verdict.
    pub sample_ratio_mismatch: bool,
    /// Whether the verdict reads the sequential test (`--sequential`).
    pub sequential: bool,
    /// Each arm's cumulative metric rate by day, for the chart.
    pub timeline: Vec<DayPoint>,
    /// Open and click events of this campaign that matched no recipient.
    pub unattributed: u64,
    /// The verdict, in words, one line per compared arm.
    pub verdict: Vec<String>,
}

/// One arm's cumulative rate at the end of one day.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DayPoint {
    /// The arm.
    pub arm: String,
    /// The day (UTC), `YYYY-MM-DD`.
    pub day: String,
    /// Units so far.
    pub units: u64,
    /// Successes so far.
    pub successes: u64,
}

const DAY: i64 = 86_400;
/// At most this many days are drawn; a longer test is sampled evenly.
const MAX_DAYS: i64 = 120;

fn count(arm: &ArmUnits, test: impl Fn(&Unit) -> bool) -> u64 {
    arm.units.values().filter(|u| test(u)).count() as u64
}

fn arm_result(arm: &ArmUnits) -> ArmResult {
    let units = arm.units.len() as u64;
    let delivered = count(arm, |u| u.delivered);
    let revenue = arm.units.values().fold(0.0, |total, u| total + u.revenue);
    ArmResult {
        bounces: count(arm, |u| u.bounced),
        click: Rate::of(count(arm, |u| u.clicked && u.delivered), delivered),
        complaints: count(arm, |u| u.complained),
        conversion: Rate::of(count(arm, |u| u.converted_at.is_some()), units),
        delivered,
        expected_share: arm.expected_share,
        holdout: arm.name == HOLDOUT_ARM,
        machine_opens: count(arm, |u| u.machine_opened),
        name: arm.name.clone(),
        open: Rate::of(count(arm, |u| u.opened && u.delivered), delivered),
        revenue,
        revenue_per_unit: if units == 0 { 0.0 } else { revenue / units as f64 },
        units,
        unsubscribe: Rate::of(count(arm, |u| u.unsubscribed), units),
    }
}

/// Formats a difference of rates in percentage points, signed.
pub fn points(value: f64) -> String {
    format!("{:+.1} pp", value * 100.0)
}

/// Formats a rate as a percentage (a dash without trials).
pub fn percent(rate: &Rate) -> String {
    if rate.count.trials == 0 {
        "–".into()
    } else {
        format!("{:.1}%", rate.rate * 100.0)
    }
}

/// Formats a p-value.
pub fn p_text(p: f64) -> String {
    if p < 0.001 {
        "p < 0.001".into()
    } else {
        format!("p = {p:.3}")
    }
}

/// What an analysis compares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Comparing {
    /// The metric: conversion (needs a goal) or click.
    pub metric: Metric,
    /// Leave the holdout out and compare with the first variant (a rollout chooses among
    /// variants; clicks leave it out anyway, as it gets no messages).
    pub variants_only: bool,
    /// Base the verdict on the always-valid sequential test.
    pub sequential: bool,
}

/// Analyses `attributed` for `campaign` (with `goal`, described, if any; revenue is compared
/// when `has_value`).
pub fn analyse(
    campaign: &str,
    goal: Option<String>,
    has_value: bool,
    attributed: &Attributed,
    comparing: Comparing,
    now: &str,
) -> CampaignResults {
    let metric = comparing.metric.name();
    let sequential = comparing.sequential;
    // The control: the holdout when there is one (conversion only: it gets no clicks), else
    // the first variant.
    let mut arms: Vec<&ArmUnits> = attributed.arms.iter().collect();
    if comparing.metric == Metric::Click || comparing.variants_only {
        arms.retain(|a| a.name != HOLDOUT_ARM);
    }
    let results: Vec<ArmResult> = arms.iter().map(|a| arm_result(a)).collect();
    let success = |arm: &ArmResult| {
        if metric == "click" {
            arm.click.count
        } else {
            arm.conversion.count
        }
    };
    let control = results.first().cloned();
    let mut comparisons = Vec::new();
    if let Some(control) = &control {
        let control_arm = arms[0];
        for (arm, units) in results.iter().zip(&arms).skip(1) {
            let (c, t) = (success(control), success(arm));
            let Some(z) = two_proportion_z_test(c, t, ALPHA) else {
                continue;
            };
            let variance = t.variance() / t.trials as f64 + c.variance() / c.trials as f64;
            let relative = welch_t_test(c.moments(), t.moments(), ALPHA);
            let revenue = if has_value {
                let values = |a: &ArmUnits| a.units.values().map(|u| u.revenue).collect::<Vec<_>>();
                welch_t_test(Moments::of(&values(control_arm)), Moments::of(&values(units)), ALPHA)
            } else {
                None
            };
            comparisons.push(Comparison {
                arm: arm.name.clone(),
                bayes: BetaComparison::of(c, t),
                lift: z.interval,
                lift_observed: z.difference,
                relative_lift: relative.map(|r| r.relative),
                relative_interval: relative.map(|r| r.relative_interval),
                p_value: z.p_value,
                p_adjusted: z.p_value,
                revenue,
                sequential: msprt(z.difference, variance, c.trials + t.trials, ALPHA, SEQUENTIAL_TUNING),
                z: z.z,
            });
        }
    }
    if comparisons.len() > 1 {
        let adjusted = holm(&comparisons.iter().map(|c| c.p_value).collect::<Vec<_>>());
        for (comparison, p) in comparisons.iter_mut().zip(adjusted) {
            comparison.p_adjusted = p;
        }
    }
    let table: Vec<(u64, u64)> = results
        .iter()
        .map(|a| (success(a).successes, success(a).trials))
        .collect();
    let chi_square = if results.len() > 2 {
        chi_square_contingency(&table)
    } else {
        None
    };
    let sizes: Vec<u64> = attributed.arms.iter().map(|a| a.units.len() as u64).collect();
    let shares: Vec<f64> = attributed.arms.iter().map(|a| a.expected_share).collect();
    let sample_ratio = chi_square_fit(&sizes, &shares);
    let sample_ratio_mismatch = sample_ratio.is_some_and(|s| s.p_value < SRM_ALPHA);
    let mut results = CampaignResults {
        timeline: timeline(&arms, metric),
        arms: results,
        chi_square,
        comparisons,
        control: control.map(|c| c.name).unwrap_or_default(),
        campaign: campaign.to_string(),
        goal,
        metric: metric.to_string(),
        now: now.to_string(),
        rollout: None,
        sequential,
        sample_ratio,
        sample_ratio_mismatch,
        unattributed: attributed.unattributed,
        verdict: Vec::new(),
    };
    results.verdict = verdict(&results);
    results
}

/// The verdict, one line per compared arm (or one line saying why there is none).
fn verdict(results: &CampaignResults) -> Vec<String> {
    let metric = &results.metric;
    if results.arms.iter().all(|a| a.units == 0) {
        return vec!["nothing to compare yet: no recipient is recorded for this campaign".into()];
    }
    if results.sample_ratio_mismatch {
        let sizes: Vec<String> = results.arms.iter().map(|a| format!("{} {}", a.name, a.units)).collect();
        return vec![format!(
            "no verdict: the arm sizes ({}) do not fit the declared weights (sample ratio mismatch, {}); find out why before trusting any difference",
            sizes.join(", "),
            p_text(results.sample_ratio.map_or(1.0, |s| s.p_value))
        )];
    }
    if results.comparisons.is_empty() {
        let with_units = results.arms.iter().filter(|a| a.units > 0).count();
        let control_units = results.arms.first().map_or(0, |a| a.units);
        return vec![if control_units == 0 {
            format!(
                "nothing to compare yet: the control `{}` has no recipients",
                results.control
            )
        } else if with_units < 2 {
            format!("nothing to compare: {metric} needs at least two arms with recipients")
        } else {
            format!("not enough evidence yet: no variation in {metric} to test (every arm is at 0% or at 100%)")
        }];
    }
    let control = &results.control;
    let control_rate = results.arms.first().map_or(0.0, |a| match metric.as_str() {
        "click" => a.click.rate,
        _ => a.conversion.rate,
    });
    results
        .comparisons
        .iter()
        .map(|c| {
            let (p, interval, label) = match (&c.sequential, results.sequential) {
                (Some(s), true) => (s.p_value, s.interval, "always-valid"),
                _ => (c.p_adjusted, c.lift, if results.comparisons.len() > 1 { "Holm-adjusted" } else { "" }),
            };
            let p_label = if label.is_empty() { p_text(p) } else { format!("{}, {label}", p_text(p)) };
            if p < ALPHA {
                let verb = if c.lift_observed > 0.0 { "beats" } else { "does worse than" };
                format!(
                    "{} {verb} {control} on {metric}: {} (95% CI {:.1} to {:.1}), {p_label}",
                    c.arm,
                    points(c.lift_observed),
                    interval.low * 100.0,
                    interval.high * 100.0,
                )
            } else {
                let arm_units = results.arms.iter().find(|a| a.name == c.arm).map_or(0, |a| a.units);
                let control_units = results.arms.first().map_or(0, |a| a.units);
                let more = sample_size_per_arm(control_rate, control_rate + c.lift_observed, ALPHA, POWER)
                    .map(|needed| needed.saturating_sub(arm_units.min(control_units)));
                match more {
                    Some(more) if more > 0 => format!(
                        "not enough evidence yet for {} on {metric}: {} so far ({p_label}); about {more} more recipients per arm for this effect",
                        c.arm,
                        points(c.lift_observed)
                    ),
                    Some(_) => format!(
                        "no clear difference between {} and {control} on {metric}: {} ({p_label})",
                        c.arm,
                        points(c.lift_observed)
                    ),
                    None => format!(
                        "no difference between {} and {control} on {metric} so far ({p_label})",
                        c.arm
                    ),
                }
            }
        })
        .collect()
}

/// Each arm's cumulative metric by day, from the first unit's day to the last event's.
fn timeline(arms: &[&ArmUnits], metric: &str) -> Vec<DayPoint> {
    let starts = arms.iter().flat_map(|a| a.units.values().map(|u| u.since));
    let Some(first) = starts.clone().min() else {
        return Vec::new();
    };
    let ends = arms
        .iter()
        .flat_map(|a| a.units.values().filter_map(|u| u.converted_at))
        .chain(starts);
    let last = ends.max().unwrap_or(first);
    let first_day = first.div_euclid(DAY);
    let days = last.div_euclid(DAY) - first_day + 1;
    let step = (days + MAX_DAYS - 1) / MAX_DAYS;
    let mut points = Vec::new();
    let mut day = first_day;
    loop {
        let end = (day + 1) * DAY;
        for arm in arms {
            let units = arm.units.values().filter(|u| u.since < end);
            let (mut n, mut successes) = (0, 0);
            for unit in units {
                n += 1;
                let success = match metric {
                    "click" => unit.clicked,
                    _ => unit.converted_at.is_some_and(|t| t < end),
                };
                successes += u64::from(success);
            }
            points.push(DayPoint {
                arm: arm.name.clone(),
                day: chrono::DateTime::from_timestamp(day * DAY, 0)
                    .map(|t| t.format("%Y-%m-%d").to_string())
                    .unwrap_or_default(),
                units: n,
                successes,
            });
        }
        if day >= first_day + days - 1 {
            break;
        }
        day = (day + step).min(first_day + days - 1);
    }
    points
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;
    use crate::results::attribution::{ArmUnits, Attributed, Unit};

    fn arm(name: &str, share: f64, units: usize, converted: usize) -> ArmUnits {
        let unit = |i: usize| Unit {
            since: 0,
            delivered: name != HOLDOUT_ARM,
            bounced: false,
            opened: false,
            machine_opened: false,
            clicked: false,
            converted_at: (i < converted).then_some(3_600),
            revenue: if i < converted { 50.0 } else { 0.0 },
            unsubscribed: false,
            complained: false,
        };
        ArmUnits {
            name: name.into(),
            expected_share: share,
            units: (0..units).map(|i| (format!("{name}{i:05}"), unit(i))).collect(),
        }
    }

    const CONVERSION: Comparing = Comparing {
        metric: Metric::Conversion,
        variants_only: false,
        sequential: false,
    };

    fn attributed(arms: Vec<ArmUnits>) -> Attributed {
        Attributed {
            arms,
            unattributed: 0,
            unknown_arms: BTreeMap::new(),
            rolled_out: 0,
            decision: None,
        }
    }

    #[test]
    fn a_real_difference_gets_a_verdict_with_its_interval() {
        let outcomes = attributed(vec![arm("control", 0.5, 2_000, 100), arm("discount", 0.5, 2_000, 160)]);
        let results = analyse(
            "c",
            Some("purchase within 7d".into()),
            true,
            &outcomes,
            CONVERSION,
            "now",
        );
        assert_eq!(results.control, "control");
        let line = &results.verdict[0];
        assert!(
            line.starts_with("discount beats control on conversion: +3.0 pp (95% CI "),
            "{line}"
        );
        assert!(results.comparisons[0].revenue.is_some());
        assert!(!results.sample_ratio_mismatch);
    }

    #[test]
    fn a_sample_ratio_mismatch_withholds_the_verdict() {
        let outcomes = attributed(vec![arm("control", 0.5, 1_000, 50), arm("discount", 0.5, 1_300, 200)]);
        let results = analyse(
            "c",
            Some("purchase within 7d".into()),
            false,
            &outcomes,
            CONVERSION,
            "now",
        );
        assert!(results.sample_ratio_mismatch);
        assert_eq!(results.verdict.len(), 1);
        assert!(results.verdict[0].starts_with("no verdict: the arm sizes (control 1000, discount 1300)"));
    }

    #[test]
    fn no_effect_asks_for_more_recipients() {
        let outcomes = attributed(vec![arm("control", 0.5, 300, 30), arm("offer", 0.5, 300, 33)]);
        let results = analyse(
            "c",
            Some("purchase within 7d".into()),
            false,
            &outcomes,
            CONVERSION,
            "now",
        );
        let line = &results.verdict[0];
        assert!(
            line.starts_with("not enough evidence yet for offer on conversion: +1.0 pp so far"),
            "{line}"
        );
        assert!(line.contains("more recipients per arm for this effect"), "{line}");
    }

    #[test]
    fn several_arms_are_holm_corrected_and_tested_together() {
        let outcomes = attributed(vec![
            arm(HOLDOUT_ARM, 0.2, 400, 20),
            arm("a", 0.4, 800, 60),
            arm("b", 0.4, 800, 40),
        ]);
        let results = analyse(
            "c",
            Some("purchase within 7d".into()),
            false,
            &outcomes,
            Comparing {
                sequential: true,
                ..CONVERSION
            },
            "now",
        );
        assert_eq!(results.control, HOLDOUT_ARM);
        assert_eq!(results.comparisons.len(), 2);
        let adjusted = holm(&[results.comparisons[0].p_value, results.comparisons[1].p_value]);
        assert_eq!(results.comparisons[0].p_adjusted, adjusted[0]);
        assert!(results.chi_square.is_some());
        // The sequential verdict is the always-valid one: wider than the fixed-horizon test.
        assert!(results
            .verdict
            .iter()
            .all(|l| l.contains("always-valid") || !l.contains("beats")));
    }
}
