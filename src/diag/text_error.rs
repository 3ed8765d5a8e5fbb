//! An error found in one piece of text — an expression, a template — before it is placed in
//! its file: a stable code, a message, a byte range in that text, and a hint. The checker
//! places it ([`TextError::placed`]); the expression parser and the Liquid parser both report
//! this way.

use std::ops::Range;

use super::{Diagnostic, Span};

/// A problem at a byte range of one piece of text.
#[derive(Debug, Clone, PartialEq)]
pub struct TextError {
    /// Stable diagnostic code.
    pub code: &'static str,
    /// What is wrong.
    pub message: String,
    /// Byte range in the text.
    pub span: Range<usize>,
    /// What to do.
    pub hint: Option<String>,
}

impl TextError {
    /// A new error at `span`.
    pub fn new(code: &'static str, message: impl Into<String>, span: Range<usize>) -> TextError {
        TextError {
            code,
            message: message.into(),
            span,
            hint: None,
        }
    }

    /// Adds a hint.
    pub fn with_hint(self, hint: impl Into<String>) -> TextError {
        self.with_optional_hint(Some(hint.into()))
    }

    /// Adds a hint when there is one.
    pub fn with_optional_hint(mut self, hint: Option<String>) -> TextError {
        self.hint = hint;
        self
    }

    /// The diagnostic, its range placed in the file by `place`.
    pub fn placed(self, place: impl FnOnce(Range<usize>) -> Span) -> Diagnostic {
        Diagnostic::error(self.code, self.message)
            .at(place(self.span))
            .with_optional_hint(self.hint)
    }
}
