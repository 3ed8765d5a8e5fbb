//! `--format github`: GitHub Actions workflow commands, one annotation per diagnostic.

use super::LocatedDiagnostic;

/// Renders `::error file=…,line=…,col=…::message` lines.
pub fn render(diagnostics: &[LocatedDiagnostic]) -> String {
    diagnostics.iter().map(line).collect::<Vec<_>>().join("\n")
}

fn line(d: &LocatedDiagnostic) -> String {
    let mut properties = Vec::new();
    if let (Some(file), Some(line), Some(column)) = (&d.file, d.line, d.column) {
        properties.push(format!("file={}", escape_property(file)));
        properties.push(format!("line={line}"));
        properties.push(format!("col={column}"));
        if let (Some(end_line), Some(end_column)) = (d.end_line, d.end_column) {
            properties.push(format!("endLine={end_line}"));
            properties.push(format!("endColumn={end_column}"));
        }
    }
    properties.push(format!("title={}", escape_property(d.code)));
    let mut message = d.message.clone();
    for hint in &d.hints {
        message.push_str("\nhelp: ");
        message.push_str(hint);
    }
    format!("::{} {}::{}", d.severity, properties.join(","), escape_data(&message))
}

/// Escapes a workflow command's message.
fn escape_data(text: &str) -> String {
    text.replace('%', "%25").replace('\r', "%0D").replace('\n', "%0A")
}

/// Escapes a workflow command's property value.
fn escape_property(text: &str) -> String {
    escape_data(text).replace(':', "%3A").replace(',', "%2C")
}
