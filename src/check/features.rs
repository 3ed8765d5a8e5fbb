//! Features (`kind: features`): unique names that shadow no profile field, no reference
//! loops, and each expression typed in dependency order.
//!
//! **Why**: a feature's type is what segments, personas and templates see as `user.<name>`.
//!
//! **Example**: `a: b + 1` and `b: a * 2` → `features::cycle` naming `a -> b -> a`.

use super::context::{Context, Names};
use super::cycles::ReferenceGraph;
use super::names::unique_names;
use crate::diag::Diagnostic;
use crate::model::ExprKind;
use crate::model::{DataSchema, Feature};

/// Declares every feature name (types still unknown) in `names`.
pub fn declare_features(cx: &mut Context, schema: &DataSchema, names: &mut Names) {
    let documents = cx.feature_documents();
    let declared: Vec<_> = documents
        .iter()
        .flat_map(|d| d.value.features.iter().map(move |(n, _)| (d.span(n), n)))
        .collect();
    for name in unique_names(cx, "feature", declared.clone()) {
        if schema.profiles.field(&name).is_some() {
            let span = declared.iter().find(|(_, n)| n.value == name).map(|(s, _)| *s);
            let mut d = Diagnostic::error(
                "features::shadows-field",
                format!("feature `{name}` has the name of a profile field"),
            )
            .with_hint("rename the feature: expressions could not tell the two apart");
            if let Some(span) = span {
                d = d.at(span);
            }
            cx.report(d);
            continue;
        }
        names.features.insert(name, None);
    }
}

/// Type-checks every feature in dependency order, filling in their types in `names`.
pub fn check_features(cx: &mut Context, schema: &DataSchema, names: &mut Names) -> Vec<Feature> {
    let documents = cx.feature_documents();
    let mut parsed = Vec::new();
    let mut graph = ReferenceGraph::default();
    for doc in &documents {
        for (name, source) in doc.value.features.iter() {
            if !names.features.contains_key(&name.value) || parsed.iter().any(|(n, _, _)| n == &name.value) {
                continue;
            }
            let map = doc.string_map(source, &cx.loaded.sources);
            let Ok(expr) = crate::expr::parse(&source.value) else {
                // Reported with its span when the feature is checked below.
                parsed.push((name.value.clone(), doc.clone(), source));
                continue;
            };
            expr.walk(&mut |node| {
                if let ExprKind::Path(parts) = &node.kind {
                    let first = if parts[0].name == "user" && parts.len() > 1 {
                        &parts[1]
                    } else {
                        &parts[0]
                    };
                    if names.features.contains_key(&first.name) {
                        graph.add(&name.value, &first.name, map.span(first.span.start, first.span.end));
                    }
                }
            });
            parsed.push((name.value.clone(), doc.clone(), source));
        }
    }
    let (cycles, in_cycles) = graph.cycles("features::cycle", "feature");
    cx.diagnostics.extend(cycles);
    let mut features = Vec::new();
    let mut done: Vec<String> = in_cycles;
    // Check in dependency order: repeatedly take features whose dependencies are all typed.
    let mut remaining: Vec<_> = parsed.into_iter().filter(|(n, _, _)| !done.contains(n)).collect();
    while !remaining.is_empty() {
        let ready = remaining.iter().position(|(name, _, _)| {
            graph
                .dependencies(name)
                .iter()
                .all(|dep| done.contains(dep) || dep == name)
        });
        let (name, doc, source) = remaining.remove(ready.unwrap_or(0));
        let scope = names.scope(schema);
        if let Some(checked) = cx.expression(&doc, source, scope, None) {
            if let Some(ty) = checked.ty {
                names.features.insert(name.clone(), Some(ty.clone()));
                features.push(Feature {
                    name: name.clone(),
                    uses: checked.references.uses(),
                    expr: checked.expr,
                    ty,
                });
            }
        }
        done.push(name);
    }
    features
}
