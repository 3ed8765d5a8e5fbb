//! The code registry (`src/diag/codes.rs`) is complete and `docs/diagnostics.md` is generated
//! from it: every code used in `src/` is registered, every registered code is used, and the
//! committed page is current (`TAILOR_BLESS=1` rewrites it).

use std::collections::BTreeSet;
use std::fs;
use std::path::Path;

use tailor::diag::codes::{markdown, CODES, GROUPS};

use crate::support::repo;

/// Every `"stage::what"` string literal in the Rust files under `folder`, but the registry's.
fn codes_used(folder: &Path, found: &mut BTreeSet<String>) {
    for entry in fs::read_dir(folder).expect("readable") {
        let path = entry.expect("entry").path();
        if path.is_dir() {
            codes_used(&path, found);
            continue;
        }
        if path.extension().is_none_or(|e| e != "rs") || path.ends_with("diag/codes.rs") {
            continue;
        }
        let text = fs::read_to_string(&path).expect("source");
        for group in GROUPS {
            let opening = format!("\"{}", group.prefix);
            for (at, _) in text.match_indices(&opening) {
                let rest = &text[at + 1..];
                let Some(end) = rest.find('"') else { continue };
                let literal = &rest[..end];
                let what = &literal[group.prefix.len()..];
                let is_code = what.starts_with(|c: char| c.is_ascii_lowercase())
                    && what
                        .chars()
                        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
                if is_code {
                    found.insert(literal.to_string());
                }
            }
        }
    }
}

#[test]
fn diagnostic_codes_are_registered_used_and_documented() {
    let mut used = BTreeSet::new();
    codes_used(&repo().join("src"), &mut used);
    let registered: BTreeSet<String> = CODES.iter().map(|c| c.name.to_string()).collect();
    assert_eq!(registered.len(), CODES.len(), "a code is registered twice");
    let unregistered: Vec<_> = used.difference(&registered).collect();
    assert!(
        unregistered.is_empty(),
        "used but not in src/diag/codes.rs: {unregistered:?}"
    );
    let unused: Vec<_> = registered.difference(&used).collect();
    assert!(unused.is_empty(), "registered but never reported: {unused:?}");
    for code in CODES {
        assert!(
            GROUPS.iter().any(|g| code.name.starts_with(g.prefix)),
            "`{}` belongs to no group",
            code.name
        );
    }
    let page = repo().join("docs/diagnostics.md");
    let fresh = markdown();
    if std::env::var_os("TAILOR_BLESS").is_some() {
        fs::write(&page, &fresh).expect("write docs/diagnostics.md");
    }
    let committed = fs::read_to_string(&page).unwrap_or_default();
    assert!(
        committed == fresh,
        "docs/diagnostics.md is stale: run `TAILOR_BLESS=1 cargo test diagnostic_codes` and commit"
    );
}
