//! Output formats for diagnostics: miette's human report, JSON, GitHub annotations and SARIF.

mod github;
mod json;
mod located;
mod sarif;

use clap::ValueEnum;

use crate::diag::render::{render_human, RenderStyle};
use crate::diag::{Diagnostic, SourceMap};
pub use located::LocatedDiagnostic;

/// How diagnostics are printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// rustc-like reports with source snippets (stderr).
    Human,
    /// A JSON array (stdout).
    Json,
    /// GitHub Actions workflow commands (stdout).
    Github,
    /// SARIF 2.1.0 (stdout), for code scanning.
    Sarif,
}

/// Renders diagnostics in `format` to a string (what goes to stdout or stderr).
pub fn render_diagnostics(format: Format, diagnostics: &[Diagnostic], sources: &SourceMap, color: bool) -> String {
    match format {
        Format::Human => {
            let style = RenderStyle { color, width: 100 };
            diagnostics
                .iter()
                .map(|d| render_human(d, sources, style))
                .collect::<Vec<_>>()
                .join("\n")
        }
        Format::Json => json::render(&located(diagnostics, sources)),
        Format::Github => github::render(&located(diagnostics, sources)),
        Format::Sarif => sarif::render(&located(diagnostics, sources)),
    }
}

fn located(diagnostics: &[Diagnostic], sources: &SourceMap) -> Vec<LocatedDiagnostic> {
    diagnostics.iter().map(|d| LocatedDiagnostic::new(d, sources)).collect()
}
