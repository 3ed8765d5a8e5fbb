//! Stage 5, data: load the profiles, events and catalog a checked workspace declares into typed
//! polars DataFrames, checking every row against the schema (SPEC §2).
//!
//! Nothing is silently coerced: a value that does not fit its declared type is a [`RowError`]
//! naming the file, the line (CSV, NDJSON) or row (Parquet), the column, the value and the
//! expected type. With `skip_bad_rows`, bad rows are dropped and counted instead.

mod column;
mod event_id;
mod event_index;
mod events;
mod load_error;
mod parquet;
mod read;
mod row_error;
mod seeded;
mod streaming;
mod table;
mod test_data;

use std::path::PathBuf;

use polars::prelude::DataFrame;

pub use column::ColumnBuilder;
pub use column::DAY_MICROS;
pub(crate) use column::{any_to_json, datetime_micros};
pub use event_id::event_id;
pub use event_index::EventIndex;
pub use events::{event_column, newest_event, EVENT_ID, EVENT_TS, EVENT_TYPE, EVENT_USER};
pub use load_error::LoadError;
pub use read::{Source, SourceColumn, SourceRows};
pub use row_error::{RowError, RowPosition};
pub use seeded::SeededRng;
pub use streaming::collect_streaming;
pub use table::TableReport;
pub use test_data::test_dataset;

use crate::check::CheckedWorkspace;
use crate::load::Confinement;

/// How to treat bad rows.
#[derive(Debug, Clone, Copy, Default)]
pub struct LoadOptions {
    /// Drop and count bad rows instead of failing.
    pub skip_bad_rows: bool,
}

/// The workspace's data, typed.
#[derive(Debug)]
pub struct Dataset {
    /// One row per profile, a column per declared field.
    pub profiles: DataFrame,
    /// One row per event, in time order (then by id): `__user`, `__type`, `__ts`, `__id`, and
    /// `TYPE.prop` columns.
    pub events: DataFrame,
    /// The catalog, when declared.
    pub catalog: Option<DataFrame>,
    /// What loading found: rows read, bad rows skipped, warnings.
    pub reports: Vec<TableReport>,
    /// Events by user and id, built on first use.
    pub event_index: std::sync::OnceLock<EventIndex>,
    /// Catalog rows by product key, built on first use.
    pub catalog_index: std::sync::OnceLock<std::collections::HashMap<String, usize>>,
    /// Purchases per product up to an instant, counted on first use for that instant.
    pub purchase_counts: std::sync::OnceLock<(i64, std::collections::HashMap<String, usize>)>,
}

impl Dataset {
    /// The events by user and id (built on the first call).
    pub fn event_index(&self) -> &EventIndex {
        self.event_index.get_or_init(|| EventIndex::build(&self.events))
    }

    /// Purchases per product across every profile up to `now` (microseconds): counted once for
    /// the first `now` asked (a run has one clock), afresh for any other.
    pub fn purchase_counts(&self, now: i64) -> std::borrow::Cow<'_, std::collections::HashMap<String, usize>> {
        let (at, counts) = self.purchase_counts.get_or_init(|| (now, self.count_purchases(now)));
        if *at == now {
            std::borrow::Cow::Borrowed(counts)
        } else {
            std::borrow::Cow::Owned(self.count_purchases(now))
        }
    }

    fn count_purchases(&self, now: i64) -> std::collections::HashMap<String, usize> {
        let index = self.event_index();
        let products = self.events.column(&event_column("purchase", "product_id"));
        let products = products.ok().and_then(|c| c.str().ok());
        let mut counts = std::collections::HashMap::new();
        for &row in index.of_type("purchase") {
            if index.ts.get(row).copied().flatten().is_some_and(|t| t <= now) {
                if let Some(product) = products.and_then(|p| p.get(row)) {
                    *counts.entry(product.to_string()).or_default() += 1;
                }
            }
        }
        counts
    }

    /// The catalog's row numbers by its `key` column (built on the first call; empty without
    /// a catalog).
    pub fn catalog_index(&self, key: &str) -> &std::collections::HashMap<String, usize> {
        self.catalog_index.get_or_init(|| {
            let keys = self
                .catalog
                .as_ref()
                .and_then(|catalog| catalog.column(key).ok()?.str().ok().cloned());
            keys.map(|keys| {
                keys.iter()
                    .enumerate()
                    .filter_map(|(row, id)| id.map(|id| (id.to_string(), row)))
                    .collect()
            })
            .unwrap_or_default()
        })
    }
}

/// Refuses to read the datasets at `paths` when one is not a regular file, or is named
/// inside the workspace but a link leads it outside ([`Confinement::dataset`]).
fn confined<'p>(workspace: &CheckedWorkspace, paths: impl IntoIterator<Item = &'p PathBuf>) -> Result<(), LoadError> {
    let refused = |path: &std::path::Path, message: String| LoadError::Io {
        path: path.to_path_buf(),
        message,
    };
    let confinement = Confinement::new(&workspace.root).map_err(|e| refused(&workspace.root, e.to_string()))?;
    for path in paths {
        confinement
            .dataset(path)
            .map_err(|refusal| refused(path, format!("{refusal} [{}]; {}", refusal.code(), refusal.hint())))?;
    }
    Ok(())
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
    let profiles = table::load_profiles(&sources.profiles, schema, options, &mut errors, &mut reports)?;
    let events = match &sources.events {
        Some(path) => {
            let events = events::load_events(path, schema, &profiles, options, &mut errors, &mut reports)?;
            events::in_time_order(events).map_err(|e| LoadError::Io {
                path: path.clone(),
                message: e.to_string(),
            })?
        }
        None => events::empty_events(schema)?,
    };
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
    Ok(Dataset {
        profiles,
        events,
        catalog,
        reports,
        event_index: Default::default(),
        catalog_index: Default::default(),
        purchase_counts: Default::default(),
    })
}
