//! A field's declared type as written: `string?`, `list<string>`, `{ enum: [a, b] }`.

use std::borrow::Cow;
use std::fmt;

use schemars::{json_schema, JsonSchema, Schema, SchemaGenerator};
use serde::de::{self, MapAccess, Visitor};
use serde::{Deserialize, Deserializer};

/// A declared type before validation.
#[derive(Debug, Clone, PartialEq)]
pub enum RawFieldType {
    /// A type name such as `string`, `float?` or `list<string>`.
    Named(String),
    /// `{ enum: [..], nullable: bool }`.
    Enum {
        /// The allowed values.
        values: Vec<String>,
        /// Whether null is allowed.
        nullable: bool,
    },
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct EnumForm {
    #[serde(rename = "enum")]
    values: Vec<String>,
    #[serde(default)]
    nullable: bool,
}

impl<'de> Deserialize<'de> for RawFieldType {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct FieldTypeVisitor;
        impl<'de> Visitor<'de> for FieldTypeVisitor {
            type Value = RawFieldType;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a type name (string, int, float, bool, date, datetime, list<string>) or { enum: [...] }")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
                Ok(RawFieldType::Named(v.to_string()))
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
                let form = EnumForm::deserialize(de::value::MapAccessDeserializer::new(map))?;
                Ok(RawFieldType::Enum {
                    values: form.values,
                    nullable: form.nullable,
                })
            }
        }
        deserializer.deserialize_any(FieldTypeVisitor)
    }
}

impl JsonSchema for RawFieldType {
    fn schema_name() -> Cow<'static, str> {
        "FieldType".into()
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "description": "A field type: string, int, float, bool, date, datetime or list<string>, with `?` for nullable; or { enum: [...] }.",
            "oneOf": [
                { "type": "string", "pattern": "^(string|int|float|bool|date|datetime|list<string>)\\??$" },
                {
                    "type": "object",
                    "properties": {
                        "enum": { "type": "array", "items": { "type": "string" }, "minItems": 1 },
                        "nullable": { "type": "boolean" }
                    },
                    "required": ["enum"],
                    "additionalProperties": false
                }
            ]
        })
    }
}
