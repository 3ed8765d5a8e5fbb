//! One row of a CSV or NDJSON file, read once for all of its cells: an NDJSON line is parsed
//! and a CSV record split into fields when its row is taken, and every cell of the row is then
//! looked up in that.

use std::borrow::Cow;

use super::json_cell::JsonCell;
use super::ColumnBuilder;

/// Why a row whose line holds bytes that are not UTF-8 cannot be read.
pub(super) const NOT_UTF8: &str = "valid UTF-8 text (the line holds bytes that are not UTF-8; save the file as UTF-8)";

/// One column of a [`super::SourceRows`], ready to be read row by row.
pub enum SourceColumn<'a> {
    /// An NDJSON key.
    Json(&'a str),
    /// A CSV column: its place in the header.
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
    /// An NDJSON line's object, or why the line is not one.
    Ndjson(Result<JsonCell<'a>, String>),
    /// A CSV record's fields, or why it cannot be read.
    Record(Result<Vec<Cow<'a, str>>, String>),
}

impl<'a> SourceRow<'a> {
    /// Row `row` of an NDJSON file: its line's object, or why the line is not one.
    pub(super) fn ndjson(row: usize, object: Result<JsonCell<'a>, String>) -> SourceRow<'a> {
        SourceRow {
            row,
            cells: Cells::Ndjson(object),
        }
    }

    /// Row `row` of a CSV file: its record's fields, or why it cannot be read.
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

    /// The CSV field at `place` (`None` when the record is shorter, or the row is not CSV).
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
            SourceColumn::Json(key) => self.cell(key).map_or(Cow::Borrowed(""), JsonCell::text),
            SourceColumn::Field(place) => Cow::Borrowed(self.field(*place).unwrap_or("")),
            SourceColumn::Missing => Cow::Borrowed(""),
        }
    }

    /// Pushes the cell in `column` into `builder`, checked against the builder's type.
    pub fn push(&self, column: &SourceColumn, builder: &mut ColumnBuilder) -> Result<(), String> {
        match column {
            SourceColumn::Json(key) => builder.push_cell(self.cell(key)),
            SourceColumn::Field(place) => builder.push_text(self.field(*place)),
            SourceColumn::Missing => builder.push_cell(None),
        }
    }
}
