//! Loading a table (profiles, catalog) from a file, row by row against its declared fields.

use std::collections::{BTreeMap, HashSet};
use std::ops::Range;
use std::path::Path;

use polars::prelude::*;

use super::frame_builder::FrameBuilder;
use super::parts::{in_parallel, row_ranges, stacked};
use super::read::{Source, SourceRows};
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
/// Many rows are typed in parallel parts, put together in file order; keys are checked for
/// repeats once all parts are typed, and should one repeat, the rows are typed again in one
/// pass that reports each repeat where it is. The frame, errors and counts are one pass's.
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
    let names: Vec<&str> = table.fields.iter().map(|f| f.name.as_str()).collect();
    require_columns(path, &names, |n| rows.has_column(n), || rows.column_names())?;
    let typing = TableTyping {
        path,
        table,
        rules,
        options,
        rows: &rows,
        columns: names.iter().map(|n| rows.column(n)).collect(),
        names,
    };
    let mut parts = in_parallel(path, row_ranges(rows.len()), |range| typing.part(range, false))
        .into_iter()
        .collect::<Result<Vec<_>, _>>()?;
    if rules.unique.is_some_and(|key| repeats_a_key(&parts, key)) {
        parts = vec![typing.part(0..rows.len(), true)?];
    }
    let mut bad = RowErrors::new(path, options, errors);
    let (mut frames, mut skipped) = (Vec::new(), 0);
    for part in parts {
        bad.absorb(part.errors, part.dropped);
        skipped += part.skipped;
        frames.push(part.frame);
    }
    let mut frame = stacked(path, frames, || Ok(typing.part(0..0, false)?.frame))?;
    // One chunk per column, as evaluation joins and looks profiles up by row many times (the
    // copy is the profiles', small beside the events loaded next).
    frame.rechunk_mut_par();
    let file = bad.file().to_string();
    reports.push(TableReport {
        file,
        rows: rows.len(),
        skipped,
        warnings: Vec::new(),
        dropped: bad.into_dropped(),
    });
    Ok(frame)
}

/// What typing some rows of a table gives.
struct TablePart {
    frame: DataFrame,
    errors: Vec<RowError>,
    dropped: BTreeMap<String, RowError>,
    /// Rows left out.
    skipped: usize,
}

/// A table's rows and how to type them.
struct TableTyping<'a> {
    path: &'a Path,
    table: &'a Table,
    rules: Rules<'a>,
    options: LoadOptions,
    rows: &'a SourceRows,
    names: Vec<&'a str>,
    columns: Vec<SourceColumn<'a>>,
}

impl TableTyping<'_> {
    /// Types the rows in `range`, each held to the table's rules; keys are checked for
    /// repeats (among these rows) only when `check_keys`.
    fn part(&self, range: Range<usize>, check_keys: bool) -> Result<TablePart, LoadError> {
        let (rows, rules, names) = (self.rows, &self.rules, &self.names);
        let mut errors = Vec::new();
        let mut bad = RowErrors::new(self.path, self.options, &mut errors);
        let fields = self.table.fields.iter().map(|f| (f.name.as_str(), &f.ty));
        let mut frame = FrameBuilder::new(fields, range.len());
        let unique_column = rules.unique.map(|name| (name, rows.column(name)));
        let zone_column = rules.zone.map(|name| (name, rows.column(name)));
        let mut seen = HashSet::with_capacity(if check_keys { range.len() } else { 0 });
        for index in range {
            let row = rows.row(index);
            let position = rows.position(index);
            if !frame.start_row(position, &row, &mut bad) {
                continue;
            }
            if let Some((_, column)) = &unique_column {
                bad.at_key(Some(row.text(column).into_owned()).filter(|k| !k.is_empty()));
            }
            let mut ok = true;
            for ((builder, column), name) in frame.builders().iter_mut().zip(&self.columns).zip(names) {
                if let Err(expected) = row.push(column, builder) {
                    bad.add(
                        position,
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
                        position,
                        "data::bad-timezone",
                        name,
                        zone.into_owned(),
                        ZONE_EXPECTED.into(),
                    );
                    ok = false;
                }
            }
            if let (Some((name, column)), true, true) = (&unique_column, ok, check_keys) {
                let key = row.text(column).into_owned();
                if !seen.insert(key.clone()) {
                    let expected = "a key no earlier row has (keys are unique)".to_string();
                    bad.add(position, "data::duplicate-key", name, key, expected);
                    ok = false;
                }
            }
            if !ok {
                frame.drop_row();
            }
        }
        let dropped = bad.into_dropped();
        let (frame, skipped) = frame.finish(self.path)?;
        Ok(TablePart {
            frame,
            errors,
            dropped,
            skipped,
        })
    }
}

/// Whether two rows kept in `parts` may share a value of the `key` column, as text (an absent
/// value reads as empty, as a row's text does). Rows whose keys are equal as text are equal
/// typed, so `false` means no key repeats; a `true` may be a repeat only once typed (`007` and
/// `7` as numbers), which the one pass then settles.
fn repeats_a_key(parts: &[TablePart], key: &str) -> bool {
    let texts: Option<Vec<Column>> = parts
        .iter()
        .map(|part| part.frame.column(key).ok()?.cast(&DataType::String).ok())
        .collect();
    let Some(texts) = texts else {
        return true;
    };
    let mut seen = PlHashSet::with_capacity(texts.iter().map(Column::len).sum());
    for text in &texts {
        let Ok(values) = text.str() else {
            return true;
        };
        if !values.iter().all(|value| seen.insert(value.unwrap_or(""))) {
            return true;
        }
    }
    false
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
