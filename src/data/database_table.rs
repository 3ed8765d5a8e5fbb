//! A dataset kept in a database rather than a file: a PostgreSQL table ([`PostgresTable`]) or
//! a table of a Spark cluster ([`SparkTable`], in a build with the `spark` feature). Either is
//! read into typed columns and then checked against the schema like a Parquet file.

use std::path::Path;

use polars::prelude::DataFrame;

use super::postgres_table::PostgresTable;
#[cfg(feature = "spark")]
use super::spark_table::SparkTable;
use super::LoadError;
use crate::model::{is_spark_source, TableColumn};

/// A table a dataset source names (one at a time, briefly: its size does not matter).
#[derive(Debug, Clone)]
#[allow(clippy::large_enum_variant)]
pub enum DatabaseTable {
    /// A table in PostgreSQL (`postgres://host/db?table=name`).
    Postgres(PostgresTable),
    /// A table of a Spark cluster (`sc://host:15002?table=name`).
    #[cfg(feature = "spark")]
    Spark(SparkTable),
}

/// Why this build cannot reach Spark.
#[cfg(not(feature = "spark"))]
pub const NO_SPARK: &str = "this tailor was built without Spark: build it with `--features spark` (needs `protoc`)";

impl DatabaseTable {
    /// The table `source` (a `postgres://` or `sc://` URL) names, or why it names none.
    pub fn parse(source: &str) -> Result<DatabaseTable, String> {
        if is_spark_source(source) {
            #[cfg(feature = "spark")]
            return SparkTable::parse(source).map(DatabaseTable::Spark);
            #[cfg(not(feature = "spark"))]
            return Err(format!("{NO_SPARK} to read `sc://` sources"));
        }
        PostgresTable::parse(source).map(DatabaseTable::Postgres)
    }

    /// [`DatabaseTable::parse`] of the source `path`, its error a [`LoadError`].
    pub fn of(path: &Path) -> Result<DatabaseTable, LoadError> {
        DatabaseTable::parse(&path.to_string_lossy()).map_err(|why| LoadError::io(path, why))
    }

    /// The table's columns, in table order: how tailor reads each and its type in the database.
    pub fn columns(&self, source: &Path) -> Result<Vec<TableColumn>, LoadError> {
        match self {
            DatabaseTable::Postgres(table) => table.columns(source),
            #[cfg(feature = "spark")]
            DatabaseTable::Spark(table) => table.columns(source),
        }
    }

    /// Every row of the table as typed columns, in one order for the same rows.
    pub fn read(&self, source: &Path) -> Result<DataFrame, LoadError> {
        self.rows(source, None)
    }

    /// The rows whose `column` holds one of `values`, as [`DatabaseTable::read`] reads them.
    pub fn read_matching(&self, source: &Path, column: &str, values: &[String]) -> Result<DataFrame, LoadError> {
        self.rows(source, Some((column, values)))
    }

    /// The rows of the table, or those whose column holds one of the values given.
    fn rows(&self, source: &Path, matching: Option<(&str, &[String])>) -> Result<DataFrame, LoadError> {
        match self {
            DatabaseTable::Postgres(table) => table.rows(source, matching),
            #[cfg(feature = "spark")]
            DatabaseTable::Spark(table) => table.rows(source, matching),
        }
    }
}
