//! Stage 12, cli: the `tailor` command. Parses arguments, reads the clock (once, when a verb
//! needs it), runs the stages and turns their results into output and an exit code.

pub mod check;
mod engine;
mod events;
mod exit;
pub mod format;
mod init;
mod persona_chart;
mod personas;
mod plan;
mod plan_sql;
mod preview;
mod report;
mod results;
mod run;
pub mod schema;
mod serve;
mod steps;
mod suppress;
mod test;
mod train;
mod watch;

use std::io::IsTerminal;
use std::path::PathBuf;

use clap::{Parser, Subcommand};

use crate::diag::Diagnostic;
use crate::load::{load_workspace, LoadedWorkspace};
pub use exit::ExitCode;
use format::Format;
pub use report::{Failure, Report};

/// tailor: campaigns as code. Compile, check and run micro-targeted email campaigns.
#[derive(Debug, Parser)]
#[command(name = "tailor", version, about, long_about = None)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
    /// How errors and warnings are printed (on stderr) by verbs other than `check`; default:
    /// `json` when the verb prints JSON, else `human`.
    #[arg(long, global = true, value_enum)]
    pub diagnostic_format: Option<Format>,
}

/// The verbs.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Parse, resolve and type-check every document and template.
    Check(check::CheckArgs),
    /// Evaluate on the data and show what every campaign would do now.
    Plan(plan::PlanArgs),
    /// Fit every persona model to the data: each label's size, share and mean inputs.
    Personas(personas::PersonasArgs),
    /// Render one recipient's message (subject, preheader, text; HTML with --out).
    Preview(preview::PreviewArgs),
    /// What each campaign achieved: opens, clicks, conversions per arm, compared with
    /// statistics (rates with intervals, lift, tests, SRM) and a verdict.
    Report(results::ResultsArgs),
    /// Execute the plan: send every due message (outbox or SMTP) and record it in the ledger.
    Run(run::RunArgs),
    /// The long-running service: take events over HTTP (Segment's API), fire triggers as
    /// they fall due, take unsubscribes, bounces and complaints.
    Serve(serve::ServeArgs),
    /// The event log's quarantine: list the calls the tracking plan refused, or replay them.
    Events(events::EventsArgs),
    /// Manage the suppression list: addresses never mailed again.
    Suppress(suppress::SuppressArgs),
    /// Fit every score model (`kind: model`) by time travel and save it to `models/`, with its
    /// held-out AUC, log loss, calibration and most influential inputs.
    Train(train::TrainArgs),
    /// Run every `kind: test` document.
    Test(test::TestArgs),
    /// Write the JSON Schemas of every document kind to a folder.
    Schema(schema::SchemaArgs),
    /// Create a starter workspace that passes `tailor check`.
    Init(init::InitArgs),
}

/// Runs the command line and returns the process exit code.
pub fn main() -> i32 {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(error) => {
            let _ = error.print();
            return if error.use_stderr() {
                ExitCode::Usage as i32
            } else {
                ExitCode::Success as i32
            };
        }
    };
    // A verb that only prints ends quietly when its reader goes away (`tailor plan | head`), as
    // other command-line tools do; a run finishes what it sends and records first.
    if !matches!(cli.command, Command::Run(_) | Command::Preview(_) | Command::Serve(_)) {
        restore_default_sigpipe();
    }
    let format = cli.diagnostic_format.unwrap_or_else(|| cli.command.diagnostic_format());
    let mut report = Report::default();
    let outcome = match &cli.command {
        Command::Check(args) => check::run(args),
        Command::Plan(args) => plan::run(args, &mut report),
        Command::Personas(args) => personas::run(args, &mut report),
        Command::Preview(args) => preview::run(args, &mut report),
        Command::Report(args) => results::run(args, &mut report),
        Command::Run(args) => run::run(args, &mut report),
        Command::Serve(args) => serve::run(args),
        Command::Events(args) => events::run(args),
        Command::Suppress(args) => suppress::run(args),
        Command::Schema(args) => schema::run(args),
        Command::Test(args) => test::run(args, &mut report),
        Command::Train(args) => train::run(args, &mut report),
        Command::Init(args) => init::run(args),
    };
    let color = std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none() && format == Format::Human;
    let failure = outcome.as_ref().err();
    report.print(failure, format, color);
    let code = match outcome {
        Ok(code) => code,
        Err(failure) => failure.exit,
    };
    code as i32
}

impl Command {
    /// How this verb prints diagnostics unless told: as JSON when its output is JSON.
    fn diagnostic_format(&self) -> Format {
        let json = match self {
            Command::Check(args) => return args.format,
            Command::Plan(args) => args.format == plan::PlanFormat::Json,
            Command::Run(args) => args.format == run::RunFormat::Json,
            Command::Personas(args) => args.format == personas::PersonasFormat::Json,
            Command::Report(args) => args.format == results::ResultsFormat::Json,
            Command::Train(args) => args.format == train::TrainFormat::Json,
            _ => false,
        };
        if json {
            Format::Json
        } else {
            Format::Human
        }
    }
}

/// Lets SIGPIPE end the process, as it does for C programs (Rust ignores it, so a closed pipe
/// becomes a panic in `println!`).
fn restore_default_sigpipe() {
    // SAFETY: setting a signal's disposition to the default has no memory-safety conditions;
    // it happens before any thread is started.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
}

/// Finds and reads the workspace for a verb (`load::io` when a file cannot be read).
pub(crate) fn loaded_workspace(path: Option<&PathBuf>) -> Result<LoadedWorkspace, Failure> {
    let root = workspace_folder(path)?;
    load_workspace(&root).map_err(|error| Failure::usage(Diagnostic::error("load::io", error.to_string())))
}

/// Resolves the workspace folder for a verb.
pub(crate) fn workspace_folder(path: Option<&PathBuf>) -> Result<PathBuf, Failure> {
    crate::load::find_workspace(path.map(PathBuf::as_path)).map_err(|error| {
        Failure::usage(
            Diagnostic::error("workspace::not-found", error.to_string())
                .with_hint("run `tailor init DIR` to create one, or pass the workspace folder"),
        )
    })
}
