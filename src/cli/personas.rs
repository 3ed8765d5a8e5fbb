//! `tailor personas [DIR] --now T`: fits every persona model to the data and shows, per label,
//! how many profiles carry it, their share as a bar, their mean inputs in raw units, and the
//! traits that set it apart from the population ([`persona_traits`]).

use std::fmt::Write as _;
use std::path::PathBuf;

use clap::{Args, ValueEnum};
use serde_json::{json, Map, Value as Json};

use super::persona_chart::persona_svg;
use super::steps::{checked_workspace, evaluated, run_clock, workspace_data};
use super::{ExitCode, Failure, Report};
use crate::diag::Diagnostic;
use crate::eval::{persona_traits, PersonaSummary, Trait};
use crate::model::{Clustering, PersonaModel};
use crate::plan::{base_labels, labels_in, members, Labels, PersonaChange};

/// Width of the share bar at 100%.
const BAR_WIDTH: usize = 30;

/// How the personas are printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum PersonasFormat {
    /// Aligned tables with bars, for a terminal.
    Text,
    /// Tables, for a pull request or a wiki.
    Markdown,
    /// The clusters as data.
    Json,
    /// A chart: shares, each input's mean against the population, traits.
    Svg,
}

/// Arguments of `tailor personas`.
#[derive(Debug, Args)]
pub struct PersonasArgs {
    /// The workspace folder.
    pub dir: Option<PathBuf>,
    /// The clock features are computed at (RFC 3339); default: now.
    #[arg(long)]
    pub now: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = PersonasFormat::Text)]
    pub format: PersonasFormat,
    /// Drop and count rows that do not fit the schema instead of failing.
    #[arg(long)]
    pub skip_bad_rows: bool,
    /// An earlier `personas --format json`: also say how many profiles changed persona since.
    #[arg(long, value_name = "OLD.json")]
    pub base: Option<PathBuf>,
}

/// Runs `tailor personas`.
pub fn run(args: &PersonasArgs, report: &mut Report) -> Result<ExitCode, Failure> {
    let now = run_clock(args.now.as_deref())?;
    let (_, workspace) = checked_workspace(args.dir.as_ref())?;
    let dataset = workspace_data(&workspace, args.skip_bad_rows, report)?;
    let evaluation = evaluated(&workspace, &dataset, now, "personas::evaluate", &mut |d| report.warn(d))?;
    let traits = |model: &PersonaModel| {
        persona_traits(model, &evaluation.frame)
            .map_err(|e| Failure::failed(Diagnostic::error("personas::evaluate", e.to_string())))
    };
    let fitted = workspace
        .personas
        .iter()
        .zip(&evaluation.personas)
        .map(|(model, summary)| Ok((model, summary, traits(model)?)))
        .collect::<Result<Vec<_>, Failure>>()?;
    let labels: Vec<Labels> = workspace
        .personas
        .iter()
        .map(|model| labels_in(&evaluation.frame, &workspace.schema.key, &model.name))
        .collect::<Result<_, _>>()
        .map_err(|e| Failure::failed(Diagnostic::error("personas::evaluate", e.to_string())))?;
    let base = args.base.as_ref().map(|path| read_base(path)).transpose()?;
    let changes: Vec<Option<PersonaChange>> = workspace
        .personas
        .iter()
        .zip(&labels)
        .map(|(model, now)| {
            let before = base.as_ref()?.get(&model.name)?;
            Some(PersonaChange::between(before, now))
        })
        .collect();
    match args.format {
        PersonasFormat::Text | PersonasFormat::Markdown | PersonasFormat::Svg if workspace.personas.is_empty() => {
            println!("no persona models in this workspace (a `kind: personas` document declares one)");
        }
        PersonasFormat::Text => {
            for ((model, summary, traits), change) in fitted.iter().zip(&changes) {
                print!("{}", text(model, summary, traits));
                if let Some(change) = change {
                    println!("\n  since the base: {}", change.line());
                }
            }
        }
        PersonasFormat::Markdown => {
            for ((model, summary, traits), change) in fitted.iter().zip(&changes) {
                print!("{}", markdown(model, summary, traits));
                if let Some(change) = change {
                    println!("Since the base: {}.\n", change.line());
                }
            }
        }
        PersonasFormat::Svg => {
            let models: Vec<_> = fitted
                .iter()
                .map(|(model, summary, traits)| (*model, *summary, traits))
                .collect();
            print!("{}", persona_svg(&models));
        }
        PersonasFormat::Json => {
            let models: Vec<Json> = fitted
                .iter()
                .zip(&labels)
                .zip(&changes)
                .map(|(((model, summary, traits), labels), change)| {
                    let mut model = data(model, summary, traits);
                    model["members"] = json!(members(labels));
                    if let Some(change) = change {
                        model["change"] = change.data();
                    }
                    model
                })
                .collect();
            println!("{:#}", json!({ "personas": models }));
        }
    }
    Ok(ExitCode::Success)
}

/// The labels of an earlier `personas --format json`, by model.
fn read_base(path: &std::path::Path) -> Result<std::collections::BTreeMap<String, Labels>, Failure> {
    let text = std::fs::read_to_string(path).map_err(|e| {
        Failure::usage(Diagnostic::error(
            "personas::bad-base",
            format!("cannot read `{}`: {e}", path.display()),
        ))
    })?;
    base_labels(&text).map_err(|why| {
        Failure::failed(
            Diagnostic::error(
                "personas::bad-base",
                format!("`{}` cannot be compared: {why}", path.display()),
            )
            .with_hint("save the base with `tailor personas --format json > base.json`"),
        )
    })
}

/// `kmeans k=4` or `dbscan eps=0.5 min_points=10`.
fn algorithm(model: &PersonaModel) -> String {
    match model.clustering {
        Clustering::Kmeans { k } => format!("kmeans k={k}"),
        Clustering::Dbscan { eps, min_points } => format!("dbscan eps={eps} min_points={min_points}"),
    }
}

/// How the model fits: `kmeans k=4 · scale standard · impute median · seed 42`.
pub(super) fn settings(model: &PersonaModel) -> String {
    format!(
        "{} · scale {} · impute {} · seed {}",
        algorithm(model),
        format!("{:?}", model.scale).to_lowercase(),
        format!("{:?}", model.impute).to_lowercase(),
        model.seed
    )
}

/// Each label's traits, by label.
/// Each label's traits, by label.
pub(super) type Traits = std::collections::BTreeMap<String, Vec<Trait>>;

/// A trait in words: `tier = gold: 64% vs 12% (index 533)`.
pub(super) fn describe(t: &Trait) -> String {
    format!(
        "{} = {}: {:.0}% vs {:.0}% (index {:.0})",
        t.column,
        t.value,
        t.share * 100.0,
        t.population_share * 100.0,
        t.index
    )
}

/// One model as a table: label, profiles, share bar, mean inputs; then each label's traits.
fn text(model: &PersonaModel, summary: &PersonaSummary, traits: &Traits) -> String {
    let labelled = summary.labelled();
    let mut out = String::new();
    let _ = writeln!(
        out,
        "persona {} · {}\n  {} of {} profiles in its population labelled ({} with a missing input imputed, {} left out for a missing input)\n",
        model.name,
        settings(model),
        labelled,
        summary.population,
        summary.imputed,
        summary.unlabelled(),
    );
    let label_width = summary.clusters.iter().map(|c| c.label.len()).max().unwrap_or(0).max(5);
    let mut header = format!(
        "  {:<label_width$} {:>8}  {:<w$}",
        "label",
        "profiles",
        "share",
        w = BAR_WIDTH + 6
    );
    for feature in &model.features {
        let _ = write!(header, " {feature:>14}");
    }
    let _ = writeln!(out, "{}", header.trim_end());
    for cluster in &summary.clusters {
        let share = cluster.size as f64 / labelled.max(1) as f64;
        let bar = "█".repeat((share * BAR_WIDTH as f64).round() as usize);
        let mut line = format!(
            "  {:<label_width$} {:>8}  {:>4.0}% {:<BAR_WIDTH$}",
            cluster.label,
            cluster.size,
            share * 100.0,
            bar
        );
        for value in &cluster.centroid {
            let _ = write!(line, " {value:>14.2}");
        }
        let _ = writeln!(out, "{}", line.trim_end());
    }
    let _ = writeln!(
        out,
        "\n  what sets each apart (share in the persona vs all labelled profiles; index 100 = as common)"
    );
    for cluster in &summary.clusters {
        let described: Vec<String> = traits.get(&cluster.label).into_iter().flatten().map(describe).collect();
        let shown = if described.is_empty() {
            "nothing stands out".to_string()
        } else {
            described.join("; ")
        };
        let _ = writeln!(out, "  {:<label_width$} {shown}", cluster.label);
    }
    out.push('\n');
    out
}

/// One model as markdown: a table of labels with their sizes, shares, mean inputs and traits.
fn markdown(model: &PersonaModel, summary: &PersonaSummary, traits: &Traits) -> String {
    let labelled = summary.labelled();
    let mut out = format!(
        "### Persona `{}`\n\n{}: {} of {} profiles labelled, {} with a missing input imputed, {} unlabelled.\n\n",
        model.name,
        settings(model),
        labelled,
        summary.population,
        summary.imputed,
        summary.unlabelled(),
    );
    let inputs: String = model.features.iter().map(|f| format!(" {f} |")).collect();
    let align: String = model.features.iter().map(|_| "---:|").collect();
    let _ = writeln!(out, "| label | profiles | share |{inputs} what sets it apart |");
    let _ = writeln!(out, "|---|---:|---:|{align}---|");
    for cluster in &summary.clusters {
        let share = 100.0 * cluster.size as f64 / labelled.max(1) as f64;
        let means: String = cluster.centroid.iter().map(|v| format!(" {v:.2} |")).collect();
        let described: Vec<String> = traits.get(&cluster.label).into_iter().flatten().map(describe).collect();
        let _ = writeln!(
            out,
            "| {} | {} | {share:.0}% |{means} {} |",
            cluster.label,
            cluster.size,
            described.join("; ").replace('|', "\\|")
        );
    }
    out.push('\n');
    out
}

/// One model as data.
fn data(model: &PersonaModel, summary: &PersonaSummary, traits: &Traits) -> Json {
    let clusters: Vec<Json> = summary
        .clusters
        .iter()
        .map(|cluster| {
            let centroid: Map<String, Json> = model
                .features
                .iter()
                .zip(&cluster.centroid)
                .map(|(feature, value)| (feature.clone(), json!(value)))
                .collect();
            let traits: Vec<Json> = traits
                .get(&cluster.label)
                .into_iter()
                .flatten()
                .map(|t| {
                    json!({
                        "column": t.column,
                        "index": t.index,
                        "population_share": t.population_share,
                        "share": t.share,
                        "value": t.value,
                    })
                })
                .collect();
            json!({ "centroid": centroid, "label": cluster.label, "size": cluster.size, "traits": traits })
        })
        .collect();
    json!({
        "algorithm": algorithm(model),
        "clusters": clusters,
        "model": model.name,
        "imputed": summary.imputed,
        "impute": format!("{:?}", model.impute).to_lowercase(),
        "population": summary.population,
        "unlabelled": summary.unlabelled(),
    })
}
