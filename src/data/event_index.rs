//! Lookups into the events that rendering makes per recipient, built once per dataset on first
//! use: each user's and each type's event rows (in time order), the row of each event id, and
//! the times as plain integers. Without it every message would scan every event.

use std::collections::HashMap;

use polars::prelude::{DataFrame, DataType};

use super::{EVENT_ID, EVENT_TS, EVENT_TYPE, EVENT_USER};

/// Events by user and by id.
#[derive(Debug, Clone, Default)]
pub struct EventIndex {
    /// Each event's time (microseconds), by row.
    pub ts: Vec<Option<i64>>,
    by_user: HashMap<String, Vec<usize>>,
    by_type: HashMap<String, Vec<usize>>,
    by_id: HashMap<String, usize>,
}

impl EventIndex {
    /// The index of `events` (rows already in time order).
    pub fn build(events: &DataFrame) -> EventIndex {
        let mut index = EventIndex::default();
        if let Ok(ts) = events.column(EVENT_TS).and_then(|c| c.cast(&DataType::Int64)) {
            if let Ok(ts) = ts.i64() {
                index.ts = ts.iter().collect();
            }
        }
        if let Ok(users) = events.column(EVENT_USER).and_then(|c| c.str().cloned()) {
            for (row, user) in users.iter().enumerate() {
                if let Some(user) = user {
                    index.by_user.entry(user.to_string()).or_default().push(row);
                }
            }
        }
        if let Ok(types) = events.column(EVENT_TYPE).and_then(|c| c.str().cloned()) {
            for (row, kind) in types.iter().enumerate() {
                if let Some(kind) = kind {
                    index.by_type.entry(kind.to_string()).or_default().push(row);
                }
            }
        }
        if let Ok(ids) = events.column(EVENT_ID).and_then(|c| c.str().cloned()) {
            for (row, id) in ids.iter().enumerate() {
                if let Some(id) = id {
                    index.by_id.entry(id.to_string()).or_insert(row);
                }
            }
        }
        index
    }

    /// The rows of `user`'s events, in time order.
    pub fn of_user(&self, user: &str) -> &[usize] {
        self.by_user.get(user).map_or(&[], Vec::as_slice)
    }

    /// The rows of events of type `kind`, in time order.
    pub fn of_type(&self, kind: &str) -> &[usize] {
        self.by_type.get(kind).map_or(&[], Vec::as_slice)
    }

    /// The row of the event with id `id`.
    pub fn row_of(&self, id: &str) -> Option<usize> {
        self.by_id.get(id).copied()
    }
}
