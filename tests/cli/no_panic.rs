//! No input may panic: random and mutated YAML, expressions and templates give a diagnostic or
//! success.

use std::fs;

use proptest::prelude::*;
use tailor::check::check_workspace;
use tailor::load::load_workspace;

const CAMPAIGN: &str = include_str!("../../src/cli/starter/campaigns/welcome.yaml");
const FEATURES: &str = include_str!("../../src/cli/starter/features.yaml");

/// A starter workspace in a temp folder with one file replaced, loaded and checked.
fn check_with(relative: &str, contents: &str) {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path().join("ws");
    let status = std::process::Command::new(env!("CARGO_BIN_EXE_tailor"))
        .args(["init"])
        .arg(&root)
        .output()
        .expect("init");
    assert!(status.status.success());
    fs::write(root.join(relative), contents).expect("write");
    let loaded = load_workspace(&root).expect("load");
    let _ = check_workspace(&loaded);
}

/// Deletes, duplicates or replaces characters of `text` at the positions given.
fn mutate(text: &str, edits: &[(usize, u8, char)]) -> String {
    let mut chars: Vec<char> = text.chars().collect();
    for &(position, op, ch) in edits {
        if chars.is_empty() {
            chars.push(ch);
            continue;
        }
        let i = position % chars.len();
        match op % 3 {
            0 => {
                chars.remove(i);
            }
            1 => chars.insert(i, ch),
            _ => chars[i] = ch,
        }
    }
    chars.into_iter().collect()
}

fn yaml_char() -> impl Strategy<Value = char> {
    prop_oneof![
        prop::sample::select(vec![
            ':', '-', '[', ']', '{', '}', '&', '*', '!', '|', '>', '"', '\'', '#', '\n', ' ', '\t', '?', ',', '%', '@',
            '`', '.', '(', ')'
        ]),
        any::<char>(),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn mutated_campaigns_never_panic(edits in prop::collection::vec((any::<usize>(), any::<u8>(), yaml_char()), 1..8)) {
        check_with("campaigns/welcome.yaml", &mutate(CAMPAIGN, &edits));
    }

    #[test]
    fn mutated_features_never_panic(edits in prop::collection::vec((any::<usize>(), any::<u8>(), yaml_char()), 1..8)) {
        check_with("features.yaml", &mutate(FEATURES, &edits));
    }

    #[test]
    fn random_yaml_never_panics(text in "(kind: (segment|campaign|data)\n)?[ -~\n\t]{0,200}") {
        check_with("extra.yaml", &text);
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

    #[test]
    fn random_expressions_never_panic(text in "[a-z_0-9 ().,\\[\\]\"'<>=!+*/-]{0,60}|\\PC{0,40}") {
        let _ = tailor::expr::parse(&text);
    }

    #[test]
    fn random_templates_never_panic(text in "([a-z ]|\\{\\{|\\}\\}|\\{%|%\\}|-|\\||:|'|\"|\\.\\.|\\(|\\)|if|for|in|end|raw|comment|liquid|#|\\PC){0,40}") {
        let _ = tailor::template::parse_template(&text);
    }
}

#[test]
fn mutated_expressions_typecheck_without_panicking() {
    // Every expression in the demo, with every character removed in turn.
    let sources = [
        "days_since(coalesce(last(page_view.ts), signup_at))",
        "count(page_view where category == \"sneakers\" within 7d)",
        "last_n(page_view.product_id, 3 within 30d)",
        "x not in [1, 2] and not y is null",
    ];
    for source in sources {
        for i in 0..source.len() {
            if source.is_char_boundary(i) {
                let mutated = format!("{}{}", &source[..i], &source[i + 1..]);
                let contents = FEATURES.replace("count(purchase within 90d)", &mutated.replace('"', "'"));
                let _ = tailor::expr::parse(&mutated);
                if i % 7 == 0 {
                    check_with("features.yaml", &contents);
                }
            }
        }
    }
}
