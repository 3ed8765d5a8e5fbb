//! Segments (`kind: segment`): unique names, boolean conditions, no reference loops.
//!
//! **Why**: a segment is a boolean over profiles that campaigns and other segments use as
//! `segment.<name>`; a loop (`a` uses `b` uses `a`) has no meaning.
//!
//! **Example**: `where: segment.b` in `a` and `where: segment.a` in `b` → `segments::cycle`.

use super::context::{Context, Names};
use super::cycles::ReferenceGraph;
use super::names::declare;
use crate::model::{DataSchema, Segment};

/// Declares every segment name in `names`.
pub fn declare_segments(cx: &mut Context, names: &mut Names) {
    let documents = cx.segment_documents();
    names.segments = declare(cx, &documents, "segment", "segment");
}

/// Type-checks every segment's condition and reports loops.
pub fn check_segments(cx: &mut Context, schema: &DataSchema, names: &Names) -> Vec<Segment> {
    let mut graph = ReferenceGraph::default();
    let mut segments = Vec::new();
    // The first of two segments with one name is kept (the second is a `names::duplicate`).
    let mut seen = std::collections::HashSet::new();
    for doc in cx.segment_documents() {
        let raw = doc.value;
        let Some(checked) = cx.expression(&doc, &raw.condition, names.scope(schema), Some("a segment's `where`"))
        else {
            continue;
        };
        let map = doc.string_map(&raw.condition, &cx.loaded.sources);
        for (target, range) in &checked.references.segments {
            graph.add(&raw.name.value, target, map.span(range.start, range.end));
        }
        if checked.ty.is_some() && seen.insert(raw.name.value.clone()) {
            segments.push(Segment {
                name: raw.name.value.clone(),
                description: raw.description.clone(),
                uses: checked.references.uses(),
                condition: checked.expr,
            });
        }
    }
    let (cycles, _) = graph.cycles("segments::cycle", "segment");
    cx.diagnostics.extend(cycles);
    segments
}
