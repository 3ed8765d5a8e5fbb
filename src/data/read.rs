//! Reading a dataset file into rows of cells, whatever its format.

use std::fs;
use std::io::{BufRead, BufReader};
use std::path::Path;

use polars::prelude::*;
use serde_json::{Map, Value as Json};

use super::{ColumnBuilder, LoadError, RowPosition};

/// One NDJSON line: its 1-based number and its object, or why it is not one.
pub type JsonLine = (usize, Result<Map<String, Json>, String>);

/// A dataset file as read: rows of text or JSON cells to type one by one, or an already
/// typed frame (Parquet) to check column by column.
pub enum Source {
    /// CSV or NDJSON.
    Rows(SourceRows),
    /// Parquet.
    Typed(DataFrame),
}

/// The rows of a CSV or NDJSON file, before typing.
pub enum SourceRows {
    /// CSV read by polars with every column as text.
    Csv(DataFrame),
    /// NDJSON, one JSON object (or the reason it is not one) per non-blank line.
    Ndjson(Vec<JsonLine>),
}

/// One column of a [`SourceRows`], ready to be read row by row.
pub enum SourceColumn<'a> {
    /// A CSV column.
    Text(&'a StringChunked),
    /// An NDJSON key.
    Json(&'a str),
    /// The file has no such column: every cell is absent.
    Missing,
}

fn io_error(path: &Path, message: impl ToString) -> LoadError {
    LoadError::Io {
        path: path.to_path_buf(),
        message: message.to_string(),
    }
}

impl Source {
    /// Reads `path` by its extension.
    pub fn read(path: &Path) -> Result<Source, LoadError> {
        let extension = path.extension().and_then(|e| e.to_str()).unwrap_or("");
        let text_path = path.to_string_lossy().into_owned();
        match extension {
            "csv" => {
                let frame = LazyCsvReader::new(PlRefPath::new(&text_path))
                    .with_has_header(true)
                    .with_infer_schema_length(Some(0))
                    .finish()
                    .and_then(LazyFrame::collect)
                    .map_err(|e| io_error(path, e))?;
                Ok(Source::Rows(SourceRows::Csv(frame)))
            }
            "ndjson" | "jsonl" => {
                let file = fs::File::open(path).map_err(|e| io_error(path, e))?;
                let mut rows = Vec::new();
                for (index, line) in BufReader::new(file).lines().enumerate() {
                    let line = line.map_err(|e| io_error(path, e))?;
                    if line.trim().is_empty() {
                        continue;
                    }
                    let row = match serde_json::from_str::<Json>(&line) {
                        Ok(Json::Object(map)) => Ok(map),
                        Ok(_) => Err("a JSON object on each line".to_string()),
                        Err(error) => Err(format!("valid JSON ({error})")),
                    };
                    rows.push((index + 1, row));
                }
                Ok(Source::Rows(SourceRows::Ndjson(rows)))
            }
            "parquet" => {
                let frame = LazyFrame::scan_parquet(
                    PlRefPath::new(&text_path),
                    ScanArgsParquet {
                        low_memory: true,
                        ..ScanArgsParquet::default()
                    },
                )
                .and_then(super::streaming::collect_streaming)
                .map_err(|e| io_error(path, e))?;
                Ok(Source::Typed(frame))
            }
            other => Err(io_error(path, format!("unsupported dataset format `.{other}`"))),
        }
    }
}

impl SourceRows {
    /// Number of rows.
    pub fn len(&self) -> usize {
        match self {
            SourceRows::Csv(frame) => frame.height(),
            SourceRows::Ndjson(rows) => rows.len(),
        }
    }

    /// Where row `row` is, for error messages.
    pub fn position(&self, row: usize) -> RowPosition {
        match self {
            SourceRows::Csv(_) => RowPosition::Line(row + 2),
            SourceRows::Ndjson(rows) => RowPosition::Line(rows[row].0),
        }
    }

    /// Why a row cannot be read at all (an NDJSON line that is not an object).
    pub fn row_problem(&self, row: usize) -> Option<&str> {
        match self {
            SourceRows::Ndjson(rows) => rows[row].1.as_ref().err().map(String::as_str),
            SourceRows::Csv(_) => None,
        }
    }

    /// Whether the file has a column called `name` (NDJSON: always, keys are per line).
    pub fn has_column(&self, name: &str) -> bool {
        match self {
            SourceRows::Csv(frame) => frame.column(name).is_ok(),
            SourceRows::Ndjson(_) => true,
        }
    }

    /// The column called `name`.
    pub fn column<'a>(&'a self, name: &'a str) -> SourceColumn<'a> {
        match self {
            SourceRows::Csv(frame) => match frame.column(name).ok().and_then(|c| c.str().ok()) {
                Some(text) => SourceColumn::Text(text),
                None => SourceColumn::Missing,
            },
            SourceRows::Ndjson(_) => SourceColumn::Json(name),
        }
    }

    /// Pushes the cell at (`row`, `column`) into `builder`.
    pub fn push(&self, row: usize, column: &SourceColumn, builder: &mut ColumnBuilder) -> Result<(), String> {
        match column {
            SourceColumn::Text(text) => builder.push_text(text.get(row)),
            SourceColumn::Json(key) => {
                let SourceRows::Ndjson(rows) = self else {
                    return builder.push_json(None);
                };
                builder.push_json(rows[row].1.as_ref().ok().and_then(|map| map.get(*key)))
            }
            SourceColumn::Missing => builder.push_json(None),
        }
    }

    /// The cell at (`row`, `column`) as text, for error messages and row identities.
    pub fn text(&self, row: usize, column: &SourceColumn) -> String {
        match column {
            SourceColumn::Text(text) => text.get(row).unwrap_or("").to_string(),
            SourceColumn::Json(key) => match self {
                SourceRows::Ndjson(rows) => match rows[row].1.as_ref().ok().and_then(|map| map.get(*key)) {
                    Some(Json::String(s)) => s.clone(),
                    Some(Json::Null) | None => String::new(),
                    Some(other) => other.to_string(),
                },
                _ => String::new(),
            },
            SourceColumn::Missing => String::new(),
        }
    }
}
