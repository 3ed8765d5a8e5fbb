//! A dataset of one profile and its events, from a `kind: test` document, so that tests and
//! previews are evaluated by exactly the code that evaluates real data.

use std::collections::BTreeMap;

use polars::prelude::*;
use serde_json::Value as Json;

use super::event_table::{event_columns, in_time_order, EVENT_ID};
use super::{event_id, ColumnBuilder, Dataset};
use crate::model::{parse_datetime, DataSchema, TestEvent};

/// The profile and events of a test as a [`Dataset`], with the workspace's `catalog`.
pub fn test_dataset(
    schema: &DataSchema,
    profile: &BTreeMap<String, Json>,
    events: &[TestEvent],
    catalog: Option<DataFrame>,
) -> Result<Dataset, String> {
    let describe = |e: PolarsError| e.to_string();
    let mut profile_columns = Vec::new();
    for field in &schema.profiles.fields {
        let mut builder = ColumnBuilder::new(&field.ty, 1);
        builder
            .push_json(profile.get(&field.name))
            .map_err(|expected| format!("profile field `{}`: expected {expected}", field.name))?;
        profile_columns.push(builder.finish(&field.name, None).map_err(describe)?);
    }
    let profiles = DataFrame::new_infer_height(profile_columns).map_err(describe)?;
    let key = profile
        .get(&schema.key)
        .and_then(Json::as_str)
        .unwrap_or_default()
        .to_string();
    let columns = event_columns(schema);
    let mut builders: Vec<ColumnBuilder> = columns
        .iter()
        .map(|(_, ty)| ColumnBuilder::new(ty, events.len()))
        .collect();
    for event in events {
        let ts = event.ts.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true);
        let properties: BTreeMap<String, Json> = match schema.event(&event.event_type) {
            Some(declared) => declared
                .properties
                .fields
                .iter()
                .map(|f| {
                    (
                        f.name.clone(),
                        event.properties.get(&f.name).cloned().unwrap_or(Json::Null),
                    )
                })
                .collect(),
            None => BTreeMap::new(),
        };
        let id = event_id(
            &key,
            &event.event_type,
            parse_datetime(&ts).unwrap_or(event.ts),
            &properties,
        );
        for (builder, (name, _)) in builders.iter_mut().zip(&columns) {
            let value = match name.as_str() {
                super::EVENT_USER => Some(Json::from(key.clone())),
                super::EVENT_TYPE => Some(Json::from(event.event_type.clone())),
                super::EVENT_TS => Some(Json::from(ts.clone())),
                EVENT_ID => Some(Json::from(id.clone())),
                column => column
                    .split_once('.')
                    .filter(|(t, _)| *t == event.event_type)
                    .and_then(|(_, p)| properties.get(p).cloned()),
            };
            builder
                .push_json(value.as_ref())
                .map_err(|expected| format!("event `{}` property `{name}`: expected {expected}", event.event_type))?;
        }
    }
    let event_frame: Vec<Column> = builders
        .into_iter()
        .zip(&columns)
        .map(|(b, (n, _))| b.finish(n, None))
        .collect::<PolarsResult<_>>()
        .map_err(describe)?;
    let events = in_time_order(DataFrame::new_infer_height(event_frame).map_err(describe)?).map_err(describe)?;
    Ok(Dataset::new(profiles, events, catalog, Vec::new()))
}
