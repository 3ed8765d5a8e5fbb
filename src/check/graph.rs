//! The workspace graph: every step of a run — load, feature, segment, persona, score, consent, and
//! each campaign's audience, split, caps, render and deliver — with what it reads. `check`
//! builds it once from what each document uses ([`Uses`]); evaluation walks it to compute each
//! column once and in order, planning walks its campaigns in priority order, and
//! `plan --format dot` draws it.

use std::collections::{BTreeMap, BTreeSet};

use crate::model::{Campaign, Feature, Manifest, PersonaModel, ScoreModel, Segment, Uses};

/// What a step does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Step {
    /// Read a dataset.
    Load,
    /// Compute a feature.
    Feature,
    /// Compute a segment.
    Segment,
    /// Fit a persona model and label the profiles.
    Persona,
    /// Score the profiles with a saved score model.
    Score,
    /// Apply `policy.consent`.
    Consent,
    /// Evaluate a campaign's audience (and its trigger's conditions).
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

impl Step {
    /// The id of this step's node for the document `name`, such as `feature.orders_90d`,
    /// `score.churn` or `cart_recovery.caps`.
    pub fn node_id(self, name: &str) -> String {
        match self {
            Step::Load => format!("load.{name}"),
            Step::Feature => format!("feature.{name}"),
            Step::Segment => format!("segment.{name}"),
            Step::Persona => format!("persona.{name}"),
            Step::Score => format!("score.{name}"),
            Step::Consent => "consent".to_string(),
            Step::Audience => format!("{name}.audience"),
            Step::Split => format!("{name}.split"),
            Step::Caps => format!("{name}.caps"),
            Step::Render => format!("{name}.render"),
            Step::Deliver => format!("{name}.deliver"),
        }
    }
}

/// One step of the graph.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Node {
    /// Unique id, such as `feature.orders_90d` or `cart_recovery.caps`.
    pub id: String,
    /// What it does.
    pub step: Step,
    /// The document it belongs to: a dataset, feature, segment, persona model or campaign name
    /// (`consent` for the consent rule).
    pub name: String,
    /// The ids of the nodes it reads, sorted.
    pub inputs: Vec<String>,
}

/// Every step of a run, inputs first.
#[derive(Debug, Clone, Default)]
pub struct WorkspaceGraph {
    nodes: Vec<Node>,
}

/// The node ids that `uses` reads.
fn reads(uses: &Uses) -> impl Iterator<Item = String> + '_ {
    let events = (!uses.events.is_empty()).then(|| "load.events".to_string());
    fn ids(step: Step, names: &BTreeSet<String>) -> impl Iterator<Item = String> + '_ {
        names.iter().map(move |name| step.node_id(name))
    }
    ids(Step::Feature, &uses.features)
        .chain(ids(Step::Segment, &uses.segments))
        .chain(ids(Step::Persona, &uses.personas))
        .chain(ids(Step::Score, &uses.scores))
        .chain(events)
}

/// What the graph is built from: the checked documents.
pub struct GraphInputs<'w> {
    /// Whether a catalog is declared.
    pub has_catalog: bool,
    /// Features, in dependency order.
    pub features: &'w [Feature],
    /// Segments.
    pub segments: &'w [Segment],
    /// Persona models.
    pub personas: &'w [PersonaModel],
    /// Score models.
    pub models: &'w [ScoreModel],
    /// The manifest (its consent rule).
    pub manifest: &'w Manifest,
    /// Campaigns.
    pub campaigns: &'w [Campaign],
}

impl WorkspaceGraph {
    /// Builds the graph by ordered steps; nodes then sort so that inputs come first (ties
    /// keep the order of the steps).
    pub fn build(inputs: &GraphInputs) -> WorkspaceGraph {
        let mut graph = WorkspaceGraph::default();
        let profiles = "load.profiles".to_string();
        // 1. Loading comes first: every other step reads the datasets.
        graph.add(Step::Load, "profiles", []);
        graph.add(Step::Load, "events", []);
        if inputs.has_catalog {
            graph.add(Step::Load, "catalog", []);
        }
        // 2. Features, in dependency order (as check ordered them): each once, for everyone.
        for feature in inputs.features {
            graph.add(
                Step::Feature,
                &feature.name,
                reads(&feature.uses).chain([profiles.clone()]),
            );
        }
        // 3. Segments read features, other segments and persona labels.
        for segment in inputs.segments {
            graph.add(
                Step::Segment,
                &segment.name,
                reads(&segment.uses).chain([profiles.clone()]),
            );
        }
        // 4. Persona models cluster features over a population: their own, or the consenting
        //    profiles, so without one they read what the consent rule reads.
        for model in inputs.personas {
            let population = match model.population {
                Some(_) => Uses::default(),
                None => inputs.manifest.consent_uses.clone(),
            };
            let uses = model.uses.clone().with(&population);
            graph.add(Step::Persona, &model.name, reads(&uses).chain([profiles.clone()]));
        }
        // 5. Score models read their inputs and population, as evaluated so far, and a saved
        //    fit; segments, features and campaigns may read their scores.
        for model in inputs.models {
            graph.add(Step::Score, &model.name, reads(&model.uses).chain([profiles.clone()]));
        }
        // 6. Consent is one node that every campaign's split reads: none can bypass it.
        graph.add(
            Step::Consent,
            "consent",
            reads(&inputs.manifest.consent_uses).chain([profiles.clone()]),
        );
        // 7-8. Each campaign's audience, then its split (consent, suppression, holdout).
        let mut campaigns: Vec<&Campaign> = inputs.campaigns.iter().collect();
        campaigns.sort_by(|a, b| b.priority.cmp(&a.priority).then_with(|| a.name.cmp(&b.name)));
        for campaign in &campaigns {
            let name = &campaign.name;
            graph.add(Step::Audience, name, reads(&campaign.uses).chain([profiles.clone()]));
            graph.add(Step::Split, name, [format!("{name}.audience"), "consent".into()]);
        }
        // 9. Caps in priority order: each campaign's room depends on the sends before it.
        let mut previous: Option<String> = None;
        for campaign in &campaigns {
            let name = &campaign.name;
            graph.add(
                Step::Caps,
                name,
                [format!("{name}.split")].into_iter().chain(previous.take()),
            );
            previous = Some(format!("{name}.caps"));
        }
        // 10-11. Render what is due (with the catalog for recommendations), then deliver it.
        for campaign in &campaigns {
            let name = &campaign.name;
            let catalog = campaign.recommend.as_ref().map(|_| "load.catalog".to_string());
            graph.add(Step::Render, name, [format!("{name}.caps")].into_iter().chain(catalog));
            graph.add(Step::Deliver, name, [format!("{name}.render")]);
        }
        graph.sort_inputs_first();
        graph
    }

    fn add(&mut self, step: Step, name: &str, inputs: impl IntoIterator<Item = String>) {
        let id = step.node_id(name);
        let inputs: BTreeSet<String> = inputs.into_iter().filter(|input| *input != id).collect();
        self.nodes.push(Node {
            id,
            step,
            name: name.to_string(),
            inputs: inputs.into_iter().collect(),
        });
    }

    /// Orders the nodes so that every node comes after its inputs, keeping the order they were
    /// added in where the inputs allow (Kahn's algorithm, taking the earliest ready node). A
    /// loop — which check reports, or which evaluation refuses — keeps its nodes in added order
    /// at the end.
    fn sort_inputs_first(&mut self) {
        let index: BTreeMap<&str, usize> = self.nodes.iter().enumerate().map(|(i, n)| (n.id.as_str(), i)).collect();
        let mut waiting: Vec<usize> = vec![0; self.nodes.len()];
        let mut readers: Vec<Vec<usize>> = vec![Vec::new(); self.nodes.len()];
        for (i, node) in self.nodes.iter().enumerate() {
            for input in node.inputs.iter().filter_map(|input| index.get(input.as_str())) {
                waiting[i] += 1;
                readers[*input].push(i);
            }
        }
        let mut ready: BTreeSet<usize> = (0..self.nodes.len()).filter(|i| waiting[*i] == 0).collect();
        let mut order = Vec::with_capacity(self.nodes.len());
        while let Some(next) = ready.pop_first() {
            order.push(next);
            for &reader in &readers[next] {
                waiting[reader] -= 1;
                if waiting[reader] == 0 {
                    ready.insert(reader);
                }
            }
        }
        let placed: BTreeSet<usize> = order.iter().copied().collect();
        order.extend((0..self.nodes.len()).filter(|i| !placed.contains(i)));
        let mut nodes: Vec<Option<Node>> = std::mem::take(&mut self.nodes).into_iter().map(Some).collect();
        self.nodes = order.into_iter().filter_map(|i| nodes[i].take()).collect();
    }

    /// Every node, inputs first.
    pub fn nodes(&self) -> &[Node] {
        &self.nodes
    }

    /// The nodes of one step, in graph order.
    pub fn of_step(&self, step: Step) -> impl Iterator<Item = &Node> {
        self.nodes.iter().filter(move |node| node.step == step)
    }

    /// The campaign names in the order they claim frequency-cap room: higher priority first,
    /// ties by name (the chain of `caps` nodes).
    pub fn campaigns_by_priority(&self) -> impl Iterator<Item = &str> {
        self.of_step(Step::Caps).map(|node| node.name.as_str())
    }

    /// A loop through node `id`: the ids from `id` back to itself along inputs (`id` first),
    /// when `id` reads itself through other nodes.
    pub fn loop_through(&self, id: &str) -> Option<Vec<String>> {
        let inputs: BTreeMap<&str, &[String]> = self
            .nodes
            .iter()
            .map(|n| (n.id.as_str(), n.inputs.as_slice()))
            .collect();
        // Depth-first from `id`'s inputs, remembering how each node was reached.
        let mut reached_from: BTreeMap<&str, &str> = BTreeMap::new();
        let mut stack: Vec<&str> = vec![id];
        while let Some(node) = stack.pop() {
            for input in inputs.get(node).copied().unwrap_or_default() {
                if input == id {
                    let mut path = vec![node.to_string()];
                    let mut at = node;
                    while at != id {
                        at = reached_from[at];
                        path.push(at.to_string());
                    }
                    path.reverse();
                    path.push(id.to_string());
                    return Some(path);
                }
                if !reached_from.contains_key(input.as_str()) {
                    reached_from.insert(input, node);
                    stack.push(input);
                }
            }
        }
        None
    }

    /// The ids of the nodes that read a node of one of `steps`, directly or through other nodes.
    pub fn reading(&self, steps: &[Step]) -> BTreeSet<&str> {
        let of_step: BTreeSet<&str> = self
            .nodes
            .iter()
            .filter(|node| steps.contains(&node.step))
            .map(|node| node.id.as_str())
            .collect();
        let mut reading: BTreeSet<&str> = BTreeSet::new();
        // Inputs come first, so each input is settled before the nodes that read it.
        for node in &self.nodes {
            let input = |id: &String| of_step.contains(id.as_str()) || reading.contains(id.as_str());
            if node.inputs.iter().any(input) {
                reading.insert(node.id.as_str());
            }
        }
        reading
    }
}
