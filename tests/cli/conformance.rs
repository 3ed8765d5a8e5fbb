//! Golden Liquid (the shared conformance suite): tailor's Liquid parser must accept the
//! standard syntax; the static checker, given a context inferred from each case's data, must
//! accept the valid cases it parses; and the renderer must render the valid cases as expected
//! and reject the invalid ones. The suite is found at `$TAILOR_GOLDEN_LIQUID` or in
//! `../shared/conformance/golden-liquid/`; without it these tests fail.

use std::collections::BTreeMap;

use tailor::diag::{Diagnostics, FileId};
use tailor::load::StringMap;
use tailor::template::{check_template, parse_template, PartialLookup, TemplateContext, TemplateUse, Value};

struct CasePartials<'a>(&'a BTreeMap<String, String>);

impl PartialLookup for CasePartials<'_> {
    fn partial(&self, name: &str) -> Option<(FileId, &str)> {
        self.0.get(name).map(|t| (FileId(0), t.as_str()))
    }
    fn names(&self) -> Vec<String> {
        self.0.keys().cloned().collect()
    }
}

/// The Golden Liquid suite's cases; a test that needs them fails without them.
fn suite() -> Vec<serde_json::Value> {
    let folder = std::env::var_os("TAILOR_GOLDEN_LIQUID")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| crate::support::repo().join("../shared/conformance/golden-liquid"));
    let path = folder.join("golden_liquid.json");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "the Golden Liquid suite is missing ({}: {e}): set TAILOR_GOLDEN_LIQUID to the folder holding golden_liquid.json",
            path.display()
        )
    });
    let suite: serde_json::Value = serde_json::from_str(&text).expect("suite");
    suite["tests"].as_array().cloned().expect("a list of tests")
}

/// A case's partials: name to source.
fn case_partials(case: &serde_json::Value) -> BTreeMap<String, String> {
    case["templates"]
        .as_object()
        .map(|t| {
            t.iter()
                .map(|(k, v)| (k.clone(), v.as_str().unwrap_or("").to_string()))
                .collect()
        })
        .unwrap_or_default()
}

/// Valid Liquid that tailor's checker rejects on purpose (SPEC §6): a variable outside the
/// context (Liquid renders nil), a comparison across number, text and bool (Liquid answers
/// false), and a filter argument of the wrong type (Liquid reads `plus: "foo"` as 0).
const STRICT_BY_DESIGN: [&str; 3] = [
    "template::unknown-variable",
    "template::compare-types",
    "template::filter-argument",
];

#[test]
fn golden_liquid_valid_cases_parse_and_check() {
    let cases = suite();
    let (mut valid, mut parsed, mut accepted, mut strict) = (0, 0, 0, 0);
    let mut rejected = Vec::new();
    for case in &cases {
        if case["invalid"].as_bool().unwrap_or(false) {
            continue;
        }
        valid += 1;
        let template = case["template"].as_str().unwrap_or_default();
        if parse_template(template).is_err() {
            continue;
        }
        parsed += 1;
        let mut context = TemplateContext::default();
        if let Some(data) = case["data"].as_object() {
            for (name, value) in data {
                context.globals.insert(name.clone(), Value::from_json(value));
            }
        }
        let partials = case_partials(case);
        let mut diagnostics = Diagnostics::new();
        let map = StringMap::identity(FileId(0), template.len());
        check_template(
            template,
            &map,
            TemplateUse {
                context: &context,
                html: false,
            },
            &CasePartials(&partials),
            &mut diagnostics,
        );
        let errors: Vec<_> = diagnostics.iter().filter(|d| d.is_error()).collect();
        if errors.is_empty() {
            accepted += 1;
        } else if errors.iter().all(|d| STRICT_BY_DESIGN.contains(&d.code)) {
            strict += 1;
        } else {
            let codes: Vec<_> = errors.iter().map(|d| format!("{}: {}", d.code, d.message)).collect();
            rejected.push(format!("{}: {codes:?}", case["name"]));
        }
    }
    eprintln!(
        "golden liquid: {parsed}/{valid} valid cases parse; the checker accepts {accepted}, \
         rejects {strict} on purpose (undefined variables, comparisons across types, mistyped filter arguments) and {} otherwise",
        rejected.len()
    );
    for line in &rejected {
        eprintln!("  checker rejects {line}");
    }
    assert!(parsed * 1000 >= valid * 998, "parser accepts only {parsed} of {valid}");
    assert!(rejected.len() <= 2, "the checker rejects valid Liquid: {rejected:#?}");
}

/// Renders every Golden Liquid case through tailor's renderer (escaping off, undefined
/// variables nil as in Liquid; `check` stays strict for workspaces): at least 99% of the valid
/// cases must give the expected output and at least 95% of the invalid ones an error. Prints
/// the rates and the failures (each, with `TAILOR_SHOW_FAILURES=1`).
#[test]
fn golden_liquid_renders() {
    let cases = suite();
    let (mut valid, mut rendered, mut invalid, mut rejected) = (0, 0, 0, 0);
    let mut failures: BTreeMap<String, usize> = BTreeMap::new();
    for case in &cases {
        let template = case["template"].as_str().unwrap_or_default();
        let partials = case_partials(case);
        let engine = tailor::template::Engine::new(&partials, &Default::default(), false);
        let globals = tailor::template::globals_from_json(&case["data"]);
        let output = engine.render_source(template, &globals);
        if case["invalid"].as_bool().unwrap_or(false) {
            invalid += 1;
            rejected += usize::from(output.is_err());
            if output.is_ok() && std::env::var_os("TAILOR_SHOW_FAILURES").is_some() {
                eprintln!("ACCEPTED {}: {:?} -> {:?}", case["name"], template, output);
            }
            continue;
        }
        valid += 1;
        let expected: Vec<&str> = match case["results"].as_array() {
            Some(results) => results.iter().filter_map(|r| r.as_str()).collect(),
            None => case["result"].as_str().into_iter().collect(),
        };
        match output {
            Ok(out) if expected.contains(&out.as_str()) => rendered += 1,
            other => {
                if std::env::var_os("TAILOR_SHOW_FAILURES").is_some() {
                    eprintln!(
                        "FAIL {}: {:?} -> {:?} (expected {:?})",
                        case["name"], template, other, expected
                    );
                }
                let tag = case["tags"]
                    .as_array()
                    .and_then(|t| t.first())
                    .and_then(|t| t.as_str())
                    .unwrap_or("other")
                    .to_string();
                *failures.entry(tag).or_default() += 1;
            }
        }
    }
    eprintln!("golden liquid rendering: {rendered}/{valid} valid cases render as expected; {rejected}/{invalid} invalid cases are rejected");
    eprintln!("failures by first tag: {failures:?}");
    // With the `liquid` crate the figures were 501/928 and 113/126. The valid case left is
    // `tags, case, unexpected when token` (`when 'a' and 'b'`, which Shopify's lax parser
    // accepts and tailor refuses); the invalid ones accepted are malformed tags inside a
    // comment, and `{% liquid endif %}` closing a block opened outside the `liquid` tag.
    assert!(
        rendered * 100 >= valid * 99,
        "rendering conformance fell to {rendered}/{valid}"
    );
    assert!(
        rejected * 100 >= invalid * 95,
        "only {rejected}/{invalid} invalid cases are rejected"
    );
}
