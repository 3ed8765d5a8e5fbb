//! `kind: data`, the data schema (SPEC §2).

use schemars::JsonSchema;
use serde::Deserialize;

use super::RawFieldType;
use crate::load::{Located, OrderedMap};

/// Named, typed fields in declaration order.
pub type RawFields = OrderedMap<Located<String>, Located<RawFieldType>>;

/// The data schema: profiles, events and an optional catalog.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawData {
    /// Always `data`.
    pub kind: Located<String>,
    /// One row per person.
    pub profiles: RawProfiles,
    /// What people did.
    pub events: Option<RawEvents>,
    /// Products, for recommendations.
    pub catalog: Option<RawCatalog>,
}

/// `profiles:` in the data schema.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawProfiles {
    /// `.csv`, `.parquet`, `.ndjson` or `.jsonl` file, relative to this document, or a
    /// PostgreSQL table: `postgres://host/database?table=NAME`.
    pub source: Located<String>,
    /// The column that identifies a profile.
    pub key: Located<String>,
    /// The column holding the email address.
    pub email: Located<String>,
    /// Optional column of IANA time zone names.
    pub timezone: Option<Located<String>>,
    /// The columns and their types.
    pub fields: RawFields,
}

/// `events:` in the data schema.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawEvents {
    /// The events file, relative to this document, or a PostgreSQL table:
    /// `postgres://host/database?table=NAME`.
    pub source: Located<String>,
    /// The column joining to the profile key.
    pub user: Located<String>,
    /// The column naming the event type.
    #[serde(rename = "type")]
    pub type_column: Located<String>,
    /// The column holding the event time.
    pub time: Located<String>,
    /// Optional event id column (else a stable hash of the row).
    pub id: Option<Located<String>>,
    /// Each event type and its properties.
    pub types: OrderedMap<Located<String>, RawFields>,
    /// Which event types and properties mean viewing, carting, buying, the product and its
    /// category (defaults: `page_view`, `add_to_cart`, `purchase`, `product_id`, `category`).
    pub roles: Option<RawEventRoles>,
}

/// `events.roles:`: each role names a declared event type or property.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawEventRoles {
    /// The event type of viewing a product (and of Segment `page` calls).
    pub view: Option<Located<String>>,
    /// The event type of putting a product in the cart.
    pub cart: Option<Located<String>>,
    /// The event type of a purchase.
    pub purchase: Option<Located<String>>,
    /// The property holding the product's catalog key.
    pub product: Option<Located<String>>,
    /// The property holding the product's category.
    pub category: Option<Located<String>>,
}

/// `catalog:` in the data schema.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawCatalog {
    /// The catalog file, relative to this document, or a PostgreSQL table:
    /// `postgres://host/database?table=NAME`.
    pub source: Located<String>,
    /// The column that identifies a product.
    pub key: Located<String>,
    /// The columns and their types.
    pub fields: RawFields,
}
