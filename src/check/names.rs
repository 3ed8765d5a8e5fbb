//! Names: every `name:` matches `[a-z][a-z0-9_]*` and is unique within its kind.
//!
//! **Why**: names are how documents refer to each other (`segment.x`, `campaign: x`) and how
//! results are reported; a clash would make a reference ambiguous.
//!
//! **Example**: two `kind: segment` documents both named `vip` → `names::duplicate`.

use std::collections::BTreeMap;

use super::context::Context;
use crate::diag::{Diagnostic, Span};
use crate::load::raw::Named;
use crate::load::{Document, Located};
use crate::model::{is_valid_name, NAME_PATTERN};

/// Checks one name's shape; reports `names::invalid` and returns false when it is wrong.
pub fn check_name_shape(cx: &mut Context, span: Span, name: &str, what: &str) -> bool {
    if is_valid_name(name) {
        return true;
    }
    let suggestion = name.to_lowercase().replace(|c: char| !c.is_ascii_alphanumeric(), "_");
    let d = Diagnostic::error("names::invalid", format!("`{name}` is not a valid {what} name"))
        .at_labeled(span, format!("names match {NAME_PATTERN}"))
        .with_optional_hint(is_valid_name(&suggestion).then(|| format!("try `{suggestion}`")));
    cx.report(d);
    false
}

/// Checks that names are well formed and unique; returns them in declaration order.
pub fn unique_names(cx: &mut Context, kind: &str, names: Vec<(Span, &Located<String>)>) -> Vec<String> {
    let mut seen: BTreeMap<&str, Span> = BTreeMap::new();
    let mut unique = Vec::new();
    for (span, located) in names {
        let name = located.value.as_str();
        check_name_shape(cx, span, name, kind);
        match seen.get(name) {
            Some(first) => {
                let d = Diagnostic::error("names::duplicate", format!("there are two {kind}s named `{name}`"))
                    .at_labeled(span, "second definition")
                    .with_label(*first, "first defined here")
                    .with_hint(format!("{kind} names must be unique: rename one of them"));
                cx.report(d);
            }
            None => {
                seen.insert(name, span);
                unique.push(name.to_string());
            }
        }
    }
    unique
}

/// The names declared by documents of one kind: checked for shape and uniqueness, plus the
/// names of documents of that kind that failed to parse (already reported), so that references
/// to them do not fail a second time.
pub fn declare<T: Named>(cx: &mut Context, documents: &[Document<&T>], kind: &str, label: &str) -> Vec<String> {
    let declared = documents
        .iter()
        .map(|d| (d.span(d.value.name()), d.value.name()))
        .collect();
    let mut names = unique_names(cx, label, declared);
    names.extend(cx.unparsed_names(kind));
    names
}
