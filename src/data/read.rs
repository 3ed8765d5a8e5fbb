//! Reading a dataset file into rows of cells, whatever its format.

use std::collections::HashSet;
use std::fs;
use std::io::Read;
use std::path::Path;

use polars::prelude::*;

use super::csv_records::CsvRecords;
use super::database_table::DatabaseTable;
use super::flat_json::flat_object;
use super::json_cell::JsonCell;
use super::line_parts::each_line_in;
use super::source_row::{SourceColumn, SourceRow, NOT_UTF8};
use super::{LoadError, RowPosition};
use crate::model::is_table_source;

/// A line of an NDJSON file: its 1-based number and where its text is in the file's text.
#[derive(Debug, Clone, Copy)]
struct Line {
    number: usize,
    start: usize,
    end: usize,
}

/// The non-blank lines of an NDJSON file: the file's text in one piece and where each line is,
/// parsed when their row is read. A large file costs its text and a few words per line, not a
/// string or a JSON tree per line; rows can be read from several threads at once.
pub struct NdjsonLines {
    text: String,
    lines: Vec<Line>,
    /// Rows whose line is not valid UTF-8 (kept, lossily, so every other row still loads).
    not_utf8: HashSet<usize>,
}

impl NdjsonLines {
    /// The text of line `row`.
    fn text(&self, row: usize) -> &str {
        self.lines.get(row).map_or("", |l| &self.text[l.start..l.end])
    }

    /// Line `row`, parsed: its object, or why it is not one.
    fn row(&self, row: usize) -> SourceRow<'_> {
        let line = (!self.not_utf8.contains(&row)).then(|| self.text(row));
        SourceRow::ndjson(row, parsed_line(line))
    }
}

/// An NDJSON line (`None` when it is not UTF-8) as a row's cells: its object, or why it is
/// not one. A line that is not UTF-8 is not parsed at all: that is the row's error. A flat
/// line is read by [`flat_object`]'s scan, any other by serde_json.
pub(super) fn parsed_line(line: Option<&str>) -> Result<JsonCell<'_>, String> {
    let Some(line) = line else {
        return Err(NOT_UTF8.to_string());
    };
    if let Some(fields) = flat_object(line) {
        return Ok(JsonCell::Object(fields));
    }
    match serde_json::from_str::<JsonCell>(line) {
        Ok(object @ JsonCell::Object(_)) => Ok(object),
        Ok(_) => Err("a JSON object on each line".to_string()),
        Err(error) => Err(format!("valid JSON ({error})")),
    }
}

/// The format of a dataset file, by its extension.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileFormat {
    /// `.csv`.
    Csv,
    /// `.ndjson` or `.jsonl`.
    Ndjson,
    /// `.parquet`.
    Parquet,
}

/// The format of the file at `path` (`None`: a database table, or an extension tailor does
/// not read).
pub fn file_format(path: &Path) -> Option<FileFormat> {
    if is_table_source(&path.to_string_lossy()) {
        return None;
    }
    match path.extension().and_then(|e| e.to_str()) {
        Some("csv") => Some(FileFormat::Csv),
        Some("ndjson" | "jsonl") => Some(FileFormat::Ndjson),
        Some("parquet") => Some(FileFormat::Parquet),
        _ => None,
    }
}

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
    /// CSV, its records held whole and split into fields as rows are read.
    Csv(CsvRecords),
    /// NDJSON, one JSON object per non-blank line, parsed as rows are read.
    Ndjson(NdjsonLines),
}

impl Source {
    /// Reads an append-only NDJSON log (`tailor serve`'s event log): like an NDJSON dataset,
    /// but a last line without its line break was never acknowledged and is left out.
    pub fn read_journal(path: &Path) -> Result<Source, LoadError> {
        read_ndjson(path, false)
    }

    /// Reads `path` by its extension, or the database table it names
    /// (`postgres://host/db?table=name`, `sc://host:15002?table=name`, [`DatabaseTable`]).
    pub fn read(path: &Path) -> Result<Source, LoadError> {
        if is_table_source(&path.to_string_lossy()) {
            return Ok(Source::Typed(DatabaseTable::of(path)?.read(path)?));
        }
        let text_path = path.to_string_lossy().into_owned();
        match file_format(path) {
            Some(FileFormat::Csv) => Ok(Source::Rows(SourceRows::Csv(CsvRecords::read(path)?))),
            Some(FileFormat::Ndjson) => read_ndjson(path, true),
            Some(FileFormat::Parquet) => {
                let scan = || {
                    LazyFrame::scan_parquet(
                        PlRefPath::new(&text_path),
                        ScanArgsParquet {
                            low_memory: true,
                            ..ScanArgsParquet::default()
                        },
                    )
                    .and_then(super::streaming::collect_streaming)
                };
                // polars panics on some Arrow types it does not support: that is this file's
                // problem, reported as such, never a crash.
                let frame = std::panic::catch_unwind(std::panic::AssertUnwindSafe(scan))
                    .map_err(|panic| {
                        let why = panic
                            .downcast_ref::<String>()
                            .cloned()
                            .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
                            .unwrap_or_else(|| "unreadable".to_string());
                        LoadError::io(
                            path,
                            format!("a column type tailor cannot read ({why}) [data::wrong-column-type]"),
                        )
                    })?
                    .map_err(|e| LoadError::io(path, e))?;
                Ok(Source::Typed(frame))
            }
            None => {
                let extension = path.extension().and_then(|e| e.to_str()).unwrap_or("");
                Err(LoadError::io(
                    path,
                    format!("unsupported dataset format `.{extension}`"),
                ))
            }
        }
    }
}

/// Reads an NDJSON file's rows into one text, with where each is; without
/// `keep_unterminated`, a last line that does not end in a line break (a write cut short) is
/// left out.
fn read_ndjson(path: &Path, keep_unterminated: bool) -> Result<Source, LoadError> {
    let mut rows = NdjsonLines {
        text: String::new(),
        lines: Vec::new(),
        not_utf8: HashSet::new(),
    };
    let mut number = 0;
    each_line_in(path, 0..u64::MAX, |bytes| {
        number += 1;
        let Some(text) = ndjson_row(bytes) else {
            return;
        };
        let start = rows.text.len();
        match text {
            Ok(text) => rows.text.push_str(text),
            // A line that is not UTF-8 is kept lossily, so that every other row still loads.
            Err(bytes) => {
                rows.not_utf8.insert(rows.lines.len());
                rows.text.push_str(&String::from_utf8_lossy(bytes));
            }
        }
        let end = rows.text.len();
        rows.lines.push(Line { number, start, end });
    })
    .map_err(|e| LoadError::io(path, e))?;
    let last_is_row = rows.lines.last().is_some_and(|l| l.number == number);
    if !keep_unterminated && last_is_row && ends_unterminated(path)? {
        rows.lines.pop();
        rows.not_utf8.remove(&rows.lines.len());
    }
    Ok(Source::Rows(SourceRows::Ndjson(rows)))
}

/// What an NDJSON line (without its `\n`) holds: `None` when it is blank (not a row), else its
/// text without a final `\r`, or its bytes when they are not UTF-8.
pub(super) fn ndjson_row(bytes: &[u8]) -> Option<Result<&str, &[u8]>> {
    let bytes = bytes.strip_suffix(b"\r").unwrap_or(bytes);
    match std::str::from_utf8(bytes) {
        Ok(text) if text.trim().is_empty() => None,
        Ok(text) => Some(Ok(text)),
        Err(_) => Some(Err(bytes)),
    }
}

/// Whether the file at `path` is not empty and its last byte is not a line break (an appended
/// line cut short).
pub fn ends_unterminated(path: &Path) -> Result<bool, LoadError> {
    use std::io::{Seek, SeekFrom};
    let mut file = fs::File::open(path).map_err(|e| LoadError::io(path, e))?;
    let length = file.metadata().map_err(|e| LoadError::io(path, e))?.len();
    if length == 0 {
        return Ok(false);
    }
    let mut last = [0u8];
    file.seek(SeekFrom::Start(length - 1))
        .and_then(|_| file.read_exact(&mut last))
        .map_err(|e| LoadError::io(path, e))?;
    Ok(last[0] != b'\n')
}

impl SourceRows {
    /// Number of rows.
    pub fn len(&self) -> usize {
        match self {
            SourceRows::Csv(records) => records.len(),
            SourceRows::Ndjson(rows) => rows.lines.len(),
        }
    }

    /// Where row `row` is, for error messages.
    pub fn position(&self, row: usize) -> RowPosition {
        match self {
            SourceRows::Csv(records) => RowPosition::Line(records.line_of(row)),
            SourceRows::Ndjson(rows) => RowPosition::Line(rows.lines.get(row).map_or(0, |l| l.number)),
        }
    }

    /// Row `row`, read once for all of its cells.
    pub fn row(&self, row: usize) -> SourceRow<'_> {
        match self {
            SourceRows::Csv(records) => records.row(row),
            SourceRows::Ndjson(rows) => rows.row(row),
        }
    }

    /// The text of NDJSON row `row` as its line holds it (`None` for CSV).
    pub fn line(&self, row: usize) -> Option<&str> {
        match self {
            SourceRows::Ndjson(rows) => (row < rows.lines.len()).then(|| rows.text(row)),
            SourceRows::Csv(..) => None,
        }
    }

    /// The file's column names (CSV: the header; NDJSON: none, keys are per line).
    pub fn column_names(&self) -> Vec<String> {
        match self {
            SourceRows::Csv(records) => records.names().to_vec(),
            SourceRows::Ndjson(_) => Vec::new(),
        }
    }

    /// Whether the file has a column called `name` (NDJSON: always, keys are per line).
    pub fn has_column(&self, name: &str) -> bool {
        match self {
            SourceRows::Csv(records) => records.names().iter().any(|n| n == name),
            SourceRows::Ndjson(_) => true,
        }
    }

    /// The column called `name`.
    pub fn column<'a>(&'a self, name: &'a str) -> SourceColumn<'a> {
        match self {
            SourceRows::Csv(records) => records.column(name),
            SourceRows::Ndjson(_) => SourceColumn::Json(name),
        }
    }
}
