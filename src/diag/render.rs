//! The bridge to miette: turns a [`Diagnostic`] into miette's graphical, rustc-like report.

use std::fmt;

use miette::{
    GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteError, MietteSpanContents, SourceSpan, SpanContents,
};

use super::{Diagnostic, Severity, SourceFile, SourceMap, Span};

/// Lines longer than this are not drawn: the report names the place instead of echoing it.
const MAX_SHOWN_LINE: usize = 400;

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
    let report = report.without_unshowable_source(sources, diagnostic);
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
struct MietteReport<'s> {
    code: &'static str,
    severity: Severity,
    message: String,
    help: Option<String>,
    source: Option<Borrowed<'s>>,
    labels: Vec<LabeledSpan>,
    related: Vec<MietteReport<'s>>,
}

/// A file's text lent to miette, which reads only the lines around each label (no copy of
/// the file per diagnostic).
struct Borrowed<'s> {
    file: &'s SourceFile,
}

impl miette::SourceCode for Borrowed<'_> {
    fn read_span<'a>(
        &'a self,
        span: &SourceSpan,
        context_lines_before: usize,
        context_lines_after: usize,
    ) -> Result<Box<dyn SpanContents<'a> + 'a>, MietteError> {
        let contents = self
            .file
            .text
            .as_str()
            .read_span(span, context_lines_before, context_lines_after)?;
        Ok(Box::new(MietteSpanContents::new_named(
            self.file.display_path.clone(),
            contents.data(),
            *contents.span(),
            contents.line(),
            contents.column(),
            contents.line_count(),
        )))
    }
}

/// `span` cut to the end of its first line: a label spanning a 100 MB block scalar shows
/// where it starts.
fn first_line(span: Span, text: &str) -> Span {
    let start = (span.start as usize).min(text.len());
    let end = (span.end as usize).min(text.len());
    match text[start..end].find('\n') {
        Some(newline) => Span::new(span.file, start, start + newline),
        None => span,
    }
}

/// Whether the line holding byte `at` of `text`, or a line next to it, is too long to draw.
fn long_line_near(text: &str, at: usize) -> bool {
    let at = at.min(text.len());
    let line_start = text[..at].rfind('\n').map_or(0, |i| i + 1);
    let previous_start = text[..line_start.saturating_sub(1)].rfind('\n').map_or(0, |i| i + 1);
    text[previous_start..]
        .split('\n')
        .take(3)
        .any(|line| line.len() > MAX_SHOWN_LINE)
}

impl<'s> MietteReport<'s> {
    /// The report without its snippet when the source holds a secret or a line it would draw
    /// is too long: the place is named in the message instead.
    fn without_unshowable_source(mut self, sources: &SourceMap, diagnostic: &Diagnostic) -> MietteReport<'s> {
        let Some(span) = diagnostic.span else {
            return self;
        };
        let file = sources.file(span.file);
        let why = if diagnostic.concealed {
            "not shown: it holds a secret"
        } else if long_line_near(&file.text, span.start as usize) {
            "the line is too long to show"
        } else {
            return self;
        };
        {
            let place = file.line_column(span.start as usize);
            self.message = format!(
                "{}\n  --> {}:{}:{} ({why})",
                self.message, file.display_path, place.line, place.column
            );
            self.source = None;
            self.labels.clear();
        }
        self
    }

    fn new(diagnostic: &Diagnostic, sources: &'s SourceMap) -> MietteReport<'s> {
        let mut report = MietteReport {
            code: diagnostic.code,
            severity: diagnostic.severity,
            message: diagnostic.message.clone(),
            help: help(diagnostic, sources),
            source: None,
            labels: Vec::new(),
            related: Vec::new(),
        };
        if let Some(span) = diagnostic.span {
            let file = sources.file(span.file);
            report.source = Some(Borrowed { file });
            report.labels.push(LabeledSpan::new_primary_with_span(
                diagnostic.label.clone(),
                source_span(first_line(span, &file.text)),
            ));
            for label in &diagnostic.labels {
                if label.span.file == span.file {
                    report.labels.push(LabeledSpan::new_with_span(
                        Some(label.message.clone()),
                        source_span(first_line(label.span, &file.text)),
                    ));
                } else {
                    let other = sources.file(label.span.file);
                    report.related.push(MietteReport {
                        code: diagnostic.code,
                        severity: diagnostic.severity,
                        message: label.message.clone(),
                        help: None,
                        source: Some(Borrowed { file: other }),
                        labels: vec![LabeledSpan::new_primary_with_span(
                            None,
                            source_span(first_line(label.span, &other.text)),
                        )],
                        related: Vec::new(),
                    });
                }
            }
        }
        report
    }
}

/// The hints, then the uses of a file shared by several campaigns or variants.
fn help(diagnostic: &Diagnostic, sources: &SourceMap) -> Option<String> {
    let mut lines = diagnostic.hints.clone();
    if diagnostic.used_at.len() > 1 {
        let places: Vec<String> = diagnostic.used_at.iter().map(|s| sources.place(*s)).collect();
        lines.push(format!(
            "this file is used {} times: {}",
            places.len(),
            places.join(", ")
        ));
    }
    (!lines.is_empty()).then(|| lines.join("\n"))
}

fn source_span(span: Span) -> SourceSpan {
    SourceSpan::new((span.start as usize).into(), span.len())
}

impl fmt::Debug for MietteReport<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl fmt::Display for MietteReport<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for MietteReport<'_> {}

impl miette::Diagnostic for MietteReport<'_> {
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
