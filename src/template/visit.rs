//! Walks over a template's syntax tree: every node, depth first, and every filter chain.

use super::ast::{CaseBranch, FilterChain, Node};

/// Calls `f` on every node, depth first.
pub fn visit(nodes: &[Node], f: &mut impl FnMut(&Node)) {
    for node in nodes {
        f(node);
        for body in bodies(node) {
            visit(body, f);
        }
    }
}

/// Calls `f` on every node, depth first, for changing it.
pub fn visit_mut(nodes: &mut [Node], f: &mut impl FnMut(&mut Node)) {
    for node in nodes {
        f(node);
        match node {
            Node::If {
                branches, otherwise, ..
            } => {
                for (_, body) in branches {
                    visit_mut(body, f);
                }
                if let Some(body) = otherwise {
                    visit_mut(body, f);
                }
            }
            Node::Case { branches, .. } => {
                for branch in branches {
                    visit_mut(branch.body_mut(), f);
                }
            }
            Node::Loop { body, otherwise, .. } => {
                visit_mut(body, f);
                if let Some(body) = otherwise {
                    visit_mut(body, f);
                }
            }
            Node::Capture { body, .. } | Node::IfChanged(body) => visit_mut(body, f),
            _ => {}
        }
    }
}

/// Calls `f` on every filter chain: outputs, `echo` and `assign`.
pub fn visit_chains(nodes: &[Node], f: &mut impl FnMut(&FilterChain)) {
    visit(nodes, &mut |node| match node {
        Node::Output(chain) | Node::Echo(chain) | Node::Assign { value: chain, .. } => f(chain),
        _ => {}
    });
}

/// The bodies directly inside `node`.
pub(super) fn bodies(node: &Node) -> Vec<&[Node]> {
    match node {
        Node::If {
            branches, otherwise, ..
        } => branches
            .iter()
            .map(|(_, body)| body.as_slice())
            .chain(otherwise.as_deref())
            .collect(),
        Node::Case { branches, .. } => branches.iter().map(CaseBranch::body).collect(),
        Node::Loop { body, otherwise, .. } => std::iter::once(body.as_slice()).chain(otherwise.as_deref()).collect(),
        Node::Capture { body, .. } | Node::IfChanged(body) => vec![body.as_slice()],
        _ => Vec::new(),
    }
}
