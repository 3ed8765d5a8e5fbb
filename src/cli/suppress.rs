//! `tailor suppress add|import|list`: the suppression list kept in the ledger. Addresses on it
//! are never mailed again, by any campaign (plan shows them as `suppressed`).

use std::path::{Path, PathBuf};

use chrono::DateTime;
use clap::{Args, Subcommand};

use super::steps::{checked_workspace, data_failure, run_clock};
use super::{ExitCode, Failure};
use crate::data::Source;
use crate::diag::Diagnostic;
use crate::ledger::Ledger;
use crate::model::is_valid_address;

/// Arguments of `tailor suppress`.
#[derive(Debug, Args)]
pub struct SuppressArgs {
    /// What to do with the list.
    #[command(subcommand)]
    pub action: SuppressAction,
}

/// The suppression list's verbs.
#[derive(Debug, Subcommand)]
pub enum SuppressAction {
    /// Suppress one address.
    Add {
        /// The address.
        address: String,
        /// The workspace folder.
        dir: Option<PathBuf>,
        /// Why (kept with the address).
        #[arg(long, default_value = "added by hand")]
        reason: String,
    },
    /// Suppress every address of a CSV file with an `email` column (and an optional `reason`).
    Import {
        /// The CSV file.
        file: PathBuf,
        /// The workspace folder.
        dir: Option<PathBuf>,
    },
    /// Print the list, by address.
    List {
        /// The workspace folder.
        dir: Option<PathBuf>,
        /// Only entries whose reason contains this text (any case), e.g. a run's time.
        #[arg(long)]
        reason: Option<String>,
    },
    /// Take an address off the list (after reviewing why it was added).
    Remove {
        /// The address.
        address: String,
        /// The workspace folder.
        dir: Option<PathBuf>,
    },
}

fn open_ledger(dir: Option<&PathBuf>) -> Result<Ledger, Failure> {
    let (_, workspace) = checked_workspace(dir)?;
    Ok(Ledger::open(&workspace.manifest.delivery.ledger)?)
}

/// The addresses and reasons of an import file; every bad row is reported and none imported.
fn import_rows(file: &Path) -> Result<Vec<(String, String)>, Failure> {
    let source = match Source::read(file) {
        Ok(Source::Rows(rows)) => rows,
        Ok(Source::Typed(_)) => {
            return Err(Failure::failed(
                Diagnostic::error("suppress::format", format!("`{}` is not a CSV file", file.display()))
                    .with_hint("import a CSV file with an `email` column"),
            ))
        }
        Err(error) => return Err(data_failure(error)),
    };
    if !source.has_column("email") {
        return Err(Failure::failed(
            Diagnostic::error(
                "suppress::no-email-column",
                format!("`{}` has no `email` column", file.display()),
            )
            .with_hint("the first line names the columns: `email` and, optionally, `reason`"),
        ));
    }
    let (email, reason) = (source.column("email"), source.column("reason"));
    let mut entries = Vec::with_capacity(source.len());
    let mut bad = Vec::new();
    for index in 0..source.len() {
        let row = source.row(index);
        let address = row.text(&email).trim().to_string();
        let at = || format!("{}: {}", file.display(), source.position(index));
        if let Some(problem) = row.problem() {
            bad.push(Diagnostic::error("suppress::bad-row", format!("{}: {problem}", at())));
        } else if !is_valid_address(&address) {
            bad.push(Diagnostic::error(
                "suppress::bad-address",
                format!("{}: `{address}` is not an email address", at()),
            ));
        } else {
            let reason = row.text(&reason).into_owned();
            let reason = if reason.trim().is_empty() {
                format!("imported from {}", file.display())
            } else {
                reason
            };
            entries.push((address, reason));
        }
    }
    if let Some(last) = bad.pop() {
        let count = bad.len() + 1;
        bad.push(last.with_hint(format!(
            "nothing was imported: fix the {count} bad row{} first",
            if count == 1 { "" } else { "s" }
        )));
        return Err(Failure::of(ExitCode::Failure, bad));
    }
    Ok(entries)
}

/// Runs `tailor suppress`.
pub fn run(args: &SuppressArgs) -> Result<ExitCode, Failure> {
    let now = run_clock(None)?.timestamp();
    match &args.action {
        SuppressAction::Add { address, dir, reason } => {
            if !is_valid_address(address.trim()) {
                return Err(Failure::usage(Diagnostic::error(
                    "suppress::bad-address",
                    format!("`{address}` is not an email address"),
                )));
            }
            let ledger = open_ledger(dir.as_ref())?;
            let added = ledger.suppress(address, reason, "add", now)?;
            println!(
                "{} {}",
                address.trim().to_lowercase(),
                if added { "suppressed" } else { "was already suppressed" }
            );
        }
        SuppressAction::Import { file, dir } => {
            let entries = import_rows(file)?;
            let mut ledger = open_ledger(dir.as_ref())?;
            let added = ledger.suppress_all(&entries, "import", now)?;
            println!(
                "imported {} address{} ({added} new)",
                entries.len(),
                if entries.len() == 1 { "" } else { "es" }
            );
        }
        SuppressAction::List { dir, reason } => {
            let ledger = open_ledger(dir.as_ref())?;
            let wanted = reason.as_deref().map(str::to_lowercase);
            for entry in ledger.suppressions()? {
                if wanted
                    .as_ref()
                    .is_some_and(|w| !entry.reason.to_lowercase().contains(w.as_str()))
                {
                    continue;
                }
                let added = DateTime::from_timestamp(entry.added_at, 0).map_or(entry.added_at.to_string(), |t| {
                    t.format("%Y-%m-%dT%H:%M:%SZ").to_string()
                });
                println!("{}\t{}\t{}\t{}", entry.address, added, entry.source, entry.reason);
            }
        }
        SuppressAction::Remove { address, dir } => {
            let ledger = open_ledger(dir.as_ref())?;
            let removed = ledger.unsuppress(address)?;
            let address = address.trim().to_lowercase();
            if !removed {
                return Err(Failure::failed(
                    Diagnostic::error(
                        "suppress::not-listed",
                        format!("`{address}` is not on the suppression list"),
                    )
                    .with_hint("`tailor suppress list` shows the addresses on it"),
                ));
            }
            println!("{address} removed from the suppression list");
        }
    }
    Ok(ExitCode::Success)
}
