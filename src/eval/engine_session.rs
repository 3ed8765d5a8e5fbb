//! Where an engine's queries run: a connection to the database holding the workspace's tables,
//! opened for one evaluation. PostgreSQL reads in one read-only transaction (every query sees
//! the same snapshot) through a server-side cursor; Spark answers through Spark Connect in
//! Arrow batches. Either way the rows go straight into typed columns.

use polars::prelude::DataFrame;
use postgres::types::ToSql;

use super::engine_kind::Engine;
use super::sql::{Dialect, SqlTables};
use super::EvalError;
use crate::check::CheckedWorkspace;
use crate::data::{described_postgres_error, PostgresServer, StreamedColumn};
use crate::model::{is_postgres_source, is_spark_source, split_table_source, ColumnKind};

/// Rows fetched from a PostgreSQL cursor at a time: what tailor holds of a query's result
/// besides the columns it builds.
const BATCH_ROWS: i32 = 10_000;

/// A database engine's connection, running queries written in its dialect.
pub trait EngineSession {
    /// The rows of `query` as typed columns, one per `(name, kind)` in the order selected.
    fn frame(&mut self, query: &str, columns: &[(String, ColumnKind)]) -> Result<DataFrame, EvalError>;
}

/// Why the polars engine has no database session: it evaluates the loaded datasets itself.
fn not_a_database() -> EvalError {
    EvalError::Unsupported("`--engine polars` evaluates the loaded datasets in tailor, not in a database".into())
}

/// The server URL and tables of the workspace's datasets, which must all be tables of one
/// database of `engine`'s kind.
fn engine_tables(engine: Engine, workspace: &CheckedWorkspace) -> Result<(String, SqlTables), EvalError> {
    let sources = &workspace.schema.sources;
    let (kind, is_kind): (&str, fn(&str) -> bool) = match engine {
        Engine::Spark => ("Spark", is_spark_source),
        Engine::Postgres => ("PostgreSQL", is_postgres_source),
        Engine::Polars => return Err(not_a_database()),
    };
    let split = |source: &std::path::Path, what: &str| {
        let text = source.to_string_lossy();
        let not_table = |why: String| {
            EvalError::Unsupported(format!(
                "`--engine {}` evaluates where the data is, and the {what} are not a table in {kind} ({why})",
                engine.name()
            ))
        };
        if !is_kind(&text) {
            return Err(not_table(format!("the source is `{text}`")));
        }
        split_table_source(&text).map_err(not_table)
    };
    let (url, profiles) = split(&sources.profiles, "profiles")?;
    let events = match &sources.events {
        Some(events) => {
            let (events_url, table) = split(events, "events")?;
            if events_url != url {
                return Err(EvalError::Unsupported(format!(
                    "`--engine {}` needs the profiles and events tables in one database",
                    engine.name()
                )));
            }
            table
        }
        None => "events".into(),
    };
    Ok((url, SqlTables { profiles, events }))
}

/// Runs `work` with a session on `engine` holding the workspace's tables, in the engine's
/// dialect, with the tables' names.
pub fn with_engine<T>(
    engine: Engine,
    workspace: &CheckedWorkspace,
    work: impl FnOnce(&mut dyn EngineSession, Dialect, &SqlTables) -> Result<T, EvalError>,
) -> Result<T, EvalError> {
    let (url, tables) = engine_tables(engine, workspace)?;
    match engine {
        Engine::Spark => with_spark(&url, |session| work(session, Dialect::Spark, &tables)),
        Engine::Postgres => with_postgres(&url, |session| work(session, Dialect::Postgres, &tables)),
        Engine::Polars => Err(not_a_database()),
    }
}

/// Runs `work` in one read-only, repeatable-read transaction on the PostgreSQL server at `url`.
fn with_postgres<T>(
    url: &str,
    work: impl FnOnce(&mut dyn EngineSession) -> Result<T, EvalError>,
) -> Result<T, EvalError> {
    let server = PostgresServer::parse(url).map_err(EvalError::Engine)?;
    let mut client = server.connect().map_err(EvalError::Engine)?;
    let mut transaction = client
        .build_transaction()
        .read_only(true)
        .isolation_level(postgres::IsolationLevel::RepeatableRead)
        .start()
        .map_err(failed)?;
    let answer = work(&mut PostgresQueries(&mut transaction))?;
    transaction.commit().map_err(failed)?;
    Ok(answer)
}

/// A PostgreSQL failure, as the engine's.
fn failed(e: postgres::Error) -> EvalError {
    EvalError::Engine(described_postgres_error(&e))
}

/// Queries in one PostgreSQL transaction.
struct PostgresQueries<'t, 'c>(&'t mut postgres::Transaction<'c>);

impl EngineSession for PostgresQueries<'_, '_> {
    /// Read through a server-side cursor [`BATCH_ROWS`] at a time straight into the columns
    /// (the rows themselves are not kept).
    fn frame(&mut self, query: &str, columns: &[(String, ColumnKind)]) -> Result<DataFrame, EvalError> {
        let transaction = &mut *self.0;
        let statement = transaction.prepare(query).map_err(failed)?;
        let no_parameters: [&(dyn ToSql + Sync); 0] = [];
        let portal = transaction.bind(&statement, &no_parameters).map_err(failed)?;
        let mut values: Vec<StreamedColumn> = columns.iter().map(|(_, kind)| StreamedColumn::new(*kind)).collect();
        loop {
            let rows = transaction.query_portal(&portal, BATCH_ROWS).map_err(failed)?;
            for row in &rows {
                for (index, column) in values.iter_mut().enumerate() {
                    column
                        .push(row, index)
                        .map_err(|e| EvalError::Engine(format!("column `{}`: {e}", columns[index].0)))?;
                }
            }
            if rows.len() < BATCH_ROWS as usize {
                break;
            }
        }
        let finished = columns
            .iter()
            .zip(values)
            .map(|((name, _), column)| column.finish(name).map_err(EvalError::Engine))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(DataFrame::new_infer_height(finished)?)
    }
}

/// Runs `work` with a Spark Connect session on the server at `url`.
#[cfg(feature = "spark")]
fn with_spark<T>(url: &str, work: impl FnOnce(&mut dyn EngineSession) -> Result<T, EvalError>) -> Result<T, EvalError> {
    let session = crate::data::SparkServer::new(url)
        .connect()
        .map_err(EvalError::Engine)?;
    work(&mut SparkQueries(session))
}

/// Without the `spark` feature there is no Spark client: why, as the engine's refusal.
#[cfg(not(feature = "spark"))]
fn with_spark<T>(
    _url: &str,
    _work: impl FnOnce(&mut dyn EngineSession) -> Result<T, EvalError>,
) -> Result<T, EvalError> {
    Err(EvalError::Unsupported(format!(
        "{} for `--engine spark`",
        crate::data::NO_SPARK
    )))
}

/// Queries in one Spark Connect session.
#[cfg(feature = "spark")]
struct SparkQueries(spark_connect::SparkSession);

#[cfg(feature = "spark")]
impl EngineSession for SparkQueries {
    fn frame(&mut self, query: &str, columns: &[(String, ColumnKind)]) -> Result<DataFrame, EvalError> {
        crate::data::spark_frame(&self.0, [Ok(query.to_string())], columns).map_err(EvalError::Engine)
    }
}
