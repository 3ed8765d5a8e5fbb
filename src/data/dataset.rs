//! The workspace's data once loaded: profiles, events and catalog as typed frames, with the
//! lookups rendering makes per recipient built on first use.

use polars::prelude::{DataFrame, PolarsResult};

use super::{event_column, EventIndex, TableReport};
use crate::model::EventRoles;

/// The workspace's data, typed.
#[derive(Debug)]
pub struct Dataset {
    /// One row per profile, a column per declared field.
    pub profiles: DataFrame,
    /// One row per event, in time order (then by id): `__user`, `__type`, `__ts`, `__id`, and
    /// `TYPE.prop` columns.
    pub events: DataFrame,
    /// The catalog, when declared.
    pub catalog: Option<DataFrame>,
    /// What loading found: rows read, bad rows skipped, warnings.
    pub reports: Vec<TableReport>,
    /// Events by user and id, built on first use.
    pub event_index: std::sync::OnceLock<EventIndex>,
    /// Catalog rows by product key, built on first use.
    pub catalog_index: std::sync::OnceLock<std::collections::HashMap<String, usize>>,
    /// Purchases per product up to an instant, counted on first use for that instant.
    pub purchase_counts: std::sync::OnceLock<(i64, std::collections::HashMap<String, usize>)>,
}

impl Dataset {
    /// A dataset of these tables and what loading them found; its indexes are built on first
    /// use.
    pub fn new(
        profiles: DataFrame,
        events: DataFrame,
        catalog: Option<DataFrame>,
        reports: Vec<TableReport>,
    ) -> Dataset {
        Dataset {
            profiles,
            events,
            catalog,
            reports,
            event_index: Default::default(),
            catalog_index: Default::default(),
            purchase_counts: Default::default(),
        }
    }

    /// The same profiles and catalog with only the events of `types` after `instant`
    /// (microseconds): what happened in a horizon that follows a cut-off, as far as a reader of
    /// those types needs (the other events are not copied).
    pub fn events_after(&self, instant: i64, types: &[String]) -> PolarsResult<Dataset> {
        use polars::prelude::{col, lit, DataType, IntoLazy};
        let of_types = types
            .iter()
            .map(|t| col(super::EVENT_TYPE).cast(DataType::String).eq(lit(t.as_str())))
            .reduce(|a, b| a.or(b))
            .unwrap_or(lit(false));
        let events = self
            .events
            .clone()
            .lazy()
            .filter(
                col(super::EVENT_TS)
                    .cast(DataType::Int64)
                    .gt(lit(instant))
                    .and(of_types),
            )
            .collect()?;
        Ok(Dataset::new(
            self.profiles.clone(),
            events,
            self.catalog.clone(),
            Vec::new(),
        ))
    }

    /// The events by user and id (built on the first call).
    pub fn event_index(&self) -> &EventIndex {
        self.event_index.get_or_init(|| EventIndex::build(&self.events))
    }

    /// Purchases per product across every profile up to `now` (microseconds), read through the
    /// schema's event `roles`: counted once for the first `now` asked (a run has one clock),
    /// afresh for any other.
    pub fn purchase_counts(
        &self,
        now: i64,
        roles: &EventRoles,
    ) -> std::borrow::Cow<'_, std::collections::HashMap<String, usize>> {
        let (at, counts) = self
            .purchase_counts
            .get_or_init(|| (now, self.count_purchases(now, roles)));
        if *at == now {
            std::borrow::Cow::Borrowed(counts)
        } else {
            std::borrow::Cow::Owned(self.count_purchases(now, roles))
        }
    }

    fn count_purchases(&self, now: i64, roles: &EventRoles) -> std::collections::HashMap<String, usize> {
        let index = self.event_index();
        let products = self.events.column(&event_column(&roles.purchase, &roles.product));
        let products = products.ok().and_then(|c| c.str().ok());
        let mut counts = std::collections::HashMap::new();
        for &row in index.of_type(&roles.purchase) {
            if index.time(row).is_some_and(|t| t <= now) {
                if let Some(product) = products.and_then(|p| p.get(row)) {
                    *counts.entry(product.to_string()).or_default() += 1;
                }
            }
        }
        counts
    }

    /// The catalog's row numbers by its `key` column (built on the first call; empty without
    /// a catalog).
    pub fn catalog_index(&self, key: &str) -> &std::collections::HashMap<String, usize> {
        self.catalog_index.get_or_init(|| {
            let keys = self
                .catalog
                .as_ref()
                .and_then(|catalog| catalog.column(key).ok()?.str().ok().cloned());
            keys.map(|keys| {
                keys.iter()
                    .enumerate()
                    .filter_map(|(row, id)| id.map(|id| (id.to_string(), row)))
                    .collect()
            })
            .unwrap_or_default()
        })
    }
}
