//! One column of a table in a database filled as its rows stream in — a PostgreSQL row at a
//! time ([`StreamedColumn::push`]) or a Spark Arrow batch at a time — then turned into a polars
//! column of the type its [`ColumnKind`] reads as (the rows themselves are not kept).

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use polars::prelude::*;
use postgres::types::FromSql;
use postgres::Row;

use crate::model::ColumnKind;

/// The values of one column so far, in polars' own builders (a value and a validity bit each).
pub enum StreamedColumn {
    /// Text.
    Text(StringChunkedBuilder),
    /// Integers.
    Int(PrimitiveChunkedBuilder<Int64Type>),
    /// Floats.
    Float(PrimitiveChunkedBuilder<Float64Type>),
    /// Booleans.
    Bool(BooleanChunkedBuilder),
    /// Days since 1970-01-01.
    Date(PrimitiveChunkedBuilder<Int32Type>),
    /// Microseconds since 1970-01-01 UTC, and whether the column had a zone.
    Timestamp(PrimitiveChunkedBuilder<Int64Type>, bool),
    /// Arrays of text.
    TextList(ListStringChunkedBuilder),
}

/// Rows a column's builders are sized for at first (they grow as needed).
const INITIAL_ROWS: usize = 1024;

/// Column `index` of `row` as a `T`.
fn cell<'r, T: FromSql<'r>>(row: &'r Row, index: usize) -> Result<Option<T>, String> {
    row.try_get::<_, Option<T>>(index).map_err(|e| e.to_string())
}

impl StreamedColumn {
    /// An empty column read as `kind`.
    pub fn new(kind: ColumnKind) -> StreamedColumn {
        let name = PlSmallStr::EMPTY;
        match kind {
            ColumnKind::Text => StreamedColumn::Text(StringChunkedBuilder::new(name, INITIAL_ROWS)),
            ColumnKind::Int => StreamedColumn::Int(PrimitiveChunkedBuilder::new(name, INITIAL_ROWS)),
            ColumnKind::Float => StreamedColumn::Float(PrimitiveChunkedBuilder::new(name, INITIAL_ROWS)),
            ColumnKind::Bool => StreamedColumn::Bool(BooleanChunkedBuilder::new(name, INITIAL_ROWS)),
            ColumnKind::Date => StreamedColumn::Date(PrimitiveChunkedBuilder::new(name, INITIAL_ROWS)),
            ColumnKind::Timestamp => StreamedColumn::Timestamp(PrimitiveChunkedBuilder::new(name, INITIAL_ROWS), false),
            ColumnKind::TimestampUtc => {
                StreamedColumn::Timestamp(PrimitiveChunkedBuilder::new(name, INITIAL_ROWS), true)
            }
            ColumnKind::TextList => {
                StreamedColumn::TextList(ListStringChunkedBuilder::new(name, INITIAL_ROWS, 4 * INITIAL_ROWS))
            }
        }
    }

    /// Adds column `index` of `row`.
    pub fn push(&mut self, row: &Row, index: usize) -> Result<(), String> {
        match self {
            StreamedColumn::Text(builder) => builder.append_option(cell::<&str>(row, index)?),
            StreamedColumn::Int(builder) => builder.append_option(cell(row, index)?),
            StreamedColumn::Float(builder) => builder.append_option(cell(row, index)?),
            StreamedColumn::Bool(builder) => builder.append_option(cell(row, index)?),
            StreamedColumn::Date(builder) => {
                let epoch = NaiveDate::from_ymd_opt(1970, 1, 1).unwrap_or_default();
                let day = cell::<NaiveDate>(row, index)?;
                builder.append_option(day.map(|d| (d - epoch).num_days() as i32));
            }
            StreamedColumn::Timestamp(builder, true) => {
                builder.append_option(cell::<DateTime<Utc>>(row, index)?.map(|t| t.timestamp_micros()));
            }
            StreamedColumn::Timestamp(builder, false) => {
                builder.append_option(cell::<NaiveDateTime>(row, index)?.map(|t| t.and_utc().timestamp_micros()));
            }
            StreamedColumn::TextList(builder) => match cell::<Vec<Option<&str>>>(row, index)? {
                Some(items) => builder.append_trusted_len_iter(items.iter().copied()),
                None => builder.append_null(),
            },
        }
        Ok(())
    }

    /// The column named `name`.
    pub fn finish(self, name: &str) -> Result<Column, String> {
        let name: PlSmallStr = name.into();
        let cast = |series: Series, ty: DataType| series.cast(&ty).map(Column::from).map_err(|e| e.to_string());
        Ok(match self {
            StreamedColumn::Text(builder) => builder.finish().into_series().with_name(name).into(),
            StreamedColumn::Int(builder) => builder.finish().into_series().with_name(name).into(),
            StreamedColumn::Float(builder) => builder.finish().into_series().with_name(name).into(),
            StreamedColumn::Bool(builder) => builder.finish().into_series().with_name(name).into(),
            StreamedColumn::Date(builder) => cast(builder.finish().into_series().with_name(name), DataType::Date)?,
            StreamedColumn::Timestamp(builder, zoned) => {
                let zone = zoned.then_some(TimeZone::UTC);
                cast(
                    builder.finish().into_series().with_name(name),
                    DataType::Datetime(TimeUnit::Microseconds, zone),
                )?
            }
            StreamedColumn::TextList(mut builder) => builder.finish().into_series().with_name(name).into(),
        })
    }
}
