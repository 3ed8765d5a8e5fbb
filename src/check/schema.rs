//! The data schema (`kind: data`): exactly one, with valid types and existing columns.
//!
//! **Why**: every expression and template is typed against it; a wrong type name, a key or
//! email column that is not declared, or a missing file would only show up when data is read.
//!
//! **Example**: `tier: { enum: [] }` → `schema::bad-type`; `key: uid` with no `uid` field →
//! `schema::unknown-column`.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::context::Context;
use super::names::check_name_shape;
use crate::diag::{suggestion_hint, Diagnostic};
use crate::load::raw::{RawData, RawEventRoles, RawFieldType, RawFields};
use crate::load::{Document, Located};
use crate::model::{
    is_postgres_source, is_spark_source, is_table_source, postgres_url_holds_password, spark_url_holds_token,
    split_postgres_source, split_spark_source,
};
use crate::model::{BaseType, DataSchema, DataSources, EventColumns, EventRoles, EventSchema, Field, Table, Type};

/// The file formats datasets may use.
const SOURCE_EXTENSIONS: [&str; 4] = ["csv", "parquet", "ndjson", "jsonl"];

/// Builds the data schema from the single `kind: data` document.
pub fn check_schema(cx: &mut Context) -> Option<DataSchema> {
    let documents = cx.data_documents();
    let Some(doc) = documents.first() else {
        if cx
            .loaded
            .unparsed
            .iter()
            .any(|(kind, _)| kind == "data" || kind.is_empty())
        {
            return None; // A data document may exist but did not parse: that error is reported.
        }
        let d = Diagnostic::error("schema::missing", "the workspace has no data schema")
            .with_hint("add a document with `kind: data` declaring `profiles:` (see `tailor init`)");
        cx.report(d);
        return None;
    };
    for extra in &documents[1..] {
        let d = Diagnostic::error(
            "schema::duplicate",
            "the workspace has more than one `kind: data` document",
        )
        .at_labeled(extra.span(&extra.value.kind), "second data schema")
        .with_label(doc.span(&doc.value.kind), "first data schema")
        .with_hint("merge them into one document");
        cx.report(d);
    }
    let raw: &RawData = doc.value;
    let folder = cx.loaded.folder_of(doc.file);
    source_file(cx, doc, &raw.profiles.source);
    let profiles = table(cx, doc, &raw.profiles.fields, "profile field");
    text_column(cx, doc, &profiles, &raw.profiles.key, "profiles.fields", true);
    text_column(cx, doc, &profiles, &raw.profiles.email, "profiles.fields", false);
    if let Some(zone) = &raw.profiles.timezone {
        text_column(cx, doc, &profiles, zone, "profiles.fields", false);
    }
    let mut schema = DataSchema {
        key: raw.profiles.key.value.clone(),
        email: raw.profiles.email.value.clone(),
        timezone: raw.profiles.timezone.as_ref().map(|t| t.value.clone()),
        profiles,
        events: Vec::new(),
        catalog: None,
        roles: EventRoles::default(),
        event_columns: EventColumns::default(),
        catalog_key: None,
        sources: DataSources {
            profiles: source_path(&folder, &raw.profiles.source.value),
            events: None,
            catalog: None,
        },
    };
    if let Some(events) = &raw.events {
        source_file(cx, doc, &events.source);
        schema.sources.events = Some(source_path(&folder, &events.source.value));
        schema.event_columns = EventColumns {
            user: events.user.value.clone(),
            event_type: events.type_column.value.clone(),
            time: events.time.value.clone(),
            id: events.id.as_ref().map(|i| i.value.clone()),
        };
        for (name, fields) in events.types.iter() {
            check_name_shape(cx, doc.span(name), &name.value, "event type");
            let properties = table(cx, doc, fields, "event property");
            for reserved in ["ts", "type"] {
                if let Some((located, _)) = fields.iter().find(|(n, _)| n.value == reserved) {
                    let d = Diagnostic::error(
                        "schema::reserved-name",
                        format!(
                            "`{reserved}` is reserved for the event's own {}",
                            if reserved == "ts" { "time" } else { "type" }
                        ),
                    )
                    .at(doc.span(located))
                    .with_hint("rename the property");
                    cx.report(d);
                }
            }
            schema.events.push(EventSchema {
                name: name.value.clone(),
                properties,
            });
        }
        if let Some(roles) = &events.roles {
            schema.roles = event_roles(cx, doc, roles, &schema.events);
        }
    }
    if let Some(catalog) = &raw.catalog {
        source_file(cx, doc, &catalog.source);
        schema.sources.catalog = Some(source_path(&folder, &catalog.source.value));
        schema.catalog_key = Some(catalog.key.value.clone());
        let table = table(cx, doc, &catalog.fields, "catalog field");
        text_column(cx, doc, &table, &catalog.key, "catalog.fields", true);
        schema.catalog = Some(table);
    }
    Some(schema)
}

/// `events.roles`: the defaults, replaced by each role given; a role must name a declared event
/// type (view, cart, purchase) or a property some event type declares (product, category).
fn event_roles<D>(cx: &mut Context, doc: &Document<D>, raw: &RawEventRoles, events: &[EventSchema]) -> EventRoles {
    let mut roles = EventRoles::default();
    let type_names: Vec<&str> = events.iter().map(|e| e.name.as_str()).collect();
    let mut property_names: Vec<&str> = events.iter().flat_map(|e| e.properties.names()).collect();
    property_names.sort_unstable();
    property_names.dedup();
    let slots = [
        (&raw.view, &mut roles.view, "view", true),
        (&raw.cart, &mut roles.cart, "cart", true),
        (&raw.purchase, &mut roles.purchase, "purchase", true),
        (&raw.product, &mut roles.product, "product", false),
        (&raw.category, &mut roles.category, "category", false),
    ];
    for (given, slot, role, is_type) in slots {
        let Some(given) = given else { continue };
        let known = if is_type { &type_names } else { &property_names };
        if known.contains(&given.value.as_str()) {
            *slot = given.value.clone();
        } else {
            let what = if is_type { "event type" } else { "event property" };
            let d = Diagnostic::error(
                "schema::bad-role",
                format!("role `{role}` names `{}`, which is not a declared {what}", given.value),
            )
            .at(doc.span(given))
            .with_optional_hint(suggestion_hint(&given.value, known.iter()));
            cx.report(d);
        }
    }
    roles
}

fn table<D>(cx: &mut Context, doc: &Document<D>, fields: &RawFields, what: &str) -> Table {
    let mut table = Table::default();
    for (name, raw_type) in fields.iter() {
        check_name_shape(cx, doc.span(name), &name.value, what);
        if let Some(ty) = field_type(cx, doc, raw_type) {
            table.fields.push(Field {
                name: name.value.clone(),
                ty,
            });
        }
    }
    table
}

fn field_type<D>(cx: &mut Context, doc: &Document<D>, raw: &Located<RawFieldType>) -> Option<Type> {
    match &raw.value {
        RawFieldType::Named(name) => {
            let (base_name, nullable) = match name.strip_suffix('?') {
                Some(base) => (base.trim(), true),
                None => (name.trim(), false),
            };
            match BaseType::parse_name(base_name) {
                Some(base) => Some(Type { base, nullable }),
                None => {
                    let d = Diagnostic::error("schema::bad-type", format!("unknown type `{name}`"))
                        .at(doc.span(raw))
                        .with_optional_hint(suggestion_hint(base_name, BaseType::NAMES))
                        .with_hint("types are string, int, float, bool, date, datetime, list<string>, or { enum: [...] }; add `?` for nullable");
                    cx.report(d);
                    None
                }
            }
        }
        RawFieldType::Enum { values, nullable } => {
            let mut sorted = values.clone();
            sorted.sort();
            sorted.dedup();
            if values.is_empty() || sorted.len() != values.len() {
                let message = if values.is_empty() {
                    "an enum needs at least one value"
                } else {
                    "an enum lists a value twice"
                };
                cx.report(Diagnostic::error("schema::bad-type", message).at(doc.span(raw)));
                return None;
            }
            Some(Type {
                base: BaseType::Enum(Arc::from(values.clone())),
                nullable: *nullable,
            })
        }
    }
}

/// A special column (key, email, time zone) must be a declared text field; a key may not be
/// nullable.
fn text_column<D>(cx: &mut Context, doc: &Document<D>, table: &Table, column: &Located<String>, list: &str, key: bool) {
    let d = match table.field(&column.value) {
        None => Diagnostic::error(
            "schema::unknown-column",
            format!("`{}` is not declared in `{list}`", column.value),
        )
        .at(doc.span(column))
        .with_optional_hint(suggestion_hint(&column.value, table.names())),
        Some(field) if !field.ty.base.is_textual() => Diagnostic::error(
            "schema::not-text",
            format!("`{}` is {}, but this column must hold text", column.value, field.ty),
        )
        .at(doc.span(column))
        .with_hint(format!("declare `{}: string`", column.value)),
        Some(field) if key && field.ty.nullable => Diagnostic::error(
            "schema::nullable-key",
            format!("the key `{}` is declared nullable", column.value),
        )
        .at(doc.span(column))
        .with_hint(format!("every row needs a key: declare `{}: string`", column.value)),
        Some(_) => return,
    };
    cx.report(d);
}

/// Where a dataset source points: a file relative to the document's folder, or a database
/// table's URL as written.
fn source_path(folder: &Path, source: &str) -> PathBuf {
    if is_table_source(source) {
        PathBuf::from(source)
    } else {
        folder.join(source)
    }
}

/// A dataset path must name an existing file of a known format, and a PostgreSQL or Spark URL
/// a table (neither is read here: no rows, no network).
fn source_file<D>(cx: &mut Context, doc: &Document<D>, source: &Located<String>) {
    let url = &source.value;
    let table = if is_spark_source(url) {
        let hint = "write `sc://host:15002?table=NAME`; a token comes from `TAILOR_SPARK_TOKEN`";
        Some((split_spark_source(url).err(), spark_url_holds_token(url), hint))
    } else if is_postgres_source(url) {
        let hint = "write `postgres://host/database?table=NAME`; the password comes from `TAILOR_PG_PASSWORD`";
        Some((split_postgres_source(url).err(), postgres_url_holds_password(url), hint))
    } else {
        None
    };
    if let Some((why, secret, hint)) = table {
        if let Some(why) = why {
            let shown = if secret {
                "the source".to_string()
            } else {
                format!("`{url}`")
            };
            let d = Diagnostic::error("schema::bad-source", format!("{shown}: {why}"))
                .at(doc.span(source))
                .with_hint(hint);
            cx.report(if secret { d.concealed() } else { d });
        }
        return;
    }
    let path = cx.loaded.folder_of(doc.file).join(&source.value);
    let extension = Path::new(&source.value)
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or("");
    if !SOURCE_EXTENSIONS.contains(&extension) {
        let d = Diagnostic::error(
            "schema::bad-source",
            format!("`{}` is not a supported dataset format", source.value),
        )
        .at(doc.span(source))
        .with_hint(
            "use a .csv, .parquet, .ndjson or .jsonl file, a `postgres://host/database?table=NAME` or an `sc://host:15002?table=NAME` URL",
        );
        cx.report(d);
    } else if !path.is_file() {
        let d = Diagnostic::error(
            "schema::missing-source",
            format!("dataset `{}` does not exist", source.value),
        )
        .at_labeled(doc.span(source), "no such file")
        .with_hint("paths are relative to the document's own folder");
        cx.report(d);
    }
}
