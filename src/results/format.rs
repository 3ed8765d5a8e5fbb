//! One campaign's results as text (a terminal) and markdown (a pull-request or chat comment).

use std::fmt::Write as _;

use super::analysis::{p_text, percent, points, ArmResult, CampaignResults, Rate};

fn with_interval(rate: &Rate) -> String {
    if rate.count.trials == 0 {
        "–".into()
    } else {
        format!(
            "{:.1}% [{:.1}, {:.1}]",
            rate.rate * 100.0,
            rate.interval.low * 100.0,
            rate.interval.high * 100.0
        )
    }
}

/// The arm's cells: units, delivered, opens, clicks, conversions, revenue, and the metric rates.
fn cells(arm: &ArmResult, results: &CampaignResults) -> Vec<String> {
    let name = if arm.name == results.control {
        format!("{} (control)", arm.name)
    } else {
        arm.name.clone()
    };
    let mut cells = vec![
        name,
        arm.units.to_string(),
        arm.delivered.to_string(),
        if arm.holdout { "–".into() } else { percent(&arm.open) },
        if arm.holdout { "–".into() } else { percent(&arm.click) },
    ];
    if results.goal.is_some() {
        cells.push(with_interval(&arm.conversion));
        cells.push(format!("{:.2}", arm.revenue_per_unit));
    }
    cells.push(arm.unsubscribe.count.successes.to_string());
    cells.push(arm.bounces.to_string());
    cells.push(arm.machine_opens.to_string());
    cells
}

fn headers(results: &CampaignResults) -> Vec<&'static str> {
    let mut headers = vec!["arm", "units", "delivered", "open", "click"];
    if results.goal.is_some() {
        headers.extend(["conversion [95% CI]", "revenue/unit"]);
    }
    headers.extend(["unsubscribed", "bounced", "machine opens"]);
    headers
}

/// The comparison lines: lift, intervals, tests, Bayesian and sequential figures.
fn comparison_lines(results: &CampaignResults) -> Vec<String> {
    let mut lines = Vec::new();
    for c in &results.comparisons {
        let relative = match (c.relative_lift, c.relative_interval) {
            (Some(r), Some(i)) => format!(
                ", relative {:+.1}% [{:+.1}%, {:+.1}%]",
                r * 100.0,
                i.low * 100.0,
                i.high * 100.0
            ),
            _ => String::new(),
        };
        let adjusted = if results.comparisons.len() > 1 {
            format!(", Holm {}", p_text(c.p_adjusted))
        } else {
            String::new()
        };
        lines.push(format!(
            "{} vs {}: {} [{:+.1}, {:+.1}]{relative}; z = {:.2}, {}{adjusted}",
            c.arm,
            results.control,
            points(c.lift_observed),
            c.lift.low * 100.0,
            c.lift.high * 100.0,
            c.z,
            p_text(c.p_value)
        ));
        lines.push(format!(
            "  P({} beats {}) = {:.1}%, expected loss {:.2} pp if chosen, {:.2} pp if not",
            c.arm,
            results.control,
            c.bayes.probability_to_beat * 100.0,
            c.bayes.expected_loss_treatment * 100.0,
            c.bayes.expected_loss_control * 100.0
        ));
        if let Some(s) = &c.sequential {
            lines.push(format!(
                "  always-valid: {} [{:+.1}, {:+.1}], {}",
                points(c.lift_observed),
                s.interval.low * 100.0,
                s.interval.high * 100.0,
                p_text(s.p_value)
            ));
        }
        if let Some(w) = &c.revenue {
            lines.push(format!(
                "  revenue per unit: {:+.2} [{:+.2}, {:+.2}], Welch t = {:.2}, {}",
                w.difference,
                w.interval.low,
                w.interval.high,
                w.t,
                p_text(w.p_value)
            ));
        }
    }
    if let Some(chi) = &results.chi_square {
        lines.push(format!(
            "all arms: chi-square {:.2} ({} df), {}",
            chi.statistic,
            chi.freedom,
            p_text(chi.p_value)
        ));
    }
    if let Some(srm) = &results.sample_ratio {
        lines.push(format!(
            "sample ratio: chi-square {:.2} ({} df), {}{}",
            srm.statistic,
            srm.freedom,
            p_text(srm.p_value),
            if results.sample_ratio_mismatch {
                " — MISMATCH"
            } else {
                " (fits the weights)"
            }
        ));
    }
    lines
}

fn header_line(results: &CampaignResults) -> String {
    let goal = results.goal.as_deref().unwrap_or("no goal: comparing clicks");
    format!("{} · {} · at {}", results.campaign, goal, results.now)
}

/// The results as aligned text.
pub fn render_text(results: &CampaignResults) -> String {
    let mut out = format!("{}\n\n", header_line(results));
    let rows: Vec<Vec<String>> = std::iter::once(headers(results).iter().map(|h| h.to_string()).collect())
        .chain(results.arms.iter().map(|a| cells(a, results)))
        .collect();
    let widths: Vec<usize> = (0..rows[0].len())
        .map(|i| rows.iter().map(|r| r[i].chars().count()).max().unwrap_or(0))
        .collect();
    for row in &rows {
        let line: Vec<String> = row
            .iter()
            .zip(&widths)
            .enumerate()
            .map(|(i, (cell, &w))| {
                if i == 0 {
                    format!("{cell:w$}")
                } else {
                    format!("{cell:>w$}")
                }
            })
            .collect();
        let _ = writeln!(out, "  {}", line.join("  ").trim_end());
    }
    out.push('\n');
    for line in comparison_lines(results) {
        let _ = writeln!(out, "  {line}");
    }
    if results.unattributed > 0 {
        let _ = writeln!(out, "  {} open/click events matched no recipient", results.unattributed);
    }
    if let Some(rollout) = &results.rollout {
        let _ = writeln!(out, "  {rollout}");
    }
    out.push_str("\nverdict:\n");
    for line in &results.verdict {
        let _ = writeln!(out, "  {line}");
    }
    out
}

/// The results as markdown.
pub fn render_markdown(results: &CampaignResults) -> String {
    let mut out = format!("### {}\n\n", header_line(results));
    for line in &results.verdict {
        let _ = writeln!(out, "**{line}**  ");
    }
    out.push('\n');
    let headers = headers(results);
    let _ = writeln!(out, "| {} |", headers.join(" | "));
    let _ = writeln!(
        out,
        "|{}|",
        headers
            .iter()
            .enumerate()
            .map(|(i, _)| if i == 0 { "---" } else { "---:" })
            .collect::<Vec<_>>()
            .join("|")
    );
    for arm in &results.arms {
        let _ = writeln!(out, "| {} |", cells(arm, results).join(" | "));
    }
    out.push('\n');
    for line in comparison_lines(results) {
        let _ = writeln!(out, "- {}", line.trim_start());
    }
    if let Some(rollout) = &results.rollout {
        let _ = writeln!(out, "- {rollout}");
    }
    out
}
