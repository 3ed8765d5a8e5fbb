//! One column of a PostgreSQL table filled row by row as the rows stream in, then turned into
//! a polars column of the type its [`ColumnKind`] reads as (the rows themselves are not kept).

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use polars::prelude::*;
use postgres::types::FromSql;
use postgres::Row;

use crate::model::ColumnKind;

/// The values of one column so far.
pub enum PostgresColumn {
    /// Text.
    Text(StringChunkedBuilder),
    /// Integers.
    Int(Vec<Option<i64>>),
    /// Floats.
    Float(Vec<Option<f64>>),
    /// Booleans.
    Bool(Vec<Option<bool>>),
    /// Days since 1970-01-01.
    Date(Vec<Option<i32>>),
    /// Microseconds since 1970-01-01 UTC, and whether the column had a zone.
    Timestamp(Vec<Option<i64>>, bool),
    /// Arrays of text.
    TextList(Vec<Option<Series>>),
}

/// Column `index` of `row` as a `T`.
fn cell<'r, T: FromSql<'r>>(row: &'r Row, index: usize) -> Result<Option<T>, String> {
    row.try_get::<_, Option<T>>(index).map_err(|e| e.to_string())
}

impl PostgresColumn {
    /// An empty column read as `kind`.
    pub fn new(kind: ColumnKind) -> PostgresColumn {
        match kind {
            ColumnKind::Text => PostgresColumn::Text(StringChunkedBuilder::new(PlSmallStr::EMPTY, 1024)),
            ColumnKind::Int => PostgresColumn::Int(Vec::new()),
            ColumnKind::Float => PostgresColumn::Float(Vec::new()),
            ColumnKind::Bool => PostgresColumn::Bool(Vec::new()),
            ColumnKind::Date => PostgresColumn::Date(Vec::new()),
            ColumnKind::Timestamp => PostgresColumn::Timestamp(Vec::new(), false),
            ColumnKind::TimestampUtc => PostgresColumn::Timestamp(Vec::new(), true),
            ColumnKind::TextList => PostgresColumn::TextList(Vec::new()),
        }
    }

    /// Adds column `index` of `row`.
    pub fn push(&mut self, row: &Row, index: usize) -> Result<(), String> {
        match self {
            PostgresColumn::Text(builder) => builder.append_option(cell::<&str>(row, index)?),
            PostgresColumn::Int(values) => values.push(cell(row, index)?),
            PostgresColumn::Float(values) => values.push(cell(row, index)?),
            PostgresColumn::Bool(values) => values.push(cell(row, index)?),
            PostgresColumn::Date(values) => {
                let epoch = NaiveDate::from_ymd_opt(1970, 1, 1).unwrap_or_default();
                let day = cell::<NaiveDate>(row, index)?;
                values.push(day.map(|d| (d - epoch).num_days() as i32));
            }
            PostgresColumn::Timestamp(values, true) => {
                values.push(cell::<DateTime<Utc>>(row, index)?.map(|t| t.timestamp_micros()));
            }
            PostgresColumn::Timestamp(values, false) => {
                values.push(cell::<NaiveDateTime>(row, index)?.map(|t| t.and_utc().timestamp_micros()));
            }
            PostgresColumn::TextList(values) => {
                let list = cell::<Vec<Option<String>>>(row, index)?;
                values.push(list.map(|items| Series::new(PlSmallStr::EMPTY, items)));
            }
        }
        Ok(())
    }

    /// The column named `name`.
    pub fn finish(self, name: &str) -> Result<Column, String> {
        let name: PlSmallStr = name.into();
        let cast = |column: Column, ty: DataType| column.cast(&ty).map_err(|e| e.to_string());
        Ok(match self {
            PostgresColumn::Text(builder) => builder.finish().into_series().with_name(name).into(),
            PostgresColumn::Int(values) => Column::new(name, values),
            PostgresColumn::Float(values) => Column::new(name, values),
            PostgresColumn::Bool(values) => Column::new(name, values),
            PostgresColumn::Date(values) => cast(Column::new(name, values), DataType::Date)?,
            PostgresColumn::Timestamp(values, zoned) => {
                let zone = zoned.then_some(TimeZone::UTC);
                cast(
                    Column::new(name, values),
                    DataType::Datetime(TimeUnit::Microseconds, zone),
                )?
            }
            PostgresColumn::TextList(values) => {
                let series = values
                    .into_iter()
                    .collect::<ListChunked>()
                    .into_series()
                    .with_name(name);
                cast(series.into(), DataType::List(Box::new(DataType::String)))?
            }
        })
    }
}
