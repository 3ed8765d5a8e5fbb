//! `tailor events rejected|replay|compact [DIR]`: `tailor serve`'s event log. `rejected` lists the
//! calls the tracking plan refused, with their reasons; `replay` checks them again against
//! today's schema, moves the ones that now fit into the log (a message id already there counts
//! once) and keeps the rest; `compact` folds the log into Parquet. Replay and compact hold the
//! ledger's lease, so they never race `serve`.

use std::fs;
use std::io::Write as _;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use clap::{Args, Subcommand, ValueEnum};
use serde_json::Value as Json;

use super::steps::{checked_workspace, data_failure};
use super::{ExitCode, Failure};
use crate::check::CheckedWorkspace;
use crate::data::{compact_event_log, EventLog, Source, MESSAGE_ID, RECEIVED_AT};
use crate::diag::Diagnostic;
use crate::ledger::{Ledger, Sharing};
use crate::run::take_lease;
use crate::serve::{Appended, Intake, Journal, Sorted, TrackingPlan};

/// Arguments of `tailor events`.
#[derive(Debug, Args)]
pub struct EventsArgs {
    /// What to do.
    #[command(subcommand)]
    pub action: EventsAction,
}

/// The `events` actions.
#[derive(Debug, Subcommand)]
pub enum EventsAction {
    /// List the quarantined calls with their reasons.
    Rejected {
        /// The workspace folder.
        dir: Option<PathBuf>,
        /// Output format.
        #[arg(long, value_enum, default_value_t = ListFormat::Text)]
        format: ListFormat,
    },
    /// Check the quarantined calls again; move those that now fit into the event log.
    Replay {
        /// The workspace folder.
        dir: Option<PathBuf>,
    },
    /// Fold the log's events of known profiles into Parquet (`compacted.parquet`), which every
    /// verb reads faster; events of profiles not known yet stay in the log.
    Compact {
        /// The workspace folder.
        dir: Option<PathBuf>,
    },
}

/// How `events rejected` prints.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ListFormat {
    /// A line per call and a line per reason.
    Text,
    /// The quarantine lines as a JSON array.
    Json,
}

fn io_failure(path: &Path, error: impl std::fmt::Display) -> Failure {
    Failure::usage(Diagnostic::error(
        "events::io",
        format!("`{}`: {error}", path.display()),
    ))
}

/// The intake of `workspace`: its tracking plan, compiled, and the log's layouts.
pub(super) fn intake_of(workspace: &CheckedWorkspace) -> Result<Intake, Failure> {
    let plan = TrackingPlan::new(&workspace.schema, &workspace.manifest.name)
        .map_err(|e| Failure::usage(Diagnostic::error("serve::tracking-plan", e.0)))?;
    Ok(Intake::new(&workspace.schema, plan))
}

/// The event log, opened for appending.
pub(super) fn journal_of(log: &EventLog) -> Result<Journal, Failure> {
    Journal::open(log).map_err(|e| Failure::usage(Diagnostic::error("serve::log", e)))
}

/// The quarantine's lines (none when there is no log).
fn quarantine(log: &EventLog) -> Result<Vec<Json>, Failure> {
    let path = log.rejected();
    if !path.exists() {
        return Ok(Vec::new());
    }
    // Read as the log is everywhere: a last line cut short by a crash was never acknowledged.
    let rows = match Source::read_journal(&path)
        .map_err(|e| Failure::usage(Diagnostic::error("events::io", e.to_string())))?
    {
        Source::Rows(rows) => rows,
        Source::Typed(_) => return Ok(Vec::new()),
    };
    Ok((0..rows.len())
        .filter_map(|row| serde_json::from_str(rows.line(row)?).ok())
        .collect())
}

/// Runs `tailor events`.
pub fn run(args: &EventsArgs) -> Result<ExitCode, Failure> {
    match &args.action {
        EventsAction::Rejected { dir, format } => list(dir.as_ref(), *format),
        EventsAction::Replay { dir } => replay(dir.as_ref()),
        EventsAction::Compact { dir } => compact(dir.as_ref()),
    }
}

/// The workspace and its ledger with the lease taken: a change to the log must not race
/// `serve`, which holds the lease while it runs.
fn holding_the_lease(dir: Option<&PathBuf>) -> Result<(CheckedWorkspace, Ledger), Failure> {
    let (_, workspace) = checked_workspace(dir)?;
    let ledger_path = workspace.manifest.delivery.ledger.clone();
    let mut ledger = Ledger::open(&ledger_path)?;
    take_lease(&mut ledger, Sharing::Exclusive)?;
    Ok((workspace, ledger))
}

fn compact(dir: Option<&PathBuf>) -> Result<ExitCode, Failure> {
    let (workspace, _lease) = holding_the_lease(dir)?;
    let done = compact_event_log(&workspace).map_err(data_failure)?;
    println!(
        "{} events folded into {}; {} log lines kept (profiles not known yet)",
        done.folded,
        EventLog::beside(&workspace.manifest.delivery.ledger)
            .compacted()
            .display(),
        done.kept
    );
    Ok(ExitCode::Success)
}

fn list(dir: Option<&PathBuf>, format: ListFormat) -> Result<ExitCode, Failure> {
    let (_, workspace) = checked_workspace(dir)?;
    let lines = quarantine(&EventLog::beside(&workspace.manifest.delivery.ledger))?;
    let mut out = String::new();
    match format {
        ListFormat::Json => {
            out = serde_json::to_string_pretty(&lines).unwrap_or_default();
            out.push('\n');
        }
        ListFormat::Text => {
            for line in &lines {
                let id = line[MESSAGE_ID].as_str().unwrap_or("(no messageId)");
                let received = line[RECEIVED_AT].as_str().unwrap_or("");
                out.push_str(&format!("{id}  received {received}\n"));
                for reason in line["reasons"].as_array().into_iter().flatten() {
                    out.push_str(&format!("  {}\n", reason.as_str().unwrap_or_default()));
                }
            }
            out.push_str(&format!("{} calls in quarantine\n", lines.len()));
        }
    }
    let _ = std::io::stdout().write_all(out.as_bytes());
    Ok(ExitCode::Success)
}

fn replay(dir: Option<&PathBuf>) -> Result<ExitCode, Failure> {
    let (workspace, _lease) = holding_the_lease(dir)?;
    let log = EventLog::beside(&workspace.manifest.delivery.ledger);
    let lines = quarantine(&log)?;
    let intake = intake_of(&workspace)?;
    let mut fitting = Vec::new();
    let mut kept = Vec::new();
    for line in &lines {
        let received = line[RECEIVED_AT]
            .as_str()
            .and_then(|t| DateTime::parse_from_rfc3339(t).ok())
            .map_or_else(Utc::now, |t| t.with_timezone(&Utc));
        match intake.sort(&line["call"], line["implied_type"].as_str(), received) {
            Sorted::Accepted(accepted, _) => fitting.push(accepted),
            Sorted::Quarantined(still, ..) => kept.push(still.json),
        }
    }
    let moved = fitting.len();
    let outcomes = journal_of(&log)?
        .append_blocking(fitting)
        .map_err(|e| Failure::usage(Diagnostic::error("serve::log", e.to_string())))?;
    let duplicates = outcomes.iter().filter(|o| **o == Appended::Duplicate).count();
    // The accepted lines are on the disk; only now is the quarantine rewritten without them.
    let path = log.rejected();
    let temporary = path.with_extension("ndjson.replay");
    let mut text = String::new();
    for line in &kept {
        text.push_str(&line.to_string());
        text.push('\n');
    }
    fs::File::create(&temporary)
        .and_then(|mut file| file.write_all(text.as_bytes()).and_then(|()| file.sync_all()))
        .and_then(|()| fs::rename(&temporary, &path))
        .map_err(|e| io_failure(&path, e))?;
    println!(
        "{} calls moved into the event log ({duplicates} already there), {} still in quarantine",
        moved - duplicates,
        kept.len()
    );
    Ok(ExitCode::Success)
}
