//! Stage 4, check: resolve every name and type-check every expression and template against the
//! data schema, collecting every problem in one pass. Only this stage builds a
//! [`CheckedWorkspace`] and its [`WorkspaceGraph`], from what each document reads.
//!
//! The checks run in an order where each sees what the previous ones established:
//!
//! 1. the data schema, since every type comes from it;
//! 2. declared names (features, segments, personas, campaigns), so references to any of them
//!    resolve whatever the file order;
//! 3. features, in dependency order, since segments and templates use their types;
//! 4. segments and persona models, which use features;
//! 5. the manifest, whose consent rule uses all of the above;
//! 6. campaigns and their templates;
//! 7. tests, which name campaigns and variants.

mod campaigns;
mod context;
mod cycles;
mod features;
mod graph;
mod manifest;
mod models;
mod names;
mod online;
mod personas;
mod recommend;
mod schema;
mod segments;
mod templates;
mod tests;

use std::collections::BTreeMap;
use std::path::PathBuf;

use crate::diag::{Diagnostic, Diagnostics};
use crate::load::LoadedWorkspace;
use crate::model::{Campaign, DataSchema, Feature, Manifest, PersonaModel, ScoreModel, Segment, Test, Type};
use crate::template::ContextBuilder;
use context::{Context, Names};
pub use graph::{Node, Step, WorkspaceGraph};
pub use models::MODELS_FOLDER;
pub use online::{check_ledger_online, check_online, ColumnsOf, ReachLedger, UNREACHABLE_POSTGRES_HINT};

/// A workspace in which everything resolved and type-checked.
// The private field keeps construction inside `check`; `#[non_exhaustive]` would not.
#[allow(clippy::manual_non_exhaustive)]
#[derive(Debug)]
pub struct CheckedWorkspace {
    /// The workspace folder.
    pub root: PathBuf,
    /// The manifest.
    pub manifest: Manifest,
    /// The data schema.
    pub schema: DataSchema,
    /// Features in dependency order.
    pub features: Vec<Feature>,
    /// Segments.
    pub segments: Vec<Segment>,
    /// Persona models.
    pub personas: Vec<PersonaModel>,
    /// Score models (`kind: model`).
    pub models: Vec<ScoreModel>,
    /// Campaigns.
    pub campaigns: Vec<Campaign>,
    /// Tests.
    pub tests: Vec<Test>,
    /// Every step of a run and what it reads, inputs first.
    pub graph: WorkspaceGraph,
    _sealed: (),
}

impl CheckedWorkspace {
    /// Each feature's type, by name (what an expression lowering needs to know of them).
    pub fn feature_types(&self) -> BTreeMap<String, Type> {
        self.features.iter().map(|f| (f.name.clone(), f.ty.clone())).collect()
    }
}

/// The result of checking: the workspace when there is no error, and every diagnostic.
#[derive(Debug)]
pub struct CheckOutcome {
    /// The checked workspace, when no error was found.
    pub workspace: Option<CheckedWorkspace>,
    /// Errors and warnings, sorted by position.
    pub diagnostics: Diagnostics,
}

/// Checks a loaded workspace.
pub fn check_workspace(loaded: &LoadedWorkspace) -> CheckOutcome {
    let mut cx = Context {
        loaded,
        diagnostics: loaded.diagnostics.clone(),
    };
    if declares_unknown_names(loaded) {
        // Every use of a name it declares would be reported as unknown: the parse error is the
        // one problem, and the rest is checked once it parses.
        return CheckOutcome {
            workspace: None,
            diagnostics: cx.diagnostics,
        };
    }
    let workspace = run_checks(&mut cx);
    let diagnostics = cx.diagnostics;
    let workspace = workspace.filter(|_| !diagnostics.has_errors());
    CheckOutcome { workspace, diagnostics }
}

/// Whether a document that failed to parse declares names other documents use without naming
/// itself: the data schema (fields, event types) or features (a feature per key), or a document
/// whose kind could not even be read.
fn declares_unknown_names(loaded: &LoadedWorkspace) -> bool {
    loaded
        .unparsed
        .iter()
        .any(|(kind, _)| matches!(kind.as_str(), "" | "data" | "features"))
}

fn run_checks(cx: &mut Context) -> Option<CheckedWorkspace> {
    let schema = schema::check_schema(cx);
    let mut names = Names::default();
    let no_schema = DataSchema::default();
    features::declare_features(cx, schema.as_ref().unwrap_or(&no_schema), &mut names);
    segments::declare_segments(cx, &mut names);
    personas::declare_personas(cx, &mut names);
    models::declare_models(cx, &mut names);
    campaigns::declare_campaigns(cx, &mut names);
    // Without a schema nothing can be typed; what was found so far is reported.
    let schema = schema?;
    let features = features::check_features(cx, &schema, &mut names);
    let segments = segments::check_segments(cx, &schema, &names);
    let personas = personas::check_personas(cx, &schema, &names);
    let models = models::check_models(cx, &schema, &names);
    let context = ContextBuilder::new(
        &schema,
        &names.features,
        &names.personas,
        &names.persona_labels,
        &names.models,
    );
    let manifest = manifest::check_manifest(cx, &schema, &names, &context);
    let inputs = campaigns::CampaignInputs {
        schema: &schema,
        names: &names,
        context: &context,
    };
    let campaigns = campaigns::check_campaigns(cx, &inputs);
    let tests = tests::check_tests(cx, &schema, &names, &campaigns);
    let manifest = manifest?;
    let graph = WorkspaceGraph::build(&graph::GraphInputs {
        has_catalog: schema.catalog.is_some(),
        features: &features,
        segments: &segments,
        personas: &personas,
        models: &models,
        manifest: &manifest,
        campaigns: &campaigns,
    });
    // A score that feeds its own inputs (through features or segments) cannot be computed.
    for model in &models {
        if let Some(path) = graph.loop_through(&Step::Score.node_id(&model.name)) {
            cx.report(
                Diagnostic::error(
                    "model::cycle",
                    format!("model `{}` reads its own score: {}", model.name, path.join(" reads ")),
                )
                .with_hint("a model's inputs and population must not read `score.<its name>`"),
            );
        }
    }
    Some(CheckedWorkspace {
        root: cx.loaded.root.clone(),
        graph,
        manifest,
        schema,
        features,
        segments,
        personas,
        models,
        campaigns,
        tests,
        _sealed: (),
    })
}
