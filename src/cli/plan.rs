//! `tailor plan [DIR] --now T`: evaluate on the data and show what every campaign would do.

use std::path::PathBuf;

use chrono::{DateTime, Utc};
use clap::{Args, ValueEnum};

use super::plan_engine::{planned_on_postgres, Planned};
use super::report::{Failure, Report};
use super::{loaded_workspace, ExitCode};
use crate::check::{check_workspace, CheckedWorkspace, Step, UNREACHABLE_POSTGRES_HINT};
use crate::data::{load_dataset, Dataset, LoadError, LoadOptions};
use crate::diag::{suggestion_hint, Diagnostic};
use crate::eval::{evaluate, Dialect, Engine, Evaluation, ScoreSummary};
use crate::ledger::Ledger;
use crate::load::LoadedWorkspace;
use crate::model::{Campaign, ScoreModel};
use crate::plan::{
    build_plan, diff_markdown, diff_text, labels_in, members, power_line, render_dot, render_markdown, render_text,
    History, Plan, PlanReport, ProfileFacts,
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
    /// With `--format json`, also list each persona label's members (profile keys), so that a
    /// later `plan --base` counts the profiles that changed persona.
    #[arg(long)]
    pub members: bool,
    /// Drop and count rows that do not fit the schema instead of failing.
    #[arg(long)]
    pub skip_bad_rows: bool,
    /// Also render every due message (without sending) and report any that fails.
    #[arg(long)]
    pub render_all: bool,
    /// Print the features, segments, scores and campaign audiences as one SQL query instead of
    /// planning (reads no data).
    #[arg(long)]
    pub emit_sql: bool,
    /// The SQL dialect of `--emit-sql`.
    #[arg(long, value_enum, default_value_t = Dialect::Postgres, requires = "emit_sql")]
    pub dialect: Dialect,
    /// The profiles table `--emit-sql` reads (`schema.table` where the engine has schemas);
    /// default: the source's table when it is in PostgreSQL, else `profiles`.
    #[arg(long, requires = "emit_sql")]
    pub profiles_table: Option<String>,
    /// The events table `--emit-sql` reads; default: the source's table when it is in
    /// PostgreSQL, else `events`.
    #[arg(long, requires = "emit_sql")]
    pub events_table: Option<String>,
    /// Where the workspace is evaluated: `polars` loads the datasets into memory; `postgres`
    /// runs the workspace's query in the PostgreSQL database holding its profiles and events
    /// tables, and only the evaluated profiles (and the events of the messages rendered) come
    /// back.
    #[arg(long, value_enum, default_value_t = Engine::Polars, conflicts_with_all = ["emit_sql", "skip_bad_rows"])]
    pub engine: Engine,
}

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
    inputs: &PlanInputs,
    facts: &dyn ProfileFacts,
    history: &History,
    only: Option<&[String]>,
) -> Result<Plan, Failure> {
    build_plan(inputs.workspace, inputs.evaluation, facts, history, only, inputs.now)
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

/// Runs `tailor plan`.
pub fn run(args: &PlanArgs, report: &mut Report) -> Result<ExitCode, Failure> {
    if args.emit_sql {
        return super::plan_sql::emit_sql(args);
    }
    let now = run_clock(args.now.as_deref())?;
    let base = match &args.base {
        Some(path) => {
            if matches!(args.format, PlanFormat::Json | PlanFormat::Dot) {
                return Err(Failure::usage(
                    Diagnostic::error("cli::usage", "`--base` prints the change as text or markdown")
                        .with_hint("drop `--format json`/`dot`, or drop `--base`"),
                ));
            }
            let text = std::fs::read_to_string(path).map_err(|e| {
                Failure::usage(Diagnostic::error(
                    "plan::io",
                    format!("cannot read `{}`: {e}", path.display()),
                ))
            })?;
            Some(serde_json::from_str::<PlanReport>(&text).map_err(|e| {
                Failure::failed(
                    Diagnostic::error("plan::bad-base", format!("`{}` is not a plan: {e}", path.display()))
                        .with_hint("save the base with `tailor plan --format json > base.json`"),
                )
            })?)
        }
        None => None,
    };
    let (loaded, workspace) = checked_workspace(args.dir.as_ref())?;
    let Planned {
        dataset,
        evaluation,
        mut plan,
    } = match args.engine {
        Engine::Polars => {
            let dataset = workspace_data(&workspace, args.skip_bad_rows, report)?;
            let evaluation = evaluated(&workspace, &dataset, now, "plan::evaluate", &mut |d| report.warn(d))?;
            let history = ledger_history(&workspace)?;
            let inputs = PlanInputs {
                workspace: &workspace,
                dataset: &dataset,
                evaluation: &evaluation,
                now,
            };
            let plan = planned(&inputs, &inputs.local_facts(), &history, None)?;
            Planned {
                dataset,
                evaluation,
                plan,
            }
        }
        Engine::Postgres => planned_on_postgres(&workspace, now, args.render_all, report)?,
    };
    let inputs = PlanInputs {
        workspace: &workspace,
        dataset: &dataset,
        evaluation: &evaluation,
        now,
    };
    if args.members || base.is_some() {
        for persona in &mut plan.report.personas {
            let labels = labels_in(&evaluation.frame, &workspace.schema.key, &persona.model)
                .map_err(|e| Failure::failed(Diagnostic::error("plan::evaluate", e.to_string())))?;
            persona.members = members(&labels);
        }
    }
    warn_underpowered(&workspace, &plan.report, report);
    let renderer = renderer(&loaded, &workspace)?;
    // Nothing is sent: the unsubscribe links only need to be well-formed.
    let secret = std::env::var(SECRET_VARIABLE).unwrap_or_else(|_| "plan".to_string());
    // The plan and its diff against a base show subjects; the graph does not.
    let shows_subjects = args.format != PlanFormat::Dot;
    if shows_subjects {
        sample_subjects(&renderer, &inputs, &mut plan, secret.as_bytes());
    }
    let plan_report = &plan.report;
    let text = match (&base, args.format) {
        (Some(base), PlanFormat::Markdown) => diff_markdown(base, plan_report),
        (Some(base), _) => diff_text(base, plan_report),
        (None, PlanFormat::Text) => render_text(plan_report),
        (None, PlanFormat::Markdown) => render_markdown(plan_report),
        (None, PlanFormat::Json) => serde_json::to_string_pretty(plan_report).unwrap_or_default() + "\n",
        (None, PlanFormat::Dot) => render_dot(&workspace.graph, plan_report),
    };
    print!("{text}");
    if !args.render_all {
        return Ok(ExitCode::Success);
    }
    let outcome = render_all(&renderer, &inputs, &plan, secret.as_bytes());
    let dir = args.dir.as_ref().map_or(".".to_string(), |d| d.display().to_string());
    report_renders(&outcome, &dir)
}

/// Warns about each campaign whose arm sizes cannot detect its `goal.min_detectable_lift`.
fn warn_underpowered(workspace: &CheckedWorkspace, plan: &PlanReport, report: &mut Report) {
    for campaign in &plan.campaigns {
        let declared = workspace
            .campaigns
            .iter()
            .find(|c| c.name == campaign.name)
            .and_then(|c| c.goal.as_ref()?.min_detectable_lift);
        let (Some(declared), Some(power)) = (declared, &campaign.power) else {
            continue;
        };
        let wanted = f64::from(declared.hundredths) / 10_000.0;
        if power.relative_lift.is_some_and(|r| r <= wanted) {
            continue;
        }
        report.warn(
            Diagnostic::warning(
                "plan::underpowered",
                format!(
                    "campaign `{}` wants to detect a {:.0}% lift, but its arms can only detect {}",
                    campaign.name,
                    wanted * 100.0,
                    power
                        .relative_lift
                        .map_or("no lift within reach".to_string(), |r| format!("{:.0}%", r * 100.0))
                ),
            )
            .with_hint(format!(
                "{}; a larger audience, fewer variants, a smaller holdout or a longer test would help",
                power_line(power)
            )),
        );
    }
}

/// Prints how many messages `--render-all` rendered; a failure naming each message that did
/// not render.
fn report_renders(outcome: &RenderAllReport, dir: &str) -> Result<ExitCode, Failure> {
    let failures: Vec<Diagnostic> = outcome
        .failures
        .iter()
        .map(|failure| {
            Diagnostic::error(
                "render::failed",
                format!(
                    "campaign `{}`, variant `{}`, profile `{}`: {}",
                    failure.campaign, failure.variant, failure.key, failure.error
                ),
            )
            .with_hint(format!(
                "reproduce it with `tailor preview {dir} {} --profile {} --variant {}`",
                failure.campaign, failure.key, failure.variant
            ))
        })
        .collect();
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
    if failures.is_empty() {
        Ok(ExitCode::Success)
    } else {
        Err(Failure::of(ExitCode::Failure, failures))
    }
}
