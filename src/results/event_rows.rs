//! The events attribution reads, by row, without copying a column: the rows of the few event
//! types it needs (one scan of the type column), each row's user and time, and typed property
//! columns read in place.

use std::collections::HashMap;

use polars::prelude::{BooleanChunked, DataFrame, DataType, Float64Chunked, Int64Chunked, StringChunked};

use crate::data::{EVENT_TS, EVENT_TYPE, EVENT_USER};

/// The rows of some event types, with their users and times.
pub struct EventRows {
    users: Option<StringChunked>,
    micros: Option<Int64Chunked>,
    by_type: HashMap<String, Vec<usize>>,
}

/// A text column of `frame`, in one chunk (absent: `None`, read as nothing).
pub fn text_column(frame: &DataFrame, name: &str) -> Option<StringChunked> {
    Some(frame.column(name).ok()?.str().ok()?.rechunk().into_owned())
}

/// A numeric column of `frame` as floats, in one chunk.
pub fn number_column(frame: &DataFrame, name: &str) -> Option<Float64Chunked> {
    let column = frame.column(name).ok()?.cast(&DataType::Float64).ok()?;
    Some(column.f64().ok()?.rechunk().into_owned())
}

/// A boolean column of `frame`, in one chunk.
pub fn flag_column(frame: &DataFrame, name: &str) -> Option<BooleanChunked> {
    Some(frame.column(name).ok()?.bool().ok()?.rechunk().into_owned())
}

impl EventRows {
    /// The rows of `events` whose type is one of `kinds`, in the frame's (time) order.
    pub fn of(events: &DataFrame, kinds: &[&str]) -> EventRows {
        let mut by_type: HashMap<String, Vec<usize>> = kinds.iter().map(|k| (k.to_string(), Vec::new())).collect();
        if let Some(types) = text_column(events, EVENT_TYPE) {
            for (row, kind) in types.iter().enumerate() {
                if let Some(rows) = kind.and_then(|k| by_type.get_mut(k)) {
                    rows.push(row);
                }
            }
        }
        let micros = events
            .column(EVENT_TS)
            .ok()
            .and_then(|c| c.cast(&DataType::Int64).ok())
            .and_then(|c| Some(c.i64().ok()?.rechunk().into_owned()));
        EventRows {
            users: text_column(events, EVENT_USER),
            micros,
            by_type,
        }
    }

    /// The rows of type `kind` (one of those asked for).
    pub fn rows(&self, kind: &str) -> &[usize] {
        self.by_type.get(kind).map_or(&[], Vec::as_slice)
    }

    /// The event's time, in whole Unix seconds.
    pub fn seconds(&self, row: usize) -> Option<i64> {
        Some(self.micros.as_ref()?.get(row)?.div_euclid(1_000_000))
    }

    /// The event's user.
    pub fn user(&self, row: usize) -> Option<&str> {
        self.users.as_ref()?.get(row)
    }
}
