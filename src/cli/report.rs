//! What a verb says besides its output: the warnings it met and, when it stops, the
//! diagnostics that stopped it. Verbs return them; [`super::main`] prints them once, in the
//! format asked for (`--diagnostic-format`, or JSON when the verb's own output is JSON).

use super::format::{render_diagnostics, Format};
use super::ExitCode;
use crate::diag::codes::code;
use crate::diag::{Diagnostic, SourceMap};
use crate::ledger::LedgerError;

/// Why a verb stopped: its diagnostics, the exit code, and the workspace's sources when the
/// diagnostics point into them.
#[derive(Debug)]
pub struct Failure {
    /// The process's exit code.
    pub exit: ExitCode,
    /// What went wrong, each with a code and, where there is one, a hint.
    pub diagnostics: Vec<Diagnostic>,
    /// The files the diagnostics' spans point into.
    pub sources: Option<SourceMap>,
    /// A last line for people (human format only), such as how many errors there were.
    pub summary: Option<String>,
}

impl Failure {
    /// Stopped by the input or the outcome (exit 1).
    pub fn failed(diagnostic: Diagnostic) -> Failure {
        Failure::of(ExitCode::Failure, vec![diagnostic])
    }

    /// Stopped by a usage or environment problem, not the input's content (exit 2).
    pub fn usage(diagnostic: Diagnostic) -> Failure {
        Failure::of(ExitCode::Usage, vec![diagnostic])
    }

    /// Stopped by `diagnostic`, with the exit code its registered code says (1 for the input or
    /// the outcome, 2 for usage and the environment).
    pub fn from_diagnostic(diagnostic: Diagnostic) -> Failure {
        let exit = match code(diagnostic.code).map(|c| c.exit) {
            Some(2) => ExitCode::Usage,
            _ => ExitCode::Failure,
        };
        Failure::of(exit, vec![diagnostic])
    }

    /// Stopped with `exit` by every one of `diagnostics`.
    pub fn of(exit: ExitCode, diagnostics: Vec<Diagnostic>) -> Failure {
        Failure {
            exit,
            diagnostics,
            sources: None,
            summary: None,
        }
    }

    /// The same failure, ending with `summary` in the human format.
    pub fn with_summary(mut self, summary: String) -> Failure {
        self.summary = Some(summary);
        self
    }

    /// The same failure, its spans read against `sources`.
    pub fn with_sources(mut self, sources: SourceMap) -> Failure {
        self.sources = Some(sources);
        self
    }
}

impl From<Diagnostic> for Failure {
    fn from(diagnostic: Diagnostic) -> Failure {
        Failure::from_diagnostic(diagnostic)
    }
}

impl From<LedgerError> for Failure {
    /// A ledger that cannot be opened, read or written (`ledger::write`, exit 2).
    fn from(error: LedgerError) -> Failure {
        Failure::usage(Diagnostic::error("ledger::write", error.to_string()))
    }
}

/// The warnings a verb met on its way (they never stop it).
#[derive(Debug, Default)]
pub struct Report {
    warnings: Vec<Diagnostic>,
}

impl Report {
    /// Notes a warning.
    pub fn warn(&mut self, warning: Diagnostic) {
        self.warnings.push(warning);
    }

    /// Prints the warnings and, after them, the failure's diagnostics to stderr in `format`
    /// (stdout stays the verb's output). Nothing is printed when there is nothing to say.
    pub fn print(self, failure: Option<&Failure>, format: Format, color: bool) {
        let mut diagnostics = self.warnings;
        diagnostics.extend(failure.iter().flat_map(|f| f.diagnostics.iter().cloned()));
        if diagnostics.is_empty() {
            return;
        }
        let no_sources = SourceMap::default();
        let sources = failure.and_then(|f| f.sources.as_ref()).unwrap_or(&no_sources);
        let text = match format {
            Format::Human => diagnostics
                .iter()
                .map(|d| match d.span {
                    Some(_) => render_diagnostics(format, std::slice::from_ref(d), sources, color),
                    None => plain(d),
                })
                .collect::<Vec<_>>()
                .join(""),
            _ => render_diagnostics(format, &diagnostics, sources, color),
        };
        eprintln!("{}", text.trim_end());
        if let (Format::Human, Some(summary)) = (format, failure.and_then(|f| f.summary.as_ref())) {
            eprintln!("{summary}");
        }
    }
}

/// A diagnostic with no place in a file, as one line and its hints: `error[code]: message`.
fn plain(diagnostic: &Diagnostic) -> String {
    let mut text = format!(
        "{}[{}]: {}\n",
        diagnostic.severity.as_str(),
        diagnostic.code,
        diagnostic.message
    );
    for hint in &diagnostic.hints {
        text.push_str(&format!("  help: {hint}\n"));
    }
    text
}
