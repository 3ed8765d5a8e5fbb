//! The execution graph: what is computed from what, built by ordered steps.

use std::collections::BTreeSet;

use crate::check::CheckedWorkspace;
use crate::model::{Expr, ExprKind};

/// What a node does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NodeKind {
    /// Read a dataset.
    Load,
    /// Compute a feature.
    Feature,
    /// Compute a segment.
    Segment,
    /// Apply `policy.consent`.
    Consent,
    /// Evaluate a campaign's audience.
    Audience,
    /// Suppression, addresses, holdout and variant split.
    Split,
    /// Frequency cap, quiet hours, already sent, due.
    Caps,
    /// Render the messages.
    Render,
    /// Deliver and record.
    Deliver,
}

/// One step of the graph.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GraphNode {
    /// Unique id, such as `feature.orders_90d`.
    pub id: String,
    /// What it does.
    pub kind: NodeKind,
    /// What it reads.
    pub inputs: Vec<String>,
}

/// Every step of a run, in an order where inputs come first.
#[derive(Debug, Clone, Default)]
pub struct ExecutionGraph {
    /// The nodes.
    pub nodes: Vec<GraphNode>,
}

/// The features and segments an expression reads.
fn references(expr: &Expr, features: &BTreeSet<&str>) -> Vec<String> {
    let mut found = BTreeSet::new();
    expr.walk(&mut |node| {
        if let ExprKind::Path(parts) = &node.kind {
            let name = if parts[0].name == "user" {
                parts.get(1)
            } else {
                Some(&parts[0])
            };
            let reference = match (parts[0].name.as_str(), parts.get(1), name) {
                ("segment", Some(segment), _) => Some(format!("segment.{}", segment.name)),
                (_, _, Some(name)) if features.contains(name.name.as_str()) => Some(format!("feature.{}", name.name)),
                _ => None,
            };
            found.extend(reference);
        }
        if matches!(node.kind, ExprKind::Aggregate(_)) {
            found.insert("load.events".to_string());
        }
    });
    found.into_iter().collect()
}

impl ExecutionGraph {
    fn add(&mut self, id: String, kind: NodeKind, mut inputs: Vec<String>) {
        inputs.dedup();
        self.nodes.push(GraphNode { id, kind, inputs });
    }

    /// Builds the graph of `workspace`.
    pub fn build(workspace: &CheckedWorkspace) -> ExecutionGraph {
        let mut graph = ExecutionGraph::default();
        let features: BTreeSet<&str> = workspace.features.iter().map(|f| f.name.as_str()).collect();
        let profiles = || vec!["load.profiles".to_string()];
        // 1. Loading comes first: every other step reads the datasets.
        graph.add("load.profiles".into(), NodeKind::Load, vec![]);
        graph.add("load.events".into(), NodeKind::Load, vec![]);
        if workspace.schema.catalog.is_some() {
            graph.add("load.catalog".into(), NodeKind::Load, vec![]);
        }
        // 2. Features, in dependency order (as check ordered them): each once, for everyone.
        for feature in &workspace.features {
            graph.add(
                format!("feature.{}", feature.name),
                NodeKind::Feature,
                [profiles(), references(&feature.expr, &features)].concat(),
            );
        }
        // 3. Segments read features and other segments.
        for segment in &workspace.segments {
            graph.add(
                format!("segment.{}", segment.name),
                NodeKind::Segment,
                [profiles(), references(&segment.condition, &features)].concat(),
            );
        }
        // 4. Consent is one node that every campaign's split reads: none can bypass it.
        graph.add(
            "consent".into(),
            NodeKind::Consent,
            [profiles(), references(&workspace.manifest.consent, &features)].concat(),
        );
        // 5-6. Each campaign's audience, then its split (consent, suppression, addresses, holdout).
        let mut campaigns: Vec<_> = workspace.campaigns.iter().collect();
        campaigns.sort_by(|a, b| b.priority.cmp(&a.priority).then_with(|| a.name.cmp(&b.name)));
        for campaign in &campaigns {
            let inputs = campaign
                .audience
                .as_ref()
                .map_or_else(profiles, |a| [profiles(), references(a, &features)].concat());
            graph.add(format!("{}.audience", campaign.name), NodeKind::Audience, inputs);
            graph.add(
                format!("{}.split", campaign.name),
                NodeKind::Split,
                vec![format!("{}.audience", campaign.name), "consent".into()],
            );
        }
        // 7. Caps in priority order: each campaign's room depends on the sends before it.
        let mut previous: Option<String> = None;
        for campaign in &campaigns {
            let mut inputs = vec![format!("{}.split", campaign.name)];
            inputs.extend(previous.take());
            let id = format!("{}.caps", campaign.name);
            graph.add(id.clone(), NodeKind::Caps, inputs);
            previous = Some(id);
        }
        // 8-9. Render what is due, then deliver and record it.
        for campaign in &campaigns {
            let mut inputs = vec![format!("{}.caps", campaign.name)];
            if campaign.recommend.is_some() {
                inputs.push("load.catalog".into());
            }
            graph.add(format!("{}.render", campaign.name), NodeKind::Render, inputs);
            graph.add(
                format!("{}.deliver", campaign.name),
                NodeKind::Deliver,
                vec![format!("{}.render", campaign.name)],
            );
        }
        graph
    }
}
