//! `plan --base OLD.json`: what a change does to each campaign, segment and persona model (and,
//! when the base lists persona members, how many profiles moved between personas).

use std::collections::BTreeMap;
use std::fmt::Write as _;

use super::persona_change::{labels_of, PersonaChange};
use super::report::{CampaignReport, PlanReport};

/// Named numbers before and after a change.
type BeforeAfter = (BTreeMap<String, usize>, BTreeMap<String, usize>);

/// One changed number: what, before, after.
struct Change {
    what: String,
    before: usize,
    after: usize,
}

/// A variant whose sample subject reads differently: what, before, after (with the sample
/// profile's key when the sample recipient changed too).
struct SubjectChange {
    what: String,
    before: String,
    after: String,
}

/// Each variant's sample subject, by `campaign variant`.
fn subjects(plan: &PlanReport) -> BTreeMap<String, (String, String)> {
    plan.campaigns
        .iter()
        .flat_map(|c| {
            c.variants.iter().filter_map(move |v| {
                let sample = v.subject.as_ref()?;
                Some((
                    format!("{} {}", c.name, v.name),
                    (sample.text.clone(), sample.key.clone()),
                ))
            })
        })
        .collect()
}

/// Rollouts whose winner was chosen (or changed) between the plans.
fn rollout_changes(base: &PlanReport, plan: &PlanReport) -> Vec<SubjectChange> {
    let winner = |report: &CampaignReport| {
        let rollout = report.rollout.as_ref()?;
        Some(match &rollout.winner {
            Some(winner) => format!("`{winner}` won"),
            None => "testing".to_string(),
        })
    };
    plan.campaigns
        .iter()
        .filter_map(|after| {
            let now = winner(after)?;
            let before = base
                .campaigns
                .iter()
                .find(|b| b.name == after.name)
                .and_then(winner)
                .unwrap_or_else(|| "no rollout".into());
            (before != now).then(|| SubjectChange {
                what: format!("{}.rollout", after.name),
                before,
                after: now,
            })
        })
        .collect()
}

/// Variants whose subject, as their first due recipient sees it, changed; and the subjects of
/// campaigns only one plan has.
fn subject_changes(base: &PlanReport, plan: &PlanReport) -> Vec<SubjectChange> {
    let (before, after) = (subjects(base), subjects(plan));
    let has = |report: &PlanReport, what: &str| {
        report
            .campaigns
            .iter()
            .any(|c| what.starts_with(&format!("{} ", c.name)))
    };
    let alone = |side: &BTreeMap<String, (String, String)>, other: &PlanReport, label: &str, added: bool| {
        side.iter()
            .filter(|(what, _)| !has(other, what))
            .map(|(what, (text, key))| {
                let shown = format!("\"{text}\" ({key})");
                let (before, after) = if added {
                    (label.to_string(), shown)
                } else {
                    (shown, label.to_string())
                };
                SubjectChange {
                    what: format!("{what}.subject"),
                    before,
                    after,
                }
            })
            .collect::<Vec<_>>()
    };
    let mut changes = alone(&after, base, "(new campaign)", true);
    changes.extend(alone(&before, plan, "(removed campaign)", false));
    changes.extend(after.iter().filter_map(|(what, (text, key))| {
        let (old_text, old_key) = before.get(what)?;
        if old_text == text {
            return None;
        }
        let shown = |text: &str, key: &str| {
            if old_key == key {
                format!("\"{text}\"")
            } else {
                format!("\"{text}\" ({key})")
            }
        };
        Some(SubjectChange {
            what: format!("{what}.subject"),
            before: shown(old_text, old_key),
            after: shown(text, key),
        })
    }));
    changes
}

fn numbers(campaign: &CampaignReport) -> BTreeMap<String, usize> {
    let mut numbers = BTreeMap::new();
    numbers.insert("audience".to_string(), campaign.audience);
    numbers.insert("holdout".to_string(), campaign.holdout);
    for (bucket, count) in campaign.suppressed.iter() {
        numbers.insert(bucket.name().to_string(), count);
    }
    for variant in &campaign.variants {
        numbers.insert(format!("{}.count", variant.name), variant.count);
        numbers.insert(format!("{}.due", variant.name), variant.due);
    }
    if let Some(rollout) = &campaign.rollout {
        numbers.insert("rollout.pending".to_string(), rollout.pending);
    }
    numbers
}

/// Which plan a number comes from.
#[derive(Clone, Copy)]
enum Side {
    Before,
    After,
}

impl Side {
    fn of(self, pair: &mut BeforeAfter) -> &mut BTreeMap<String, usize> {
        match self {
            Side::Before => &mut pair.0,
            Side::After => &mut pair.1,
        }
    }
}

/// What changed about one campaign, segment or persona model.
struct Changed {
    /// `campaign NAME`, `segment NAME` or `persona MODEL`.
    name: String,
    /// ` (new)` or ` (removed)` when only one plan has it, else empty.
    status: &'static str,
    /// Its numbers that moved.
    changes: Vec<Change>,
}

/// Changes per campaign, segment and persona model, in name order; new and removed ones count
/// from or to zero and say so.
fn changes(base: &PlanReport, plan: &PlanReport) -> Vec<Changed> {
    let mut all: BTreeMap<String, BeforeAfter> = BTreeMap::new();
    for campaign in &base.campaigns {
        all.entry(format!("campaign {}", campaign.name)).or_default().0 = numbers(campaign);
    }
    for campaign in &plan.campaigns {
        all.entry(format!("campaign {}", campaign.name)).or_default().1 = numbers(campaign);
    }
    for (report, side) in [(base, Side::Before), (plan, Side::After)] {
        for segment in &report.segments {
            let sizes = side.of(all.entry(format!("segment {}", segment.name)).or_default());
            sizes.insert("size".into(), segment.size);
        }
        for persona in &report.personas {
            let sizes = side.of(all.entry(format!("persona {}", persona.model)).or_default());
            for label in &persona.labels {
                sizes.insert(label.label.clone(), label.size);
            }
        }
    }
    all.into_iter()
        .filter_map(|(name, (before, after))| {
            let keys: std::collections::BTreeSet<&String> = before.keys().chain(after.keys()).collect();
            let changed: Vec<Change> = keys
                .into_iter()
                .map(|k| Change {
                    what: k.clone(),
                    before: before.get(k).copied().unwrap_or(0),
                    after: after.get(k).copied().unwrap_or(0),
                })
                .filter(|c| c.before != c.after)
                .collect();
            let status = match (before.is_empty(), after.is_empty()) {
                (true, false) => " (new)",
                (false, true) => " (removed)",
                _ => "",
            };
            (!changed.is_empty()).then_some(Changed {
                name,
                status,
                changes: changed,
            })
        })
        .collect()
}

fn signed(change: &Change) -> String {
    let delta = change.after as i64 - change.before as i64;
    format!("{delta:+}")
}

/// For each persona model of both plans whose members the plan lists, a line on how many
/// profiles moved between its labels; when the base lists none, how to save it so that it does.
fn persona_moves(base: &PlanReport, plan: &PlanReport) -> Vec<String> {
    plan.personas
        .iter()
        .filter(|now| !now.members.is_empty())
        .filter_map(|now| {
            let before = base.personas.iter().find(|b| b.model == now.model)?;
            Some(if before.members.is_empty() {
                format!(
                    "persona {}: the base lists no members; save it with `tailor plan --format json --members` to count the profiles that changed persona",
                    now.model
                )
            } else {
                let change = PersonaChange::between(&labels_of(&before.members), &labels_of(&now.members));
                format!("persona {}: {}", now.model, change.line())
            })
        })
        .collect()
}

/// The changes as text.
pub fn diff_text(base: &PlanReport, plan: &PlanReport) -> String {
    let changes = changes(base, plan);
    let mut subjects = subject_changes(base, plan);
    subjects.extend(rollout_changes(base, plan));
    let moves = persona_moves(base, plan).join("\n");
    let moves = if moves.is_empty() { moves } else { moves + "\n" };
    if changes.is_empty() && subjects.is_empty() {
        return format!("no change against the base plan ({} → {})\n{moves}", base.now, plan.now);
    }
    let mut out = String::new();
    for Changed { name, status, changes } in changes {
        let _ = writeln!(out, "{name}{status}");
        for change in changes {
            let _ = writeln!(
                out,
                "  {:<24} {:>8} → {:<8} {}",
                change.what,
                change.before,
                change.after,
                signed(&change)
            );
        }
    }
    if !subjects.is_empty() {
        let _ = writeln!(out, "subjects");
        for change in subjects {
            let _ = writeln!(out, "  {}: {} → {}", change.what, change.before, change.after);
        }
    }
    out + &moves
}

/// The changes as a markdown table for a pull request.
pub fn diff_markdown(base: &PlanReport, plan: &PlanReport) -> String {
    let changes = changes(base, plan);
    let mut subjects = subject_changes(base, plan);
    subjects.extend(rollout_changes(base, plan));
    let mut out = String::from("## tailor plan: what this change does\n\n");
    if !subjects.is_empty() {
        out.push_str("| subject | before | after |\n|---|---|---|\n");
        for change in &subjects {
            let cell = |text: &str| text.replace('|', "\\|");
            let _ = writeln!(
                out,
                "| {} | {} | {} |",
                change.what,
                cell(&change.before),
                cell(&change.after)
            );
        }
        out.push('\n');
    }
    let moves: String = persona_moves(base, plan)
        .iter()
        .map(|line| format!("\n- {line}"))
        .collect();
    let moves = if moves.is_empty() {
        moves
    } else {
        format!("\nPersonas:\n{moves}\n")
    };
    if changes.is_empty() {
        out.push_str("No audience changes.\n");
        return out + &moves;
    }
    out.push_str("| | | before | after | change |\n|---|---|---:|---:|---:|\n");
    for Changed { name, status, changes } in changes {
        for (i, change) in changes.iter().enumerate() {
            let label = if i == 0 {
                format!("**{name}**{status}")
            } else {
                String::new()
            };
            let _ = writeln!(
                out,
                "| {label} | {} | {} | {} | {} |",
                change.what,
                change.before,
                change.after,
                signed(change)
            );
        }
    }
    out + &moves
}
