//! `tailor run [DIR] --now T`: execute the plan. Guards first (the workspace checks, the data
//! is fresh, one run per ledger, the plan is not larger than `--max-sends`), then sends left in
//! flight by a stopped run are resolved, and every due message is rendered, reserved,
//! delivered and recorded.

use std::io::IsTerminal;
use std::path::PathBuf;
use std::sync::atomic::AtomicBool;
use std::sync::Arc;

use clap::{Args, ValueEnum};
use signal_hook::consts::{SIGINT, SIGTERM};

use super::engine::{assigned_units, evaluated_on_engine, rendered_users, rendering_dataset, users_dataset};
use super::steps::{
    campaign_named, checked_workspace, evaluated, ledger_history, planned, renderer, run_clock, workspace_data,
};
use super::{ExitCode, Failure, Report};
use chrono::{DateTime, Utc};

use crate::check::CheckedWorkspace;
use crate::data::Dataset;
use crate::diag::Diagnostic;
use crate::eval::{newest_event_on, Engine, EngineEvaluation};
use crate::ledger::{Ledger, Sharing};
use crate::load::LoadedWorkspace;
use crate::plan::EngineFacts;
use crate::render::{PlanInputs, SECRET_VARIABLE};
use crate::run::{
    data_is_fresh, decide_rollouts, dkim_signer, execute, newest_is_fresh, take_lease, transport, unsubscribe_secret,
    within_max_sends, Destination, RunOptions, RunSettings, RunSummary, SendNote,
};

/// Reads an environment variable (SMTP credentials name theirs).
pub(super) fn environment(name: &str) -> Option<String> {
    std::env::var(name).ok()
}

/// How the summary is printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum RunFormat {
    /// A table for a terminal or a deploy log.
    Text,
    /// `{"campaigns": [{"name", "sent", "failed", "deferred", "already_sent", "variants"}], ...}`.
    Json,
}

/// Arguments of `tailor run`.
#[derive(Debug, Args)]
pub struct RunArgs {
    /// The workspace folder.
    pub dir: Option<PathBuf>,
    /// The run's clock (RFC 3339); default: now. Sends are recorded at this time.
    #[arg(long)]
    pub now: Option<String>,
    /// Render everything, deliver and record nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Only this campaign (repeatable).
    #[arg(long = "campaign", value_name = "NAME")]
    pub campaigns: Vec<String>,
    /// Send at most N messages now (the rest stay due for the next run).
    #[arg(long, value_name = "N")]
    pub limit: Option<usize>,
    /// Refuse to send anything when more than N messages are due.
    #[arg(long, value_name = "N")]
    pub max_sends: Option<usize>,
    /// Sends left in flight by a stopped run are marked uncertain instead of resent.
    #[arg(long)]
    pub at_most_once: bool,
    /// Show email addresses in notes (profile keys only by default).
    #[arg(long)]
    pub show_pii: bool,
    /// Output format of the summary.
    #[arg(long, value_enum, default_value_t = RunFormat::Text)]
    pub format: RunFormat,
    /// Drop and count rows that do not fit the schema instead of failing.
    #[arg(long)]
    pub skip_bad_rows: bool,
    /// Where the workspace is evaluated (as for `plan --engine`): with `postgres` or `spark`, only the
    /// evaluated profiles and the events of the recipients come back from the database.
    #[arg(long, value_enum, default_value_t = Engine::Polars, conflicts_with = "skip_bad_rows")]
    pub engine: Engine,
}

/// Set (to anything) only by the crash test, to show that without reserving a send before it
/// leaves, a killed run leads to duplicates nobody can explain. Never set it otherwise.
const NO_RESERVATION_VARIABLE: &str = "TAILOR_TEST_UNSAFE_NO_RESERVATION";

fn unsafe_no_reservation(report: &mut Report) -> bool {
    let set = std::env::var_os(NO_RESERVATION_VARIABLE).is_some();
    if set {
        report.warn(Diagnostic::warning(
            "run::unsafe",
            format!("{NO_RESERVATION_VARIABLE} is set: sends are not reserved, a crash can send twice"),
        ));
    }
    set
}

/// A flag SIGINT and SIGTERM set, so a run stops gracefully (a second signal ends the process
/// at once, exit 1).
fn stop_on_signals() -> Arc<AtomicBool> {
    let flag = Arc::new(AtomicBool::new(false));
    for signal in [SIGINT, SIGTERM] {
        // Registration fails only for forbidden signals; without it a signal ends the run
        // abruptly, which the ledger also survives.
        let _ = signal_hook::flag::register_conditional_shutdown(signal, 1, Arc::clone(&flag));
        let _ = signal_hook::flag::register(signal, Arc::clone(&flag));
    }
    flag
}

/// Prints progress: a bar on a terminal, a line per tenth otherwise.
fn progress_printer(quiet: bool) -> Box<dyn Fn(usize, usize)> {
    if quiet {
        return Box::new(|_, _| {});
    }
    if std::io::stderr().is_terminal() {
        let bar = indicatif::ProgressBar::new(0);
        bar.set_style(
            indicatif::ProgressStyle::with_template("{bar:40} {pos}/{len} messages, {per_sec}, eta {eta}")
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
        );
        return Box::new(move |done, total| {
            bar.set_length(total as u64);
            bar.set_position(done as u64);
            if done >= total {
                bar.finish_and_clear();
            }
        });
    }
    let shown = std::cell::Cell::new(0usize);
    Box::new(move |done, total| {
        let tenth = (total / 10).max(1);
        if done >= shown.get() + tenth || (done == total && done > shown.get()) {
            shown.set(done);
            eprintln!("progress: {done}/{total} messages");
        }
    })
}

/// Where a pass's data is.
#[derive(Clone, Copy)]
pub(super) enum PassData<'a> {
    /// Loaded into memory, to be evaluated by polars.
    Loaded(&'a Dataset),
    /// Evaluated in an engine: the data of the recipients a pass reads is fetched from it.
    Engine(&'a EngineEvaluation),
}

/// One delivery pass over loaded data, shared by `run` and `serve`.
pub(super) struct Pass<'a> {
    /// The workspace as read (templates).
    pub loaded: &'a LoadedWorkspace,
    /// The workspace, checked.
    pub workspace: &'a CheckedWorkspace,
    /// Its data.
    pub data: PassData<'a>,
    /// The pass's clock.
    pub now: DateTime<Utc>,
    /// Only these campaigns (all when `None`).
    pub only: Option<&'a [String]>,
    /// Refuse when more than this many are due.
    pub max_sends: Option<usize>,
    /// The unsubscribe secret.
    pub secret: &'a str,
    /// Limits and notes.
    pub options: RunOptions,
    /// Set to stop gracefully.
    pub stop: Arc<AtomicBool>,
    /// Told how far the pass has come.
    pub progress: &'a dyn Fn(usize, usize),
}

/// Plans `pass` against the ledger it holds (or, for a dry run without one, the ledger's
/// history read as `plan` does), then renders, reserves, delivers and records every due send.
pub(super) fn deliver(pass: &Pass, mut ledger: Option<&mut Ledger>) -> Result<RunSummary, Failure> {
    let workspace = pass.workspace;
    let history = match &ledger {
        Some(ledger) => ledger.current_history()?,
        None => ledger_history(workspace)?,
    };
    // A rollout whose test has run long enough gets its winner before this run plans.
    let rollout_data;
    let rollout_dataset = match pass.data {
        PassData::Loaded(dataset) => dataset,
        PassData::Engine(engine) => {
            // Whose outcomes a decision reads: the units of each rollout still testing.
            let testing = workspace.campaigns.iter().filter(|c| {
                c.rollout.is_some() && history.decision(&c.name).is_none() && history.first_sent(&c.name).is_some()
            });
            rollout_data = users_dataset(workspace, engine, &assigned_units(workspace, testing)?)?;
            &rollout_data
        }
    };
    let decided = decide_rollouts(
        workspace,
        rollout_dataset,
        &history,
        pass.only,
        ledger.as_deref_mut(),
        pass.now,
    )?;
    for (campaign, decision) in &decided.decisions {
        eprintln!(
            "rollout of {campaign}: `{}` goes to the rest — {}",
            decision.winner, decision.reason
        );
    }
    for (campaign, why) in &decided.waiting {
        eprintln!("rollout of {campaign}: {why}");
    }
    let history = history.with_decisions(decided.decisions);
    // An old or drifted score model does not stop a run; it is said, as rollouts are.
    let mut warn = |d: Diagnostic| eprintln!("warning[{}]: {}", d.code, d.message);
    let (local, rendered);
    let (evaluation, plan, dataset) = match pass.data {
        PassData::Loaded(dataset) => {
            local = evaluated(workspace, dataset, pass.now, "plan::evaluate", &mut warn)?;
            let inputs = PlanInputs {
                workspace,
                dataset,
                evaluation: &local,
                now: pass.now,
            };
            let plan = planned(workspace, &local, &inputs.local_facts(), &history, pass.only, pass.now)?;
            (&local, plan, dataset)
        }
        PassData::Engine(engine) => {
            let facts = EngineFacts::of(engine);
            let evaluation = &engine.evaluation;
            let plan = planned(workspace, evaluation, &facts, &history, pass.only, pass.now)?;
            let due = rendered_users(workspace, evaluation, &plan, true);
            rendered = rendering_dataset(workspace, engine, &due, pass.now)?;
            (evaluation, plan, &rendered)
        }
    };
    let inputs = PlanInputs {
        workspace,
        dataset,
        evaluation,
        now: pass.now,
    };
    let due: usize = plan.due.iter().map(|(_, sends)| sends.len()).sum();
    within_max_sends(due, pass.options.limit, pass.max_sends)?;
    let renderer = renderer(pass.loaded, workspace)?;
    let settings = RunSettings::for_delivery(
        &workspace.manifest.delivery,
        pass.options.clone(),
        Arc::clone(&pass.stop),
    );
    let transport = match ledger {
        Some(_) => Some(transport(workspace, environment)?),
        None => None,
    };
    let dkim = match ledger {
        Some(_) => dkim_signer(workspace)?,
        None => None,
    };
    let destination = match (ledger, &transport) {
        (Some(ledger), Some(transport)) => Destination::Deliver {
            ledger,
            transport: transport.as_ref(),
            dkim: dkim.as_ref(),
        },
        _ => Destination::DryRun,
    };
    Ok(execute(
        &renderer,
        &inputs,
        &plan,
        pass.secret.as_bytes(),
        destination,
        &settings,
        pass.progress,
    )?)
}

/// Runs `tailor run`.
pub fn run(args: &RunArgs, report: &mut Report) -> Result<ExitCode, Failure> {
    let now = run_clock(args.now.as_deref())?;
    let (loaded, workspace) = checked_workspace(args.dir.as_ref())?;
    for name in &args.campaigns {
        campaign_named(&workspace, name)?;
    }
    let (dataset, engine);
    let data = match args.engine {
        Engine::Polars => {
            dataset = workspace_data(&workspace, args.skip_bad_rows, report)?;
            data_is_fresh(&workspace, &dataset, now)?;
            PassData::Loaded(&dataset)
        }
        chosen => {
            newest_is_fresh(&workspace, now, || {
                newest_event_on(chosen, &workspace).map_err(|e| e.to_string())
            })?;
            engine = evaluated_on_engine(chosen, &workspace, now, &mut |d| report.warn(d))?;
            PassData::Engine(&engine)
        }
    };
    let delivery = &workspace.manifest.delivery;
    // A dry run writes nothing and reads the ledger as `plan` does.
    let mut ledger = if args.dry_run {
        None
    } else {
        Some(Ledger::open(&delivery.ledger)?)
    };
    // One run per SQLite ledger, any number sharing a PostgreSQL one: the lease lives in the
    // ledger itself.
    if let Some(ledger) = &mut ledger {
        take_lease(ledger, Sharing::Shared)?;
    }
    let interrupted = match &mut ledger {
        Some(ledger) => ledger.resolve_interrupted(args.at_most_once, now.timestamp())?,
        None => Vec::new(),
    };
    let secret = unsubscribe_secret(&workspace, environment(SECRET_VARIABLE).as_deref(), args.dry_run)?;
    let options = RunOptions {
        limit: args.limit,
        show_pii: args.show_pii,
        reserve: !unsafe_no_reservation(report),
    };
    let progress = progress_printer(args.format == RunFormat::Json && !std::io::stderr().is_terminal());
    let pass = Pass {
        loaded: &loaded,
        workspace: &workspace,
        data,
        now,
        only: (!args.campaigns.is_empty()).then_some(args.campaigns.as_slice()),
        max_sends: args.max_sends,
        secret: &secret,
        options,
        stop: stop_on_signals(),
        progress: &*progress,
    };
    let mut summary = deliver(&pass, ledger.as_mut())?;
    summary.interrupted = interrupted
        .into_iter()
        .map(|i| SendNote {
            campaign: i.send.campaign,
            key: i.send.key,
            occurrence: i.send.occurrence,
            detail: format!("{} was in flight when a run stopped: now {}", i.message_id, i.now),
        })
        .collect();
    print_summary(&summary, args.format);
    Ok(if summary.local_failure {
        ExitCode::Usage
    } else if summary.stopped.is_some() || summary.unrendered > 0 {
        ExitCode::Failure
    } else {
        ExitCode::Success
    })
}

/// Prints the summary; a reader that went away (a closed pipe) is no failure of the run,
/// whose sends are recorded by now.
fn print_summary(summary: &RunSummary, format: RunFormat) {
    use std::io::Write as _;
    let text = match format {
        RunFormat::Text => summary.render_text(),
        RunFormat::Json => format!("{}\n", serde_json::to_string_pretty(summary).unwrap_or_default()),
    };
    let _ = std::io::stdout().write_all(text.as_bytes());
}
