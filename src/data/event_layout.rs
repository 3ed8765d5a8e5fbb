//! How the rows of an events file fill the event table's columns: where each column is in
//! the file, which built column each event type's properties go to, and the loading of one row
//! (checked against its type, its user among the profiles' keys).

use std::collections::BTreeMap;

use polars::prelude::*;
use serde_json::Value as Json;

use super::event_table::{event_column, event_columns};
use super::frame_builder::FrameBuilder;
use super::row_errors::RowErrors;
use super::source_row::{SourceColumn, SourceRow};
use super::{event_id, ColumnBuilder, RowPosition};
use crate::model::{parse_datetime, BaseType, DataSchema, Type};

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

/// The first four columns built: user, type, time and id.
const FIXED_COLUMNS: usize = 4;

/// Where an events file's columns are and what each event type's properties are, worked out
/// once for every row.
///
/// Properties of several event types that the file holds under one name with one base type
/// (`product_id` of page views, carts and purchases) are built into one shared column: a
/// `TYPE.prop` column is read on its type's rows only, so each type's column is that shared
/// column under its own name, stored once.
pub(super) struct EventLayout<'r> {
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
    pub(super) fn new(column: impl Fn(&'r str) -> SourceColumn<'r>, schema: &'r DataSchema) -> EventLayout<'r> {
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
    pub(super) fn built_columns(&self) -> impl Iterator<Item = (&str, &Type)> {
        self.built.iter().map(|(name, ty)| (name.as_str(), ty))
    }

    /// How rows of the event type `name` are laid out, if it is declared.
    fn of_type(&self, name: &str) -> Option<&EventTypeLayout<'r>> {
        self.types.iter().find(|t| t.name == name)
    }

    /// The event table from the columns built: the fixed columns, then each `TYPE.prop`
    /// column (a shared one under each of its names).
    pub(super) fn event_table(&self, built: &DataFrame) -> PolarsResult<DataFrame> {
        let columns = built.columns();
        let mut table: Vec<Column> = columns[..FIXED_COLUMNS].to_vec();
        for (name, builder) in &self.properties {
            table.push(columns[*builder].clone().with_name(name.as_str().into()));
        }
        DataFrame::new(built.height(), table)
    }
}

/// What became of a row of events.
#[derive(PartialEq)]
pub(super) enum Loaded {
    /// It is in the frame.
    Kept,
    /// It is left out, its problems reported.
    Bad,
    /// It is left out: its user is not among the profiles.
    UnknownUser,
}

/// Loads `row` (at `position`) into `frame`, its problems into `bad`.
pub(super) fn load_row(
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
