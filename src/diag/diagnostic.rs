//! The diagnostic value every stage produces.

use super::Span;

/// How bad a diagnostic is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    /// Worth a look; does not fail `check` unless `--deny-warnings`.
    Warning,
    /// The workspace is wrong; `check` exits 1.
    Error,
}

impl Severity {
    /// The lowercase name used in machine-readable output.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

/// A secondary span with a short note.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Label {
    /// Where.
    pub span: Span,
    /// What about it.
    pub message: String,
}

/// One problem found in the workspace: a stable code, a severity, a primary span and message,
/// optional secondary labels and hints.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Diagnostic {
    /// Primary location (sorts diagnostics by file and position).
    pub span: Option<Span>,
    /// Stable code, `stage::what`, for example `expr::unknown-field`.
    pub code: &'static str,
    /// Error or warning.
    pub severity: Severity,
    /// One sentence saying what is wrong.
    pub message: String,
    /// The note shown under the primary caret.
    pub label: Option<String>,
    /// Other places that explain the problem.
    pub labels: Vec<Label>,
    /// What to do about it.
    pub hints: Vec<String>,
    /// The source at the span holds a secret: reports name the place but never show it.
    pub concealed: bool,
    /// The fields that use the file the problem is in (a template's `html:` in each campaign
    /// or variant), so that a problem in a shared template is reported once with its uses.
    pub used_at: Vec<Span>,
}

impl Diagnostic {
    /// Whether `other` is the same problem at the same place, wherever its file is used from.
    pub fn same_problem(&self, other: &Diagnostic) -> bool {
        fn key(d: &Diagnostic) -> impl PartialEq + '_ {
            (
                d.span,
                d.code,
                d.severity,
                &d.message,
                &d.label,
                &d.labels,
                &d.hints,
                d.concealed,
            )
        }
        key(self) == key(other)
    }

    /// A new error with a code and message.
    pub fn error(code: &'static str, message: impl Into<String>) -> Diagnostic {
        Diagnostic::new(Severity::Error, code, message)
    }

    /// A new warning with a code and message.
    pub fn warning(code: &'static str, message: impl Into<String>) -> Diagnostic {
        Diagnostic::new(Severity::Warning, code, message)
    }

    fn new(severity: Severity, code: &'static str, message: impl Into<String>) -> Diagnostic {
        debug_assert!(
            super::codes::code(code).is_some(),
            "`{code}` is not registered in diag::codes"
        );
        Diagnostic {
            span: None,
            code,
            severity,
            message: message.into(),
            label: None,
            labels: Vec::new(),
            hints: Vec::new(),
            concealed: false,
            used_at: Vec::new(),
        }
    }

    /// The same diagnostic, reported without the source text around its place (it holds a
    /// secret).
    pub fn concealed(mut self) -> Diagnostic {
        self.concealed = true;
        self
    }

    /// Places the diagnostic at `span`.
    pub fn at(mut self, span: Span) -> Diagnostic {
        self.span = Some(span);
        self
    }

    /// Places the diagnostic at `span` with a note under the caret.
    pub fn at_labeled(mut self, span: Span, label: impl Into<String>) -> Diagnostic {
        self.span = Some(span);
        self.label = Some(label.into());
        self
    }

    /// Adds a secondary label.
    pub fn with_label(mut self, span: Span, message: impl Into<String>) -> Diagnostic {
        self.labels.push(Label {
            span,
            message: message.into(),
        });
        self
    }

    /// Adds a hint.
    pub fn with_hint(mut self, hint: impl Into<String>) -> Diagnostic {
        self.hints.push(hint.into());
        self
    }

    /// Adds a hint when there is one.
    pub fn with_optional_hint(self, hint: Option<String>) -> Diagnostic {
        match hint {
            Some(hint) => self.with_hint(hint),
            None => self,
        }
    }

    /// Whether this is an error.
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}
