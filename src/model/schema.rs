//! The data schema: typed profile, event and catalog fields (SPEC §2).

use std::path::PathBuf;

use super::{EventRoles, Type};

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

/// The columns of the events file that carry each event's user, type, time and id.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct EventColumns {
    /// The column joining to the profile key.
    pub user: String,
    /// The column naming the event type.
    pub event_type: String,
    /// The event time column.
    pub time: String,
    /// The optional id column.
    pub id: Option<String>,
}

/// Where the datasets are: files resolved against the schema document's folder, or tables in
/// PostgreSQL or Spark named by their `postgres://` or `sc://` URL as written
/// ([`super::is_table_source`]).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DataSources {
    /// The profiles file.
    pub profiles: PathBuf,
    /// The events file.
    pub events: Option<PathBuf>,
    /// The catalog file.
    pub catalog: Option<PathBuf>,
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
    /// The events file's special columns.
    pub event_columns: EventColumns,
    /// The catalog key column.
    pub catalog_key: Option<String>,
    /// Where the files are.
    pub sources: DataSources,
    /// Event types.
    pub events: Vec<EventSchema>,
    /// Catalog columns, when there is a catalog.
    pub catalog: Option<Table>,
    /// The event types and properties recommendations and purchase counts read.
    pub roles: EventRoles,
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
