//! The bridge to miette: turns a [`Diagnostic`] into miette's graphical, rustc-like report.

use std::fmt;

use miette::{GraphicalReportHandler, GraphicalTheme, LabeledSpan, NamedSource, SourceSpan};

use super::{Diagnostic, Severity, SourceMap, Span};

/// How the human report is drawn.
#[derive(Debug, Clone, Copy)]
pub struct RenderStyle {
    /// ANSI colours (for a terminal).
    pub color: bool,
    /// Wrap width in columns.
    pub width: usize,
}

/// Renders one diagnostic as miette's graphical report.
pub fn render_human(diagnostic: &Diagnostic, sources: &SourceMap, style: RenderStyle) -> String {
    let theme = if style.color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    let handler = GraphicalReportHandler::new_themed(theme)
        .with_width(style.width)
        .with_links(false);
    let report = MietteReport::new(diagnostic, sources);
    let mut out = String::new();
    match handler.render_report(&mut out, &report) {
        Ok(()) => out,
        Err(_) => format!(
            "{}[{}]: {}\n",
            diagnostic.severity.as_str(),
            diagnostic.code,
            diagnostic.message
        ),
    }
}

/// A diagnostic in the shape miette wants: one source file with its labels, and labels in other
/// files as related reports.
struct MietteReport {
    code: &'static str,
    severity: Severity,
    message: String,
    help: Option<String>,
    source: Option<NamedSource<String>>,
    labels: Vec<LabeledSpan>,
    related: Vec<MietteReport>,
}

impl MietteReport {
    fn new(diagnostic: &Diagnostic, sources: &SourceMap) -> MietteReport {
        let mut report = MietteReport {
            code: diagnostic.code,
            severity: diagnostic.severity,
            message: diagnostic.message.clone(),
            help: (!diagnostic.hints.is_empty()).then(|| diagnostic.hints.join("\n")),
            source: None,
            labels: Vec::new(),
            related: Vec::new(),
        };
        if let Some(span) = diagnostic.span {
            let file = sources.file(span.file);
            report.source = Some(NamedSource::new(&file.display_path, file.text.clone()));
            report.labels.push(LabeledSpan::new_primary_with_span(
                diagnostic.label.clone(),
                source_span(span),
            ));
            for label in &diagnostic.labels {
                if label.span.file == span.file {
                    report.labels.push(LabeledSpan::new_with_span(
                        Some(label.message.clone()),
                        source_span(label.span),
                    ));
                } else {
                    let other = sources.file(label.span.file);
                    report.related.push(MietteReport {
                        code: diagnostic.code,
                        severity: diagnostic.severity,
                        message: label.message.clone(),
                        help: None,
                        source: Some(NamedSource::new(&other.display_path, other.text.clone())),
                        labels: vec![LabeledSpan::new_primary_with_span(None, source_span(label.span))],
                        related: Vec::new(),
                    });
                }
            }
        }
        report
    }
}

fn source_span(span: Span) -> SourceSpan {
    SourceSpan::new((span.start as usize).into(), span.len())
}

impl fmt::Debug for MietteReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl fmt::Display for MietteReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for MietteReport {}

impl miette::Diagnostic for MietteReport {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new(self.code))
    }

    fn severity(&self) -> Option<miette::Severity> {
        Some(match self.severity {
            Severity::Error => miette::Severity::Error,
            Severity::Warning => miette::Severity::Warning,
        })
    }

    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.help.as_ref().map(|h| Box::new(h) as Box<dyn fmt::Display>)
    }

    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        self.source.as_ref().map(|s| s as &dyn miette::SourceCode)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        (!self.labels.is_empty())
            .then(|| Box::new(self.labels.iter().cloned()) as Box<dyn Iterator<Item = LabeledSpan>>)
    }

    fn related<'a>(&'a self) -> Option<Box<dyn Iterator<Item = &'a dyn miette::Diagnostic> + 'a>> {
        (!self.related.is_empty())
            .then(|| Box::new(self.related.iter().map(|r| r as &dyn miette::Diagnostic)) as Box<dyn Iterator<Item = _>>)
    }
}
