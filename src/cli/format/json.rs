//! `--format json`: an array of diagnostics.

use super::LocatedDiagnostic;

/// Renders the diagnostics as a pretty JSON array.
pub fn render(diagnostics: &[LocatedDiagnostic]) -> String {
    serde_json::to_string_pretty(diagnostics).unwrap_or_else(|_| "[]".into())
}
