//! `tailor plan [DIR] --now T`: evaluate on the data and show what every campaign would do.

use std::path::PathBuf;

use clap::{Args, ValueEnum};

use super::engine::{planned_on_engine, Planned};
use super::report::{Failure, Report};
use super::steps::{checked_workspace, evaluated, ledger_history, planned, renderer, run_clock, workspace_data};
use super::ExitCode;
use crate::check::CheckedWorkspace;
use crate::diag::Diagnostic;
use crate::eval::{Dialect, Engine};
use crate::plan::{
    diff_markdown, diff_text, labels_in, members, power_line, render_dot, render_markdown, render_text, PlanReport,
};
use crate::render::{render_all, sample_subjects, PlanInputs, RenderAllReport, SECRET_VARIABLE};

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
    /// default: the source's table when it is in a database, else `profiles`.
    #[arg(long, requires = "emit_sql")]
    pub profiles_table: Option<String>,
    /// The events table `--emit-sql` reads; default: the source's table when it is in a
    /// database, else `events`.
    #[arg(long, requires = "emit_sql")]
    pub events_table: Option<String>,
    /// Where the workspace is evaluated: `polars` loads the datasets into memory; `postgres`
    /// and `spark` run the workspace's query in the PostgreSQL database or on the Spark cluster
    /// (Spark Connect) holding its profiles and events tables, and only the evaluated profiles
    /// (and the events of the messages rendered) come back.
    #[arg(long, value_enum, default_value_t = Engine::Polars, conflicts_with_all = ["emit_sql", "skip_bad_rows"])]
    pub engine: Engine,
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
            let plan = planned(&workspace, &evaluation, &inputs.local_facts(), &history, None, now)?;
            Planned {
                dataset,
                evaluation,
                plan,
            }
        }
        engine => planned_on_engine(engine, &workspace, now, args.render_all, report)?,
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
