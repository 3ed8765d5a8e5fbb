//! `tailor plan [DIR] --now T`: evaluate on the data and show what every campaign would do.

use std::path::PathBuf;

use chrono::{DateTime, Utc};
use clap::{Args, ValueEnum};

use super::format::{write_diagnostics, Format};
use super::{workspace_folder, ExitCode};
use crate::check::{check_workspace, CheckedWorkspace};
use crate::data::{load_dataset, Dataset, LoadError, LoadOptions};
use crate::eval::{evaluate, Evaluation};
use crate::ledger::Ledger;
use crate::load::{load_workspace, LoadedWorkspace};
use crate::plan::{
    build_plan, diff_markdown, diff_text, render_dot, render_markdown, render_text, History, PlanReport,
};
use crate::render::{render_all, sample_subjects, PlanInputs, RenderAllReport, Renderer, SECRET_VARIABLE};

/// How the plan is printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum PlanFormat {
    /// Aligned tables for a terminal.
    Text,
    /// Tables for a pull request comment.
    Markdown,
    /// The plan as data, keys sorted.
    Json,
    /// The execution graph in Graphviz dot.
    Dot,
}

/// Arguments of `tailor plan`.
#[derive(Debug, Args)]
pub struct PlanArgs {
    /// The workspace folder.
    pub dir: Option<PathBuf>,
    /// The run's clock (RFC 3339); default: now.
    #[arg(long)]
    pub now: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = PlanFormat::Text)]
    pub format: PlanFormat,
    /// A plan saved with `--format json`: print what changed against it.
    #[arg(long)]
    pub base: Option<PathBuf>,
    /// Drop and count rows that do not fit the schema instead of failing.
    #[arg(long)]
    pub skip_bad_rows: bool,
    /// Also render every due message (without sending) and report any that fails.
    #[arg(long)]
    pub render_all: bool,
}

/// Parses `--now`, or reads the wall clock (the only place a clock is read).
pub fn run_clock(now: Option<&str>) -> Result<DateTime<Utc>, ExitCode> {
    match now {
        None => Ok(Utc::now()),
        Some(text) => crate::model::parse_datetime(text).ok_or_else(|| {
            eprintln!("error[cli::bad-now]: `{text}` is not a time such as 2026-12-01T15:00:00Z");
            ExitCode::Usage
        }),
    }
}

/// Loads and checks the workspace, printing diagnostics; what was loaded and the checked
/// workspace, when it checks.
pub fn checked_workspace(dir: Option<&PathBuf>) -> Result<(LoadedWorkspace, CheckedWorkspace), ExitCode> {
    let root = workspace_folder(dir)?;
    let loaded = load_workspace(&root).map_err(|error| {
        eprintln!("error[load::io]: {error}");
        ExitCode::Usage
    })?;
    let outcome = check_workspace(&loaded);
    let errors = outcome.diagnostics.error_count();
    let diagnostics: Vec<_> = outcome
        .diagnostics
        .into_sorted()
        .into_iter()
        .filter(|d| d.is_error())
        .collect();
    match outcome.workspace {
        Some(workspace) => Ok((loaded, workspace)),
        None => {
            write_diagnostics(
                Format::Human,
                &diagnostics,
                &loaded.sources,
                false,
                &format!(
                    "the workspace does not check: {errors} error{}",
                    if errors == 1 { "" } else { "s" }
                ),
            );
            Err(ExitCode::Failure)
        }
    }
}

/// Loads the workspace's datasets, printing what was wrong with them.
pub fn workspace_data(workspace: &CheckedWorkspace, skip_bad_rows: bool) -> Result<Dataset, ExitCode> {
    let dataset = match load_dataset(workspace, LoadOptions { skip_bad_rows }) {
        Ok(dataset) => dataset,
        Err(LoadError::Io { path, message }) => {
            eprintln!("error[data::io]: cannot read `{}`: {message}", path.display());
            return Err(ExitCode::Usage);
        }
        Err(LoadError::BadRows(errors)) => {
            for error in &errors {
                eprintln!("error[{}]: {error}", error.code);
            }
            eprintln!("the datasets do not fit the schema; fix them, or pass --skip-bad-rows to leave bad rows out and count them");
            return Err(ExitCode::Failure);
        }
    };
    for report in &dataset.reports {
        if report.skipped > 0 {
            eprintln!(
                "warning[data::skipped-rows]: {}: {} of {} rows did not fit the schema and were left out",
                report.file, report.skipped, report.rows
            );
        }
        for warning in &report.warnings {
            eprintln!("warning[data::unknown-user]: {}: {warning}", report.file);
        }
    }
    Ok(dataset)
}

/// Features, segments and persona labels evaluated at `now`; why not, printed as `code`.
pub fn evaluated(
    workspace: &CheckedWorkspace,
    dataset: &Dataset,
    now: DateTime<Utc>,
    code: &str,
) -> Result<Evaluation, ExitCode> {
    evaluate(workspace, dataset, now).map_err(|e| {
        eprintln!("error[{code}]: {e}");
        ExitCode::Failure
    })
}

/// Earlier sends and suppressions from the workspace's ledger (none when there is no ledger).
pub fn ledger_history(workspace: &CheckedWorkspace) -> Result<History, ExitCode> {
    Ledger::history(&workspace.manifest.delivery.ledger).map_err(|e| {
        eprintln!("error[ledger::unreadable]: {e}");
        eprintln!("  help: the ledger must be a SQLite file written by `tailor run`");
        ExitCode::Usage
    })
}

/// Runs `tailor plan`.
pub fn run(args: &PlanArgs) -> ExitCode {
    match plan(args) {
        Ok(code) | Err(code) => code,
    }
}

fn plan(args: &PlanArgs) -> Result<ExitCode, ExitCode> {
    let now = run_clock(args.now.as_deref())?;
    let base = match &args.base {
        Some(path) => {
            if matches!(args.format, PlanFormat::Json | PlanFormat::Dot) {
                eprintln!("error[cli::usage]: `--base` prints the change as text or markdown");
                return Err(ExitCode::Usage);
            }
            let text = std::fs::read_to_string(path).map_err(|e| {
                eprintln!("error[plan::io]: cannot read `{}`: {e}", path.display());
                ExitCode::Usage
            })?;
            Some(serde_json::from_str::<PlanReport>(&text).map_err(|e| {
                eprintln!(
                    "error[plan::bad-base]: `{}` is not a plan saved with `--format json`: {e}",
                    path.display()
                );
                ExitCode::Failure
            })?)
        }
        None => None,
    };
    let (loaded, workspace) = checked_workspace(args.dir.as_ref())?;
    let dataset = workspace_data(&workspace, args.skip_bad_rows)?;
    let evaluation = evaluated(&workspace, &dataset, now, "plan::evaluate")?;
    let history = ledger_history(&workspace)?;
    let mut plan = build_plan(&workspace, &dataset, &evaluation, &history, None, now).map_err(|e| {
        eprintln!("error[plan::evaluate]: {e}");
        ExitCode::Failure
    })?;
    let inputs = PlanInputs {
        workspace: &workspace,
        dataset: &dataset,
        evaluation: &evaluation,
        now,
    };
    let renderer = Renderer::new(&loaded, &workspace).map_err(|e| {
        eprintln!("error[render::partials]: {e}");
        ExitCode::Failure
    })?;
    // Nothing is sent: the unsubscribe links only need to be well-formed.
    let secret = std::env::var(SECRET_VARIABLE).unwrap_or_else(|_| "plan".to_string());
    // The plan and its diff against a base show subjects; the graph does not.
    let shows_subjects = args.format != PlanFormat::Dot;
    if shows_subjects {
        sample_subjects(&renderer, &inputs, &mut plan, secret.as_bytes());
    }
    let report = &plan.report;
    let text = match (&base, args.format) {
        (Some(base), PlanFormat::Markdown) => diff_markdown(base, report),
        (Some(base), _) => diff_text(base, report),
        (None, PlanFormat::Text) => render_text(report),
        (None, PlanFormat::Markdown) => render_markdown(report),
        (None, PlanFormat::Json) => serde_json::to_string_pretty(report).unwrap_or_default() + "\n",
        (None, PlanFormat::Dot) => render_dot(&workspace.graph, report),
    };
    print!("{text}");
    if !args.render_all {
        return Ok(ExitCode::Success);
    }
    let outcome = render_all(&renderer, &inputs, &plan, secret.as_bytes());
    let dir = args.dir.as_ref().map_or(".".to_string(), |d| d.display().to_string());
    Ok(report_renders(&outcome, &dir))
}

/// Prints what `--render-all` found on stderr; failure when any message did not render.
fn report_renders(outcome: &RenderAllReport, dir: &str) -> ExitCode {
    for failure in &outcome.failures {
        eprintln!(
            "error[render::failed]: campaign `{}`, variant `{}`, profile `{}`: {}\n  help: reproduce it with `tailor preview {} {} --profile {} --variant {}`",
            failure.campaign,
            failure.variant,
            failure.key,
            failure.error,
            dir,
            failure.campaign,
            failure.key,
            failure.variant
        );
    }
    let rendered: usize = outcome.rendered.iter().map(|(_, n)| n).sum();
    let per_campaign: Vec<String> = outcome.rendered.iter().map(|(c, n)| format!("{c} {n}")).collect();
    let failed = outcome.failures.len();
    eprintln!(
        "rendered {rendered} due message{} without sending ({}); {failed} failed",
        if rendered == 1 { "" } else { "s" },
        if per_campaign.is_empty() {
            "none due".to_string()
        } else {
            per_campaign.join(", ")
        }
    );
    if failed == 0 {
        ExitCode::Success
    } else {
        ExitCode::Failure
    }
}
