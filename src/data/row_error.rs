//! A dataset value that does not fit the schema.

use std::fmt;

/// Where a bad value is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum RowPosition {
    /// A 1-based physical line (CSV: the header is line 1; NDJSON).
    Line(usize),
    /// A 0-based row index (Parquet).
    Row(usize),
}

/// One bad value (or row) in a dataset file.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct RowError {
    /// The file as given in the schema.
    pub file: String,
    /// Line or row.
    pub position: RowPosition,
    /// Stable code, such as `data::bad-value`.
    pub code: &'static str,
    /// The column (empty for a whole-row problem).
    pub column: String,
    /// The offending value as written (empty when absent).
    pub value: String,
    /// What was expected.
    pub expected: String,
}

impl RowError {
    /// Moves the error `lines` lines further down its file (a part read from the middle of a
    /// file counts its lines from its own start).
    pub fn move_down(&mut self, lines: usize) {
        if let RowPosition::Line(line) = &mut self.position {
            *line += lines;
        }
    }
}

impl fmt::Display for RowPosition {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RowPosition::Line(line) => write!(f, "line {line}"),
            RowPosition::Row(row) => write!(f, "row {row}"),
        }
    }
}

impl fmt::Display for RowError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let position = self.position;
        if self.column.is_empty() {
            write!(f, "{}: {position}: {}", self.file, self.expected)
        } else if self.value.is_empty() && self.code == "data::bad-value" {
            write!(
                f,
                "{}: {position}: column `{}` is empty; expected {}",
                self.file, self.column, self.expected
            )
        } else if self.value.is_empty() {
            write!(
                f,
                "{}: {position}: column `{}`: expected {}",
                self.file, self.column, self.expected
            )
        } else {
            write!(
                f,
                "{}: {position}: column `{}`: `{}` is not {}",
                self.file, self.column, self.value, self.expected
            )
        }
    }
}
