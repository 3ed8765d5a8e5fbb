//! Evaluation in a database engine (`plan --engine postgres|spark`): the workspace's query
//! ([`evaluation_query`]) runs where the profiles and events are, in the engine's dialect, and
//! only the evaluated profiles come back, batch by batch (a PostgreSQL cursor, Spark's Arrow
//! batches), as the frame the polars engine would have built. Events never leave the engine:
//! it also answers which profiles reached each campaign's goal and how often each product was
//! bought.
//!
//! What needs the data as a whole stays with tailor and runs on the returned frame exactly as
//! after the polars engine: persona models are fitted (in key order, so the same profiles give
//! the same fit from any source) and score models score the profiles (the engine's own scores,
//! equal to about 1e-9, are replaced, so that scores and their drift are tailor's to the bit).

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use chrono::{DateTime, Utc};
use polars::prelude::*;

use super::columns::{
    audience_flags_column, consent_flags_column, persona_column, population_flags_column, score_column, segment_column,
};
use super::engine_kind::Engine;
use super::engine_session::{with_engine, EngineSession};
use super::evaluate::segment_sizes;
use super::personas::{fit_persona, PersonaSummary};
use super::scores::{score_profiles, ScoreSummary};
use super::sql::{due_column, evaluation_query, variant_due_column, Dialect, SqlTables};
use super::{EvalError, Evaluation};
use crate::check::{CheckedWorkspace, Step};
use crate::model::{BaseType, ColumnKind, Expr};

/// What an engine evaluated: the profiles as [`crate::eval::evaluate`] gives them, with the
/// consent rule's, each campaign's audience and occurrence columns
/// ([`crate::plan::EngineFacts`] reads them), and who reached each goal.
pub struct EngineEvaluation {
    /// The evaluation.
    pub evaluation: Evaluation,
    /// Per campaign with a goal and no baseline, the keys of the profiles with a goal event in
    /// its window ending now.
    pub goals: BTreeMap<String, HashSet<String>>,
    /// Purchases per product up to now, over every user (for recommendations).
    pub purchases: HashMap<String, usize>,
}

/// One column of the evaluated profile and how it comes back: its name, how it is read (and
/// so the type it is cast to on the wire), and the polars type it ends as.
struct Returned {
    name: String,
    kind: ColumnKind,
    /// Dates become polars dates, times polars datetimes (declared fields only: computed
    /// temporal values stay microseconds, as in the polars engine's frame).
    field: Option<BaseType>,
}

/// The type a column read as `kind` is cast to on the wire.
fn wire_type(kind: ColumnKind) -> BaseType {
    match kind {
        ColumnKind::Int => BaseType::Int,
        ColumnKind::Float => BaseType::Float,
        ColumnKind::Bool => BaseType::Bool,
        ColumnKind::TextList => BaseType::List(Box::new(BaseType::String)),
        _ => BaseType::String,
    }
}

impl Returned {
    /// A column of `base` values; `field` when it is a declared profile field.
    fn of(name: &str, base: &BaseType, field: bool) -> Result<Returned, EvalError> {
        let kind = match base {
            BaseType::Int | BaseType::Date | BaseType::DateTime | BaseType::Duration => ColumnKind::Int,
            BaseType::Float => ColumnKind::Float,
            BaseType::Bool => ColumnKind::Bool,
            BaseType::String | BaseType::Enum(_) | BaseType::Null => ColumnKind::Text,
            BaseType::List(item) if matches!(**item, BaseType::String | BaseType::Enum(_)) => ColumnKind::TextList,
            BaseType::List(_) => {
                return Err(EvalError::Unsupported(format!(
                    "`{name}` is a list of numbers or times, which an engine does not hand back yet"
                )))
            }
        };
        Ok(Returned {
            name: name.to_string(),
            kind,
            field: field.then(|| base.clone()),
        })
    }

    /// The column as read, in its final polars type.
    fn finish(&self, column: &Column) -> Result<Column, EvalError> {
        Ok(match &self.field {
            Some(BaseType::Date) => (column.i64()? / crate::data::DAY_MICROS)
                .cast(&DataType::Int32)?
                .cast(&DataType::Date)?
                .with_name(self.name.as_str().into())
                .into(),
            Some(BaseType::DateTime) => {
                column.cast(&DataType::Datetime(TimeUnit::Microseconds, Some(TimeZone::UTC)))?
            }
            _ => column.clone(),
        })
    }
}

/// The extra expressions the engine computes for `plan`: the consent rule, each campaign's
/// `audience:`, each model's population.
fn plan_expressions(workspace: &CheckedWorkspace) -> Vec<(String, Expr)> {
    let consent = &workspace.manifest.consent;
    let mut expressions = vec![(consent_flags_column().to_string(), consent.clone())];
    for campaign in &workspace.campaigns {
        if let Some(audience) = &campaign.audience {
            expressions.push((audience_flags_column(&campaign.name), audience.clone()));
        }
    }
    for model in &workspace.personas {
        let population = model.population.as_ref().unwrap_or(consent);
        expressions.push((
            population_flags_column(&persona_column(&model.name)),
            population.clone(),
        ));
    }
    for model in &workspace.models {
        if let Some(population) = &model.population {
            expressions.push((population_flags_column(&score_column(&model.name)), population.clone()));
        }
    }
    expressions
}

/// The columns the engine hands back: every declared field, feature, segment and score, and
/// what `plan` reads of each campaign.
fn returned_columns(workspace: &CheckedWorkspace, expressions: &[(String, Expr)]) -> Result<Vec<Returned>, EvalError> {
    let mut columns = Vec::new();
    for field in &workspace.schema.profiles.fields {
        columns.push(Returned::of(&field.name, &field.ty.base, true)?);
    }
    for feature in &workspace.features {
        columns.push(Returned::of(&feature.name, &feature.ty.base, false)?);
    }
    for segment in &workspace.segments {
        columns.push(Returned::of(&segment_column(&segment.name), &BaseType::Bool, false)?);
    }
    for model in &workspace.models {
        columns.push(Returned::of(&score_column(&model.name), &BaseType::Float, false)?);
    }
    for (name, _) in expressions {
        columns.push(Returned::of(name, &BaseType::Bool, false)?);
    }
    for campaign in &workspace.campaigns {
        columns.push(Returned::of(&due_column(&campaign.name), &BaseType::String, false)?);
        for variant in campaign.variants.iter().filter(|v| v.schedule.is_some()) {
            let name = variant_due_column(&campaign.name, &variant.name);
            columns.push(Returned::of(&name, &BaseType::String, false)?);
        }
    }
    Ok(columns)
}

/// Evaluates `workspace` at `now` in the database of `engine` holding its profiles and events.
pub fn evaluate_on_engine(
    engine: Engine,
    workspace: &CheckedWorkspace,
    now: DateTime<Utc>,
) -> Result<EngineEvaluation, EvalError> {
    let expressions = plan_expressions(workspace);
    let returned = returned_columns(workspace, &expressions)?;
    let (frame, goals, purchases) = with_engine(engine, workspace, |session, dialect, tables| {
        let query = evaluation_query(workspace, &expressions, now, dialect, tables)?;
        let selected: Vec<String> = returned
            .iter()
            .map(|c| {
                let name = dialect.ident(&c.name);
                format!(
                    "{} AS {name}",
                    dialect.cast(&name, &dialect.type_of(&wire_type(c.kind)))
                )
            })
            .collect();
        let wrapped = format!(
            "SELECT {} FROM (\n{query}) AS evaluated ORDER BY {}",
            selected.join(", "),
            dialect.bytewise(&dialect.ident(&workspace.schema.key))
        );
        let columns: Vec<(String, ColumnKind)> = returned.iter().map(|c| (c.name.clone(), c.kind)).collect();
        let frame = session.frame(&wrapped, &columns)?;
        let goals = goal_users(workspace, session, dialect, tables, now)?;
        let purchases = purchase_counts(workspace, session, dialect, tables, now)?;
        Ok((frame, goals, purchases))
    })?;
    let finished = returned
        .iter()
        .zip(frame.columns())
        .map(|(c, column)| c.finish(column))
        .collect::<Result<Vec<_>, _>>()?;
    let (frame, personas, scores) = fit_models(workspace, DataFrame::new_infer_height(finished)?)?;
    Ok(EngineEvaluation {
        evaluation: Evaluation {
            segment_sizes: segment_sizes(workspace, &frame)?,
            frame,
            personas,
            scores,
        },
        goals,
        purchases,
    })
}

/// `frame` with each persona model's labels and each score model's scores, in graph order, and
/// what fitting and scoring found.
fn fit_models(
    workspace: &CheckedWorkspace,
    mut frame: DataFrame,
) -> Result<(DataFrame, Vec<PersonaSummary>, Vec<ScoreSummary>), EvalError> {
    let flags = |frame: &DataFrame, name: &str| -> Result<Vec<bool>, EvalError> {
        let column = frame.column(&population_flags_column(name))?.bool()?;
        Ok(column.iter().map(|v| v == Some(true)).collect())
    };
    let (mut personas, mut scores) = (Vec::new(), Vec::new());
    for node in workspace.graph.nodes() {
        match node.step {
            Step::Persona => {
                let Some(model) = workspace.personas.iter().find(|m| m.name == node.name) else {
                    continue;
                };
                let population = flags(&frame, &persona_column(&model.name))?;
                let fit = fit_persona(model, &frame, &population, Some(&workspace.schema.key))?;
                frame.with_column(fit.labels)?;
                personas.push(fit.summary);
            }
            Step::Score => {
                let Some(model) = workspace.models.iter().find(|m| m.name == node.name) else {
                    continue;
                };
                let population = match &model.population {
                    Some(_) => flags(&frame, &score_column(&model.name))?,
                    None => vec![true; frame.height()],
                };
                let (column, summary) = score_profiles(model, &frame, &population)?;
                frame.with_column(column)?;
                scores.push(summary);
            }
            _ => {}
        }
    }
    Ok((frame, personas, scores))
}

/// The events' time column in microseconds, as tailor computes with it.
fn event_micros(workspace: &CheckedWorkspace, dialect: Dialect) -> String {
    dialect.computable(
        &dialect.ident(&workspace.schema.event_columns.time),
        &BaseType::DateTime,
    )
}

/// `column` as text in `dialect`.
fn text(dialect: Dialect, column: &str) -> String {
    dialect.cast(&dialect.ident(column), &dialect.type_of(&BaseType::String))
}

/// `texts` as a list of string literals of `dialect` (for `IN (...)`).
fn literals<S: AsRef<str>>(dialect: Dialect, texts: &[S]) -> String {
    texts
        .iter()
        .map(|t| dialect.string(t.as_ref()))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The first two columns of `frame` (both text) as pairs, on the rows where both are set.
fn text_pairs(frame: &DataFrame) -> Result<Vec<(String, String)>, EvalError> {
    let columns = frame.columns();
    let (first, second) = (columns[0].str()?, columns[1].str()?);
    Ok(first
        .iter()
        .zip(second.iter())
        .filter_map(|(a, b)| Some((a?.to_string(), b?.to_string())))
        .collect())
}

/// Per campaign whose power needs the goal's historical rate, the keys of the users with a goal
/// event in the goal's window ending `now`: every goal in one pass over the events.
fn goal_users(
    workspace: &CheckedWorkspace,
    session: &mut dyn EngineSession,
    dialect: Dialect,
    tables: &SqlTables,
    now: DateTime<Utc>,
) -> Result<BTreeMap<String, HashSet<String>>, EvalError> {
    let end = now.timestamp_micros();
    // (campaign, goal event, window start) of each campaign asking.
    let goals: Vec<(String, String, i64)> = workspace
        .campaigns
        .iter()
        .filter_map(|c| {
            let goal = c.goal.as_ref().filter(|g| g.baseline.is_none())?;
            Some((c.name.clone(), goal.event.clone(), end - goal.within.micros()))
        })
        .collect();
    let mut reached: BTreeMap<String, HashSet<String>> = goals
        .iter()
        .map(|(campaign, ..)| (campaign.clone(), HashSet::new()))
        .collect();
    if goals.is_empty() || workspace.schema.sources.events.is_none() {
        return Ok(reached);
    }
    let names = &workspace.schema.event_columns;
    let time = event_micros(workspace, dialect);
    let windows: Vec<String> = goals
        .iter()
        .map(|(campaign, event, start)| {
            let (campaign, event, start) = (dialect.string(campaign), dialect.string(event), dialect.int(*start));
            format!("({campaign}, {event}, {start})")
        })
        .collect();
    let query = format!(
        "SELECT DISTINCT g.campaign, {user} FROM {events} e \
         JOIN (VALUES {windows}) AS g(campaign, kind, start) ON {kind} = g.kind \
         WHERE {time} > g.start AND {time} <= {end}",
        user = text(dialect, &names.user),
        events = tables.events,
        windows = windows.join(", "),
        kind = text(dialect, &names.event_type),
        end = dialect.int(end),
    );
    let columns = [
        ("campaign".to_string(), ColumnKind::Text),
        ("user".into(), ColumnKind::Text),
    ];
    for (campaign, user) in text_pairs(&session.frame(&query, &columns)?)? {
        reached.entry(campaign).or_default().insert(user);
    }
    Ok(reached)
}

/// The purchases of each product up to `now`, over every user (the catalog's popularity, which
/// recommendations read).
fn purchase_counts(
    workspace: &CheckedWorkspace,
    session: &mut dyn EngineSession,
    dialect: Dialect,
    tables: &SqlTables,
    now: DateTime<Utc>,
) -> Result<HashMap<String, usize>, EvalError> {
    let schema = &workspace.schema;
    let roles = &schema.roles;
    let has_product = schema
        .event(&roles.purchase)
        .is_some_and(|event| event.properties.field(&roles.product).is_some());
    if schema.sources.events.is_none() || schema.catalog.is_none() || !has_product {
        return Ok(HashMap::new());
    }
    let names = &schema.event_columns;
    let query = format!(
        "SELECT {product}, CAST(count(*) AS BIGINT) FROM {events} \
         WHERE {kind} = {purchase} AND {time} <= {now} AND {column} IS NOT NULL GROUP BY {product}",
        product = text(dialect, &roles.product),
        events = tables.events,
        kind = text(dialect, &names.event_type),
        purchase = dialect.string(&roles.purchase),
        time = event_micros(workspace, dialect),
        now = dialect.int(now.timestamp_micros()),
        column = dialect.ident(&roles.product),
    );
    let columns = [
        ("product".to_string(), ColumnKind::Text),
        ("count".into(), ColumnKind::Int),
    ];
    let frame = session.frame(&query, &columns)?;
    let columns = frame.columns();
    let (products, counts) = (columns[0].str()?, columns[1].i64()?);
    Ok(products
        .iter()
        .zip(counts.iter())
        .filter_map(|(product, count)| Some((product?.to_string(), count? as usize)))
        .collect())
}

/// The time of the newest event in the workspace's events table on `engine` (microseconds;
/// `None` when it is empty), for `run`'s freshness guard.
pub fn newest_event_on(engine: Engine, workspace: &CheckedWorkspace) -> Result<Option<i64>, EvalError> {
    with_engine(engine, workspace, |session, dialect, tables| {
        let time = event_micros(workspace, dialect);
        let query = format!("SELECT CAST(max({time}) AS BIGINT) FROM {}", tables.events);
        let frame = session.frame(&query, &[("newest".to_string(), ColumnKind::Int)])?;
        Ok(frame.columns()[0].i64()?.get(0))
    })
}

/// The users of the events on `engine` that say they engaged with one of `campaigns` (opens
/// and clicks naming it): whose events a report reads besides the campaigns' own units'.
pub fn engaged_on(
    engine: Engine,
    workspace: &CheckedWorkspace,
    campaigns: &[String],
) -> Result<BTreeSet<String>, EvalError> {
    let schema = &workspace.schema;
    let kinds: Vec<&str> = ["email_open", "email_click"]
        .into_iter()
        .filter(|kind| {
            schema
                .event(kind)
                .is_some_and(|e| e.properties.field("campaign").is_some())
        })
        .collect();
    if kinds.is_empty() || campaigns.is_empty() || schema.sources.events.is_none() {
        return Ok(BTreeSet::new());
    }
    with_engine(engine, workspace, |session, dialect, tables| {
        let names = &schema.event_columns;
        let query = format!(
            "SELECT DISTINCT {} FROM {} WHERE {} IN ({}) AND {} IN ({})",
            text(dialect, &names.user),
            tables.events,
            text(dialect, &names.event_type),
            literals(dialect, &kinds),
            text(dialect, "campaign"),
            literals(dialect, campaigns),
        );
        let frame = session.frame(&query, &[("user".to_string(), ColumnKind::Text)])?;
        Ok(frame.columns()[0].str()?.iter().flatten().map(str::to_string).collect())
    })
}
