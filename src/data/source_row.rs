//! One row of a CSV or NDJSON file, read once for all of its cells: an NDJSON line is parsed
//! when its row is taken, and every cell of the row is then looked up in that parse.

use std::borrow::Cow;

use polars::prelude::StringChunked;

use super::json_cell::JsonCell;
use super::ColumnBuilder;

/// One column of a [`super::SourceRows`], ready to be read row by row.
pub enum SourceColumn<'a> {
    /// A CSV column.
    Text(&'a StringChunked),
    /// An NDJSON key.
    Json(&'a str),
    /// A CSV column read record by record: its place in the header.
    Field(usize),
    /// The file has no such column: every cell is absent.
    Missing,
}

/// A row of a [`super::SourceRows`], its cells ready to read.
pub struct SourceRow<'a> {
    row: usize,
    cells: Cells<'a>,
}

/// Where a row's cells come from.
enum Cells<'a> {
    /// A CSV record: its cells are in the file's text columns, at `row`; why the record cannot
    /// be read, if it cannot.
    Csv(Option<String>),
    /// An NDJSON line's object, or why the line is not one.
    Ndjson(Result<JsonCell<'a>, String>),
    /// A CSV record's fields, or why it cannot be read.
    Record(Result<Vec<Cow<'a, str>>, String>),
}

impl<'a> SourceRow<'a> {
    /// Row `row` of a CSV file, with why its record cannot be read (a ragged line).
    pub(super) fn csv(row: usize, problem: Option<String>) -> SourceRow<'a> {
        SourceRow {
            row,
            cells: Cells::Csv(problem),
        }
    }

    /// Row `row` of an NDJSON file: its line's object, or why the line is not one.
    pub(super) fn ndjson(row: usize, object: Result<JsonCell<'a>, String>) -> SourceRow<'a> {
        SourceRow {
            row,
            cells: Cells::Ndjson(object),
        }
    }

    /// Row `row` of a CSV file read record by record: its fields, or why it cannot be read.
    pub(super) fn record(row: usize, fields: Result<Vec<Cow<'a, str>>, String>) -> SourceRow<'a> {
        SourceRow {
            row,
            cells: Cells::Record(fields),
        }
    }

    /// The row's index in its file's rows.
    pub fn index(&self) -> usize {
        self.row
    }

    /// Why the row cannot be read at all (an NDJSON line that is not an object, a CSV record
    /// with more fields than the header).
    pub fn problem(&self) -> Option<&str> {
        match &self.cells {
            Cells::Csv(problem) => problem.as_deref(),
            Cells::Ndjson(object) => object.as_ref().err().map(String::as_str),
            Cells::Record(fields) => fields.as_ref().err().map(String::as_str),
        }
    }

    /// The NDJSON value under `key` (`None` when absent, or for CSV).
    pub fn cell(&self, key: &str) -> Option<&JsonCell<'a>> {
        match &self.cells {
            Cells::Ndjson(Ok(object)) => object.get(key),
            _ => None,
        }
    }

    /// The CSV field at `place` (`None` when the record is shorter, or not CSV read record by
    /// record).
    fn field(&self, place: usize) -> Option<&str> {
        match &self.cells {
            Cells::Record(Ok(fields)) => fields.get(place).map(|f| f.as_ref()),
            _ => None,
        }
    }

    /// The cell in `column` as text, for error messages, keys and row identities: a JSON
    /// string as it is, `null` or absent as empty, any other JSON value as its JSON.
    pub fn text<'s>(&'s self, column: &'s SourceColumn) -> Cow<'s, str> {
        match column {
            SourceColumn::Text(text) => Cow::Borrowed(text.get(self.row).unwrap_or("")),
            SourceColumn::Json(key) => self.cell(key).map_or(Cow::Borrowed(""), JsonCell::text),
            SourceColumn::Field(place) => Cow::Borrowed(self.field(*place).unwrap_or("")),
            SourceColumn::Missing => Cow::Borrowed(""),
        }
    }

    /// Pushes the cell in `column` into `builder`, checked against the builder's type.
    pub fn push(&self, column: &SourceColumn, builder: &mut ColumnBuilder) -> Result<(), String> {
        match column {
            SourceColumn::Text(text) => builder.push_text(text.get(self.row)),
            SourceColumn::Json(key) => builder.push_cell(self.cell(key)),
            SourceColumn::Field(place) => builder.push_text(self.field(*place)),
            SourceColumn::Missing => builder.push_cell(None),
        }
    }
}
