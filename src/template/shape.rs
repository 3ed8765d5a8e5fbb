//! What the checker knows about a template value.

use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;

use crate::model::{BaseType, Type};

/// The kind of a template value.
#[derive(Debug, Clone, PartialEq)]
pub enum Shape {
    /// Not known: every use is accepted.
    Any,
    /// Always nil.
    Nil,
    /// true / false.
    Bool,
    /// An integer.
    Int,
    /// A float.
    Float,
    /// Text.
    String,
    /// Text restricted to listed values.
    Enum(Arc<[String]>),
    /// A calendar date.
    Date,
    /// An instant.
    DateTime,
    /// A list.
    List(Box<Shape>),
    /// A hash with known keys.
    Object(Arc<BTreeMap<String, Value>>),
}

/// A shape and whether it may be nil.
#[derive(Debug, Clone, PartialEq)]
pub struct Value {
    /// What it is.
    pub shape: Shape,
    /// Whether it may be nil.
    pub nullable: bool,
}

impl Value {
    /// A value that is never nil.
    pub fn of(shape: Shape) -> Value {
        Value { shape, nullable: false }
    }

    /// A value that is not known.
    pub fn any() -> Value {
        Value::of(Shape::Any)
    }

    /// An object with these fields.
    pub fn object(fields: BTreeMap<String, Value>) -> Value {
        Value::of(Shape::Object(Arc::new(fields)))
    }

    /// The template value of an expression-language type.
    pub fn from_type(ty: &Type) -> Value {
        Value {
            shape: Shape::from_base(&ty.base),
            nullable: ty.nullable,
        }
    }

    /// The shape of a YAML/JSON value (campaign `vars`).
    pub fn from_json(value: &serde_json::Value) -> Value {
        use serde_json::Value as J;
        let shape = match value {
            J::Null => {
                return Value {
                    shape: Shape::Nil,
                    nullable: true,
                }
            }
            J::Bool(_) => Shape::Bool,
            J::Number(n) if n.is_i64() || n.is_u64() => Shape::Int,
            J::Number(_) => Shape::Float,
            J::String(_) => Shape::String,
            J::Array(items) => {
                let mut shapes = items.iter().map(|i| Value::from_json(i).shape);
                let first = shapes.next().unwrap_or(Shape::Any);
                // Items of mixed shapes (or nils among them) prove nothing about an item.
                let uniform = shapes.all(|s| s == first) && first != Shape::Nil;
                Shape::List(Box::new(if uniform { first } else { Shape::Any }))
            }
            J::Object(map) => Shape::Object(Arc::new(
                map.iter().map(|(k, v)| (k.clone(), Value::from_json(v))).collect(),
            )),
        };
        Value::of(shape)
    }
}

impl Shape {
    fn from_base(base: &BaseType) -> Shape {
        match base {
            BaseType::Int => Shape::Int,
            BaseType::Float => Shape::Float,
            BaseType::Bool => Shape::Bool,
            BaseType::String => Shape::String,
            BaseType::Enum(values) => Shape::Enum(values.clone()),
            BaseType::Date => Shape::Date,
            BaseType::DateTime => Shape::DateTime,
            BaseType::Duration => Shape::Any,
            BaseType::List(item) => Shape::List(Box::new(Shape::from_base(item))),
            BaseType::Null => Shape::Nil,
        }
    }

    /// Whether a numeric filter can make sense of it.
    pub fn can_be_number(&self) -> bool {
        !matches!(
            self,
            Shape::Bool | Shape::List(_) | Shape::Object(_) | Shape::Date | Shape::DateTime
        )
    }

    /// The family of values it compares with, when known: `number`, `text` or `bool`. Liquid
    /// compares across families without complaint and the answer is always false (or an error
    /// for `<` and `>`), so the checker rejects it.
    pub fn comparison_family(&self) -> Option<&'static str> {
        match self {
            Shape::Int | Shape::Float => Some("number"),
            Shape::String | Shape::Enum(_) => Some("text"),
            Shape::Bool => Some("bool"),
            _ => None,
        }
    }

    /// Whether it is known to be a single scalar that is not text.
    pub fn is_non_text_scalar(&self) -> bool {
        matches!(
            self,
            Shape::Bool | Shape::Int | Shape::Float | Shape::Date | Shape::DateTime
        )
    }
}

impl fmt::Display for Shape {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Shape::Any => f.write_str("a value"),
            Shape::Nil => f.write_str("nil"),
            Shape::Bool => f.write_str("a bool"),
            Shape::Int => f.write_str("an int"),
            Shape::Float => f.write_str("a float"),
            Shape::String => f.write_str("a string"),
            Shape::Enum(_) => f.write_str("an enum string"),
            Shape::Date => f.write_str("a date"),
            Shape::DateTime => f.write_str("a datetime"),
            Shape::List(_) => f.write_str("a list"),
            Shape::Object(_) => f.write_str("an object"),
        }
    }
}
