//! A template syntax error: a [`TextError`] whose byte range is in the template.

use crate::diag::TextError;

/// A template syntax error: a code, a message, its byte range in the template, and a hint.
pub type TemplateError = TextError;
