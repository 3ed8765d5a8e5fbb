//! The steps the verbs share: the run's clock, the checked workspace, its data, the evaluation
//! (and what its scores warrant), the plan against the ledger's history, the renderer.

use std::path::PathBuf;

use chrono::{DateTime, Utc};

use super::loaded_workspace;
use super::report::{Failure, Report};
use super::ExitCode;
use crate::check::{check_workspace, CheckedWorkspace, Step, UNREACHABLE_POSTGRES_HINT};
use crate::data::{load_dataset, Dataset, LoadError, LoadOptions};
use crate::diag::{suggestion_hint, Diagnostic};
use crate::eval::{evaluate, Evaluation, ScoreSummary};
use crate::ledger::Ledger;
use crate::load::LoadedWorkspace;
use crate::model::{Campaign, ScoreModel};
use crate::plan::{build_plan, History, Plan, ProfileFacts};
use crate::render::Renderer;

/// Parses `--now`, or reads the wall clock (the only place a clock is read).
pub fn run_clock(now: Option<&str>) -> Result<DateTime<Utc>, Failure> {
    match now {
        None => Ok(Utc::now()),
        Some(text) => crate::model::parse_datetime(text).ok_or_else(|| {
            Failure::usage(
                Diagnostic::error("cli::bad-now", format!("`{text}` is not a time"))
                    .with_hint("write an RFC 3339 time such as 2026-12-01T15:00:00Z"),
            )
        }),
    }
}

/// Loads and checks the workspace; what was loaded and the checked workspace, or the check's
/// errors (with the workspace's sources, so that they show their place).
pub fn checked_workspace(dir: Option<&PathBuf>) -> Result<(LoadedWorkspace, CheckedWorkspace), Failure> {
    let mut loaded = loaded_workspace(dir)?;
    let outcome = check_workspace(&loaded);
    match outcome.workspace {
        Some(workspace) => Ok((loaded, workspace)),
        None => {
            let errors: Vec<_> = outcome
                .diagnostics
                .into_sorted()
                .into_iter()
                .filter(|d| d.is_error())
                .collect();
            let summary = format!(
                "the workspace does not check: {} error{}",
                errors.len(),
                if errors.len() == 1 { "" } else { "s" }
            );
            let sources = std::mem::take(&mut loaded.sources);
            Err(Failure::of(ExitCode::Failure, errors)
                .with_sources(sources)
                .with_summary(summary))
        }
    }
}

/// Loads the workspace's datasets; rows left out (`--skip-bad-rows`) and events of unknown
/// users are warnings.
pub fn workspace_data(
    workspace: &CheckedWorkspace,
    skip_bad_rows: bool,
    report: &mut Report,
) -> Result<Dataset, Failure> {
    let dataset = load_dataset(workspace, LoadOptions { skip_bad_rows }).map_err(data_failure)?;
    for table in &dataset.reports {
        if table.skipped > 0 {
            report.warn(Diagnostic::warning(
                "data::skipped-rows",
                format!(
                    "{}: {} of {} rows did not fit the schema and were left out",
                    table.file, table.skipped, table.rows
                ),
            ));
        }
        for (code, warning) in &table.warnings {
            report.warn(Diagnostic::warning(code, format!("{}: {warning}", table.file)));
        }
    }
    Ok(dataset)
}

/// A dataset that did not load: exit 2 for an unreadable file, 1 for rows that do not fit.
pub fn data_failure(error: LoadError) -> Failure {
    let exit = if error.is_io() {
        ExitCode::Usage
    } else {
        ExitCode::Failure
    };
    Failure::of(exit, error.diagnostics())
}

/// Features, segments, persona labels and scores evaluated at `now`; why not, as `code`. A
/// score the workspace reads without a saved fit is an error (`model::missing`); a fit older
/// than its `max_age`, or whose inputs drifted since training, a warning.
pub fn evaluated(
    workspace: &CheckedWorkspace,
    dataset: &Dataset,
    now: DateTime<Utc>,
    code: &'static str,
    warn: &mut dyn FnMut(Diagnostic),
) -> Result<Evaluation, Failure> {
    let evaluation =
        evaluate(workspace, dataset, now).map_err(|e| Failure::failed(Diagnostic::error(code, e.to_string())))?;
    judge_scores(workspace, &evaluation, now, warn)?;
    Ok(evaluation)
}

/// What the scoring of `evaluation` warrants ([`evaluated`]): an error, or warnings said
/// through `warn`.
pub fn judge_scores(
    workspace: &CheckedWorkspace,
    evaluation: &Evaluation,
    now: DateTime<Utc>,
    warn: &mut dyn FnMut(Diagnostic),
) -> Result<(), Failure> {
    for score in &evaluation.scores {
        if let Some(model) = workspace.models.iter().find(|m| m.name == score.model) {
            score_warnings(workspace, model, score, now, warn)?;
        }
    }
    Ok(())
}

/// What a score model's scoring at `now` warrants: an error when its score is read but there
/// is no fit, warnings for an old fit and for drifted inputs.
fn score_warnings(
    workspace: &CheckedWorkspace,
    model: &ScoreModel,
    score: &ScoreSummary,
    now: DateTime<Utc>,
    warn: &mut dyn FnMut(Diagnostic),
) -> Result<(), Failure> {
    let Some(trained_at) = score.trained_at else {
        let id = Step::Score.node_id(&model.name);
        let readers: Vec<&str> = workspace
            .graph
            .nodes()
            .iter()
            .filter(|node| node.inputs.contains(&id))
            .map(|node| node.id.as_str())
            .collect();
        if readers.is_empty() {
            return Ok(());
        }
        return Err(Failure::failed(
            Diagnostic::error(
                "model::missing",
                format!(
                    "`{id}` is read by {} but model `{}` has no usable saved fit (`{}`)",
                    readers.join(", "),
                    model.name,
                    model.file.display()
                ),
            )
            .with_hint("run `tailor train` and commit the file it writes"),
        ));
    };
    let age = now - trained_at;
    if let Some(max_age) = model.max_age.filter(|max| age.num_seconds() > max.seconds) {
        warn(
            Diagnostic::warning(
                "model::stale",
                format!(
                    "the saved fit of `{}` was trained {} days before now, more than its `max_age` of {max_age}",
                    model.name,
                    age.num_days()
                ),
            )
            .with_hint("run `tailor train` again so that it learns from recent behaviour"),
        );
    }
    for drift in &score.drift {
        let moved = match drift.standard_deviations {
            Some(sd) => format!(
                "mean {:.3} when trained, {:.3} now ({sd:+.2} standard deviations)",
                drift.then, drift.now
            ),
            None => format!(
                "{:.1}% of the population when trained, {:.1}% now",
                drift.then * 100.0,
                drift.now * 100.0
            ),
        };
        warn(
            Diagnostic::warning(
                "model::drift",
                format!("`{}` reads `{}`, which moved: {moved}", model.name, drift.column),
            )
            .with_hint("scores may be off for these profiles: run `tailor train` to learn from today's data"),
        );
    }
    Ok(())
}

/// What every campaign (or only those in `only`) would do at `now` (`plan::evaluate` when the
/// plan cannot be made).
pub fn planned(
    workspace: &CheckedWorkspace,
    evaluation: &Evaluation,
    facts: &dyn ProfileFacts,
    history: &History,
    only: Option<&[String]>,
    now: DateTime<Utc>,
) -> Result<Plan, Failure> {
    build_plan(workspace, evaluation, facts, history, only, now)
        .map_err(|e| Failure::failed(Diagnostic::error("plan::evaluate", e.to_string())))
}

/// Earlier sends and suppressions from the workspace's ledger (none when there is no ledger).
pub fn ledger_history(workspace: &CheckedWorkspace) -> Result<History, Failure> {
    let ledger = &workspace.manifest.delivery.ledger;
    Ledger::history(ledger).map_err(|e| {
        let hint = if ledger.is_shared() {
            UNREACHABLE_POSTGRES_HINT
        } else {
            "the ledger must be a SQLite file written by `tailor run`"
        };
        Failure::usage(Diagnostic::error("ledger::unreadable", e.to_string()).with_hint(hint))
    })
}

/// The campaign called `name`, or `cli::unknown-campaign` with the nearest name as a hint.
pub fn campaign_named<'w>(workspace: &'w CheckedWorkspace, name: &str) -> Result<&'w Campaign, Failure> {
    workspace.campaigns.iter().find(|c| c.name == name).ok_or_else(|| {
        let names = workspace.campaigns.iter().map(|c| c.name.as_str());
        Failure::usage(
            Diagnostic::error("cli::unknown-campaign", format!("there is no campaign `{name}`"))
                .with_optional_hint(suggestion_hint(name, names)),
        )
    })
}

/// The message renderer: the workspace's partials, compiled once.
pub fn renderer<'w>(loaded: &'w LoadedWorkspace, workspace: &CheckedWorkspace) -> Result<Renderer<'w>, Failure> {
    Renderer::new(loaded, workspace).map_err(|e| Failure::failed(Diagnostic::error("render::partials", e)))
}
