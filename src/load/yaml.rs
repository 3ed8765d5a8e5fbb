//! Parsing one YAML document into a raw type, with YAML errors turned into diagnostics.

use serde::de::DeserializeOwned;
use serde_saphyr::{budget::Budget, Error as YamlError, Options};

use crate::diag::{excerpt, suggestion_hint, Diagnostic, FileId, Span, MAX_EXCERPT_CHARS};

/// Nesting deeper than this is refused (a clear error instead of a stack overflow).
const MAX_DEPTH: usize = 64;

/// Parses `text` (one document starting at byte `base` of `file`) as `T`.
// Errors are rare and immediately reported: boxing the diagnostic would buy nothing.
#[allow(clippy::result_large_err)]
pub fn parse_document<T: DeserializeOwned>(text: &str, file: FileId, base: usize) -> Result<T, Diagnostic> {
    serde_saphyr::from_str_with_options(text, options()).map_err(|error| to_diagnostic(&error, text, file, base))
}

fn options() -> Options {
    let mut options = Options::default();
    let mut budget = Budget::default();
    budget.max_depth = MAX_DEPTH;
    budget.max_aliases = 1_000;
    budget.max_anchors = 1_000;
    budget.max_documents = 1;
    options.budget = Some(budget);
    options.with_snippet = false;
    options
}

/// The innermost error (snippet wrappers removed).
fn innermost(error: &YamlError) -> &YamlError {
    match error {
        YamlError::WithSnippet { error, .. } => innermost(error),
        other => other,
    }
}

fn to_diagnostic(error: &YamlError, text: &str, file: FileId, base: usize) -> Diagnostic {
    let inner = innermost(error);
    let span = inner
        .location()
        .and_then(|location| locate(&location, text))
        .map(|(start, end)| Span::new(file, base + start, base + end));
    let span = span.unwrap_or_else(|| Span::new(file, base, base));
    // The parser's message may quote a scalar of any size: keep an excerpt.
    let message = excerpt(&strip_location(&inner.to_string()), MAX_EXCERPT_CHARS);
    if message.starts_with("budget breached") {
        return Diagnostic::error("yaml::too-complex", "this document is too large or expands too many aliases")
            .at(span)
            .with_hint(format!("tailor documents nest at most {MAX_DEPTH} levels and expand a limited number of alias nodes; avoid alias chains"));
    }
    let diagnostic = match inner {
        YamlError::SerdeUnknownField { field, expected, .. } => Diagnostic::error(
            "yaml::unknown-key",
            format!("unknown key `{}`", excerpt(field, MAX_EXCERPT_CHARS)),
        )
        .at_labeled(span, "not a key here")
        .with_optional_hint(suggestion_hint(field, expected.iter()))
        .with_hint(format!("expected one of: {}", expected.join(", "))),
        YamlError::SerdeUnknownVariant { variant, expected, .. } => Diagnostic::error(
            "yaml::unknown-value",
            format!("unknown value `{}`", excerpt(variant, MAX_EXCERPT_CHARS)),
        )
        .at(span)
        .with_optional_hint(suggestion_hint(variant, expected.iter()))
        .with_hint(format!("expected one of: {}", expected.join(", "))),
        YamlError::SerdeMissingField { field, .. } => {
            let at_end = span.start as usize >= base + text.trim_end().len();
            let span = if at_end {
                Span::new(file, base, base + first_line_len(text))
            } else {
                span
            };
            Diagnostic::error("yaml::missing-key", format!("missing required key `{field}`"))
                .at_labeled(span, format!("`{field}` is missing from the mapping this is in"))
                .with_hint(format!("add `{field}:` to this document"))
        }
        YamlError::Unexpected {
            expected: "mapping start",
            ..
        } => Diagnostic::error("yaml::wrong-type", "expected a mapping of keys here")
            .at(span)
            .with_hint("a tailor document, and most of its values, are mappings: `key: value` lines"),
        YamlError::SerdeInvalidType { .. }
        | YamlError::SerdeInvalidValue { .. }
        | YamlError::InvalidScalar { .. }
        | YamlError::Unexpected { .. } => Diagnostic::error("yaml::wrong-type", message).at(span),
        YamlError::DuplicateMappingKey { .. } => {
            Diagnostic::error("yaml::duplicate-key", "this key appears twice in the same mapping")
                .at(span)
                .with_hint("remove or rename one of the two")
        }
        YamlError::Budget { .. }
        | YamlError::AliasReplayLimitExceeded { .. }
        | YamlError::AliasExpansionLimitExceeded { .. }
        | YamlError::AliasReplayStackDepthExceeded { .. }
        | YamlError::AliasReplayCounterOverflow { .. } => Diagnostic::error(
            "yaml::too-complex",
            format!("this document is too deeply nested or expands too many aliases: {message}"),
        )
        .at(span)
        .with_hint(format!(
            "tailor documents nest at most {MAX_DEPTH} levels; avoid alias chains"
        )),
        _ => Diagnostic::error("yaml::syntax", message)
            .at(span)
            .with_optional_hint(indentation_hint(text, (span.start as usize).saturating_sub(base))),
    };
    diagnostic
}

/// For a syntax error at `offset` in `text`: a tab in the line's indentation, or a line indented
/// deeper than the line above although that line opens no block — the usual causes of the
/// parser's terse messages.
fn indentation_hint(text: &str, offset: usize) -> Option<String> {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let line_start = text[..offset].rfind('\n').map_or(0, |i| i + 1);
    let line = text[line_start..].lines().next().unwrap_or("");
    let indent = &line[..line.len() - line.trim_start().len()];
    if indent.contains('\t') {
        return Some("YAML indents with spaces, not tabs: replace the tab at the start of this line".into());
    }
    let above = text[..line_start]
        .lines()
        .rev()
        .find(|l| !l.trim().is_empty() && !l.trim_start().starts_with('#'))?;
    let above_indent = above.len() - above.trim_start().len();
    let opens_block =
        above.trim_end().ends_with(':') || above.trim_end().ends_with('|') || above.trim_end().ends_with('>');
    (indent.len() > above_indent && !opens_block).then(|| {
        format!(
            "check the indentation: this line is indented {} spaces and the line above {}, which opens no block; the keys of one mapping line up",
            indent.len(),
            above_indent
        )
    })
}

/// The byte range of an error location inside the document's text: its byte offsets when the
/// parser has them, else its line and column.
fn locate(location: &serde_saphyr::Location, text: &str) -> Option<(usize, usize)> {
    let span = location.span();
    if let Some(start) = span
        .byte_offset()
        .filter(|&o| o > 0 || (location.line() <= 1 && location.column() <= 1))
    {
        let start = (start as usize).min(text.len());
        let len = span.byte_len().unwrap_or(0) as usize;
        return Some((start, (start + len).min(text.len())));
    }
    let (line, column) = (location.line() as usize, location.column() as usize);
    if line == 0 {
        return None;
    }
    let line_start: usize = text.split_inclusive('\n').take(line - 1).map(str::len).sum();
    let line_text = text[line_start.min(text.len())..].lines().next().unwrap_or("");
    // The scanner counts columns in bytes.
    let mut start = line_start + column.saturating_sub(1).min(line_text.len());
    while !text.is_char_boundary(start) {
        start -= 1;
    }
    let end = line_text[start - line_start..]
        .chars()
        .next()
        .map_or(start, |c| start + c.len_utf8());
    Some((start, end))
}

/// Drops the " at line L, column C" suffix: the span shows the place.
fn strip_location(message: &str) -> String {
    match message.rfind(" at line ") {
        Some(i) => message[..i].to_string(),
        None => message.to_string(),
    }
}

fn first_line_len(text: &str) -> usize {
    let body = text.trim_start_matches("---\n");
    let skipped = text.len() - body.len();
    skipped + body.find('\n').unwrap_or(body.len())
}
