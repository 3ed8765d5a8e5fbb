//! Loading events: one row per event with its user, type, time and id, and a `TYPE.prop`
//! column per declared property. A `TYPE.prop` column means something only on rows of that
//! type: every reader selects a type's rows first (the other rows hold whatever the file has
//! under that name, or null; properties of several types with one name and base type share one
//! stored column).

use std::collections::BTreeMap;
use std::ops::Range;
use std::path::Path;

use polars::prelude::*;
use serde_json::Value as Json;

use super::csv_record::{each_record_in, fields_under, CsvHeader};
use super::frame_builder::FrameBuilder;
use super::line_parts::{each_line_in, line_ranges};
use super::parts::{in_parallel, parts_for, row_ranges};
use super::read::{file_format, ndjson_row, parsed_line, FileFormat, Source, SourceRows};
use super::row_errors::RowErrors;
use super::source_row::{SourceColumn, SourceRow};
use super::table::require_columns;
use super::{event_id, ColumnBuilder, LoadError, LoadOptions, RowError, RowPosition, TableReport};
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

/// The keys of `profiles`: the users whose events are kept. Each key is held in the set
/// itself (inline up to 24 bytes), so that looking up an event's user touches one place in
/// memory, not the set and then the profiles' column.
pub(super) fn profile_keys(profiles: &DataFrame, schema: &DataSchema) -> KnownUsers {
    profiles
        .column(&schema.key)
        .ok()
        .and_then(|c| c.str().ok())
        .map(|keys| keys.iter().flatten().map(PlSmallStr::from).collect())
        .unwrap_or_default()
}

/// The keys of the profiles, as [`profile_keys`] gives them.
pub(super) type KnownUsers = PlHashSet<PlSmallStr>;

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

/// Bytes per part at least, when a file is read in parallel parts.
const MIN_PART_BYTES: u64 = 8 << 20;

/// Bytes per row guessed, to make room in a part's columns before its rows are counted.
const BYTES_PER_ROW_GUESS: u64 = 128;

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

/// Whether a part but the first follows an odd number of quotes: it started inside a quoted
/// field, and its rows are not the file's.
fn starts_inside_quotes(parts: &[Part]) -> bool {
    let mut quotes = 0;
    parts.iter().any(|part| {
        let inside = quotes % 2 == 1;
        quotes += part.quotes;
        inside
    })
}

/// How many parts to read the file at `path` in, from byte `start`: one per [`MIN_PART_BYTES`],
/// within [`parts_for`].
fn parts_of_file(path: &Path, start: u64) -> Result<usize, LoadError> {
    let length = std::fs::metadata(path).map_err(|e| LoadError::io(path, e))?.len();
    Ok(parts_for((length.saturating_sub(start) / MIN_PART_BYTES) as usize))
}

/// Loads the rows of the file at `path` after `start` (the byte where its rows start, and the
/// lines before it) in `count` parallel parts, each reading its own byte range of the file in
/// blocks: the file's text is never held whole. `read` hands each row of a range to the
/// function it is given, with its position counted from the range's start, and says how many
/// lines and quotes the range held. Each part's positions are then moved down past the lines
/// before it: the parts, in file order, are what one pass gives.
fn load_in_ranges(
    path: &Path,
    start: (u64, usize),
    count: usize,
    known_users: &KnownUsers,
    layout: &EventLayout,
    options: LoadOptions,
    read: impl Fn(Range<u64>, &mut dyn FnMut(RowPosition, SourceRow<'_>)) -> Result<(usize, usize), LoadError> + Sync,
) -> Result<Vec<Part>, LoadError> {
    let ranges = line_ranges(path, start.0, count).map_err(|e| LoadError::io(path, e))?;
    let parts = in_parallel(path, ranges, |range| {
        let capacity = ((range.end - range.start) / BYTES_PER_ROW_GUESS) as usize;
        load_part(path, layout, known_users, options, capacity, |row| read(range, row))
    });
    let mut lines_before = start.1;
    let mut moved = Vec::with_capacity(parts.len());
    for part in parts {
        let mut part = part?;
        for error in part.errors.iter_mut().chain(part.dropped.values_mut()) {
            error.move_down(lines_before);
        }
        lines_before += part.lines;
        moved.push(part);
    }
    Ok(moved)
}

/// The parts of an events file put together in order: one frame (the parts' chunks kept as
/// they are, not copied into one), the errors as one pass gives them, the file's report.
fn put_together(
    path: &Path,
    parts: Vec<Part>,
    layout: &EventLayout,
    options: LoadOptions,
    errors: &mut Vec<RowError>,
    reports: &mut Vec<TableReport>,
) -> Result<DataFrame, LoadError> {
    let mut bad = RowErrors::new(path, options, errors);
    let (mut frames, mut rows, mut left_out, mut unknown_users) = (Vec::new(), 0, 0, 0);
    for part in parts {
        bad.absorb(part.errors, part.dropped);
        frames.push(part.frame);
        rows += part.rows;
        left_out += part.left_out;
        unknown_users += part.unknown_users;
    }
    let file = bad.file().to_string();
    let mut frames = frames.into_iter();
    let mut built = match frames.next() {
        Some(first) => first,
        None => FrameBuilder::new(layout.built_columns(), 0).finish(path)?.0,
    };
    for part in frames {
        built.vstack_mut_owned(part).map_err(polars_error(path))?;
    }
    reports.push(TableReport::for_events(
        file,
        rows,
        left_out - unknown_users,
        unknown_users,
    ));
    layout.event_table(&built).map_err(polars_error(path))
}

/// What one part of an events file loaded to.
struct Part {
    frame: DataFrame,
    errors: Vec<RowError>,
    dropped: BTreeMap<String, RowError>,
    /// Rows read (blank lines are not rows).
    rows: usize,
    /// Lines read, blank ones included.
    lines: usize,
    /// Quotes read (CSV).
    quotes: usize,
    left_out: usize,
    unknown_users: usize,
}

/// The first four columns built: user, type, time and id.
const FIXED_COLUMNS: usize = 4;

/// Where an events file's columns are and what each event type's properties are, worked out
/// once for every row.
///
/// Properties of several event types that the file holds under one name with one base type
/// (`product_id` of page views, carts and purchases) are built into one shared column: a
/// `TYPE.prop` column is read on its type's rows only, so each type's column is that shared
/// column under its own name, stored once.
struct EventLayout<'r> {
    schema: &'r DataSchema,
    user: SourceColumn<'r>,
    kind: SourceColumn<'r>,
    time: SourceColumn<'r>,
    id: Option<SourceColumn<'r>>,
    /// The columns built: user, type, time, id, then one per shared property column (nullable:
    /// each property holds its own type's rows to its own nullability).
    built: Vec<(String, Type)>,
    /// Each event type's properties, and the shared columns its rows leave null.
    types: Vec<EventTypeLayout<'r>>,
    /// Each `TYPE.prop` column of the event table, in order, and the built column it is.
    properties: Vec<(String, usize)>,
}

/// How the rows of one event type fill the built columns.
struct EventTypeLayout<'r> {
    name: &'r str,
    properties: Vec<Property<'r>>,
    /// The shared property columns this type does not declare.
    absent: Vec<usize>,
}

/// One declared property of an event type: its column in the frame and in the file.
struct Property<'r> {
    builder: usize,
    name: &'r str,
    ty: &'r Type,
    column: SourceColumn<'r>,
}

impl<'r> EventLayout<'r> {
    /// The layout of `schema`'s events in a file whose columns are `column`.
    fn new(column: impl Fn(&'r str) -> SourceColumn<'r>, schema: &'r DataSchema) -> EventLayout<'r> {
        let names = &schema.event_columns;
        let mut built: Vec<(String, Type)> = event_columns(schema).into_iter().take(FIXED_COLUMNS).collect();
        let mut shared: Vec<(&str, &BaseType)> = Vec::new();
        let mut properties = Vec::new();
        let mut types = Vec::new();
        for event in &schema.events {
            let mut list = Vec::new();
            for field in &event.properties.fields {
                let key = (field.name.as_str(), &field.ty.base);
                let builder = match shared.iter().position(|s| *s == key) {
                    Some(at) => FIXED_COLUMNS + at,
                    None => {
                        shared.push(key);
                        built.push((event_column(&event.name, &field.name), field.ty.clone().or_null(true)));
                        built.len() - 1
                    }
                };
                properties.push((event_column(&event.name, &field.name), builder));
                list.push(Property {
                    builder,
                    name: &field.name,
                    ty: &field.ty,
                    column: column(&field.name),
                });
            }
            types.push(EventTypeLayout {
                name: &event.name,
                properties: list,
                absent: Vec::new(),
            });
        }
        for layout in &mut types {
            layout.absent = (FIXED_COLUMNS..built.len())
                .filter(|b| !layout.properties.iter().any(|p| p.builder == *b))
                .collect();
        }
        EventLayout {
            schema,
            user: column(&names.user),
            kind: column(&names.event_type),
            time: column(&names.time),
            id: names.id.as_deref().map(&column),
            built,
            types,
            properties,
        }
    }

    /// The columns built (name and type), in order.
    fn built_columns(&self) -> impl Iterator<Item = (&str, &Type)> {
        self.built.iter().map(|(name, ty)| (name.as_str(), ty))
    }

    /// How rows of the event type `name` are laid out, if it is declared.
    fn of_type(&self, name: &str) -> Option<&EventTypeLayout<'r>> {
        self.types.iter().find(|t| t.name == name)
    }

    /// The event table from the columns built: the fixed columns, then each `TYPE.prop`
    /// column (a shared one under each of its names).
    fn event_table(&self, built: &DataFrame) -> PolarsResult<DataFrame> {
        let columns = built.columns();
        let mut table: Vec<Column> = columns[..FIXED_COLUMNS].to_vec();
        for (name, builder) in &self.properties {
            table.push(columns[*builder].clone().with_name(name.as_str().into()));
        }
        DataFrame::new(built.height(), table)
    }
}

/// Loads one part of an events file into the layout's built columns: `read` hands each of the
/// part's rows, with its position, to the function it is given, and says how many lines and
/// quotes it read (none for rows read already, whose positions are the file's own).
fn load_part(
    path: &Path,
    layout: &EventLayout,
    known_users: &KnownUsers,
    options: LoadOptions,
    capacity: usize,
    read: impl FnOnce(&mut dyn FnMut(RowPosition, SourceRow<'_>)) -> Result<(usize, usize), LoadError>,
) -> Result<Part, LoadError> {
    let mut errors = Vec::new();
    let mut bad = RowErrors::new(path, options, &mut errors);
    let mut frame = FrameBuilder::new(layout.built_columns(), capacity);
    let (mut rows, mut unknown_users) = (0, 0);
    let (lines, quotes) = read(&mut |position, row| {
        rows += 1;
        if load_row(position, &row, layout, known_users, &mut frame, &mut bad) == Loaded::UnknownUser {
            unknown_users += 1;
        }
    })?;
    let dropped = bad.into_dropped();
    let (frame, left_out) = frame.finish(path)?;
    Ok(Part {
        frame,
        errors,
        dropped,
        rows,
        lines,
        quotes,
        left_out,
        unknown_users,
    })
}

/// What became of a row of events.
#[derive(PartialEq)]
enum Loaded {
    /// It is in the frame.
    Kept,
    /// It is left out, its problems reported.
    Bad,
    /// It is left out: its user is not among the profiles.
    UnknownUser,
}

/// Loads `row` (at `position`) into `frame`, its problems into `bad`.
fn load_row(
    position: RowPosition,
    row: &SourceRow,
    layout: &EventLayout,
    known_users: &KnownUsers,
    frame: &mut FrameBuilder,
    bad: &mut RowErrors,
) -> Loaded {
    let (schema, names) = (layout.schema, &layout.schema.event_columns);
    if !frame.start_row(position, row, bad) {
        return Loaded::Bad;
    }
    let builders = frame.builders();
    let user = row.text(&layout.user);
    let type_name = row.text(&layout.kind);
    let of_type = layout.of_type(&type_name);
    let mut ok = true;
    if user.is_empty() {
        bad.add(
            position,
            "data::bad-value",
            &names.user,
            user.to_string(),
            "a user key".into(),
        );
        ok = false;
    }
    if of_type.is_none() {
        let expected = format!(
            "a declared event type ({})",
            schema.event_names().collect::<Vec<_>>().join(", ")
        );
        bad.add(
            position,
            "data::unknown-event-type",
            &names.event_type,
            type_name.to_string(),
            expected,
        );
        ok = false;
    }
    builders[0].push_text(Some(&user)).ok();
    builders[1].push_text(Some(&type_name)).ok();
    let time_text = row.text(&layout.time);
    if let Err(expected) = row.push(&layout.time, &mut builders[2]) {
        bad.add(
            position,
            "data::bad-value",
            &names.time,
            time_text.to_string(),
            expected,
        );
        ok = false;
    }
    let wants_values = layout.id.is_none();
    let (values, properties_ok) = push_properties(row, of_type, builders, bad, position, wants_values);
    ok &= properties_ok;
    let id = match &layout.id {
        Some(column) => row.text(column),
        None => match parse_datetime(&time_text) {
            Some(ts) if ok => event_id(&user, &type_name, ts, &values).into(),
            _ => "".into(),
        },
    };
    builders[3].push_text(Some(&id)).ok();
    if !ok {
        frame.drop_row();
        Loaded::Bad
    } else if !known_users.contains(user.as_ref()) {
        frame.drop_row();
        Loaded::UnknownUser
    } else {
        Loaded::Kept
    }
}

/// Pushes `row`'s properties (those of its event type, each checked against its declared
/// type) into their columns and a null into every other property column; the values as JSON
/// for the event id (when `wants_values`), and whether all fit.
fn push_properties(
    row: &SourceRow,
    of_type: Option<&EventTypeLayout>,
    builders: &mut [ColumnBuilder],
    bad: &mut RowErrors,
    position: RowPosition,
    wants_values: bool,
) -> (BTreeMap<String, Json>, bool) {
    let mut ok = true;
    let mut values: BTreeMap<String, Json> = BTreeMap::new();
    let Some(of_type) = of_type else {
        builders[FIXED_COLUMNS..].iter_mut().for_each(ColumnBuilder::push_null);
        return (values, true);
    };
    for property in &of_type.properties {
        let builder = &mut builders[property.builder];
        builder.hold_to(property.ty.nullable);
        match row.push(&property.column, builder) {
            Ok(()) if wants_values => {
                let value = typed_json(&row.text(&property.column), property.ty);
                values.insert(property.name.to_string(), value);
            }
            Ok(()) => {}
            Err(expected) => {
                let value = row.text(&property.column).into_owned();
                bad.add(position, "data::bad-value", property.name, value, expected);
                ok = false;
            }
        }
    }
    for absent in &of_type.absent {
        builders[*absent].push_null();
    }
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

/// The events sorted by time, then id (aggregates such as `first` and `last_n` rely on it;
/// events equal in both keep their file order); a file already in that order is checked in
/// one pass and not sorted again. The sorted table is gathered one column at a time, each
/// column let go once its sorted copy is made: beside the table, one column is copied at a
/// time, not the whole table (twice, as a frame sort that first puts the parts' chunks
/// together does).
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
    let keys = [events.column(EVENT_TS)?.clone(), events.column(EVENT_ID)?.clone()];
    let order = sort::arg_sort(&keys, SortMultipleOptions::default().with_maintain_order(true))?;
    drop(keys);
    let height = events.height();
    let mut columns = events.into_columns();
    for column in &mut columns {
        *column = column.take(&order)?;
        if column.name() == EVENT_TS {
            column.set_sorted_flag(polars::series::IsSorted::Ascending);
        }
    }
    DataFrame::new(height, columns)
}

/// The time of the newest event (microseconds since the epoch), if there is any event: how
/// fresh the export is.
pub fn newest_event(events: &DataFrame) -> PolarsResult<Option<i64>> {
    let ts = events.column(EVENT_TS)?.cast(&DataType::Int64)?;
    Ok(ts.i64()?.max())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn events(rows: &[(i64, &str, &str)]) -> DataFrame {
        df!(
            EVENT_TS => rows.iter().map(|r| r.0).collect::<Vec<_>>(),
            EVENT_ID => rows.iter().map(|r| r.1).collect::<Vec<_>>(),
            "page_view.url" => rows.iter().map(|r| r.2).collect::<Vec<_>>(),
        )
        .unwrap()
    }

    #[test]
    fn events_are_sorted_by_time_then_id_across_parts_keeping_ties_in_file_order() {
        let mut table = events(&[(30, "b", "p1"), (10, "z", "p2"), (30, "a", "p3")]);
        table
            .vstack_mut_owned(events(&[(10, "z", "p4"), (20, "c", "p5")]))
            .unwrap();
        let sorted = in_time_order(table).unwrap();
        assert_eq!(
            sorted,
            events(&[
                (10, "z", "p2"),
                (10, "z", "p4"),
                (20, "c", "p5"),
                (30, "a", "p3"),
                (30, "b", "p1")
            ])
        );
        assert_eq!(
            sorted.column(EVENT_TS).unwrap().is_sorted_flag(),
            polars::series::IsSorted::Ascending
        );
        let ordered = events(&[(1, "a", "x"), (1, "b", "y")]);
        assert_eq!(in_time_order(ordered.clone()).unwrap(), ordered);
    }
}
