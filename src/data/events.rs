//! Loading events: one row per event with its user, type, time and id, and a `TYPE.prop`
//! column per declared property. A `TYPE.prop` column means something only on rows of that
//! type: every reader selects a type's rows first (from CSV and NDJSON the other rows are null;
//! from Parquet they hold whatever the file has).

use std::collections::{BTreeMap, HashSet};
use std::path::Path;

use polars::prelude::*;
use serde_json::Value as Json;

use super::frame_builder::FrameBuilder;
use super::read::{Source, SourceRows};
use super::row_errors::RowErrors;
use super::table::require_columns;
use super::{event_id, ColumnBuilder, LoadError, LoadOptions, RowError, TableReport};
use crate::model::{parse_datetime, BaseType, DataSchema, EventSchema, Type};

/// The event table's user column.
pub const EVENT_USER: &str = "__user";
/// The event table's type column.
pub const EVENT_TYPE: &str = "__type";
/// The event table's time column (UTC microseconds).
pub const EVENT_TS: &str = "__ts";
/// The event table's id column.
pub const EVENT_ID: &str = "__id";

/// The column holding property `property` of events of type `event_type`.
pub fn event_column(event_type: &str, property: &str) -> String {
    format!("{event_type}.{property}")
}

fn polars_error(path: &Path) -> impl Fn(PolarsError) -> LoadError + '_ {
    move |e| LoadError::Io {
        path: path.to_path_buf(),
        message: e.to_string(),
    }
}

/// The typed columns of the event table, in order.
pub(crate) fn event_columns(schema: &DataSchema) -> Vec<(String, Type)> {
    let mut columns = vec![
        (EVENT_USER.to_string(), Type::required(BaseType::String)),
        (EVENT_TYPE.to_string(), Type::required(BaseType::String)),
        (EVENT_TS.to_string(), Type::required(BaseType::DateTime)),
        (EVENT_ID.to_string(), Type::required(BaseType::String)),
    ];
    for event in &schema.events {
        for field in &event.properties.fields {
            columns.push((event_column(&event.name, &field.name), field.ty.clone().or_null(true)));
        }
    }
    columns
}

/// The keys of `profiles`: the users whose events are kept.
pub(super) fn profile_keys<'p>(profiles: &'p DataFrame, schema: &DataSchema) -> HashSet<&'p str> {
    profiles
        .column(&schema.key)
        .ok()
        .and_then(|c| c.str().ok())
        .map(|keys| keys.iter().flatten().collect())
        .unwrap_or_default()
}

/// An event table with no rows.
pub fn empty_events(schema: &DataSchema) -> Result<DataFrame, LoadError> {
    let columns: Vec<Column> = event_columns(schema)
        .iter()
        .map(|(name, ty)| ColumnBuilder::new(ty, 0).finish(name, None))
        .collect::<PolarsResult<_>>()
        .map_err(polars_error(Path::new("events")))?;
    DataFrame::new_infer_height(columns).map_err(polars_error(Path::new("events")))
}

/// Loads the events of `path`; events of users not in `profiles` are dropped and counted.
pub fn load_events(
    path: &Path,
    schema: &DataSchema,
    profiles: &DataFrame,
    options: LoadOptions,
    errors: &mut Vec<RowError>,
    reports: &mut Vec<TableReport>,
) -> Result<DataFrame, LoadError> {
    match Source::read(path)? {
        Source::Rows(rows) => load_event_rows(path, &rows, schema, profiles, options, errors, reports),
        Source::Typed(frame) => super::parquet::load_events(path, frame, schema, profiles, options, errors, reports),
    }
}

/// Loads the events in `rows` (CSV or NDJSON, read from `path`); events of users not in
/// `profiles` are dropped and counted.
pub fn load_event_rows(
    path: &Path,
    rows: &SourceRows,
    schema: &DataSchema,
    profiles: &DataFrame,
    options: LoadOptions,
    errors: &mut Vec<RowError>,
    reports: &mut Vec<TableReport>,
) -> Result<DataFrame, LoadError> {
    let names = &schema.event_columns;
    let mut required = vec![names.user.as_str(), names.event_type.as_str(), names.time.as_str()];
    required.extend(names.id.as_deref());
    require_columns(path, &required, |n| rows.has_column(n), || rows.column_names())?;
    let mut bad = RowErrors::new(path, options, errors);
    let known_users = profile_keys(profiles, schema);
    let columns = event_columns(schema);
    let mut frame = FrameBuilder::new(columns.iter().map(|(n, ty)| (n.as_str(), ty)), rows.len());
    let index_of: BTreeMap<&str, usize> = columns.iter().enumerate().map(|(i, (n, _))| (n.as_str(), i)).collect();
    let (user_column, type_column, time_column) = (
        rows.column(&names.user),
        rows.column(&names.event_type),
        rows.column(&names.time),
    );
    let id_column = names.id.as_deref().map(|id| rows.column(id));
    let mut unknown_users = 0usize;
    for row in 0..rows.len() {
        if frame.unparsed(rows, row, &mut bad) {
            continue;
        }
        let position = rows.position(row);
        let builders = frame.builders();
        let user = rows.text(row, &user_column);
        let type_name = rows.text(row, &type_column);
        let event = schema.event(&type_name);
        let mut ok = true;
        if user.is_empty() {
            bad.add(
                position,
                "data::bad-value",
                &names.user,
                user.clone(),
                "a user key".into(),
            );
            ok = false;
        }
        if event.is_none() {
            let expected = format!(
                "a declared event type ({})",
                schema.event_names().collect::<Vec<_>>().join(", ")
            );
            bad.add(
                position,
                "data::unknown-event-type",
                &names.event_type,
                type_name.clone(),
                expected,
            );
            ok = false;
        }
        builders[0].push_text(Some(&user)).ok();
        builders[1].push_text(Some(&type_name)).ok();
        let time_text = rows.text(row, &time_column);
        if let Err(expected) = rows.push(row, &time_column, &mut builders[2]) {
            bad.add(position, "data::bad-value", &names.time, time_text.clone(), expected);
            ok = false;
        }
        let (properties, properties_ok) = push_properties(rows, row, event, &columns, builders, &mut bad);
        ok &= properties_ok;
        let id = match &id_column {
            Some(column) => rows.text(row, column),
            None => match parse_datetime(&time_text) {
                Some(ts) if ok => event_id(&user, &type_name, ts, &properties),
                _ => String::new(),
            },
        };
        builders[index_of[EVENT_ID]].push_text(Some(&id)).ok();
        if ok && !known_users.contains(user.as_str()) {
            unknown_users += 1;
            frame.drop_row(row);
        } else if !ok {
            frame.drop_row(row);
        }
    }
    let file = bad.file().to_string();
    let (frame, left_out) = frame.finish(path)?;
    reports.push(TableReport::for_events(
        file,
        rows.len(),
        left_out - unknown_users,
        unknown_users,
    ));
    Ok(frame)
}

/// Pushes row `row`'s properties into the `TYPE.prop` columns (`columns` from the fifth on;
/// null outside its own event type), each checked against its declared type; the properties
/// as JSON for the event id, and whether all fit.
fn push_properties(
    rows: &SourceRows,
    row: usize,
    event: Option<&EventSchema>,
    columns: &[(String, Type)],
    builders: &mut [ColumnBuilder],
    bad: &mut RowErrors,
) -> (BTreeMap<String, Json>, bool) {
    let mut ok = true;
    let mut properties: BTreeMap<String, Json> = BTreeMap::new();
    for (i, (name, _)) in columns.iter().enumerate().skip(4) {
        let (event_type, property) = name.split_once('.').unwrap_or_default();
        let Some(event) = event.filter(|e| e.name == event_type) else {
            builders[i].push_null();
            continue;
        };
        let declared = event
            .properties
            .field(property)
            .map(|f| f.ty.clone())
            .unwrap_or(Type::nullable(BaseType::String));
        let column = rows.column(property);
        // Validate against this type's own nullability, then store in the nullable column.
        let mut check = ColumnBuilder::new(&declared, 1);
        match rows.push(row, &column, &mut check) {
            Ok(()) => {
                rows.push(row, &column, &mut builders[i]).ok();
                properties.insert(property.to_string(), typed_json(&rows.text(row, &column), &declared));
            }
            Err(expected) => {
                bad.add(
                    rows.position(row),
                    "data::bad-value",
                    property,
                    rows.text(row, &column),
                    expected,
                );
                builders[i].push_null();
                ok = false;
            }
        }
    }
    (properties, ok)
}

/// A property's value as JSON for the event id: numbers and bools typed, times in UTC, the
/// rest as text, absent (or empty) as null — the same JSON whatever the file format.
fn typed_json(text: &str, ty: &Type) -> Json {
    if text.is_empty() {
        return Json::Null;
    }
    match ty.base {
        BaseType::DateTime => parse_datetime(text).map_or(Json::Null, |t| {
            Json::from(t.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true))
        }),
        BaseType::Int => text.parse::<i64>().map_or(Json::Null, Json::from),
        BaseType::Float => text.parse::<f64>().map_or(Json::Null, Json::from),
        BaseType::Bool => Json::Bool(text == "true"),
        _ => Json::from(text),
    }
}

/// The events sorted by time, then id (aggregates such as `first` and `last_n` rely on it);
/// a file already in that order is checked in one pass and not sorted again.
pub fn in_time_order(events: DataFrame) -> PolarsResult<DataFrame> {
    let ts = events.column(EVENT_TS)?.cast(&DataType::Int64)?;
    let ts = ts.i64()?;
    let ids = events.column(EVENT_ID)?.str()?;
    let mut previous: Option<(Option<i64>, Option<&str>)> = None;
    let mut ordered = true;
    for pair in ts.iter().zip(ids.iter()) {
        if previous.is_some_and(|p| p > pair) {
            ordered = false;
            break;
        }
        previous = Some(pair);
    }
    if ordered {
        return Ok(events);
    }
    events.sort([EVENT_TS, EVENT_ID], SortMultipleOptions::default())
}

/// The time of the newest event (microseconds since the epoch), if there is any event: how
/// fresh the export is.
pub fn newest_event(events: &DataFrame) -> PolarsResult<Option<i64>> {
    let ts = events.column(EVENT_TS)?.cast(&DataType::Int64)?;
    Ok(ts.i64()?.max())
}
