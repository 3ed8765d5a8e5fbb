//! Product recommendations (SPEC §5 `recommend:`), as catalog rows for `recommendations`.

use std::collections::{BTreeMap, HashMap, HashSet};

use polars::prelude::{AnyValue, DataFrame, StringChunked};
use serde_json::{Map, Value as Json};

use super::context::Recipient;
use crate::data::{any_to_json, event_column, Dataset, EVENT_ID, EVENT_TYPE};
use crate::model::{Recommend, RecommendSource};

/// One event's fields that recommendations read.
struct Seen {
    ts: i64,
    id: String,
    kind: String,
    product: Option<String>,
    category: Option<String>,
}

fn text(frame: &DataFrame, column: &str, row: usize) -> Option<String> {
    frame.column(column).ok()?.get(row).ok()?.get_str().map(str::to_string)
}

/// A text column of `frame`, when it has one by that name.
fn strings(frame: &DataFrame, column: &str) -> Option<StringChunked> {
    frame.column(column).ok()?.str().ok().cloned()
}

/// The events of `user` up to `now`, oldest first (ties by id).
fn events_of(dataset: &Dataset, user: &str, now: i64) -> Vec<Seen> {
    let frame = &dataset.events;
    let index = dataset.event_index();
    let mut seen: Vec<Seen> = index
        .of_user(user)
        .iter()
        .filter_map(|&row| {
            let ts = index.ts.get(row).copied().flatten().filter(|&t| t <= now)?;
            let kind = text(frame, EVENT_TYPE, row).unwrap_or_default();
            Some(Seen {
                ts,
                id: text(frame, EVENT_ID, row).unwrap_or_default(),
                product: text(frame, &event_column(&kind, "product_id"), row),
                category: text(frame, &event_column(&kind, "category"), row),
                kind,
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

/// The recommended catalog rows for `recipient`.
pub fn recommendations(recipient: &Recipient, recommend: &Recommend) -> Result<Json, String> {
    let workspace = recipient.workspace;
    let catalog = recipient
        .dataset
        .catalog
        .as_ref()
        .ok_or("recommendations need the catalog, which was not loaded")?;
    let key = workspace.schema.catalog_key.as_deref().unwrap_or("id");
    let rows = recipient.dataset.catalog_index(key);
    let now = recipient.now.timestamp_micros();
    let seen = events_of(recipient.dataset, &recipient.key(), now);
    let purchased: HashSet<&str> = seen
        .iter()
        .filter(|e| e.kind == "purchase")
        .filter_map(|e| e.product.as_deref())
        .collect();
    let wanted =
        |product: &&str| !(recommend.exclude_purchased && purchased.contains(product)) && rows.contains_key(*product);
    let mut picked: Vec<&str> = Vec::new();
    match recommend.source {
        RecommendSource::RecentlyViewed => {
            for event in seen
                .iter()
                .rev()
                .filter(|e| e.kind == "page_view" || e.kind == "add_to_cart")
            {
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
                .filter(|e| e.kind == "page_view")
                .filter_map(|e| e.category.as_deref())
            {
                *views.entry(category).or_default() += 1;
            }
            // The most viewed category; ties go to the first in name order.
            let favourite = views
                .iter()
                .max_by(|a, b| a.1.cmp(b.1).then_with(|| b.0.cmp(a.0)))
                .map(|(c, _)| *c);
            if let Some(favourite) = favourite {
                let all = events_of_all_purchases(recipient.dataset, now);
                let categories = strings(catalog, "category");
                let category_of = |row: usize| categories.as_ref().and_then(|c| c.get(row));
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

/// Purchases per product across every profile, up to `now`.
fn events_of_all_purchases(dataset: &Dataset, now: i64) -> HashMap<String, usize> {
    let index = dataset.event_index();
    let mut counts = HashMap::new();
    for &row in index.of_type("purchase") {
        if index.ts.get(row).copied().flatten().is_some_and(|t| t <= now) {
            if let Some(product) = text(&dataset.events, &event_column("purchase", "product_id"), row) {
                *counts.entry(product).or_default() += 1;
            }
        }
    }
    counts
}
