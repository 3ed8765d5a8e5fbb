//! A dataset kept in a Spark cluster: `source: sc://host[:port][/;option=value...]?table=name`
//! (`name` may be `database.table` or `catalog.database.table`). The table is read through
//! Spark Connect into typed columns, as a PostgreSQL table is, and then checked column by
//! column against the schema like one.

// `SparkError` is the client's own (large) error type, passed through as the client returns it.
#![allow(clippy::result_large_err)]

use std::path::Path;

use polars::prelude::DataFrame;
use spark_connect::types::DataType as SparkType;
use spark_connect::SparkSession;

use super::spark_server::{described, keys_view, spark_frame, SparkServer};
use super::LoadError;
use crate::model::{split_spark_source, ColumnKind, TableColumn};

/// The session's view of the keys a read selects ([`keys_view`]).
const MATCHING_VIEW: &str = "tailor_matching_keys";

/// Values a matching read selects per query: each answer stays far below what Spark hands a
/// client in one result (`spark.driver.maxResultSize`, 1 GiB by default), however many
/// profiles are rendered.
const KEYS_PER_READ: usize = 20_000;

/// A table of a Spark cluster, named by a dataset source.
#[derive(Debug, Clone)]
pub struct SparkTable {
    server: SparkServer,
    table: String,
}

/// `name` quoted for Spark SQL.
fn quoted(name: &str) -> String {
    format!("`{}`", name.replace('`', "``"))
}

/// How a column of Spark type `ty` is read, and the SQL that selects `column` for it (a type
/// tailor does not read directly is converted by Spark: numbers to `DOUBLE`, the rest to
/// text, which the checks then hold to the declared type).
fn reading(ty: &SparkType, column: &str) -> (ColumnKind, String) {
    let quoted = quoted(column);
    match ty {
        SparkType::Byte | SparkType::Short | SparkType::Integer | SparkType::Long => {
            (ColumnKind::Int, format!("CAST({quoted} AS BIGINT)"))
        }
        SparkType::Float | SparkType::Double | SparkType::Decimal { .. } => {
            (ColumnKind::Float, format!("CAST({quoted} AS DOUBLE)"))
        }
        SparkType::Boolean => (ColumnKind::Bool, quoted),
        SparkType::Date => (ColumnKind::Date, quoted),
        SparkType::Timestamp => (ColumnKind::TimestampUtc, quoted),
        SparkType::TimestampNtz => (ColumnKind::Timestamp, quoted),
        SparkType::Array { .. } => (ColumnKind::TextList, format!("CAST({quoted} AS ARRAY<STRING>)")),
        _ => (ColumnKind::Text, format!("CAST({quoted} AS STRING)")),
    }
}

impl SparkTable {
    /// The table `source` names, or why it names none.
    pub fn parse(source: &str) -> Result<SparkTable, String> {
        let (url, table) = split_spark_source(source)?;
        Ok(SparkTable {
            server: SparkServer::new(&url),
            table,
        })
    }

    /// The table's name, quoted for Spark SQL.
    fn quoted_table(&self) -> String {
        self.table.split('.').map(quoted).collect::<Vec<_>>().join(".")
    }

    fn connect(&self, source: &Path) -> Result<SparkSession, LoadError> {
        self.server.connect().map_err(|why| LoadError::io(source, why))
    }

    /// The table's columns, in table order: how tailor reads each and its type in Spark.
    pub fn columns(&self, source: &Path) -> Result<Vec<TableColumn>, LoadError> {
        let session = self.connect(source)?;
        Ok(self
            .typed_columns(&session, source)?
            .into_iter()
            .map(|(name, ty)| TableColumn {
                kind: reading(&ty, &name).0,
                sql_type: ty.simple_string(),
                name,
            })
            .collect())
    }

    /// The table's columns and their Spark types, in table order.
    fn typed_columns(&self, session: &SparkSession, source: &Path) -> Result<Vec<(String, SparkType)>, LoadError> {
        let schema = session
            .sql(&format!("SELECT * FROM {}", self.quoted_table()))
            .and_then(|frame| frame.schema())
            .map_err(|e| LoadError::io(source, format!("cannot read table `{}`: {}", self.table, described(&e))))?;
        match schema {
            SparkType::Struct { fields } => Ok(fields.into_iter().map(|f| (f.name, f.data_type)).collect()),
            other => Err(LoadError::io(
                source,
                format!(
                    "table `{}` has the type {} where rows were expected",
                    self.table,
                    other.simple_string()
                ),
            )),
        }
    }

    /// Every row of the table as typed columns, ordered by all of them (the same table reads
    /// the same frame every time), or with `matching` only the rows whose column holds one of
    /// the values given (an engine's plan reads only the events of the profiles it renders),
    /// read [`KEYS_PER_READ`] values at a time. `source` names the dataset in errors.
    pub fn rows(&self, source: &Path, matching: Option<(&str, &[String])>) -> Result<DataFrame, LoadError> {
        let session = self.connect(source)?;
        let failed = |why: String| LoadError::io(source, format!("cannot read table `{}`: {why}", self.table));
        let columns = self.typed_columns(&session, source)?;
        let readings: Vec<(ColumnKind, String)> = columns.iter().map(|(name, ty)| reading(ty, name)).collect();
        let selected: Vec<String> = readings
            .iter()
            .zip(&columns)
            .map(|((_, sql), (name, _))| format!("{sql} AS {}", quoted(name)))
            .collect();
        let order: Vec<String> = (1..=columns.len()).map(|i| i.to_string()).collect();
        let query = |condition: &str| {
            format!(
                "SELECT {} FROM {}{condition} ORDER BY {}",
                selected.join(", "),
                self.quoted_table(),
                order.join(", ")
            )
        };
        let typed: Vec<(String, ColumnKind)> = columns
            .iter()
            .zip(&readings)
            .map(|((name, _), (kind, _))| (name.clone(), *kind))
            .collect();
        let Some((column, values)) = matching else {
            return spark_frame(&session, [Ok(query(""))], &typed).map_err(failed);
        };
        let condition = format!(
            " WHERE CAST({} AS STRING) IN (SELECT key FROM {MATCHING_VIEW})",
            quoted(column)
        );
        // One query per chunk of keys, its view made just before it runs.
        let chunks = values.chunks(KEYS_PER_READ).chain(values.is_empty().then_some(values));
        let queries = chunks.map(|chunk| keys_view(&session, MATCHING_VIEW, chunk).map(|()| query(&condition)));
        spark_frame(&session, queries, &typed).map_err(failed)
    }
}
