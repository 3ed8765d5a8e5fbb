//! `tailor train [DIR] --now T`: fits every score model (`kind: model`) by time travel and saves
//! it to `models/<name>.json`, with what it learnt and how well it predicted a held-out slice.

use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};

use clap::{Args, ValueEnum};

use super::steps::{checked_workspace, run_clock, workspace_data};
use super::{ExitCode, Failure, Report};
use crate::diag::Diagnostic;
use crate::eval::{train, HeldOut};
use crate::model::{Fit, ScoreModel, TrainedModel};

/// How the training results are printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum TrainFormat {
    /// A report per model, for a terminal.
    Text,
    /// The saved models, as data.
    Json,
}

/// Arguments of `tailor train`.
#[derive(Debug, Args)]
pub struct TrainArgs {
    /// The workspace folder.
    pub dir: Option<PathBuf>,
    /// The clock the models are trained at (RFC 3339); default: now.
    #[arg(long)]
    pub now: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = TrainFormat::Text)]
    pub format: TrainFormat,
    /// Drop and count rows that do not fit the schema instead of failing.
    #[arg(long)]
    pub skip_bad_rows: bool,
    /// Also write the held-out check's matrices to this folder as CSV (`<model>.fitted.csv`,
    /// `<model>.scored.csv`: the encoded inputs and the label), to fit them elsewhere.
    #[arg(long)]
    pub export: Option<PathBuf>,
}

/// Runs `tailor train`.
pub fn run(args: &TrainArgs, report: &mut Report) -> Result<ExitCode, Failure> {
    let now = run_clock(args.now.as_deref())?;
    let (_, workspace) = checked_workspace(args.dir.as_ref())?;
    if workspace.models.is_empty() {
        println!("no score models in this workspace (a `kind: model` document declares one)");
        return Ok(ExitCode::Success);
    }
    let dataset = workspace_data(&workspace, args.skip_bad_rows, report)?;
    let mut saved = Vec::new();
    for model in &workspace.models {
        let (trained, held_out) = train(&workspace, &dataset, model, now)
            .map_err(|error| Failure::failed(Diagnostic::error("model::train", error.to_string())))?;
        write(&workspace.root.join(&model.file), &trained.to_json())?;
        if let Some(folder) = &args.export {
            export(folder, model, &held_out)?;
        }
        if args.format == TrainFormat::Text {
            print!("{}", text(model, &trained));
        }
        saved.push(trained);
    }
    if args.format == TrainFormat::Json {
        println!("{}", serde_json::json!({ "models": saved }));
    }
    Ok(ExitCode::Success)
}

/// Writes `contents` to `path`, creating its folder.
fn write(path: &Path, contents: &str) -> Result<(), Failure> {
    let written = path
        .parent()
        .map_or(Ok(()), fs::create_dir_all)
        .and_then(|()| fs::write(path, contents));
    written.map_err(|error| {
        Failure::usage(Diagnostic::error(
            "model::train",
            format!("cannot write `{}`: {error}", path.display()),
        ))
    })
}

/// Writes the held-out check's two matrices as CSV, the label last.
fn export(folder: &Path, model: &ScoreModel, held_out: &HeldOut) -> Result<(), Failure> {
    let header: Vec<String> = held_out
        .columns
        .iter()
        .map(|c| format!("\"{}\"", c.title().replace('"', "\"\"")))
        .chain(["label".to_string()])
        .collect();
    let table = |rows: &[Vec<f64>], outcomes: &[bool]| {
        let mut csv = header.join(",") + "\n";
        for (row, outcome) in rows.iter().zip(outcomes) {
            let cells: Vec<String> = row.iter().map(f64::to_string).collect();
            let _ = writeln!(csv, "{},{}", cells.join(","), u8::from(*outcome));
        }
        csv
    };
    write(
        &folder.join(format!("{}.fitted.csv", model.name)),
        &table(&held_out.fitted, &held_out.fitted_outcomes),
    )?;
    write(
        &folder.join(format!("{}.scored.csv", model.name)),
        &table(&held_out.scored, &held_out.scored_outcomes),
    )
}

/// The report of one trained model.
fn text(model: &ScoreModel, trained: &TrainedModel) -> String {
    let report = &trained.report;
    let check = &report.validation;
    let day = |t: &chrono::DateTime<chrono::Utc>| t.format("%Y-%m-%d").to_string();
    let mut out = format!("model {} ({})", model.name, trained.algorithm);
    if let Some(description) = &model.description {
        let _ = write!(out, " — {description}");
    }
    let _ = writeln!(
        out,
        "\n  fitted on {} profiles as of {} (label held for {:.1}%), saved to {}",
        report.population,
        day(&trained.cutoff),
        report.positive_rate * 100.0,
        model.file.display()
    );
    let _ = writeln!(
        out,
        "  held-out check: fitted as of {} on {} profiles, scored as of {} on {}: AUC {:.3}, log loss {:.3}",
        day(&check.fitted_at),
        check.fitted_on,
        day(&trained.cutoff),
        check.scored,
        check.auc,
        check.log_loss
    );
    let _ = writeln!(out, "  calibration (predicted → observed):");
    for bin in &check.calibration {
        let _ = writeln!(
            out,
            "    {:.1}–{:.1}  {:>6} {:<8}  {:>5.1}% → {:>5.1}%",
            bin.from,
            bin.to,
            bin.count,
            if bin.count == 1 { "profile" } else { "profiles" },
            bin.predicted * 100.0,
            bin.observed * 100.0
        );
    }
    let boosted = matches!(trained.fit, Fit::Boosted(_));
    let _ = writeln!(
        out,
        "  most influential ({}):",
        if boosted {
            "share of the trees' loss reduction"
        } else {
            "weight on the standardised input"
        }
    );
    let width = report
        .influence
        .iter()
        .map(|i| i.column.chars().count())
        .max()
        .unwrap_or(0);
    for influence in &report.influence {
        let _ = if boosted {
            writeln!(
                out,
                "    {:<width$}  {:>5.1}%",
                influence.column,
                influence.weight * 100.0
            )
        } else {
            let direction = if influence.weight >= 0.0 { "raises" } else { "lowers" };
            writeln!(
                out,
                "    {:<width$}  {:+.3}  {direction} the score",
                influence.column, influence.weight
            )
        };
    }
    out
}
