//! The tracking plan: a JSON Schema (draft 2020-12) generated from the workspace's data schema,
//! describing the Segment calls `serve` accepts — one `track` shape per declared event type
//! (its properties, typed; the non-nullable ones required; nothing undeclared) and one
//! `identify` shape (the profile fields, each optional). `tailor schema --events` writes it for
//! producers; `serve` checks every call against it with the `jsonschema` crate.

use std::collections::BTreeMap;

use serde_json::{json, Map, Value as Json};

use crate::model::{BaseType, DataSchema, Table, Type};

/// Compiled validators, one per event type and one for identify traits.
pub struct TrackingPlan {
    document: Json,
    events: BTreeMap<String, jsonschema::Validator>,
    traits: jsonschema::Validator,
}

impl std::fmt::Debug for TrackingPlan {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TrackingPlan")
            .field("events", &self.events.keys().collect::<Vec<_>>())
            .finish_non_exhaustive()
    }
}

/// The JSON Schema of one value of type `ty`.
fn value_schema(ty: &Type) -> Json {
    let mut schema = match &ty.base {
        BaseType::Int => json!({ "type": "integer" }),
        BaseType::Float => json!({ "type": "number" }),
        BaseType::Bool => json!({ "type": "boolean" }),
        BaseType::Date => json!({ "type": "string", "format": "date" }),
        BaseType::DateTime => json!({ "type": "string", "format": "date-time" }),
        BaseType::List(_) => json!({ "type": "array", "items": { "type": "string" } }),
        BaseType::Enum(values) => json!({ "enum": values.iter().collect::<Vec<_>>() }),
        _ => json!({ "type": "string" }),
    };
    if ty.nullable {
        if let Some(Json::Array(values)) = schema.get_mut("enum") {
            values.push(Json::Null);
        } else if let Some(kind) = schema.get("type").cloned() {
            schema["type"] = json!([kind, "null"]);
        }
    }
    schema
}

/// The object schema of `table`'s fields (but `skip`); the non-nullable ones required when
/// `require` is set.
fn object_schema(table: &Table, skip: Option<&str>, require: bool) -> Json {
    let mut properties = Map::new();
    let mut required = Vec::new();
    for field in table.fields.iter().filter(|f| Some(f.name.as_str()) != skip) {
        properties.insert(field.name.clone(), value_schema(&field.ty));
        if require && !field.ty.nullable {
            required.push(Json::String(field.name.clone()));
        }
    }
    json!({
        "type": "object",
        "properties": properties,
        "required": required,
        "additionalProperties": false,
    })
}

/// The name of the `$defs` entry holding event type `name`'s properties.
fn event_definition(name: &str) -> String {
    format!("track.{name}")
}

/// The whole tracking plan document for `schema`.
pub fn tracking_plan_document(schema: &DataSchema, workspace: &str) -> Json {
    let mut definitions = Map::new();
    let mut calls = Vec::new();
    let user_id = json!({ "type": "string", "minLength": 1 });
    for event in &schema.events {
        let definition = event_definition(&event.name);
        definitions.insert(definition.clone(), object_schema(&event.properties, None, true));
        let properties = json!({ "$ref": format!("#/$defs/{definition}") });
        calls.push(json!({
            "type": "object",
            "description": format!("a `track` call of `{}` (`type` may be left out at `/v1/track`)", event.name),
            "properties": {
                "type": { "const": "track" },
                "event": { "const": event.name },
                "userId": user_id,
                "properties": properties,
            },
            "required": ["userId", "event"],
        }));
        if event.name == schema.roles.view {
            calls.push(json!({
                "type": "object",
                "description": format!("a `page` call, kept as `{}`", event.name),
                "properties": {
                    "type": { "const": "page" },
                    "userId": user_id,
                    "properties": properties,
                },
                "required": ["type", "userId"],
            }));
        }
    }
    definitions.insert(
        "identify".into(),
        object_schema(&schema.profiles, Some(&schema.key), false),
    );
    calls.push(json!({
        "type": "object",
        "description": "an `identify` call: traits set profile fields",
        "properties": {
            "type": { "const": "identify" },
            "userId": user_id,
            "traits": { "$ref": "#/$defs/identify" },
        },
        "required": ["type", "userId"],
    }));
    json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": format!("tracking plan of `{workspace}`"),
        "description": "The Segment calls `tailor serve` accepts: `track` (and `page` as `page_view`) per declared event type, and `identify`. Generated from the workspace's `kind: data` schema by `tailor schema --events`.",
        "$defs": definitions,
        "anyOf": calls,
    })
}

/// Why a tracking plan could not be compiled (a defect: the generated schema is always valid).
#[derive(Debug, Clone)]
pub struct PlanError(pub String);

fn compile(schema: &Json) -> Result<jsonschema::Validator, PlanError> {
    jsonschema::options()
        .should_validate_formats(true)
        .build(schema)
        .map_err(|e| PlanError(e.to_string()))
}

/// The problems `validator` finds in `instance`, each as `path: message`.
fn problems(validator: &jsonschema::Validator, instance: &Json, at: &str) -> Vec<String> {
    validator
        .iter_errors(instance)
        .map(|error| {
            let path = error.instance_path().as_str();
            let place = if path.is_empty() {
                at.to_string()
            } else {
                format!("{at}{path}")
            };
            format!("{place}: {error}")
        })
        .collect()
}

impl TrackingPlan {
    /// The tracking plan of `schema` (workspace `workspace`), compiled.
    pub fn new(schema: &DataSchema, workspace: &str) -> Result<TrackingPlan, PlanError> {
        let document = tracking_plan_document(schema, workspace);
        let definitions = &document["$defs"];
        let mut events = BTreeMap::new();
        for event in &schema.events {
            events.insert(
                event.name.clone(),
                compile(&definitions[event_definition(&event.name)])?,
            );
        }
        let traits = compile(&definitions["identify"])?;
        Ok(TrackingPlan {
            document,
            events,
            traits,
        })
    }

    /// The JSON Schema document.
    pub fn document(&self) -> &Json {
        &self.document
    }

    /// Whether event type `event` declares property `property`.
    pub fn declares(&self, event: &str, property: &str) -> bool {
        self.document["$defs"][event_definition(event)]["properties"]
            .get(property)
            .is_some()
    }

    /// Checks a `track` call of `event` with `properties`: the reasons it does not fit.
    pub fn check_track(&self, event: &str, properties: &Json) -> Vec<String> {
        match self.events.get(event) {
            Some(validator) => problems(validator, properties, "/properties"),
            None => vec![format!(
                "/event: `{event}` is not an event type of the data schema ({})",
                self.events.keys().cloned().collect::<Vec<_>>().join(", ")
            )],
        }
    }

    /// Checks an `identify` call's traits: the reasons they do not fit.
    pub fn check_traits(&self, traits: &Json) -> Vec<String> {
        problems(&self.traits, traits, "/traits")
    }
}
