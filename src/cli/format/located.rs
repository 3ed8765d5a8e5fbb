//! A diagnostic with its position resolved to file, line and column.

use serde::Serialize;

use crate::diag::{Diagnostic, SourceMap};

/// The machine-readable form of a diagnostic (the JSON output's element).
#[derive(Debug, Clone, Serialize)]
pub struct LocatedDiagnostic {
    /// Stable code.
    pub code: &'static str,
    /// `error` or `warning`.
    pub severity: &'static str,
    /// The message.
    pub message: String,
    /// The file, as displayed.
    pub file: Option<String>,
    /// 1-based start line.
    pub line: Option<usize>,
    /// 1-based start column, in characters.
    pub column: Option<usize>,
    /// 1-based end line.
    pub end_line: Option<usize>,
    /// 1-based end column (exclusive), in characters.
    pub end_column: Option<usize>,
    /// Hints.
    pub hints: Vec<String>,
    /// Where the file with the problem is used from (`file:line:column` of each `html:`).
    pub used_at: Vec<String>,
}

impl LocatedDiagnostic {
    /// Resolves `diagnostic`'s span through `sources`.
    pub fn new(diagnostic: &Diagnostic, sources: &SourceMap) -> LocatedDiagnostic {
        let position = diagnostic
            .span
            .map(|span| (sources.file(span.file).display_path.clone(), sources.range(span)));
        LocatedDiagnostic {
            code: diagnostic.code,
            severity: diagnostic.severity.as_str(),
            message: diagnostic.message.clone(),
            file: position.as_ref().map(|(f, _)| f.clone()),
            line: position.as_ref().map(|(_, (s, _))| s.line),
            column: position.as_ref().map(|(_, (s, _))| s.column),
            end_line: position.as_ref().map(|(_, (_, e))| e.line),
            end_column: position.as_ref().map(|(_, (_, e))| e.column),
            hints: diagnostic.hints.clone(),
            used_at: diagnostic.used_at.iter().map(|s| sources.place(*s)).collect(),
        }
    }
}
