//! `tailor check [DIR]`: load and check the workspace, print diagnostics.

use std::io::IsTerminal;
use std::path::PathBuf;

use clap::Args;

use super::format::{write_diagnostics, Format};
use super::{workspace_folder, ExitCode, Failure};
use crate::check::check_workspace;
use crate::diag::Diagnostic;
use crate::load::load_workspace;

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
}

/// Runs `tailor check`: its output is the diagnostics (machine formats on stdout).
pub fn run(args: &CheckArgs) -> Result<ExitCode, Failure> {
    let root = workspace_folder(args.dir.as_ref())?;
    let loaded =
        load_workspace(&root).map_err(|error| Failure::usage(Diagnostic::error("load::io", error.to_string())))?;
    let outcome = check_workspace(&loaded);
    let errors = outcome.diagnostics.error_count();
    let warnings = outcome.diagnostics.warning_count();
    let diagnostics = outcome.diagnostics.into_sorted();
    let color = std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none();
    let documents = loaded.documents.len() + usize::from(loaded.manifest.is_some());
    let summary = format!(
        "checked {documents} documents and {} templates: {errors} error{}, {warnings} warning{}",
        loaded.templates.len(),
        if errors == 1 { "" } else { "s" },
        if warnings == 1 { "" } else { "s" },
    );
    write_diagnostics(args.format, &diagnostics, &loaded.sources, color, &summary);
    Ok(if errors > 0 || (args.deny_warnings && warnings > 0) {
        ExitCode::Failure
    } else {
        ExitCode::Success
    })
}
