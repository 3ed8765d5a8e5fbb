//! The plan as text for a terminal, markdown for a pull request, and dot for the graph.

use std::fmt::Write as _;

use super::power::power_line;
use super::report::{CampaignReport, PlanReport, ScoreReport};
use crate::check::{Step, WorkspaceGraph};
use crate::model::Bucket;

/// `consent 3 · suppressed 0 · ...`, joined by `separator`.
fn left_out(campaign: &CampaignReport, separator: &str) -> String {
    Bucket::LEFT_OUT
        .iter()
        .map(|bucket| format!("{bucket} {}", campaign.suppressed.get(*bucket)))
        .collect::<Vec<_>>()
        .join(separator)
}

fn headline(campaign: &CampaignReport) -> String {
    let paused = if campaign.paused {
        " · PAUSED (sends nothing)"
    } else {
        ""
    };
    format!(
        "{} · {} · priority {}{paused}",
        campaign.name, campaign.timing, campaign.priority
    )
}

/// An aligned, plain-text plan.
pub fn render_text(plan: &PlanReport) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "plan at {}", plan.now);
    let _ = writeln!(out, "{}", plan.ledger);
    for campaign in &plan.campaigns {
        let _ = writeln!(out, "\n{}", headline(campaign));
        let _ = writeln!(
            out,
            "  audience {}: {} · holdout {}",
            campaign.audience,
            left_out(campaign, " · "),
            campaign.holdout
        );
        let name_width = campaign.variants.iter().map(|v| v.name.len()).max().unwrap_or(7).max(7);
        let _ = write!(out, "  {:<name_width$} {:>7} {:>7}", "variant", "count", "due");
        for held in Bucket::HELD {
            let _ = write!(out, " {:>13}", held.name());
        }
        let _ = writeln!(out, "  sample");
        for variant in &campaign.variants {
            let mut line = format!(
                "  {:<name_width$} {:>7} {:>7}",
                variant.name, variant.count, variant.due
            );
            for held in Bucket::HELD {
                let _ = write!(line, " {:>13}", variant.held.get(held));
            }
            let sample = campaign
                .sample
                .get(&variant.name)
                .map(|s| s.join(" "))
                .unwrap_or_default();
            let _ = writeln!(out, "{}", format!("{line}  {sample}").trim_end());
        }
        for variant in &campaign.variants {
            if let Some(subject) = &variant.subject {
                let _ = writeln!(
                    out,
                    "  {:<name_width$} subject for {}: {}",
                    variant.name, subject.key, subject.text
                );
            }
        }
        if let Some(power) = &campaign.power {
            let _ = writeln!(out, "  {}", power_line(power));
        }
        if let Some(rollout) = &campaign.rollout {
            let _ = writeln!(out, "  {}", rollout.line());
        }
    }
    let _ = writeln!(out, "\nsegments (every match, before consent)");
    let width = plan.segments.iter().map(|s| s.name.len()).max().unwrap_or(0);
    for segment in &plan.segments {
        let _ = writeln!(out, "  {:<width$} {:>8}", segment.name, segment.size);
    }
    for persona in &plan.personas {
        let _ = writeln!(
            out,
            "\npersona {} (labels over its population; {} with a missing input imputed, {} unlabelled)",
            persona.model, persona.imputed, persona.unlabelled
        );
        let width = persona.labels.iter().map(|l| l.label.len()).max().unwrap_or(0);
        for label in &persona.labels {
            let _ = writeln!(out, "  {:<width$} {:>8}", label.label, label.size);
        }
    }
    if !plan.scores.is_empty() {
        let _ = writeln!(out, "\nscores (saved fits applied to their population)");
        let width = plan.scores.iter().map(|s| s.model.len()).max().unwrap_or(0);
        for score in &plan.scores {
            let _ = writeln!(out, "  {:<width$} {}", score.model, score_line(score));
        }
    }
    out
}

/// A score model's line: how many were scored, the mean, and when the fit was trained.
fn score_line(score: &ScoreReport) -> String {
    match (&score.trained_at, score.mean) {
        (None, _) => "not trained: `tailor train` saves a fit".to_string(),
        (Some(trained), Some(mean)) => format!("{:>8} scored, mean {mean:.3}, trained {trained}", score.scored),
        (Some(trained), None) => format!("{:>8} scored, trained {trained}", score.scored),
    }
}

/// The plan as markdown, for a pull request comment.
pub fn render_markdown(plan: &PlanReport) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "## tailor plan at `{}`\n\n_{}_\n", plan.now, plan.ledger);
    for campaign in &plan.campaigns {
        let _ = writeln!(out, "### {}\n", headline(campaign));
        let _ = writeln!(
            out,
            "Audience **{}**: {}, holdout {}.\n",
            campaign.audience,
            left_out(campaign, ", "),
            campaign.holdout
        );
        let held_names: Vec<&str> = Bucket::HELD.iter().map(|b| b.name()).collect();
        let _ = writeln!(out, "| variant | count | due | {} | sample |", held_names.join(" | "));
        let _ = writeln!(out, "|---|---:|---:|{}---|", "---:|".repeat(Bucket::HELD.len()));
        for variant in &campaign.variants {
            let held: Vec<String> = Bucket::HELD.iter().map(|h| variant.held.get(*h).to_string()).collect();
            let sample = campaign
                .sample
                .get(&variant.name)
                .map(|s| s.iter().map(|k| format!("`{k}`")).collect::<Vec<_>>().join(" "))
                .unwrap_or_default();
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} | {sample} |",
                variant.name,
                variant.count,
                variant.due,
                held.join(" | ")
            );
        }
        out.push('\n');
        for variant in &campaign.variants {
            if let Some(subject) = &variant.subject {
                let _ = writeln!(
                    out,
                    "- `{}` subject for `{}`: {}",
                    variant.name,
                    subject.key,
                    markdown_text(&subject.text)
                );
            }
        }
        if campaign.variants.iter().any(|v| v.subject.is_some()) {
            out.push('\n');
        }
        if let Some(power) = &campaign.power {
            let _ = writeln!(out, "_{}_\n", power_line(power));
        }
        if let Some(rollout) = &campaign.rollout {
            let _ = writeln!(out, "**{}**\n", markdown_text(&rollout.line()));
        }
    }
    let _ = writeln!(out, "### Segments\n\n| segment | size |\n|---|---:|");
    for segment in &plan.segments {
        let _ = writeln!(out, "| {} | {} |", segment.name, segment.size);
    }
    if !plan.personas.is_empty() {
        let _ = writeln!(out, "\n### Personas\n\n| model | label | size |\n|---|---|---:|");
        for persona in &plan.personas {
            for label in &persona.labels {
                let _ = writeln!(out, "| {} | {} | {} |", persona.model, label.label, label.size);
            }
        }
    }
    if !plan.scores.is_empty() {
        let _ = writeln!(out, "\n### Scores\n\n| model | scoring |\n|---|---|");
        for score in &plan.scores {
            let _ = writeln!(out, "| {} | {} |", score.model, markdown_text(score_line(score).trim()));
        }
    }
    out
}

/// The workspace graph in Graphviz dot, campaign nodes annotated with their counts and
/// persona nodes with their labels' sizes.
pub fn render_dot(graph: &WorkspaceGraph, plan: &PlanReport) -> String {
    let mut out = String::from("digraph plan {\n  rankdir=LR;\n  node [shape=box, fontname=\"Helvetica\"];\n");
    for node in graph.nodes() {
        let campaign = || plan.campaigns.iter().find(|c| c.name == node.name);
        let label = match node.step {
            Step::Audience => campaign().map(|c| format!("{}\\naudience {}", node.id, c.audience)),
            Step::Caps => {
                campaign().map(|c| format!("{}\\ndue {}", node.id, c.variants.iter().map(|v| v.due).sum::<usize>()))
            }
            Step::Persona => plan.personas.iter().find(|p| p.model == node.name).map(|persona| {
                let labels: Vec<String> = persona
                    .labels
                    .iter()
                    .map(|l| format!("{} {}", l.label, l.size))
                    .collect();
                format!("{}\\n{}", node.id, labels.join(", "))
            }),
            _ => None,
        }
        .unwrap_or_else(|| node.id.clone());
        let shape = match node.step {
            Step::Load => ", shape=cylinder",
            Step::Consent => ", style=bold",
            Step::Persona | Step::Score => ", shape=ellipse",
            _ => "",
        };
        let _ = writeln!(out, "  \"{}\" [label=\"{label}\"{shape}];", node.id);
    }
    for node in graph.nodes() {
        for input in &node.inputs {
            let _ = writeln!(out, "  \"{input}\" -> \"{}\";", node.id);
        }
    }
    out.push_str("}\n");
    out
}

/// `text` with markdown's special characters escaped, so data cannot format a PR comment.
fn markdown_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if "\\`*_{}[]()<>#+-!|~".contains(c) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}
