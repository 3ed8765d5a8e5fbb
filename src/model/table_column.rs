//! A column of a database table, as tailor reads it: what kind of values it yields, and the
//! type the database gives it (for messages).

use super::BaseType;

/// How tailor reads a column of a database table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColumnKind {
    /// Text (and any type tailor does not read directly, which the server turns into text).
    Text,
    /// Integers.
    Int,
    /// Floats and decimals (read as the nearest float).
    Float,
    /// Booleans.
    Bool,
    /// Dates.
    Date,
    /// Times without a zone, read as UTC.
    Timestamp,
    /// Times with a zone.
    TimestampUtc,
    /// Arrays of text.
    TextList,
}

impl ColumnKind {
    /// Whether the column holds values of a field declared as `base`, as the loader reads them
    /// (the same rules as a Parquet column's).
    pub fn holds(self, base: &BaseType) -> bool {
        match base {
            BaseType::Int => self == ColumnKind::Int,
            BaseType::Float => matches!(self, ColumnKind::Float | ColumnKind::Int),
            BaseType::Bool => self == ColumnKind::Bool,
            BaseType::Date => self == ColumnKind::Date,
            BaseType::DateTime => matches!(self, ColumnKind::Timestamp | ColumnKind::TimestampUtc),
            BaseType::List(_) => self == ColumnKind::TextList,
            _ => self == ColumnKind::Text,
        }
    }
}

/// One column of a database table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableColumn {
    /// Its name.
    pub name: String,
    /// How tailor reads it.
    pub kind: ColumnKind,
    /// Its type as the database names it (`text`, `int8`, `timestamptz`, ...).
    pub sql_type: String,
}
