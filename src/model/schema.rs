//! The data schema: typed profile, event and catalog fields (SPEC §2).

use super::Type;

/// A named, typed column.
#[derive(Debug, Clone, PartialEq)]
pub struct Field {
    /// Column name.
    pub name: String,
    /// Its type.
    pub ty: Type,
}

/// A table's columns in declaration order.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Table {
    /// The columns.
    pub fields: Vec<Field>,
}

impl Table {
    /// The field called `name`.
    pub fn field(&self, name: &str) -> Option<&Field> {
        self.fields.iter().find(|f| f.name == name)
    }

    /// Every field name.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.fields.iter().map(|f| f.name.as_str())
    }
}

/// One event type and its properties.
#[derive(Debug, Clone, PartialEq)]
pub struct EventSchema {
    /// The type's name (the value of the type column).
    pub name: String,
    /// Its properties (`ts` is implicit).
    pub properties: Table,
}

/// The workspace's data schema.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DataSchema {
    /// Profile columns.
    pub profiles: Table,
    /// The profile key column.
    pub key: String,
    /// The email column.
    pub email: String,
    /// The optional time zone column.
    pub timezone: Option<String>,
    /// Event types.
    pub events: Vec<EventSchema>,
    /// Catalog columns, when there is a catalog.
    pub catalog: Option<Table>,
}

impl DataSchema {
    /// The event type called `name`.
    pub fn event(&self, name: &str) -> Option<&EventSchema> {
        self.events.iter().find(|e| e.name == name)
    }

    /// Every event type name.
    pub fn event_names(&self) -> impl Iterator<Item = &str> {
        self.events.iter().map(|e| e.name.as_str())
    }
}
