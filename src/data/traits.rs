//! Identify traits from the event log laid over the profiles: each line sets some fields of one
//! profile (later lines win; an explicit `null` clears a nullable field). A key the profiles
//! file does not have becomes a new profile once the traits give every required field; until
//! then it is left out and counted, never half-made.

use std::collections::BTreeMap;
use std::path::Path;

use polars::prelude::*;
use serde_json::Value as Json;

use super::frame_builder::FrameBuilder;
use super::read::SourceRows;
use super::row_errors::RowErrors;
use super::{any_to_json, ColumnBuilder, LoadError, LoadOptions, RowError, TableReport};
use crate::model::{DataSchema, Field};

/// Fields set per profile key, folded in log order.
type Folded = BTreeMap<String, BTreeMap<String, Json>>;

/// The profiles with the traits in `rows` (read from `path`) applied.
pub fn apply_traits(
    profiles: DataFrame,
    path: &Path,
    rows: &SourceRows,
    schema: &DataSchema,
    options: LoadOptions,
    errors: &mut Vec<RowError>,
    reports: &mut Vec<TableReport>,
) -> Result<DataFrame, LoadError> {
    let mut bad = RowErrors::new(path, options, errors);
    let folded = fold(rows, schema, &mut bad);
    let mut report = TableReport {
        file: bad.file().to_string(),
        rows: rows.len(),
        skipped: 0,
        warnings: Vec::new(),
        dropped: Default::default(),
    };
    let failed = |e: PolarsError| LoadError::io(path, e);
    let keys: Vec<Option<String>> = profiles
        .column(&schema.key)
        .and_then(|c| c.str().cloned())
        .map_err(failed)?
        .iter()
        .map(|k| k.map(str::to_string))
        .collect();
    let known: std::collections::HashSet<&str> = keys.iter().flatten().map(String::as_str).collect();
    let (updates, new): (Folded, Folded) = folded.into_iter().partition(|(key, _)| known.contains(key.as_str()));
    let updated = overlay(profiles, &keys, &updates, schema).map_err(failed)?;
    let (created, incomplete) = new_profiles(&updated, &new, schema).map_err(failed)?;
    if incomplete > 0 {
        report.warnings.push((
            "data::incomplete-profile",
            format!("{incomplete} profiles known only from identify calls lack a required field and were left out until a call sets it"),
        ));
    }
    reports.push(report);
    match created {
        Some(created) => updated.vstack(&created).map_err(failed),
        None => Ok(updated),
    }
}

/// The fields each key's lines set, checked against the declared types (a bad value is that
/// line's error and sets nothing).
fn fold(rows: &SourceRows, schema: &DataSchema, bad: &mut RowErrors) -> Folded {
    let mut folded = Folded::new();
    let key_column = rows.column(&schema.key);
    for index in 0..rows.len() {
        let row = rows.row(index);
        if let Some(problem) = row.problem() {
            bad.add(
                rows.position(index),
                "data::bad-row",
                "",
                String::new(),
                problem.to_string(),
            );
            continue;
        }
        let key = row.text(&key_column).into_owned();
        if key.is_empty() {
            bad.add(
                rows.position(index),
                "data::bad-value",
                &schema.key,
                key,
                "a profile key".into(),
            );
            continue;
        }
        let mut set = BTreeMap::new();
        let mut ok = true;
        for field in schema.profiles.fields.iter().filter(|f| f.name != schema.key) {
            let Some(value) = row.cell(&field.name) else {
                continue;
            };
            let json = value.to_json();
            let mut check = ColumnBuilder::new(&field.ty, 1);
            if let Err(expected) = check.push_cell(Some(value)) {
                bad.add(
                    rows.position(index),
                    "data::bad-value",
                    &field.name,
                    json.to_string(),
                    expected,
                );
                ok = false;
            }
            set.insert(field.name.clone(), json);
        }
        if ok {
            folded.entry(key).or_default().extend(set);
        }
    }
    folded
}

/// `profiles` with the fields `updates` sets replaced (only the columns some update touches
/// are rebuilt).
fn overlay(
    profiles: DataFrame,
    keys: &[Option<String>],
    updates: &Folded,
    schema: &DataSchema,
) -> PolarsResult<DataFrame> {
    if updates.is_empty() {
        return Ok(profiles);
    }
    let touched: std::collections::BTreeSet<&str> = updates
        .values()
        .flat_map(|fields| fields.keys().map(String::as_str))
        .collect();
    let mut profiles = profiles;
    for name in touched {
        let Some(field) = schema.profiles.field(name) else {
            continue;
        };
        let original = profiles.column(name)?.as_materialized_series().clone();
        let mut builder = ColumnBuilder::new(&field.ty, original.len());
        for (row, key) in keys.iter().enumerate() {
            let set = key
                .as_ref()
                .and_then(|k| updates.get(k))
                .and_then(|fields| fields.get(name));
            let value = match set {
                Some(value) => value.clone(),
                None => any_to_json(original.get(row)?).unwrap_or(Json::Null),
            };
            // Checked when folded, or read from the typed frame: it fits.
            let _ = builder.push_json(Some(&value));
        }
        profiles.with_column(builder.finish(name, None)?)?;
    }
    Ok(profiles)
}

/// Rows for the keys only the log knows, in the profiles' column order, and how many keys were
/// left out for lack of a required field.
fn new_profiles(profiles: &DataFrame, new: &Folded, schema: &DataSchema) -> PolarsResult<(Option<DataFrame>, usize)> {
    let fields: Vec<&Field> = profiles
        .get_column_names()
        .iter()
        .filter_map(|name| schema.profiles.field(name))
        .collect();
    let complete: Vec<(&String, &BTreeMap<String, Json>)> = new
        .iter()
        .filter(|(_, set)| {
            fields
                .iter()
                .all(|f| f.name == schema.key || f.ty.nullable || set.get(&f.name).is_some_and(|v| !v.is_null()))
        })
        .collect();
    let incomplete = new.len() - complete.len();
    if complete.is_empty() {
        return Ok((None, incomplete));
    }
    let mut frame = FrameBuilder::new(fields.iter().map(|f| (f.name.as_str(), &f.ty)), complete.len());
    for (key, set) in &complete {
        for (builder, field) in frame.builders().iter_mut().zip(&fields) {
            let value = if field.name == schema.key {
                Some(Json::String((*key).clone()))
            } else {
                set.get(&field.name).cloned()
            };
            let _ = builder.push_json(value.as_ref());
        }
    }
    let (created, _) = frame
        .finish(Path::new("traits"))
        .map_err(|e| PolarsError::ComputeError(e.to_string().into()))?;
    Ok((Some(created), incomplete))
}
