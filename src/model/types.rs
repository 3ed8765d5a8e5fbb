//! The types of values in expressions, templates and datasets.

use std::fmt;
use std::sync::Arc;

/// A type without nullability.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum BaseType {
    /// 64-bit integer.
    Int,
    /// 64-bit float.
    Float,
    /// true / false.
    Bool,
    /// UTF-8 text.
    String,
    /// A calendar date.
    Date,
    /// An instant (UTC).
    DateTime,
    /// A length of time.
    Duration,
    /// A list of values of one type.
    List(Box<BaseType>),
    /// A string restricted to listed values.
    Enum(Arc<[String]>),
    /// The type of the `null` literal: fits anywhere.
    Null,
}

/// A type and whether null is possible.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Type {
    /// The underlying type.
    pub base: BaseType,
    /// Whether the value may be null.
    pub nullable: bool,
}

impl BaseType {
    /// Parses a type name: `string int float bool date datetime list<string>`.
    pub fn parse_name(name: &str) -> Option<BaseType> {
        Some(match name {
            "string" => BaseType::String,
            "int" => BaseType::Int,
            "float" => BaseType::Float,
            "bool" => BaseType::Bool,
            "date" => BaseType::Date,
            "datetime" => BaseType::DateTime,
            "list<string>" => BaseType::List(Box::new(BaseType::String)),
            _ => return None,
        })
    }

    /// The type names [`BaseType::parse_name`] accepts.
    pub const NAMES: [&'static str; 7] = ["string", "int", "float", "bool", "date", "datetime", "list<string>"];

    /// Int or float.
    pub fn is_numeric(&self) -> bool {
        matches!(self, BaseType::Int | BaseType::Float)
    }

    /// Date or datetime.
    pub fn is_temporal(&self) -> bool {
        matches!(self, BaseType::Date | BaseType::DateTime)
    }

    /// String or enum (an enum value is a string).
    pub fn is_textual(&self) -> bool {
        matches!(self, BaseType::String | BaseType::Enum(_))
    }

    /// Whether values of the two types can be compared with `==`.
    pub fn comparable(&self, other: &BaseType) -> bool {
        use BaseType::*;
        match (self, other) {
            (Null, _) | (_, Null) => true,
            (a, b) if a.is_numeric() && b.is_numeric() => true,
            (a, b) if a.is_temporal() && b.is_temporal() => true,
            (a, b) if a.is_textual() && b.is_textual() => true,
            (List(a), List(b)) => a.comparable(b),
            (a, b) => a == b,
        }
    }

    /// Whether values of the two types have an order (`<`).
    pub fn ordered(&self, other: &BaseType) -> bool {
        !matches!(self, BaseType::Bool | BaseType::List(_))
            && !matches!(other, BaseType::Bool | BaseType::List(_))
            && self.comparable(other)
    }
}

impl Type {
    /// A non-null type.
    pub fn required(base: BaseType) -> Type {
        Type { base, nullable: false }
    }

    /// A nullable type.
    pub fn nullable(base: BaseType) -> Type {
        Type { base, nullable: true }
    }

    /// The same type, nullable when `nullable` is true.
    pub fn or_null(self, nullable: bool) -> Type {
        Type {
            nullable: self.nullable || nullable,
            ..self
        }
    }
}

impl fmt::Display for BaseType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BaseType::Int => f.write_str("int"),
            BaseType::Float => f.write_str("float"),
            BaseType::Bool => f.write_str("bool"),
            BaseType::String => f.write_str("string"),
            BaseType::Date => f.write_str("date"),
            BaseType::DateTime => f.write_str("datetime"),
            BaseType::Duration => f.write_str("duration"),
            BaseType::List(item) => write!(f, "list<{item}>"),
            BaseType::Enum(values) => write!(f, "enum [{}]", values.join(", ")),
            BaseType::Null => f.write_str("null"),
        }
    }
}

impl fmt::Display for Type {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.nullable && self.base != BaseType::Null {
            write!(f, "{}?", self.base)
        } else {
            write!(f, "{}", self.base)
        }
    }
}
