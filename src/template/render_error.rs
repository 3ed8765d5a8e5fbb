//! A render that failed: the reason, and where in which template (file, line and column).

use std::fmt;
use std::ops::Range;

use super::error::TemplateError;

/// Why a render failed and where: the line and column in the template (or in the partial
/// named by `partial`, which the template uses).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RenderError {
    /// What went wrong.
    pub message: String,
    /// The line, from 1 (0 when not known).
    pub line: usize,
    /// The column, from 1.
    pub column: usize,
    /// The partial it happened in, outermost first, when not in the template itself.
    pub partial: Vec<String>,
}

impl RenderError {
    /// An error at byte range `span` of the template `source`.
    pub fn at(source: &str, span: Range<usize>, message: impl Into<String>) -> RenderError {
        let (line, column) = line_column(source, span.start);
        RenderError {
            message: message.into(),
            line,
            column,
            partial: Vec::new(),
        }
    }

    /// A syntax error in `source`.
    pub fn syntax(source: &str, error: &TemplateError) -> RenderError {
        let (line, column) = line_column(source, error.span.start);
        let message = match &error.hint {
            Some(hint) => format!("{} ({hint})", error.message),
            None => error.message.clone(),
        };
        RenderError {
            message,
            line,
            column,
            partial: Vec::new(),
        }
    }

    /// The same error, seen from the template that used the partial `name`.
    pub fn in_partial(mut self, name: &str) -> RenderError {
        self.partial.insert(0, name.to_string());
        self
    }
}

impl fmt::Display for RenderError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(innermost) = self.partial.last() {
            write!(f, "in partial `{innermost}`, ")?;
        }
        write!(f, "line {}, column {}: {}", self.line, self.column, self.message)
    }
}

impl From<RenderError> for String {
    fn from(error: RenderError) -> String {
        error.to_string()
    }
}

/// The line and column (from 1, in characters) of byte `at` of `source`.
fn line_column(source: &str, at: usize) -> (usize, usize) {
    let at = at.min(source.len());
    let before = source.get(..at).unwrap_or(source);
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().unwrap_or("").chars().count() + 1;
    (line, column)
}
