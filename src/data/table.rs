//! Loading a table (profiles, catalog) from a file, row by row against its declared fields.

use std::collections::{BTreeMap, HashSet};
use std::path::Path;

use polars::prelude::*;

use super::frame_builder::FrameBuilder;
use super::read::Source;
use super::row_errors::RowErrors;
use super::source_row::SourceColumn;
use super::{LoadError, LoadOptions, RowError};
use crate::model::{DataSchema, Table};

/// What loading one file found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableReport {
    /// The file.
    pub file: String,
    /// Rows read.
    pub rows: usize,
    /// Bad rows dropped (with `skip_bad_rows`).
    pub skipped: usize,
    /// Other findings, such as events of unknown users: each with its diagnostic code.
    pub warnings: Vec<(&'static str, String)>,
    /// Rows of a keyed table left out (with `skip_bad_rows`), by key, with their first problem.
    pub dropped: BTreeMap<String, RowError>,
}

impl TableReport {
    /// The report of an events file, saying how many events of unknown users were left out.
    pub fn for_events(file: String, rows: usize, skipped: usize, unknown_users: usize) -> TableReport {
        let warnings = if unknown_users > 0 {
            vec![(
                "data::unknown-user",
                format!("{unknown_users} events belong to users that are not in the profiles and were left out"),
            )]
        } else {
            Vec::new()
        };
        TableReport {
            file,
            rows,
            skipped,
            warnings,
            dropped: BTreeMap::new(),
        }
    }
}

/// The declared columns `names` that the file at `path` lacks (`has` says which it has;
/// `present` lists them for the message), as an error of the whole file.
pub fn require_columns(
    path: &Path,
    names: &[&str],
    has: impl Fn(&str) -> bool,
    present: impl FnOnce() -> Vec<String>,
) -> Result<(), LoadError> {
    let missing: Vec<String> = names.iter().filter(|n| !has(n)).map(|n| n.to_string()).collect();
    if missing.is_empty() {
        return Ok(());
    }
    Err(LoadError::MissingColumns {
        path: path.to_path_buf(),
        missing,
        present: present(),
    })
}

/// What a recipient's time zone must be: empty (the workspace's is used) or an IANA name.
pub const ZONE_EXPECTED: &str = "an IANA time zone such as `America/New_York`, or empty for the workspace's";

/// Whether `text` names no zone or one tailor knows (a row error otherwise: a message must not
/// go out at a time nobody meant).
pub fn is_zone_or_empty(text: &str) -> bool {
    text.is_empty() || text.parse::<chrono_tz::Tz>().is_ok()
}

/// The columns of a table with rules beyond their type: the key, unique; the time zone, valid.
#[derive(Clone, Copy, Default)]
pub struct Rules<'a> {
    /// The column whose values must not repeat.
    pub unique: Option<&'a str>,
    /// The column of recipients' time zones.
    pub zone: Option<&'a str>,
}

/// Reads `path` into a DataFrame with one typed column per field of `table`, held to `rules`.
fn load_table(
    path: &Path,
    table: &Table,
    rules: Rules,
    options: LoadOptions,
    errors: &mut Vec<RowError>,
    reports: &mut Vec<TableReport>,
) -> Result<DataFrame, LoadError> {
    let rows = match Source::read(path)? {
        Source::Rows(rows) => rows,
        Source::Typed(frame) => return super::parquet::load_table(path, frame, table, rules, options, errors, reports),
    };
    let unique = rules.unique;
    let names: Vec<&str> = table.fields.iter().map(|f| f.name.as_str()).collect();
    require_columns(path, &names, |n| rows.has_column(n), || rows.column_names())?;
    let mut bad = RowErrors::new(path, options, errors);
    let columns: Vec<SourceColumn> = names.iter().map(|n| rows.column(n)).collect();
    let mut frame = FrameBuilder::new(table.fields.iter().map(|f| (f.name.as_str(), &f.ty)), rows.len());
    let unique_column = unique.map(|name| (name, rows.column(name)));
    let zone_column = rules.zone.map(|name| (name, rows.column(name)));
    let mut seen = HashSet::with_capacity(if unique.is_some() { rows.len() } else { 0 });
    for index in 0..rows.len() {
        let row = rows.row(index);
        if !frame.start_row(rows.position(index), &row, &mut bad) {
            continue;
        }
        if let Some((_, column)) = &unique_column {
            bad.at_key(Some(row.text(column).into_owned()).filter(|k| !k.is_empty()));
        }
        let mut ok = true;
        for ((builder, column), name) in frame.builders().iter_mut().zip(&columns).zip(&names) {
            if let Err(expected) = row.push(column, builder) {
                bad.add(
                    rows.position(index),
                    "data::bad-value",
                    name,
                    row.text(column).into_owned(),
                    expected,
                );
                ok = false;
            }
        }
        if let (Some((name, column)), true) = (&zone_column, ok) {
            let zone = row.text(column);
            if !is_zone_or_empty(&zone) {
                bad.add(
                    rows.position(index),
                    "data::bad-timezone",
                    name,
                    zone.into_owned(),
                    ZONE_EXPECTED.into(),
                );
                ok = false;
            }
        }
        if let (Some((name, column)), true) = (&unique_column, ok) {
            let key = row.text(column).into_owned();
            if !seen.insert(key.clone()) {
                let expected = "a key no earlier row has (keys are unique)".to_string();
                bad.add(rows.position(index), "data::duplicate-key", name, key, expected);
                ok = false;
            }
        }
        if !ok {
            frame.drop_row();
        }
    }
    let file = bad.file().to_string();
    let dropped = bad.into_dropped();
    let (frame, skipped) = frame.finish(path)?;
    reports.push(TableReport {
        file,
        rows: rows.len(),
        skipped,
        warnings: Vec::new(),
        dropped,
    });
    Ok(frame)
}

/// Loads the profiles; their keys are unique.
pub fn load_profiles(
    path: &Path,
    schema: &DataSchema,
    options: LoadOptions,
    errors: &mut Vec<RowError>,
    reports: &mut Vec<TableReport>,
) -> Result<DataFrame, LoadError> {
    let rules = Rules {
        unique: Some(&schema.key),
        zone: schema.timezone.as_deref(),
    };
    load_table(path, &schema.profiles, rules, options, errors, reports)
}

/// Loads the catalog; its keys are unique.
pub fn load_catalog(
    path: &Path,
    catalog: &Table,
    key: &str,
    options: LoadOptions,
    errors: &mut Vec<RowError>,
    reports: &mut Vec<TableReport>,
) -> Result<DataFrame, LoadError> {
    let rules = Rules {
        unique: Some(key),
        zone: None,
    };
    load_table(path, catalog, rules, options, errors, reports)
}
