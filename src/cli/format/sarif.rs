//! `--format sarif`: a SARIF 2.1.0 log for code-scanning tools.

use std::collections::BTreeSet;

use serde_json::{json, Value};

use super::LocatedDiagnostic;

/// Renders a SARIF 2.1.0 log with one run.
pub fn render(diagnostics: &[LocatedDiagnostic]) -> String {
    let rules: BTreeSet<&str> = diagnostics.iter().map(|d| d.code).collect();
    let rule_index = |code: &str| rules.iter().position(|r| *r == code).unwrap_or(0);
    let results: Vec<Value> = diagnostics
        .iter()
        .map(|d| {
            let mut text = d.message.clone();
            for hint in &d.hints {
                text.push_str("\nhelp: ");
                text.push_str(hint);
            }
            let mut result = json!({
                "ruleId": d.code,
                "ruleIndex": rule_index(d.code),
                "level": d.severity,
                "message": { "text": text },
            });
            if let (Some(file), Some(line), Some(column), Some(end_line), Some(end_column)) = (&d.file, d.line, d.column, d.end_line, d.end_column) {
                result["locations"] = json!([{
                    "physicalLocation": {
                        "artifactLocation": { "uri": file },
                        "region": { "startLine": line, "startColumn": column, "endLine": end_line, "endColumn": end_column }
                    }
                }]);
            }
            result
        })
        .collect();
    let log = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {
                "driver": {
                    "name": "tailor",
                    "version": env!("CARGO_PKG_VERSION"),
                    "rules": rules.iter().map(|r| json!({ "id": r })).collect::<Vec<_>>(),
                }
            },
            "columnKind": "unicodeCodePoints",
            "results": results,
        }]
    });
    serde_json::to_string_pretty(&log).unwrap_or_default()
}
