//! Loading events from a file (NDJSON and CSV read in parallel byte ranges, Parquet column by
//! column) or from rows read already (`tailor serve`'s event log) into the event table.

use std::ops::Range;
use std::path::Path;

use polars::prelude::*;

use super::csv_record::{each_record_in, fields_under, CsvHeader};
use super::event_layout::{profile_keys, EventLayout};
use super::event_parts::{load_in_ranges, load_part, parts_of_file, put_together, starts_inside_quotes, Part};
use super::line_parts::each_line_in;
use super::parts::{in_parallel, row_ranges};
use super::read::{file_format, ndjson_row, parsed_line, FileFormat, Source, SourceRows};
use super::source_row::{SourceColumn, SourceRow};
use super::table::require_columns;
use super::{LoadError, LoadOptions, RowError, RowPosition, TableReport};
use crate::model::DataSchema;

/// Loads the events of `path`; events of users not in `profiles` are dropped and counted.
pub fn load_events(
    path: &Path,
    schema: &DataSchema,
    profiles: &DataFrame,
    options: LoadOptions,
    errors: &mut Vec<RowError>,
    reports: &mut Vec<TableReport>,
) -> Result<DataFrame, LoadError> {
    match file_format(path) {
        Some(FileFormat::Ndjson) => return load_ndjson_events(path, schema, profiles, options, errors, reports),
        Some(FileFormat::Csv) => return load_csv_events(path, schema, profiles, options, errors, reports),
        _ => {}
    }
    match Source::read(path)? {
        Source::Rows(rows) => load_event_rows(path, &rows, schema, profiles, options, errors, reports),
        Source::Typed(frame) => super::parquet::load_events(path, frame, schema, profiles, options, errors, reports),
    }
}

/// Loads the events in `rows` (read whole from `path`: `tailor serve`'s event log); events of
/// users not in `profiles` are dropped and counted. Many rows are typed in parallel parts, one
/// per core, put together in file order: the frame, the errors and the counts are those of one
/// pass.
pub fn load_event_rows(
    path: &Path,
    rows: &SourceRows,
    schema: &DataSchema,
    profiles: &DataFrame,
    options: LoadOptions,
    errors: &mut Vec<RowError>,
    reports: &mut Vec<TableReport>,
) -> Result<DataFrame, LoadError> {
    let required = required_columns(schema);
    require_columns(path, &required, |n| rows.has_column(n), || rows.column_names())?;
    let known_users = profile_keys(profiles, schema);
    let layout = EventLayout::new(|name| rows.column(name), schema);
    let parts: Vec<Part> = in_parallel(path, row_ranges(rows.len()), |range| {
        load_part(path, &layout, &known_users, options, range.len(), |row| {
            for index in range {
                row(rows.position(index), rows.row(index));
            }
            Ok((0, 0))
        })
    })
    .into_iter()
    .collect::<Result<Vec<_>, _>>()?;
    put_together(path, parts, &layout, options, errors, reports)
}

/// The columns an events file must have: user, type, time, and the id when the schema
/// names one.
fn required_columns(schema: &DataSchema) -> Vec<&str> {
    let names = &schema.event_columns;
    let mut required = vec![names.user.as_str(), names.event_type.as_str(), names.time.as_str()];
    required.extend(names.id.as_deref());
    required
}

/// Loads the events of the NDJSON file at `path` in parallel parts (see [`load_in_ranges`]).
fn load_ndjson_events(
    path: &Path,
    schema: &DataSchema,
    profiles: &DataFrame,
    options: LoadOptions,
    errors: &mut Vec<RowError>,
    reports: &mut Vec<TableReport>,
) -> Result<DataFrame, LoadError> {
    let layout = EventLayout::new(SourceColumn::Json, schema);
    let known_users = profile_keys(profiles, schema);
    let count = parts_of_file(path, 0)?;
    let parts = load_in_ranges(path, (0, 0), count, &known_users, &layout, options, |range, row| {
        let (mut line, mut index) = (0, 0);
        let lines = each_line_in(path, range, |bytes| {
            line += 1;
            if let Some(text) = ndjson_row(bytes) {
                row(
                    RowPosition::Line(line),
                    SourceRow::ndjson(index, parsed_line(text.ok())),
                );
                index += 1;
            }
        });
        Ok((lines.map_err(|e| LoadError::io(path, e))?, 0))
    })?;
    put_together(path, parts, &layout, options, errors, reports)
}

/// Loads the events of the CSV file at `path` in parallel parts (see [`load_in_ranges`]),
/// each record split into fields by tailor (a quoted field may hold commas and line breaks).
/// Should a part have started inside a quoted field, the file is read again in one part.
fn load_csv_events(
    path: &Path,
    schema: &DataSchema,
    profiles: &DataFrame,
    options: LoadOptions,
    errors: &mut Vec<RowError>,
    reports: &mut Vec<TableReport>,
) -> Result<DataFrame, LoadError> {
    let header = CsvHeader::read(path).map_err(|e| LoadError::io(path, e))?;
    let required = required_columns(schema);
    require_columns(
        path,
        &required,
        |n| header.names.iter().any(|h| h == n),
        || header.names.clone(),
    )?;
    let layout = EventLayout::new(|name| header.column(name), schema);
    let known_users = profile_keys(profiles, schema);
    let read = |range: Range<u64>, row: &mut dyn FnMut(RowPosition, SourceRow<'_>)| {
        let mut index = 0;
        each_record_in(path, range, |line, record| {
            let fields = fields_under(record, header.names.len());
            row(RowPosition::Line(line), SourceRow::record(index, fields));
            index += 1;
        })
        .map_err(|e| LoadError::io(path, e))
    };
    let start = (header.end, header.lines);
    let count = parts_of_file(path, header.end)?;
    let mut parts = load_in_ranges(path, start, count, &known_users, &layout, options, read)?;
    if starts_inside_quotes(&parts) {
        parts = load_in_ranges(path, start, 1, &known_users, &layout, options, read)?;
    }
    put_together(path, parts, &layout, options, errors, reports)
}
