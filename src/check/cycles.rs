//! Finding reference loops among named documents (segments using segments, features using
//! features).

use std::collections::BTreeMap;

use crate::diag::{Diagnostic, Span};

/// A directed graph of names; each edge carries the span of the reference.
#[derive(Debug, Default)]
pub struct ReferenceGraph {
    edges: BTreeMap<String, Vec<(String, Span)>>,
}

impl ReferenceGraph {
    /// Records that `from` refers to `to` at `span`.
    pub fn add(&mut self, from: &str, to: &str, span: Span) {
        self.edges
            .entry(from.to_string())
            .or_default()
            .push((to.to_string(), span));
    }

    /// The names `name` refers to.
    pub fn dependencies(&self, name: &str) -> Vec<String> {
        self.edges
            .get(name)
            .map(|e| e.iter().map(|(to, _)| to.clone()).collect())
            .unwrap_or_default()
    }

    /// Every loop, once each, as an error with `code` naming the loop; and the names in loops.
    pub fn cycles(&self, code: &'static str, kind: &str) -> (Vec<Diagnostic>, Vec<String>) {
        let mut state: BTreeMap<&str, u8> = BTreeMap::new(); // 1 = on the stack, 2 = done
        let mut diagnostics = Vec::new();
        let mut in_cycles = Vec::new();
        for start in self.edges.keys() {
            let mut stack: Vec<(&str, Option<Span>)> = Vec::new();
            self.visit(start, None, &mut state, &mut stack, &mut |cycle: &[(
                &str,
                Option<Span>,
            )]| {
                let names: Vec<&str> = cycle.iter().map(|(n, _)| *n).collect();
                let loop_text = format!("{} -> {}", names.join(" -> "), names[0]);
                let spans: Vec<Span> = cycle.iter().filter_map(|(_, s)| *s).collect();
                let Some(primary) = spans.last().copied() else {
                    return;
                };
                let mut d = Diagnostic::error(code, format!("{kind}s refer to each other in a loop: {loop_text}"))
                    .at_labeled(primary, "this reference closes the loop")
                    .with_hint(format!("a {kind} cannot depend on itself; break the loop"));
                for span in &spans[..spans.len() - 1] {
                    d = d.with_label(*span, "part of the loop");
                }
                diagnostics.push(d);
                in_cycles.extend(names.iter().map(|n| n.to_string()));
            });
        }
        (diagnostics, in_cycles)
    }

    fn visit<'a>(
        &'a self,
        node: &'a str,
        via: Option<Span>,
        state: &mut BTreeMap<&'a str, u8>,
        stack: &mut Vec<(&'a str, Option<Span>)>,
        found: &mut impl FnMut(&[(&'a str, Option<Span>)]),
    ) {
        match state.get(node) {
            Some(2) => return,
            Some(1) => {
                if let Some(position) = stack.iter().position(|(n, _)| *n == node) {
                    // The span of each step is the reference *to* the next name.
                    let mut cycle: Vec<(&str, Option<Span>)> = Vec::new();
                    let members = &stack[position..];
                    for (i, (name, _)) in members.iter().enumerate() {
                        let next_span = members.get(i + 1).and_then(|(_, s)| *s).or(via);
                        cycle.push((name, next_span));
                    }
                    found(&cycle);
                }
                return;
            }
            _ => {}
        }
        state.insert(node, 1);
        stack.push((node, via));
        for (to, span) in self.edges.get(node).map(Vec::as_slice).unwrap_or(&[]) {
            self.visit(to, Some(*span), state, stack, found);
        }
        stack.pop();
        state.insert(node, 2);
    }
}
