//! A dataset kept in PostgreSQL: `source: postgres://[user@]host[:port]/database?table=name`
//! (`name` may be `schema.table`). The table is read into typed columns, as a Parquet file is,
//! and then checked column by column against the schema like one. The connection (credentials
//! from the environment, TLS) is [`PostgresServer`]'s; a URL holding a password is refused, so
//! that none is ever written in the workspace.

use std::path::Path;

use polars::prelude::*;
use postgres::fallible_iterator::FallibleIterator;
use postgres::types::ToSql;
use postgres::types::Type as PgType;
use postgres::Client;

use super::postgres_server::{described, PostgresServer};
use super::streamed_column::StreamedColumn;
use super::LoadError;
use crate::model::{split_postgres_source, ColumnKind, TableColumn};

/// A table in a PostgreSQL database, named by a dataset source.
#[derive(Debug, Clone)]
pub struct PostgresTable {
    server: PostgresServer,
    table: String,
}

/// How a column of type `ty` is read, and the SQL that selects `column` for it (a type tailor
/// does not read directly is converted by the server: numbers to `float8`, the rest to text,
/// which the checks then hold to the declared type).
fn reading(ty: &PgType, column: &str) -> (ColumnKind, String) {
    let quoted = format!("\"{}\"", column.replace('"', "\"\""));
    match *ty {
        PgType::INT2 | PgType::INT4 | PgType::INT8 => (ColumnKind::Int, format!("{quoted}::int8")),
        PgType::FLOAT4 | PgType::FLOAT8 | PgType::NUMERIC => (ColumnKind::Float, format!("{quoted}::float8")),
        PgType::BOOL => (ColumnKind::Bool, quoted),
        PgType::DATE => (ColumnKind::Date, quoted),
        PgType::TIMESTAMP => (ColumnKind::Timestamp, quoted),
        PgType::TIMESTAMPTZ => (ColumnKind::TimestampUtc, quoted),
        PgType::TEXT_ARRAY | PgType::VARCHAR_ARRAY | PgType::BPCHAR_ARRAY | PgType::NAME_ARRAY => {
            (ColumnKind::TextList, format!("{quoted}::text[]"))
        }
        _ => (ColumnKind::Text, format!("{quoted}::text")),
    }
}

impl PostgresTable {
    /// The table `source` names, or why it names none.
    pub fn parse(source: &str) -> Result<PostgresTable, String> {
        let (url, table) = split_postgres_source(source)?;
        Ok(PostgresTable {
            server: PostgresServer::parse(&url)?,
            table,
        })
    }

    /// The table's name (`schema.table`), quoted for SQL.
    fn quoted_table(&self) -> String {
        self.table
            .split('.')
            .map(|part| format!("\"{part}\""))
            .collect::<Vec<_>>()
            .join(".")
    }

    fn connect(&self, source: &Path) -> Result<Client, LoadError> {
        self.server.connect().map_err(|why| LoadError::io(source, why))
    }

    /// The table's columns, in table order: how tailor reads each and its type in the table.
    pub fn columns(&self, source: &Path) -> Result<Vec<TableColumn>, LoadError> {
        Ok(self
            .typed_columns(source)?
            .into_iter()
            .map(|(name, ty)| TableColumn {
                kind: reading(&ty, &name).0,
                sql_type: ty.name().to_string(),
                name,
            })
            .collect())
    }

    /// The table's columns and their PostgreSQL types, in table order.
    fn typed_columns(&self, source: &Path) -> Result<Vec<(String, PgType)>, LoadError> {
        let mut client = self.connect(source)?;
        let statement = client
            .prepare(&format!("SELECT * FROM {} LIMIT 0", self.quoted_table()))
            .map_err(|e| LoadError::io(source, format!("cannot read table `{}`: {}", self.table, described(&e))))?;
        Ok(statement
            .columns()
            .iter()
            .map(|c| (c.name().to_string(), c.type_().clone()))
            .collect())
    }

    /// Every row of the table as typed columns, ordered by all of them (the same table reads
    /// the same frame every time), or with `matching` only the rows whose column holds one of
    /// the values given (an engine's plan reads only the events of the profiles it renders).
    /// `source` names the dataset in errors.
    pub fn rows(&self, source: &Path, matching: Option<(&str, &[String])>) -> Result<DataFrame, LoadError> {
        let columns = self.typed_columns(source)?;
        let readings: Vec<(ColumnKind, String)> = columns.iter().map(|(name, ty)| reading(ty, name)).collect();
        let selected: Vec<&str> = readings.iter().map(|(_, sql)| sql.as_str()).collect();
        let order: Vec<String> = (1..=columns.len()).map(|i| i.to_string()).collect();
        let condition = match matching {
            Some((column, _)) => format!(" WHERE \"{}\"::text = ANY($1)", column.replace('"', "\"\"")),
            None => String::new(),
        };
        let query = format!(
            "SELECT {} FROM {}{condition} ORDER BY {}",
            selected.join(", "),
            self.quoted_table(),
            order.join(", ")
        );
        let mut client = self.connect(source)?;
        let failed = |e: postgres::Error| {
            LoadError::io(source, format!("cannot read table `{}`: {}", self.table, described(&e)))
        };
        let values: Vec<&str> =
            matching.map_or_else(Vec::new, |(_, values)| values.iter().map(String::as_str).collect());
        let parameters: Vec<&(dyn ToSql + Sync)> = match matching {
            Some(_) => vec![&values],
            None => Vec::new(),
        };
        let mut rows = client.query_raw(query.as_str(), parameters).map_err(failed)?;
        let mut values: Vec<StreamedColumn> = readings.iter().map(|(kind, _)| StreamedColumn::new(*kind)).collect();
        let bad_cell = |name: &str, e: String| {
            LoadError::io(source, format!("cannot read column `{name}` of `{}`: {e}", self.table))
        };
        // Rows stream in and go straight into their columns: the table is held once.
        while let Some(row) = rows.next().map_err(failed)? {
            for (index, column) in values.iter_mut().enumerate() {
                column.push(&row, index).map_err(|e| bad_cell(&columns[index].0, e))?;
            }
        }
        let mut frame_columns = Vec::with_capacity(columns.len());
        for ((name, _), column) in columns.iter().zip(values) {
            frame_columns.push(column.finish(name).map_err(|e| bad_cell(name, e))?);
        }
        DataFrame::new_infer_height(frame_columns).map_err(|e| LoadError::io(source, e))
    }
}
