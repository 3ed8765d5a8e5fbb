//! The database under the ledger: a SQLite file, or a PostgreSQL database that many senders
//! share. The ledger's statements are written once, in the SQL both understand, with `?1`-style
//! parameters (numbered `$1` for PostgreSQL here); what differs between the two (opening,
//! transactions, the catalog) is here and nowhere else.

use std::cell::RefCell;
use std::collections::HashMap;
use std::path::Path;

use postgres::types::{ToSql, Type};
use rusqlite::types::{ToSqlOutput, ValueRef};
use rusqlite::OpenFlags;

use crate::data::{described_postgres_error, PostgresServer};

/// Rows written by one multi-row statement at most (well under SQLite's and PostgreSQL's
/// limits on a statement's parameters).
pub(super) const ROWS_PER_STATEMENT: usize = 256;

/// One parameter of a statement.
#[derive(Debug, Clone, Copy)]
pub(super) enum Param<'a> {
    /// A text value.
    Text(&'a str),
    /// An integer.
    Int(i64),
}

impl<'a> From<&'a str> for Param<'a> {
    fn from(text: &'a str) -> Param<'a> {
        Param::Text(text)
    }
}

impl<'a> From<&'a String> for Param<'a> {
    fn from(text: &'a String) -> Param<'a> {
        Param::Text(text)
    }
}

impl From<i64> for Param<'_> {
    fn from(number: i64) -> Self {
        Param::Int(number)
    }
}

impl rusqlite::ToSql for Param<'_> {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(match *self {
            Param::Text(text) => ToSqlOutput::from(text),
            Param::Int(number) => ToSqlOutput::from(number),
        })
    }
}

/// One cell of a result row.
#[derive(Debug, Clone, PartialEq)]
enum Cell {
    Null,
    Int(i64),
    Text(String),
}

/// One result row.
#[derive(Debug, Clone)]
pub(super) struct Row(Vec<Cell>);

impl Row {
    /// The text in column `index`.
    pub fn text(&self, index: usize) -> Result<String, String> {
        match self.0.get(index) {
            Some(Cell::Text(text)) => Ok(text.clone()),
            other => Err(format!("column {index} holds {other:?} where text was expected")),
        }
    }

    /// The integer in column `index`.
    pub fn int(&self, index: usize) -> Result<i64, String> {
        match self.0.get(index) {
            Some(Cell::Int(number)) => Ok(*number),
            other => Err(format!("column {index} holds {other:?} where an integer was expected")),
        }
    }
}

/// A PostgreSQL connection with the statements it has prepared.
pub(super) struct PostgresSession {
    client: postgres::Client,
    prepared: HashMap<String, postgres::Statement>,
}

/// An open ledger database.
pub(super) enum Database {
    /// A SQLite file: one sender at a time.
    Sqlite(rusqlite::Connection),
    /// A PostgreSQL database: many senders at once.
    Postgres(RefCell<Box<PostgresSession>>),
}

impl Database {
    /// The SQLite file at `path`, created when missing (read-only: it must exist).
    pub fn sqlite(path: &Path, read_only: bool) -> Result<Database, String> {
        let connection = if read_only {
            rusqlite::Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_ONLY)
        } else {
            rusqlite::Connection::open(path)
        }
        .map_err(|e| e.to_string())?;
        connection
            .busy_timeout(std::time::Duration::from_secs(10))
            .map_err(|e| e.to_string())?;
        Ok(Database::Sqlite(connection))
    }

    /// A connection to the PostgreSQL database `url` names, its tables looked up in `schema`
    /// when one is given.
    pub fn postgres(url: &str, schema: Option<&str>) -> Result<Database, String> {
        let mut client = PostgresServer::parse(url)?.connect()?;
        if let Some(schema) = schema {
            // The name was checked to be letters, digits and `_` when the manifest was.
            client
                .batch_execute(&format!("SET search_path TO \"{schema}\""))
                .map_err(|e| described_postgres_error(&e))?;
        }
        Ok(Database::Postgres(RefCell::new(Box::new(PostgresSession {
            client,
            prepared: HashMap::new(),
        }))))
    }

    /// Whether several senders may hold it at once.
    pub fn is_shared(&self) -> bool {
        matches!(self, Database::Postgres(_))
    }

    /// Runs `sql` (statements without parameters, such as a layout).
    pub fn batch(&self, sql: &str) -> Result<(), String> {
        match self {
            Database::Sqlite(connection) => connection.execute_batch(sql).map_err(|e| e.to_string()),
            Database::Postgres(session) => session
                .borrow_mut()
                .client
                .batch_execute(sql)
                .map_err(|e| described_postgres_error(&e)),
        }
    }

    /// Starts a transaction that writes: SQLite takes its write lock at once, so that two
    /// processes never both read before either writes.
    pub fn begin(&self) -> Result<(), String> {
        self.batch(match self {
            Database::Sqlite(_) => "BEGIN IMMEDIATE",
            Database::Postgres(_) => "BEGIN",
        })
    }

    /// Inside a transaction: locks table `name` against other writers until it ends, readers
    /// still admitted (SQLite's write lock, taken by [`Database::begin`], already does).
    pub fn lock_table(&self, name: &'static str) -> Result<(), String> {
        match self {
            Database::Sqlite(_) => Ok(()),
            Database::Postgres(_) => self.batch(&format!("LOCK TABLE {name} IN SHARE ROW EXCLUSIVE MODE")),
        }
    }

    /// Runs `sql` with `params`; returns how many rows it changed.
    pub fn execute(&self, sql: &str, params: &[Param]) -> Result<usize, String> {
        match self {
            Database::Sqlite(connection) => connection
                .prepare_cached(sql)
                .and_then(|mut statement| statement.execute(rusqlite::params_from_iter(params)))
                .map_err(|e| e.to_string()),
            Database::Postgres(session) => {
                let changed = session.borrow_mut().run(sql, params, &|client, statement, params| {
                    client.execute(statement, params)
                })?;
                Ok(usize::try_from(changed).unwrap_or(usize::MAX))
            }
        }
    }

    /// The rows `sql` with `params` returns.
    pub fn query(&self, sql: &str, params: &[Param]) -> Result<Vec<Row>, String> {
        match self {
            Database::Sqlite(connection) => sqlite_rows(connection, sql, params).map_err(|e| e.to_string()),
            Database::Postgres(session) => {
                let rows = session.borrow_mut().run(sql, params, &|client, statement, params| {
                    client.query(statement, params)
                })?;
                rows.iter().map(postgres_row).collect()
            }
        }
    }

    /// Whether the database (in its schema) has a table `name`.
    pub fn has_table(&self, name: &str) -> Result<bool, String> {
        let sql = match self {
            Database::Sqlite(_) => "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = ?1",
            Database::Postgres(_) => {
                "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = current_schema() AND table_name = ?1"
            }
        };
        Ok(self
            .query(sql, &[Param::Text(name)])?
            .first()
            .map(|r| r.int(0))
            .transpose()?
            == Some(1))
    }
}

/// One call of the PostgreSQL client with a prepared statement and its parameters.
type PostgresCall<'a, T> =
    &'a dyn Fn(&mut postgres::Client, &postgres::Statement, &[&(dyn ToSql + Sync)]) -> Result<T, postgres::Error>;

impl PostgresSession {
    /// `call` with `sql` prepared (once per connection) and `params` bound, its error in words.
    fn run<T>(&mut self, sql: &str, params: &[Param], call: PostgresCall<T>) -> Result<T, String> {
        let statement = self.statement(sql)?;
        call(&mut self.client, &statement, &postgres_params(params)).map_err(|e| described_postgres_error(&e))
    }

    /// `sql` prepared once per connection (the ledger's statements are few: each batch size
    /// of a multi-row statement is one), its `?N` parameters numbered `$N`.
    fn statement(&mut self, sql: &str) -> Result<postgres::Statement, String> {
        if let Some(statement) = self.prepared.get(sql) {
            return Ok(statement.clone());
        }
        let statement = self
            .client
            .prepare(&numbered_for_postgres(sql))
            .map_err(|e| described_postgres_error(&e))?;
        self.prepared.insert(sql.to_string(), statement.clone());
        Ok(statement)
    }
}

/// `sql` with each `?N` parameter written `$N` (the ledger's SQL holds no `?` in literals).
fn numbered_for_postgres(sql: &str) -> String {
    sql.replace('?', "$")
}

/// `count` rows of a multi-row `VALUES` list, each written as `row` (its parameters as bare
/// `?`), the parameters numbered from `?1` across the rows: `(?, 'x', ?)` twice gives
/// `(?1, 'x', ?2), (?3, 'x', ?4)`.
pub(super) fn values_rows(row: &str, count: usize) -> String {
    let mut sql = String::with_capacity((row.len() + 8) * count);
    let mut number = 0;
    for index in 0..count {
        if index > 0 {
            sql.push_str(", ");
        }
        for c in row.chars() {
            if c == '?' {
                number += 1;
                sql.push_str(&format!("?{number}"));
            } else {
                sql.push(c);
            }
        }
    }
    sql
}

fn postgres_params<'a>(params: &'a [Param]) -> Vec<&'a (dyn ToSql + Sync)> {
    params
        .iter()
        .map(|param| match param {
            Param::Text(text) => text as &(dyn ToSql + Sync),
            Param::Int(number) => number as &(dyn ToSql + Sync),
        })
        .collect()
}

fn postgres_row(row: &postgres::Row) -> Result<Row, String> {
    let failed = |e: postgres::Error| described_postgres_error(&e);
    let mut cells = Vec::with_capacity(row.len());
    for (index, column) in row.columns().iter().enumerate() {
        let cell = match *column.type_() {
            Type::INT8 => row.try_get::<_, Option<i64>>(index).map_err(failed)?.map(Cell::Int),
            Type::INT4 => row
                .try_get::<_, Option<i32>>(index)
                .map_err(failed)?
                .map(|n| Cell::Int(n.into())),
            Type::TEXT | Type::VARCHAR | Type::NAME => {
                row.try_get::<_, Option<String>>(index).map_err(failed)?.map(Cell::Text)
            }
            ref other => return Err(format!("column `{}` has the unexpected type {other}", column.name())),
        };
        cells.push(cell.unwrap_or(Cell::Null));
    }
    Ok(Row(cells))
}

fn sqlite_rows(connection: &rusqlite::Connection, sql: &str, params: &[Param]) -> rusqlite::Result<Vec<Row>> {
    let mut statement = connection.prepare_cached(sql)?;
    let width = statement.column_count();
    let mut rows = statement.query(rusqlite::params_from_iter(params))?;
    let mut read = Vec::new();
    while let Some(row) = rows.next()? {
        let mut cells = Vec::with_capacity(width);
        for index in 0..width {
            cells.push(match row.get_ref(index)? {
                ValueRef::Null => Cell::Null,
                ValueRef::Integer(number) => Cell::Int(number),
                ValueRef::Text(text) => Cell::Text(String::from_utf8_lossy(text).into_owned()),
                other => {
                    let name = statement_column_name(row, index);
                    return Err(rusqlite::Error::InvalidColumnType(index, name, other.data_type()));
                }
            });
        }
        read.push(Row(cells));
    }
    Ok(read)
}

fn statement_column_name(row: &rusqlite::Row, index: usize) -> String {
    row.as_ref()
        .column_name(index)
        .map_or_else(|_| index.to_string(), str::to_string)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_of_a_values_list_number_their_parameters_across_rows() {
        assert_eq!(values_rows("(?, 'x', ?)", 2), "(?1, 'x', ?2), (?3, 'x', ?4)");
        assert_eq!(numbered_for_postgres("(?1, ?12)"), "($1, $12)");
    }
}
