//! `tailor check [DIR]`: load and check the workspace, print diagnostics.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};

use clap::Args;

use super::format::{render_diagnostics, Format};
use super::{loaded_workspace, ExitCode, Failure};
use crate::check::{check_ledger_online, check_online, check_workspace, ColumnsOf, ReachLedger};
use crate::data::{DatabaseTable, LoadError};
use crate::ledger::Ledger;
use crate::load::LoadedWorkspace;
use crate::model::{LedgerLocation, TableColumn};

/// Arguments of `tailor check`.
#[derive(Debug, Args)]
pub struct CheckArgs {
    /// The workspace folder (default: the current folder or its nearest parent with a tailor.yaml).
    pub dir: Option<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,
    /// Fail (exit 1) on warnings too.
    #[arg(long)]
    pub deny_warnings: bool,
    /// Also compare the schema with the columns of the PostgreSQL tables its sources name
    /// (connects to the servers).
    #[arg(long)]
    pub online: bool,
}

/// What `tailor check` prints about a loaded workspace.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckReport {
    /// The diagnostics in the format asked for (stderr for `human`, stdout otherwise).
    pub diagnostics: String,
    /// `checked N documents and M templates: E errors, W warnings` (stderr, `human` only).
    pub summary: String,
    /// Failure on errors, and on warnings with `--deny-warnings`.
    pub exit: ExitCode,
}

impl CheckReport {
    /// Everything `human` prints on stderr, as one text.
    pub fn human_stderr(&self) -> String {
        let mut text = String::new();
        if !self.diagnostics.is_empty() {
            text.push_str(&self.diagnostics);
            text.push('\n');
        }
        text.push_str(&self.summary);
        text.push('\n');
        text
    }
}

/// Checks `loaded` and says what `tailor check` prints.
pub fn check_report(loaded: &LoadedWorkspace, format: Format, deny_warnings: bool, color: bool) -> CheckReport {
    checked_report(loaded, None, format, deny_warnings, color)
}

/// What `--online` reaches: the columns of each PostgreSQL table, and the ledger.
struct Online<'a, 'f> {
    columns_of: &'a mut ColumnsOf<'f>,
    reach_ledger: &'a mut ReachLedger<'f>,
}

/// [`check_report`], with `--online`'s comparison of the schema with its PostgreSQL tables and
/// its reach of a PostgreSQL ledger (when the workspace checks).
fn checked_report(
    loaded: &LoadedWorkspace,
    online: Option<Online>,
    format: Format,
    deny_warnings: bool,
    color: bool,
) -> CheckReport {
    let outcome = check_workspace(loaded);
    let mut diagnostics = outcome.diagnostics.into_sorted();
    if let (Some(online), Some(workspace)) = (online, &outcome.workspace) {
        diagnostics.extend(check_online(loaded, &workspace.schema, online.columns_of));
        diagnostics.extend(check_ledger_online(
            loaded,
            &workspace.manifest.delivery.ledger,
            online.reach_ledger,
        ));
    }
    let errors = diagnostics.iter().filter(|d| d.is_error()).count();
    let warnings = diagnostics.len() - errors;
    let documents = loaded.documents.len() + usize::from(loaded.manifest.is_some());
    let summary = format!(
        "checked {documents} documents and {} templates: {errors} error{}, {warnings} warning{}",
        loaded.templates.len(),
        if errors == 1 { "" } else { "s" },
        if warnings == 1 { "" } else { "s" },
    );
    CheckReport {
        diagnostics: render_diagnostics(format, &diagnostics, &loaded.sources, color),
        summary,
        exit: if errors > 0 || (deny_warnings && warnings > 0) {
            ExitCode::Failure
        } else {
            ExitCode::Success
        },
    }
}

/// Runs `tailor check`: its output is the diagnostics (machine formats on stdout).
pub fn run(args: &CheckArgs) -> Result<ExitCode, Failure> {
    let loaded = loaded_workspace(args.dir.as_ref())?;
    let color = std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none();
    let mut columns_of = |source: &str| -> Result<Vec<TableColumn>, String> {
        let table = DatabaseTable::parse(source)?;
        table.columns(Path::new(source)).map_err(|e| match e {
            LoadError::Io { message, .. } => message,
            other => other.to_string(),
        })
    };
    let mut reach_ledger = |ledger: &LedgerLocation| Ledger::reachable(ledger).map_err(|e| e.message);
    let online = args.online.then_some(Online {
        columns_of: &mut columns_of,
        reach_ledger: &mut reach_ledger,
    });
    let report = checked_report(&loaded, online, args.format, args.deny_warnings, color);
    if args.format == Format::Human {
        eprint!("{}", report.human_stderr());
    } else {
        println!("{}", report.diagnostics);
    }
    Ok(report.exit)
}
