//! Product recommendations (SPEC §5 `recommend:`), as catalog rows for `recommendations`.

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::{DateTime, Utc};
use polars::prelude::{AnyValue, DataFrame, StringChunked};
use serde_json::{Map, Value as Json};

use crate::data::{any_to_json, event_column, Dataset, EVENT_ID, EVENT_TYPE};
use crate::model::{DataSchema, EventRoles, RecipientText, Recommend, RecommendSource};

/// One event's fields that recommendations read.
struct Seen {
    ts: i64,
    id: String,
    kind: String,
    product: Option<String>,
    category: Option<String>,
}

/// A text column of `frame`, when it has one by that name.
fn strings<'f>(frame: &'f DataFrame, column: &str) -> Option<&'f StringChunked> {
    frame.column(column).ok()?.str().ok()
}

/// The events of `user` up to `now`, oldest first (ties by id).
fn events_of(dataset: &Dataset, roles: &EventRoles, user: &str, now: i64) -> Vec<Seen> {
    let frame = &dataset.events;
    let index = dataset.event_index();
    let (kinds, ids) = (strings(frame, EVENT_TYPE), strings(frame, EVENT_ID));
    // Each event type's `product_id` and `category` columns, looked up once.
    let mut properties: HashMap<&str, [Option<&StringChunked>; 2]> = HashMap::new();
    let mut seen: Vec<Seen> = index
        .of_user(user)
        .iter()
        .filter_map(|&row| {
            let ts = index.time(row).filter(|&t| t <= now)?;
            let kind = kinds.and_then(|k| k.get(row)).unwrap_or_default();
            let [product, category] = *properties.entry(kind).or_insert_with(|| {
                [&roles.product, &roles.category].map(|property| strings(frame, &event_column(kind, property)))
            });
            let value = |column: Option<&StringChunked>| column.and_then(|c| c.get(row)).map(str::to_string);
            Some(Seen {
                ts,
                id: ids.and_then(|i| i.get(row)).unwrap_or_default().to_string(),
                product: value(product),
                category: value(category),
                kind: kind.to_string(),
            })
        })
        .collect();
    seen.sort_by(|a, b| a.ts.cmp(&b.ts).then_with(|| a.id.cmp(&b.id)));
    seen
}

/// One catalog row as a template object (only picked products are converted).
fn catalog_row(catalog: &DataFrame, row: usize) -> Json {
    let mut object = Map::new();
    for column in catalog.columns() {
        object.insert(
            column.name().to_string(),
            any_to_json(column.get(row).unwrap_or(AnyValue::Null)).unwrap_or(Json::Null),
        );
    }
    Json::Object(object)
}

/// Every catalog row by its key, for the `product` filter (empty without a catalog).
pub fn products_by_key(dataset: &Dataset, catalog_key: &str) -> Vec<(String, Json)> {
    let Some(catalog) = &dataset.catalog else {
        return Vec::new();
    };
    let mut rows: Vec<(&String, &usize)> = dataset.catalog_index(catalog_key).iter().collect();
    rows.sort();
    rows.into_iter()
        .map(|(key, &row)| (key.clone(), catalog_row(catalog, row)))
        .collect()
}

/// One recipient's `exclude:` and `category:`, read from their profile and trigger event.
#[derive(Debug, Clone, Default)]
pub struct Narrowing {
    /// The product to leave out.
    pub exclude: Option<String>,
    /// The category to recommend from.
    pub category: Option<String>,
}

/// The text `value` stands for in a message whose globals are `globals` (`user`, `event`);
/// `None` when it is null there.
pub fn recipient_text(value: &RecipientText, globals: &Map<String, Json>) -> Option<String> {
    let field = |object: &str, name: &str| globals.get(object)?.get(name)?.as_str().map(str::to_string);
    match value {
        RecipientText::Literal(text) => Some(text.clone()),
        RecipientText::EventProperty(name) => field("event", name),
        RecipientText::Profile(name) => field("user", name),
    }
}

/// The catalog rows `recommend` picks for `user` at `now`, from the catalog (its products
/// keyed by `catalog_key`) and the user's events in `dataset`, narrowed for this recipient.
pub fn recommendations(
    dataset: &Dataset,
    schema: &DataSchema,
    user: &str,
    now: DateTime<Utc>,
    recommend: &Recommend,
    narrowing: &Narrowing,
) -> Result<Json, String> {
    let catalog = dataset
        .catalog
        .as_ref()
        .ok_or("recommendations need the catalog, which was not loaded")?;
    let rows = dataset.catalog_index(schema.catalog_key.as_deref().unwrap_or("id"));
    let roles = &schema.roles;
    let now = now.timestamp_micros();
    let seen = events_of(dataset, roles, user, now);
    let purchased: HashSet<&str> = seen
        .iter()
        .filter(|e| e.kind == roles.purchase)
        .filter_map(|e| e.product.as_deref())
        .collect();
    let categories = strings(catalog, "category");
    let category_of = |row: usize| categories.as_ref().and_then(|c| c.get(row));
    let in_category = |product: &str| match (&narrowing.category, rows.get(product)) {
        (Some(category), Some(&row)) => category_of(row) == Some(category.as_str()),
        (None, Some(_)) => true,
        (_, None) => false,
    };
    let wanted = |product: &&str| {
        !(recommend.exclude_purchased && purchased.contains(product))
            && narrowing.exclude.as_deref() != Some(*product)
            && in_category(product)
    };
    let mut picked: Vec<&str> = Vec::new();
    match recommend.source {
        RecommendSource::RecentlyViewed => {
            for event in seen.iter().rev().filter(|e| roles.shows_interest(&e.kind)) {
                if let Some(product) = event.product.as_deref().filter(wanted) {
                    if !picked.contains(&product) {
                        picked.push(product);
                    }
                }
            }
        }
        RecommendSource::PopularInCategory => {
            let mut views: BTreeMap<&str, usize> = BTreeMap::new();
            for category in seen
                .iter()
                .filter(|e| e.kind == roles.view)
                .filter_map(|e| e.category.as_deref())
            {
                *views.entry(category).or_default() += 1;
            }
            // The pinned category, else the most viewed one (ties go to the first in name order).
            let favourite = narrowing.category.as_deref().or_else(|| {
                views
                    .iter()
                    .max_by(|a, b| a.1.cmp(b.1).then_with(|| b.0.cmp(a.0)))
                    .map(|(c, _)| *c)
            });
            if let Some(favourite) = favourite {
                let all = dataset.purchase_counts(now, roles);
                let mut ranked: Vec<(&str, usize)> = rows
                    .iter()
                    .filter(|(_, &row)| category_of(row) == Some(favourite))
                    .map(|(id, _)| (id.as_str(), all.get(id.as_str()).copied().unwrap_or(0)))
                    .collect();
                ranked.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(b.0)));
                picked = ranked.into_iter().map(|(id, _)| id).filter(wanted).collect();
            }
        }
    }
    picked.truncate(recommend.limit as usize);
    Ok(Json::Array(
        picked
            .into_iter()
            .filter_map(|id| rows.get(id).map(|&row| catalog_row(catalog, row)))
            .collect(),
    ))
}
