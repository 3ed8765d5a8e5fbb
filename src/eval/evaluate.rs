//! Evaluating features and segments over the loaded data, each once, in dependency order.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use polars::prelude::*;

use std::ops::Range;

use super::aggregate::{join_batch, join_selected, with_profiles, AggregateJob};
use super::columns::segment_column;
use super::lower::Lowering;
use super::personas::{fit_persona, PersonaSummary};
use super::scores::{score_profiles, ScoreSummary};
use super::EvalError;
use crate::check::{CheckedWorkspace, Node, Step};
use crate::data::{collect_streaming, Dataset, EVENT_TYPE};
use crate::model::Expr as Ast;
use crate::model::{EventTrigger, Feature, PersonaModel, Segment, Type};

/// Profiles with every feature, segment and persona model as a column: the key, the declared
/// fields, one column per feature (temporal ones in microseconds), `segment.<name>` booleans
/// and `persona.<model>` labels.
#[derive(Debug, Clone)]
pub struct Evaluation {
    /// The frame.
    pub frame: DataFrame,
    /// Segment sizes, in segment declaration order.
    pub segment_sizes: Vec<(String, usize)>,
    /// Each persona model's clusters, in declaration order.
    pub personas: Vec<PersonaSummary>,
    /// What each score model's scoring found, in graph order.
    pub scores: Vec<ScoreSummary>,
}

/// Evaluates every feature and segment of `workspace` at `now`.
///
/// Walks the workspace graph: every aggregate that reads only events is computed up front, one
/// group-by per event type; then features and segments become columns in graph order, each
/// seeing the ones before it; persona models label the profiles, and the segments that read
/// labels follow them.
pub fn evaluate(workspace: &CheckedWorkspace, dataset: &Dataset, now: DateTime<Utc>) -> Result<Evaluation, EvalError> {
    let now = now.timestamp_micros();
    let schema = &workspace.schema;
    let features = workspace.feature_types();
    let mut lowering = Lowering::new(schema, &features, now);
    let mut columns: Vec<(String, Expr, Range<usize>)> = Vec::new();
    let features_by_name: BTreeMap<&str, &Feature> = workspace.features.iter().map(|f| (f.name.as_str(), f)).collect();
    // The graph orders every column after what it reads. Features and segments that need no
    // persona label or score go in one pass, their event aggregates batched; persona and score
    // models read the profiles as evaluated so far, and what reads their labels and scores
    // comes after.
    let graph = &workspace.graph;
    let after_models = graph.reading(&[Step::Persona, Step::Score]);
    let segments: BTreeMap<&str, &Segment> = workspace.segments.iter().map(|s| (s.name.as_str(), s)).collect();
    let models: BTreeMap<&str, &PersonaModel> = workspace.personas.iter().map(|m| (m.name.as_str(), m)).collect();
    let mut later = Vec::new();
    for node in graph.nodes() {
        let start = lowering.aggregates.len();
        if after_models.contains(node.id.as_str()) {
            later.push(node);
            continue;
        }
        match node.step {
            Step::Feature => {
                let Some(feature) = features_by_name.get(node.name.as_str()) else {
                    continue;
                };
                let value = lowering.lower(&feature.expr)?;
                columns.push((feature.name.clone(), value, start..lowering.aggregates.len()));
            }
            Step::Segment => {
                let Some(segment) = segments.get(node.name.as_str()) else {
                    continue;
                };
                let value = lowering.lower(&segment.condition)?.fill_null(lit(false));
                columns.push((segment_column(&segment.name), value, start..lowering.aggregates.len()));
            }
            Step::Persona | Step::Score => later.push(node),
            _ => {}
        }
    }
    let jobs = lowering.aggregates;
    let mut frame = with_event_aggregates(dataset.profiles.clone().lazy(), &jobs, dataset, &schema.key, now)?;
    for (name, value, range) in columns {
        for job in jobs[range].iter().filter(|j| j.uses_profile) {
            // This aggregate's `where` reads profile columns computed so far.
            let materialized = collect_streaming(frame)?;
            frame = job.join_onto(
                materialized.clone().lazy(),
                &materialized,
                &schema.key,
                &dataset.events,
                now,
            );
        }
        frame = frame.with_column(value.alias(name.as_str()));
    }
    let helpers: Vec<String> = jobs.iter().map(|j| j.column.clone()).collect();
    let frame = if helpers.is_empty() {
        frame
    } else {
        frame.drop(cols(helpers))
    };
    let frame = collect_streaming(frame)?;
    let passes = LaterPasses {
        workspace,
        dataset,
        features: &features,
        features_by_name: &features_by_name,
        now,
        segments: &segments,
        models: &models,
    };
    let (frame, personas, scores) = passes.run(frame, &later)?;
    Ok(Evaluation {
        segment_sizes: segment_sizes(workspace, &frame)?,
        frame,
        personas,
        scores,
    })
}

/// The members of each segment of `workspace` in the evaluated `frame`, in segment declaration
/// order.
pub(super) fn segment_sizes(
    workspace: &CheckedWorkspace,
    frame: &DataFrame,
) -> Result<Vec<(String, usize)>, EvalError> {
    workspace
        .segments
        .iter()
        .map(|segment| {
            let members = frame.column(&segment_column(&segment.name))?.bool()?.sum().unwrap_or(0);
            Ok((segment.name.clone(), members as usize))
        })
        .collect()
}

/// The passes after the first: persona models cluster the profiles as evaluated so far, score
/// models score them, and the features and segments that read their labels and scores follow
/// them, in graph order.
struct LaterPasses<'e> {
    workspace: &'e CheckedWorkspace,
    dataset: &'e Dataset,
    features: &'e BTreeMap<String, Type>,
    /// Features by name.
    features_by_name: &'e BTreeMap<&'e str, &'e Feature>,
    now: i64,
    /// Segments by name.
    segments: &'e BTreeMap<&'e str, &'e Segment>,
    /// Persona models by name.
    models: &'e BTreeMap<&'e str, &'e PersonaModel>,
}

impl LaterPasses<'_> {
    /// `frame` with the labels, scores, features and segments of `later`, each persona model's
    /// clusters and each score model's summary.
    fn run(&self, mut frame: DataFrame, later: &[&Node]) -> Result<LaterColumns, EvalError> {
        let workspace = self.workspace;
        // Persona models cluster the profiles as evaluated so far; segments that use their labels
        // come after them.
        let with_flags = |frame: &DataFrame, condition: &Ast, name: &str| {
            add_column(
                frame,
                condition,
                name,
                true,
                workspace,
                self.features,
                self.dataset,
                self.now,
            )
        };
        let mut personas = Vec::new();
        let mut scores = Vec::new();
        for node in later {
            match node.step {
                Step::Segment => {
                    if let Some(segment) = self.segments.get(node.name.as_str()) {
                        frame = with_flags(&frame, &segment.condition, &segment_column(&segment.name))?;
                    }
                }
                Step::Feature => {
                    if let Some(feature) = self.features_by_name.get(node.name.as_str()) {
                        frame = add_column(
                            &frame,
                            &feature.expr,
                            &feature.name,
                            false,
                            workspace,
                            self.features,
                            self.dataset,
                            self.now,
                        )?;
                    }
                }
                Step::Persona => {
                    let Some(model) = self.models.get(node.name.as_str()) else {
                        continue;
                    };
                    if node.inputs.iter().any(|input| input.starts_with("persona.")) {
                        return Err(EvalError::Unsupported(format!(
                            "the population of persona model `{}` uses persona labels",
                            model.name
                        )));
                    }
                    let population = model.population.as_ref().unwrap_or(&workspace.manifest.consent);
                    let flags = population_flags(&with_flags(&frame, population, "__population")?)?;
                    let fit = fit_persona(model, &frame, &flags, Some(&workspace.schema.key))?;
                    frame.with_column(fit.labels)?;
                    personas.push(fit.summary);
                }
                Step::Score => {
                    let Some(model) = workspace.models.iter().find(|m| m.name == node.name) else {
                        continue;
                    };
                    let flags = match &model.population {
                        Some(population) => population_flags(&with_flags(&frame, population, "__population")?)?,
                        None => vec![true; frame.height()],
                    };
                    let (column, summary) = score_profiles(model, &frame, &flags)?;
                    frame.with_column(column)?;
                    scores.push(summary);
                }
                _ => {}
            }
        }
        Ok((frame, personas, scores))
    }
}

/// What the later passes add: the frame with their columns, persona clusters, score summaries.
type LaterColumns = (DataFrame, Vec<PersonaSummary>, Vec<ScoreSummary>);

/// The `__population` flags of a frame (null is false).
fn population_flags(frame: &DataFrame) -> Result<Vec<bool>, EvalError> {
    Ok(frame
        .column("__population")?
        .bool()?
        .iter()
        .map(|v| v == Some(true))
        .collect())
}

/// `frame` with every aggregate of `jobs` that reads only events joined on as a column: those
/// over an ordered selection one by one, the others one group-by per event type.
fn with_event_aggregates(
    mut frame: LazyFrame,
    jobs: &[AggregateJob],
    dataset: &Dataset,
    key: &str,
    now: i64,
) -> Result<LazyFrame, EvalError> {
    let mut by_type: BTreeMap<&str, Vec<AggregateJob>> = BTreeMap::new();
    for job in jobs.iter().filter(|j| !j.uses_profile && !j.is_ordered()) {
        by_type.entry(job.event_type.as_str()).or_default().push(job.clone());
    }
    for job in jobs.iter().filter(|j| !j.uses_profile && j.is_ordered()) {
        frame = collect_streaming(join_selected(frame, job, dataset.events.clone().lazy(), key, now))?.lazy();
    }
    for batch in by_type.values() {
        // One event type at a time: materializing between types keeps only one type's events
        // in flight, which bounds peak memory.
        frame = collect_streaming(join_batch(frame, batch, dataset.events.clone().lazy(), key, now))?.lazy();
    }
    Ok(frame)
}

/// Adds one expression as a column (a condition is true, never null: SQL keeps only true rows).
#[allow(clippy::too_many_arguments)]
fn add_column(
    frame: &DataFrame,
    expr: &Ast,
    name: &str,
    condition: bool,
    workspace: &CheckedWorkspace,
    features: &BTreeMap<String, Type>,
    dataset: &Dataset,
    now: i64,
) -> Result<DataFrame, EvalError> {
    let schema = &workspace.schema;
    let mut lowering = Lowering::new(schema, features, now);
    let mut value = lowering.lower(expr)?;
    if condition {
        value = value.fill_null(lit(false));
    }
    let mut lazy = frame.clone().lazy();
    for job in &lowering.aggregates {
        lazy = if job.uses_profile {
            job.join_onto(lazy, frame, &schema.key, &dataset.events, now)
        } else {
            join_batch(
                lazy,
                std::slice::from_ref(job),
                dataset.events.clone().lazy(),
                &schema.key,
                now,
            )
        };
    }
    let helpers: Vec<String> = lowering.aggregates.iter().map(|j| j.column.clone()).collect();
    let lazy = lazy.with_column(value.alias(name));
    let lazy = if helpers.is_empty() {
        lazy
    } else {
        lazy.drop(cols(helpers))
    };
    Ok(collect_streaming(lazy)?)
}

/// Any expression over the evaluated profiles, as a column aligned with
/// [`Evaluation::frame`] (temporal values in microseconds).
pub fn expression_values(
    workspace: &CheckedWorkspace,
    dataset: &Dataset,
    evaluation: &Evaluation,
    expr: &Ast,
    now: DateTime<Utc>,
) -> Result<Column, EvalError> {
    let features = workspace.feature_types();
    let frame = add_column(
        &evaluation.frame,
        expr,
        "__value",
        false,
        workspace,
        &features,
        dataset,
        now.timestamp_micros(),
    )?;
    Ok(frame.column("__value")?.clone())
}

/// A condition over the evaluated profiles, one flag per row (null is false).
pub fn condition_flags(
    workspace: &CheckedWorkspace,
    dataset: &Dataset,
    evaluation: &Evaluation,
    condition: &Ast,
    now: DateTime<Utc>,
) -> Result<Vec<bool>, EvalError> {
    let values = expression_values(workspace, dataset, evaluation, condition, now)?;
    Ok(values.bool()?.iter().map(|v| v == Some(true)).collect())
}

/// The events of a trigger's type up to `now` that pass its `where` (columns as in
/// [`Dataset::events`]).
pub fn trigger_events(
    workspace: &CheckedWorkspace,
    dataset: &Dataset,
    evaluation: &Evaluation,
    trigger: &EventTrigger,
    now: DateTime<Utc>,
) -> Result<DataFrame, EvalError> {
    let schema = &workspace.schema;
    let event = schema
        .event(&trigger.on)
        .ok_or_else(|| EvalError::Unsupported(format!("unknown event type `{}`", trigger.on)))?;
    let features = workspace.feature_types();
    let mut lowering = Lowering::for_event(schema, &features, now.timestamp_micros(), event);
    let mut keep = col(EVENT_TYPE).eq(lit(trigger.on.clone()));
    let mut frame = dataset.events.clone().lazy();
    if let Some(condition) = &trigger.condition {
        keep = keep.and(lowering.lower(condition)?);
        if lowering.uses_profile() {
            frame = with_profiles(&dataset.events, &evaluation.frame, &schema.key);
        }
    }
    let columns: Vec<Expr> = dataset
        .events
        .get_column_names()
        .iter()
        .map(|n| col(n.as_str()))
        .collect();
    Ok(collect_streaming(frame.filter(keep).select(columns))?)
}
