//! Folding the event log into Parquet (`tailor events compact`): the accepted events of known
//! profiles move from `events.ndjson` into `compacted.parquet`, in the event table's own typed
//! layout, and their message ids into `compacted.ids` (so a producer's retry is still
//! recognised). Events of profiles not known yet stay in the log.
//!
//! Every step is written to a temporary file, synced and renamed, ids first, then the Parquet
//! file, then the shortened log; a crash between two renames leaves an event in both places,
//! and loading drops the log's copy of any event the Parquet file holds.

use std::collections::HashSet;
use std::fs::{self, File, OpenOptions};
use std::io::Write;
use std::path::Path;

use polars::prelude::*;

use super::event_layout::profile_keys;
use super::event_table::{event_columns, in_time_order, EVENT_ID, EVENT_USER};
use super::events::load_event_rows;
use super::read::Source;
use super::{ColumnBuilder, EventLog, LoadError, LoadOptions, RowError, TableReport, MESSAGE_ID};
use crate::model::DataSchema;

/// What a compaction did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Compaction {
    /// Events moved into the Parquet file.
    pub folded: usize,
    /// Log lines kept (events of profiles not known yet).
    pub kept: usize,
}

fn failed(path: &Path) -> impl Fn(PolarsError) -> LoadError + '_ {
    move |error| LoadError::io(path, error)
}

/// The compacted events at `path` in the event table's layout for `schema` (a column the file
/// lacks, from a type or property declared since, is null; one no longer declared is left out),
/// without the events of users not in `profiles`.
pub fn compacted_events(path: &Path, schema: &DataSchema, profiles: &DataFrame) -> Result<DataFrame, LoadError> {
    let frame = match Source::read(path)? {
        Source::Typed(frame) => frame,
        Source::Rows(_) => return Err(LoadError::io(path, "not a Parquet file")),
    };
    let height = frame.height();
    let columns: Vec<Column> = event_columns(schema)
        .iter()
        .map(|(name, ty)| {
            let empty = ColumnBuilder::new(ty, 0).finish(name, None)?;
            match frame.column(name) {
                Ok(column) => column.cast(empty.dtype()),
                Err(_) => Ok(Column::full_null(name.as_str().into(), height, empty.dtype())),
            }
        })
        .collect::<PolarsResult<_>>()
        .map_err(failed(path))?;
    let aligned = DataFrame::new_infer_height(columns).map_err(failed(path))?;
    let known = profile_keys(profiles, schema);
    let users = aligned.column(EVENT_USER).and_then(|c| c.str().cloned());
    let mask: BooleanChunked = users
        .map_err(failed(path))?
        .iter()
        .map(|user| Some(user.is_some_and(|u| known.contains(u))))
        .collect();
    aligned.filter(&mask).map_err(failed(path))
}

/// `logged` without the events whose id `compacted` also holds (a compaction cut short).
pub fn without_compacted(logged: DataFrame, compacted: &DataFrame) -> PolarsResult<DataFrame> {
    let folded: HashSet<&str> = compacted.column(EVENT_ID)?.str()?.iter().flatten().collect();
    let mask: BooleanChunked = logged
        .column(EVENT_ID)?
        .str()?
        .iter()
        .map(|id| Some(!id.is_some_and(|id| folded.contains(id))))
        .collect();
    logged.filter(&mask)
}

/// Writes `contents` to `path` through a synced temporary file and a rename.
fn replace_file(path: &Path, write: impl FnOnce(&mut File) -> Result<(), String>) -> Result<(), LoadError> {
    let temporary = path.with_extension("compacting");
    let mut file = File::create(&temporary).map_err(|e| LoadError::io(path, e))?;
    write(&mut file).map_err(|e| LoadError::io(path, e))?;
    file.sync_all().map_err(|e| LoadError::io(path, e))?;
    fs::rename(&temporary, path).map_err(|e| LoadError::io(path, e))
}

/// Folds the log's events of known profiles (`profiles`, with their traits) into the Parquet
/// file. A log row that does not fit the schema stops it, changing nothing.
pub fn compact(log: &EventLog, schema: &DataSchema, profiles: &DataFrame) -> Result<Compaction, LoadError> {
    let path = log.events();
    if !path.exists() {
        return Ok(Compaction { folded: 0, kept: 0 });
    }
    // Read once: complete lines only (one a crash cut short was never acknowledged).
    let Source::Rows(rows) = Source::read_journal(&path)? else {
        return Err(LoadError::io(&path, "not an NDJSON log"));
    };
    let (mut errors, mut reports): (Vec<RowError>, Vec<TableReport>) = (Vec::new(), Vec::new());
    let typed = load_event_rows(
        &path,
        &rows,
        schema,
        profiles,
        LoadOptions::default(),
        &mut errors,
        &mut reports,
    )?;
    if !errors.is_empty() {
        return Err(LoadError::BadRows(errors));
    }
    // Every row loaded, so a row is folded exactly when its user is a profile.
    let known = profile_keys(profiles, schema);
    let (user, message_id) = (rows.column(&schema.event_columns.user), rows.column(MESSAGE_ID));
    let (mut folded_ids, mut kept) = (Vec::new(), String::new());
    for index in 0..rows.len() {
        let row = rows.row(index);
        if known.contains(row.text(&user).as_ref()) {
            folded_ids.push(row.text(&message_id).into_owned());
        } else {
            kept.push_str(rows.line(index).unwrap_or_default());
            kept.push('\n');
        }
    }
    let compacted_path = log.compacted();
    let mut all = if compacted_path.exists() {
        let existing = compacted_events(&compacted_path, schema, profiles)?;
        existing.vstack(&typed).map_err(failed(&compacted_path))?
    } else {
        typed
    };
    all = in_time_order(all).map_err(failed(&compacted_path))?;
    let ids_path = log.compacted_ids();
    let mut ids = OpenOptions::new()
        .create(true)
        .append(true)
        .open(&ids_path)
        .map_err(|e| LoadError::io(&ids_path, e))?;
    let listed: String = folded_ids.iter().map(|id| format!("{id}\n")).collect();
    ids.write_all(listed.as_bytes())
        .and_then(|()| ids.sync_all())
        .map_err(|e| LoadError::io(&ids_path, e))?;
    replace_file(&compacted_path, |file| {
        ParquetWriter::new(file)
            .finish(&mut all)
            .map(|_| ())
            .map_err(|e| e.to_string())
    })?;
    replace_file(&path, |file| file.write_all(kept.as_bytes()).map_err(|e| e.to_string()))?;
    File::open(&log.folder)
        .and_then(|folder| folder.sync_all())
        .map_err(|e| LoadError::io(&log.folder, e))?;
    Ok(Compaction {
        folded: folded_ids.len(),
        kept: rows.len() - folded_ids.len(),
    })
}
