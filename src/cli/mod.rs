//! Stage 11, cli: the `tailor` command. Parses arguments, reads the clock (once, when a verb
//! needs it), runs the stages and turns their results into output and an exit code.

mod check;
mod exit;
pub mod format;
mod init;
mod personas;
mod plan;
mod preview;
mod run;
pub mod schema;
mod suppress;
mod test;
mod watch;

use std::path::PathBuf;

use clap::{Parser, Subcommand};

pub use exit::ExitCode;

/// tailor: campaigns as code. Compile, check and run micro-targeted email campaigns.
#[derive(Debug, Parser)]
#[command(name = "tailor", version, about, long_about = None)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
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
    /// Execute the plan: send every due message (outbox or SMTP) and record it in the ledger.
    Run(run::RunArgs),
    /// Manage the suppression list: addresses never mailed again.
    Suppress(suppress::SuppressArgs),
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
    if !matches!(cli.command, Command::Run(_) | Command::Preview(_)) {
        restore_default_sigpipe();
    }
    let code = match cli.command {
        Command::Check(args) => check::run(&args),
        Command::Plan(args) => plan::run(&args),
        Command::Personas(args) => personas::run(&args),
        Command::Preview(args) => preview::run(&args),
        Command::Run(args) => run::run(&args),
        Command::Suppress(args) => suppress::run(&args),
        Command::Schema(args) => schema::run(&args),
        Command::Test(args) => test::run(&args),
        Command::Init(args) => init::run(&args),
    };
    code as i32
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

/// Resolves the workspace folder for a verb, printing the error when there is none.
pub(crate) fn workspace_folder(path: Option<&PathBuf>) -> Result<PathBuf, ExitCode> {
    crate::load::find_workspace(path.map(PathBuf::as_path)).map_err(|error| {
        eprintln!("error[workspace::not-found]: {error}");
        eprintln!("  help: run `tailor init DIR` to create one, or pass the workspace folder");
        ExitCode::Usage
    })
}
