//! Evaluation in a database engine (`plan --engine postgres`): the workspace's query
//! ([`evaluation_query`]) runs where the profiles and events are, and only the evaluated
//! profiles come back, batch by batch through a server-side cursor, as the frame the polars
//! engine would have built. Events never leave the engine: it also answers which profiles
//! reached each campaign's goal and how often each product was bought.
//!
//! What needs the data as a whole stays with tailor and runs on the returned frame exactly as
//! after the polars engine: persona models are fitted (in key order, so the same profiles give
//! the same fit from any source) and score models score the profiles (the engine's own scores,
//! equal to about 1e-9, are replaced, so that scores and their drift are tailor's to the bit).

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use chrono::{DateTime, Utc};
use polars::prelude::*;
use postgres::types::ToSql;

use super::columns::{
    audience_flags_column, consent_flags_column, persona_column, population_flags_column, score_column, segment_column,
};
use super::evaluate::segment_sizes;
use super::personas::{fit_persona, PersonaSummary};
use super::scores::{score_profiles, ScoreSummary};
use super::sql::{due_column, evaluation_query, variant_due_column, Dialect, SqlTables};
use super::{EvalError, Evaluation};
use crate::check::{CheckedWorkspace, Step};
use crate::data::{described_postgres_error, PostgresColumn, PostgresServer};
use crate::model::{split_postgres_source, BaseType, ColumnKind, Expr};

/// Where `plan` evaluates the workspace.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Engine {
    /// tailor's own engine, over the datasets loaded into memory.
    #[default]
    Polars,
    /// The PostgreSQL server holding the workspace's profiles and events tables.
    Postgres,
}

impl Engine {
    /// Every engine, in the order `--engine` lists them.
    pub const ALL: [Engine; 2] = [Engine::Polars, Engine::Postgres];

    /// The engine's name on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Engine::Polars => "polars",
            Engine::Postgres => "postgres",
        }
    }
}

/// The dialect the engine's queries are written in.
const DIALECT: Dialect = Dialect::Postgres;

/// Rows fetched from the cursor at a time: what tailor holds of the query's result besides the
/// columns it builds.
const BATCH_ROWS: i32 = 10_000;

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

/// The server and tables of the workspace's datasets, which must all be in one PostgreSQL
/// database.
fn postgres_tables(workspace: &CheckedWorkspace) -> Result<(PostgresServer, SqlTables), EvalError> {
    let sources = &workspace.schema.sources;
    let split = |source: &std::path::Path, what: &str| {
        split_postgres_source(&source.to_string_lossy()).map_err(|why| {
            EvalError::Unsupported(format!(
                "`--engine postgres` evaluates where the data is, and the {what} are not a table in PostgreSQL ({why})"
            ))
        })
    };
    let (url, profiles) = split(&sources.profiles, "profiles")?;
    let events = match &sources.events {
        Some(events) => {
            let (events_url, table) = split(events, "events")?;
            if events_url != url {
                return Err(EvalError::Unsupported(
                    "`--engine postgres` needs the profiles and events tables in one database".into(),
                ));
            }
            table
        }
        None => "events".into(),
    };
    let server = PostgresServer::parse(&url).map_err(EvalError::Engine)?;
    Ok((server, SqlTables { profiles, events }))
}

/// One column of the evaluated profile and how it comes back: its name, the SQL cast that
/// fixes its type on the wire, how it is read, and the polars type it ends as.
struct Returned {
    name: String,
    cast: &'static str,
    kind: ColumnKind,
    /// Dates become polars dates, times polars datetimes (declared fields only: computed
    /// temporal values stay microseconds, as in the polars engine's frame).
    field: Option<BaseType>,
}

impl Returned {
    /// A column of `base` values; `field` when it is a declared profile field.
    fn of(name: &str, base: &BaseType, field: bool) -> Result<Returned, EvalError> {
        let (cast, kind) = match base {
            BaseType::Int | BaseType::Date | BaseType::DateTime | BaseType::Duration => ("int8", ColumnKind::Int),
            BaseType::Float => ("float8", ColumnKind::Float),
            BaseType::Bool => ("boolean", ColumnKind::Bool),
            BaseType::String | BaseType::Enum(_) | BaseType::Null => ("text", ColumnKind::Text),
            BaseType::List(item) if matches!(**item, BaseType::String | BaseType::Enum(_)) => {
                ("text[]", ColumnKind::TextList)
            }
            BaseType::List(_) => {
                return Err(EvalError::Unsupported(format!(
                    "`{name}` is a list of numbers or times, which an engine does not hand back yet"
                )))
            }
        };
        Ok(Returned {
            name: name.to_string(),
            cast,
            kind,
            field: field.then(|| base.clone()),
        })
    }

    /// The polars column of the values read.
    fn finish(&self, values: PostgresColumn) -> Result<Column, EvalError> {
        let column = values.finish(&self.name).map_err(EvalError::Engine)?;
        Ok(match &self.field {
            Some(BaseType::Date) => (column.i64()? / crate::data::DAY_MICROS)
                .cast(&DataType::Int32)?
                .cast(&DataType::Date)?
                .with_name(self.name.as_str().into())
                .into(),
            Some(BaseType::DateTime) => {
                column.cast(&DataType::Datetime(TimeUnit::Microseconds, Some(TimeZone::UTC)))?
            }
            _ => column,
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

/// A PostgreSQL failure, as the engine's.
fn failed(e: postgres::Error) -> EvalError {
    EvalError::Engine(described_postgres_error(&e))
}

/// Evaluates `workspace` at `now` in the PostgreSQL database holding its profiles and events.
pub fn evaluate_on_postgres(workspace: &CheckedWorkspace, now: DateTime<Utc>) -> Result<EngineEvaluation, EvalError> {
    let (server, tables) = postgres_tables(workspace)?;
    let expressions = plan_expressions(workspace);
    let query = evaluation_query(workspace, &expressions, now, DIALECT, &tables)?;
    let returned = returned_columns(workspace, &expressions)?;
    let selected: Vec<String> = returned
        .iter()
        .map(|c| format!("{}::{}", DIALECT.ident(&c.name), c.cast))
        .collect();
    let wrapped = format!(
        "SELECT {} FROM (\n{query}) AS evaluated ORDER BY {}",
        selected.join(", "),
        DIALECT.bytewise(&DIALECT.ident(&workspace.schema.key))
    );
    let mut client = server.connect().map_err(EvalError::Engine)?;
    let mut transaction = client.transaction().map_err(failed)?;
    let frame = fetched(&mut transaction, &wrapped, &returned)?;
    let goals = goal_users(workspace, &mut transaction, &tables, now)?;
    let purchases = purchase_counts(workspace, &mut transaction, &tables, now)?;
    transaction.commit().map_err(failed)?;
    let (frame, personas, scores) = fit_models(workspace, frame)?;
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

/// The rows of `query` as the `returned` columns, read through a server-side cursor
/// [`BATCH_ROWS`] at a time straight into the columns (the rows themselves are not kept).
fn fetched(
    transaction: &mut postgres::Transaction,
    query: &str,
    returned: &[Returned],
) -> Result<DataFrame, EvalError> {
    let statement = transaction.prepare(query).map_err(failed)?;
    let no_parameters: [&(dyn ToSql + Sync); 0] = [];
    let portal = transaction.bind(&statement, &no_parameters).map_err(failed)?;
    let mut values: Vec<PostgresColumn> = returned.iter().map(|c| PostgresColumn::new(c.kind)).collect();
    loop {
        let rows = transaction.query_portal(&portal, BATCH_ROWS).map_err(failed)?;
        for row in &rows {
            for (index, column) in values.iter_mut().enumerate() {
                column
                    .push(row, index)
                    .map_err(|e| EvalError::Engine(format!("column `{}`: {e}", returned[index].name)))?;
            }
        }
        if rows.len() < BATCH_ROWS as usize {
            break;
        }
    }
    let columns = returned
        .iter()
        .zip(values)
        .map(|(c, v)| c.finish(v))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(DataFrame::new_infer_height(columns)?)
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
fn event_micros(workspace: &CheckedWorkspace) -> String {
    DIALECT.computable(
        &DIALECT.ident(&workspace.schema.event_columns.time),
        &BaseType::DateTime,
    )
}

/// Per campaign whose power needs the goal's historical rate, the keys of the users with a goal
/// event in the goal's window ending `now`: every goal in one pass over the events.
fn goal_users(
    workspace: &CheckedWorkspace,
    transaction: &mut postgres::Transaction,
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
    let time = event_micros(workspace);
    let windows: Vec<String> = (0..goals.len())
        .map(|i| format!("(${}::text, ${}::text, ${}::int8)", 3 * i + 2, 3 * i + 3, 3 * i + 4))
        .collect();
    let query = format!(
        "SELECT DISTINCT g.campaign, e.{user}::text FROM {events} e \
         JOIN (VALUES {windows}) AS g(campaign, type, start) ON e.{kind}::text = g.type \
         WHERE {time} > g.start AND {time} <= $1",
        user = DIALECT.ident(&names.user),
        events = tables.events,
        windows = windows.join(", "),
        kind = DIALECT.ident(&names.event_type),
    );
    let mut parameters: Vec<&(dyn ToSql + Sync)> = vec![&end];
    for (campaign, event, start) in &goals {
        parameters.extend([campaign as &(dyn ToSql + Sync), event, start]);
    }
    for row in transaction.query(&query, &parameters).map_err(failed)? {
        if let (Some(campaign), Some(user)) = (row.get::<_, Option<String>>(0), row.get::<_, Option<String>>(1)) {
            reached.entry(campaign).or_default().insert(user);
        }
    }
    Ok(reached)
}

/// The purchases of each product up to `now`, over every user (the catalog's popularity, which
/// recommendations read).
fn purchase_counts(
    workspace: &CheckedWorkspace,
    transaction: &mut postgres::Transaction,
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
    let product = DIALECT.ident(&roles.product);
    let query = format!(
        "SELECT {product}::text, count(*) FROM {} WHERE {}::text = $1 AND {} <= $2 AND {product} IS NOT NULL GROUP BY 1",
        tables.events,
        DIALECT.ident(&names.event_type),
        event_micros(workspace),
    );
    let rows = transaction
        .query(&query, &[&roles.purchase, &now.timestamp_micros()])
        .map_err(failed)?;
    Ok(rows
        .iter()
        .map(|row| (row.get::<_, String>(0), row.get::<_, i64>(1) as usize))
        .collect())
}

/// The time of the newest event in the workspace's events table in PostgreSQL (microseconds;
/// `None` when it is empty), for `run`'s freshness guard.
pub fn newest_event_in_postgres(workspace: &CheckedWorkspace) -> Result<Option<i64>, EvalError> {
    let (server, tables) = postgres_tables(workspace)?;
    let time = event_micros(workspace);
    let mut client = server.connect().map_err(EvalError::Engine)?;
    let row = client
        .query_one(&format!("SELECT max({time})::int8 FROM {}", tables.events), &[])
        .map_err(failed)?;
    Ok(row.get(0))
}

/// The users of the events in PostgreSQL that say they engaged with one of `campaigns` (opens
/// and clicks naming it): whose events a report reads besides the campaigns' own units'.
pub fn engaged_in_postgres(workspace: &CheckedWorkspace, campaigns: &[String]) -> Result<BTreeSet<String>, EvalError> {
    let schema = &workspace.schema;
    let kinds: Vec<&str> = ["email_open", "email_click"]
        .into_iter()
        .filter(|kind| {
            schema
                .event(kind)
                .is_some_and(|e| e.properties.field("campaign").is_some())
        })
        .collect();
    if kinds.is_empty() || schema.sources.events.is_none() {
        return Ok(BTreeSet::new());
    }
    let (server, tables) = postgres_tables(workspace)?;
    let names = &schema.event_columns;
    let query = format!(
        "SELECT DISTINCT {}::text FROM {} WHERE {}::text = ANY($1) AND {}::text = ANY($2)",
        DIALECT.ident(&names.user),
        tables.events,
        DIALECT.ident(&names.event_type),
        DIALECT.ident("campaign"),
    );
    let mut client = server.connect().map_err(EvalError::Engine)?;
    let rows = client.query(&query, &[&kinds, &campaigns]).map_err(failed)?;
    Ok(rows.iter().filter_map(|r| r.get::<_, Option<String>>(0)).collect())
}
