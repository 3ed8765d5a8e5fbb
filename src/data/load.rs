//! Loading every dataset a checked workspace declares, each file confined to where the
//! workspace allows and every row checked against the schema.

use std::path::PathBuf;

use polars::prelude::DataFrame;

use super::{events, table, Dataset, LoadError, LoadOptions};
use crate::check::CheckedWorkspace;
use crate::load::Confinement;

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
