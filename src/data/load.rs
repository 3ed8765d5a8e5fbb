//! Loading every dataset a checked workspace declares, each file confined to where the
//! workspace allows and every row checked against the schema.

use std::path::PathBuf;

use polars::prelude::DataFrame;

use super::compaction::{compact, compacted_events, without_compacted, Compaction};
use super::database_table::DatabaseTable;
use super::read::{Source, SourceRows};
use super::traits::apply_traits;
use super::{event_table, events, table, Dataset, EventLog, LoadError, LoadOptions, RowError, TableReport};
use crate::check::CheckedWorkspace;
use crate::load::Confinement;
use crate::model::is_table_source;

/// Refuses to read the datasets at `paths` when one is not a regular file, or is named
/// inside the workspace but a link leads it outside ([`Confinement::dataset`]). Database
/// sources (PostgreSQL, Spark) are not files and pass.
fn confined<'p>(workspace: &CheckedWorkspace, paths: impl IntoIterator<Item = &'p PathBuf>) -> Result<(), LoadError> {
    let refused = |path: &std::path::Path, message: String| LoadError::Io {
        path: path.to_path_buf(),
        message,
    };
    let confinement = Confinement::new(&workspace.root).map_err(|e| refused(&workspace.root, e.to_string()))?;
    // A database table is not a file: the server decides what it may read.
    for path in paths.into_iter().filter(|p| !is_table_source(&p.to_string_lossy())) {
        confinement
            .dataset(path)
            .map_err(|refusal| refused(path, format!("{refusal} [{}]; {}", refusal.code(), refusal.hint())))?;
    }
    Ok(())
}

/// The rows of the event log file at `path`, when `tailor serve` has written one.
fn journal_rows(path: &std::path::Path) -> Result<Option<SourceRows>, LoadError> {
    if !path.exists() {
        return Ok(None);
    }
    match Source::read_journal(path)? {
        Source::Rows(rows) => Ok(Some(rows)),
        Source::Typed(_) => Ok(None),
    }
}

/// The profiles file with the event log's identify traits laid over it.
fn profiles_with_traits(
    workspace: &CheckedWorkspace,
    log: &EventLog,
    options: LoadOptions,
    errors: &mut Vec<super::RowError>,
    reports: &mut Vec<super::TableReport>,
) -> Result<DataFrame, LoadError> {
    let schema = &workspace.schema;
    let profiles = table::load_profiles(&schema.sources.profiles, schema, options, errors, reports)?;
    match journal_rows(&log.traits())? {
        Some(rows) => apply_traits(profiles, &log.traits(), &rows, schema, options, errors, reports),
        None => Ok(profiles),
    }
}

/// Folds the event log of `workspace` into Parquet ([`super::compaction`]).
pub fn compact_event_log(workspace: &CheckedWorkspace) -> Result<Compaction, LoadError> {
    confined(workspace, [&workspace.schema.sources.profiles])?;
    let log = EventLog::beside(&workspace.manifest.delivery.ledger);
    let (mut errors, mut reports) = (Vec::new(), Vec::new());
    let profiles = profiles_with_traits(workspace, &log, LoadOptions::default(), &mut errors, &mut reports)?;
    if !errors.is_empty() {
        errors.sort();
        return Err(LoadError::BadRows(errors));
    }
    compact(&log, &workspace.schema, &profiles)
}

/// Loads only the catalog (for tests and previews of one profile, which bring their own
/// profile and events).
pub fn load_catalog_only(workspace: &CheckedWorkspace) -> Result<Option<DataFrame>, LoadError> {
    let schema = &workspace.schema;
    let (Some(path), Some(table), Some(key)) = (&schema.sources.catalog, &schema.catalog, &schema.catalog_key) else {
        return Ok(None);
    };
    confined(workspace, [path])?;
    let mut errors = Vec::new();
    let catalog = table::load_catalog(path, table, key, LoadOptions::default(), &mut errors, &mut Vec::new())?;
    if errors.is_empty() {
        Ok(Some(catalog))
    } else {
        errors.sort();
        Err(LoadError::BadRows(errors))
    }
}

/// `events` with the events `tailor serve` logged on this host for `profiles` (compacted, then
/// the journal's newer ones), in time order.
fn with_logged_events(
    workspace: &CheckedWorkspace,
    mut events: DataFrame,
    profiles: &DataFrame,
    options: LoadOptions,
    errors: &mut Vec<RowError>,
    reports: &mut Vec<TableReport>,
) -> Result<DataFrame, LoadError> {
    let schema = &workspace.schema;
    let log = EventLog::beside(&workspace.manifest.delivery.ledger);
    let compacted = match log.compacted().exists() {
        true => Some(compacted_events(&log.compacted(), schema, profiles)?),
        false => None,
    };
    if let Some(compacted) = &compacted {
        events = events
            .vstack(compacted)
            .map_err(|e| LoadError::io(&log.compacted(), e))?;
    }
    if let Some(rows) = journal_rows(&log.events())? {
        let mut logged = events::load_event_rows(&log.events(), &rows, schema, profiles, options, errors, reports)?;
        if let Some(compacted) = &compacted {
            logged = without_compacted(logged, compacted).map_err(|e| LoadError::io(&log.events(), e))?;
        }
        events = events.vstack(&logged).map_err(|e| LoadError::io(&log.events(), e))?;
    }
    let events_path = schema.sources.events.clone().unwrap_or_else(|| log.events());
    event_table::in_time_order(events).map_err(|e| LoadError::io(&events_path, e))
}

/// Loads every dataset of the workspace.
pub fn load_dataset(workspace: &CheckedWorkspace, options: LoadOptions) -> Result<Dataset, LoadError> {
    let schema = &workspace.schema;
    let sources = &schema.sources;
    confined(
        workspace,
        std::iter::once(&sources.profiles)
            .chain(&sources.events)
            .chain(&sources.catalog),
    )?;
    let mut reports = Vec::new();
    let mut errors = Vec::new();
    let log = EventLog::beside(&workspace.manifest.delivery.ledger);
    let profiles = profiles_with_traits(workspace, &log, options, &mut errors, &mut reports)?;
    let events = match &sources.events {
        Some(path) => events::load_events(path, schema, &profiles, options, &mut errors, &mut reports)?,
        None => event_table::empty_events(schema)?,
    };
    let events = with_logged_events(workspace, events, &profiles, options, &mut errors, &mut reports)?;
    let catalog = match (&sources.catalog, &schema.catalog, &schema.catalog_key) {
        (Some(path), Some(table), Some(key)) => Some(table::load_catalog(
            path,
            table,
            key,
            options,
            &mut errors,
            &mut reports,
        )?),
        _ => None,
    };
    if !errors.is_empty() {
        errors.sort();
        return Err(LoadError::BadRows(errors));
    }
    Ok(Dataset::new(profiles, events, catalog, reports))
}

/// The data of some profiles kept in an engine, for rendering their messages or attributing
/// their outcomes: `profiles` (at least their key and address, as the engine gives them), and
/// their events only (read from the events table in the database the workspace names, with what
/// `tailor serve` logged for them on this host, in time order). No catalog: a renderer adds it.
pub fn load_users_data(workspace: &CheckedWorkspace, profiles: DataFrame) -> Result<Dataset, LoadError> {
    let schema = &workspace.schema;
    let users: Vec<String> = profiles
        .column(&schema.key)
        .and_then(|c| c.str().cloned())
        .map_err(|e| LoadError::io(&schema.sources.profiles, e))?
        .iter()
        .flatten()
        .map(str::to_string)
        .collect();
    let (mut errors, mut reports) = (Vec::new(), Vec::new());
    let options = LoadOptions::default();
    let events = match &schema.sources.events {
        Some(path) if is_table_source(&path.to_string_lossy()) => {
            let rows = DatabaseTable::of(path)?.read_matching(path, &schema.event_columns.user, &users)?;
            super::parquet::load_events(path, rows, schema, &profiles, options, &mut errors, &mut reports)?
        }
        Some(path) => {
            return Err(LoadError::io(
                path,
                "an engine reads its events from a table in its database",
            ))
        }
        None => event_table::empty_events(schema)?,
    };
    let events = with_logged_events(workspace, events, &profiles, options, &mut errors, &mut reports)?;
    if !errors.is_empty() {
        errors.sort();
        return Err(LoadError::BadRows(errors));
    }
    Ok(Dataset::new(profiles, events, None, reports))
}

/// The key and address of each of `users` in the workspace's profiles table in its database (the
/// profiles a report on an engine attributes outcomes to), as text.
pub fn load_addresses_of(workspace: &CheckedWorkspace, users: &[String]) -> Result<DataFrame, LoadError> {
    let schema = &workspace.schema;
    let path = &schema.sources.profiles;
    let rows = DatabaseTable::of(path)?.read_matching(path, &schema.key, users)?;
    let text = |name: &str| {
        rows.column(name)
            .and_then(|c| c.cast(&polars::prelude::DataType::String))
            .map_err(|e| LoadError::io(path, e))
    };
    DataFrame::new_infer_height(vec![text(&schema.key)?, text(&schema.email)?]).map_err(|e| LoadError::io(path, e))
}
