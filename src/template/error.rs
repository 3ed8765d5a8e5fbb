//! A template syntax error, with its code, place in the template and hint.

use std::ops::Range;

/// A template syntax error.
#[derive(Debug, Clone, PartialEq)]
pub struct TemplateError {
    /// Stable diagnostic code.
    pub code: &'static str,
    /// What is wrong.
    pub message: String,
    /// Byte range in the template.
    pub span: Range<usize>,
    /// What to do.
    pub hint: Option<String>,
}

impl TemplateError {
    /// A new error.
    pub fn new(code: &'static str, message: impl Into<String>, span: Range<usize>) -> TemplateError {
        TemplateError {
            code,
            message: message.into(),
            span,
            hint: None,
        }
    }

    pub(super) fn with_hint(mut self, hint: Option<String>) -> TemplateError {
        self.hint = hint;
        self
    }
}
