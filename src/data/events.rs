//! Loading events: one row per event with its user, type, time and id, and a `TYPE.prop`
//! column per declared property. A `TYPE.prop` column means something only on rows of that
//! type: every reader selects a type's rows first (from CSV and NDJSON the other rows are null;
//! from Parquet they hold whatever the file has).

use std::collections::{BTreeMap, HashMap, HashSet};
use std::ops::Range;
use std::path::Path;

use polars::prelude::*;
use serde_json::Value as Json;

use super::frame_builder::FrameBuilder;
use super::read::{Source, SourceColumn, SourceRows};
use super::row_errors::RowErrors;
use super::table::require_columns;
use super::{event_id, ColumnBuilder, LoadError, LoadOptions, RowError, TableReport};
use crate::model::{parse_datetime, BaseType, DataSchema, Type};

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

/// Rows per part at least, when a file's rows are loaded in parallel parts.
const MIN_PART_ROWS: usize = 65_536;

/// Loads the events in `rows` (CSV or NDJSON, read from `path`); events of users not in
/// `profiles` are dropped and counted. Large files load in parallel parts, one per core, put
/// together in file order: the frame, the errors and the counts are those of one pass.
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
    let known_users = profile_keys(profiles, schema);
    let layout = EventLayout::new(rows, schema);
    let parts = parts_of(rows.len());
    let loaded: Vec<Result<Part, LoadError>> = std::thread::scope(|scope| {
        let handles: Vec<_> = parts
            .into_iter()
            .map(|range| scope.spawn(|| load_part(path, rows, range, &layout, &known_users, options)))
            .collect();
        handles
            .into_iter()
            .map(|handle| {
                handle
                    .join()
                    .unwrap_or_else(|_| Err(LoadError::io(path, "a loading thread failed")))
            })
            .collect()
    });
    let mut bad = RowErrors::new(path, options, errors);
    let (mut frames, mut left_out, mut unknown_users) = (Vec::new(), 0, 0);
    for part in loaded {
        let part = part?;
        bad.absorb(part.errors, part.dropped);
        frames.push(part.frame);
        left_out += part.left_out;
        unknown_users += part.unknown_users;
    }
    let file = bad.file().to_string();
    let mut frames = frames.into_iter();
    let mut frame = frames.next().map_or_else(|| empty_events(schema), Ok)?;
    for part in frames {
        frame.vstack_mut_owned(part).map_err(polars_error(path))?;
    }
    frame.rechunk_mut();
    reports.push(TableReport::for_events(
        file,
        rows.len(),
        left_out - unknown_users,
        unknown_users,
    ));
    Ok(frame)
}

/// The file's rows split into one part per core (a small file is one part).
fn parts_of(rows: usize) -> Vec<Range<usize>> {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let count = (rows / MIN_PART_ROWS).clamp(1, cores);
    let size = rows.div_ceil(count).max(1);
    (0..rows)
        .step_by(size)
        .map(|start| start..(start + size).min(rows))
        .collect()
}

/// What one part of an events file loaded to.
struct Part {
    frame: DataFrame,
    errors: Vec<RowError>,
    dropped: BTreeMap<String, RowError>,
    left_out: usize,
    unknown_users: usize,
}

/// Where an events file's columns are and what each event type's properties are, worked out
/// once for every row.
struct EventLayout<'r> {
    schema: &'r DataSchema,
    user: SourceColumn<'r>,
    kind: SourceColumn<'r>,
    time: SourceColumn<'r>,
    id: Option<SourceColumn<'r>>,
    /// The frame's columns, properties typed as declared (a property of another type's row is
    /// null without a check).
    columns: Vec<(String, Type)>,
    /// Each event type's properties, in column order.
    properties: HashMap<&'r str, Vec<Property<'r>>>,
}

/// One declared property of an event type: its column in the frame and in the file.
struct Property<'r> {
    builder: usize,
    name: &'r str,
    ty: &'r Type,
    column: SourceColumn<'r>,
}

impl<'r> EventLayout<'r> {
    fn new(rows: &'r SourceRows, schema: &'r DataSchema) -> EventLayout<'r> {
        let names = &schema.event_columns;
        let mut columns = event_columns(schema);
        let mut properties: HashMap<&str, Vec<Property>> = HashMap::new();
        let mut builder = 4;
        for event in &schema.events {
            let list = properties.entry(event.name.as_str()).or_default();
            for field in &event.properties.fields {
                columns[builder].1 = field.ty.clone();
                list.push(Property {
                    builder,
                    name: &field.name,
                    ty: &field.ty,
                    column: rows.column(&field.name),
                });
                builder += 1;
            }
        }
        EventLayout {
            schema,
            user: rows.column(&names.user),
            kind: rows.column(&names.event_type),
            time: rows.column(&names.time),
            id: names.id.as_deref().map(|id| rows.column(id)),
            columns,
            properties,
        }
    }
}

/// Loads rows `range` of an events file.
fn load_part(
    path: &Path,
    rows: &SourceRows,
    range: Range<usize>,
    layout: &EventLayout,
    known_users: &HashSet<&str>,
    options: LoadOptions,
) -> Result<Part, LoadError> {
    let (schema, names) = (layout.schema, &layout.schema.event_columns);
    let mut errors = Vec::new();
    let mut bad = RowErrors::new(path, options, &mut errors);
    let columns = layout.columns.iter().map(|(n, ty)| (n.as_str(), ty));
    let mut frame = FrameBuilder::new(columns, range.clone());
    let mut unknown_users = 0usize;
    for row in range {
        if frame.unparsed(rows, row, &mut bad) {
            continue;
        }
        let position = rows.position(row);
        let builders = frame.builders();
        let user = rows.text(row, &layout.user);
        let type_name = rows.text(row, &layout.kind);
        let properties = layout.properties.get(type_name.as_str());
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
        if properties.is_none() {
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
        let time_text = rows.text(row, &layout.time);
        if let Err(expected) = rows.push(row, &layout.time, &mut builders[2]) {
            bad.add(position, "data::bad-value", &names.time, time_text.clone(), expected);
            ok = false;
        }
        let wants_values = layout.id.is_none();
        let (values, properties_ok) = push_properties(
            rows,
            row,
            properties.map_or(&[][..], Vec::as_slice),
            builders,
            &mut bad,
            wants_values,
        );
        ok &= properties_ok;
        let id = match &layout.id {
            Some(column) => rows.text(row, column),
            None => match parse_datetime(&time_text) {
                Some(ts) if ok => event_id(&user, &type_name, ts, &values),
                _ => String::new(),
            },
        };
        builders[3].push_text(Some(&id)).ok();
        if ok && !known_users.contains(user.as_str()) {
            unknown_users += 1;
            frame.drop_row(row);
        } else if !ok {
            frame.drop_row(row);
        }
    }
    let dropped = bad.into_dropped();
    let (frame, left_out) = frame.finish(path)?;
    Ok(Part {
        frame,
        errors,
        dropped,
        left_out,
        unknown_users,
    })
}

/// Pushes row `row`'s properties (those of its event type) into their columns, each checked
/// against its declared type, and a null into every other type's columns; the values as JSON
/// for the event id (when `wants_values`), and whether all fit.
fn push_properties(
    rows: &SourceRows,
    row: usize,
    properties: &[Property],
    builders: &mut [ColumnBuilder],
    bad: &mut RowErrors,
    wants_values: bool,
) -> (BTreeMap<String, Json>, bool) {
    let mut ok = true;
    let mut values: BTreeMap<String, Json> = BTreeMap::new();
    let mut next = 4;
    for property in properties {
        builders[next..property.builder]
            .iter_mut()
            .for_each(ColumnBuilder::push_null);
        next = property.builder + 1;
        match rows.push(row, &property.column, &mut builders[property.builder]) {
            Ok(()) if wants_values => {
                let value = typed_json(&rows.text(row, &property.column), property.ty);
                values.insert(property.name.to_string(), value);
            }
            Ok(()) => {}
            Err(expected) => {
                let value = rows.text(row, &property.column);
                bad.add(rows.position(row), "data::bad-value", property.name, value, expected);
                ok = false;
            }
        }
    }
    builders[next..].iter_mut().for_each(ColumnBuilder::push_null);
    (values, ok)
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
