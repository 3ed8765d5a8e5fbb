//! Lookups into the events that rendering makes per recipient, built once per dataset on first
//! use: each user's and each type's event rows (in time order) and the times as plain integers.
//! Without it every message would scan every event.
//!
//! The index costs three words per event and one entry per user: each user's rows sit in one
//! shared array (a user's rows are a slice of it), and an event's id is found among its user's
//! rows instead of in a map of every id.

use polars::prelude::{DataFrame, DataType, PlHashMap, StringChunked};

use super::{EVENT_ID, EVENT_TS, EVENT_TYPE, EVENT_USER};

/// Events by user and by type.
#[derive(Debug, Clone, Default)]
pub struct EventIndex {
    /// Each event's time (microseconds), by row; [`NO_TIME`] where there is none.
    times: Vec<i64>,
    /// Each user's slot in `user_starts`.
    users: PlHashMap<String, usize>,
    /// Where each user's rows start in `user_rows` (one more entry than users: the end).
    user_starts: Vec<usize>,
    /// The rows of every user's events, user by user, each user's in time order.
    user_rows: Vec<usize>,
    /// Each event type's rows, in time order.
    types: Vec<(String, Vec<usize>)>,
    /// The events' ids, by row.
    ids: Option<StringChunked>,
}

/// Stands for a missing time in [`EventIndex::times`].
const NO_TIME: i64 = i64::MIN;

impl EventIndex {
    /// The index of `events` (rows already in time order).
    pub fn build(events: &DataFrame) -> EventIndex {
        let mut index = EventIndex::default();
        if let Ok(ts) = events.column(EVENT_TS).and_then(|c| c.cast(&DataType::Int64)) {
            if let Ok(ts) = ts.i64() {
                index.times = ts.iter().map(|t| t.unwrap_or(NO_TIME)).collect();
            }
        }
        if let Ok(users) = events.column(EVENT_USER).and_then(|c| c.str().cloned()) {
            index.index_users(&users);
        }
        if let Ok(types) = events.column(EVENT_TYPE).and_then(|c| c.str().cloned()) {
            for (row, kind) in types.iter().enumerate() {
                let Some(kind) = kind else { continue };
                match index.types.iter_mut().find(|(k, _)| k == kind) {
                    Some((_, rows)) => rows.push(row),
                    None => index.types.push((kind.to_string(), vec![row])),
                }
            }
        }
        index.ids = events.column(EVENT_ID).and_then(|c| c.str().cloned()).ok();
        index
    }

    /// Lays out each user's rows in one array: a slot per user in order of first event, then
    /// the rows counted and placed slot by slot.
    fn index_users(&mut self, users: &StringChunked) {
        let slots: Vec<usize> = users
            .iter()
            .map(|user| match user {
                Some(user) => {
                    let next = self.users.len();
                    *self.users.entry_ref(user).or_insert(next)
                }
                None => usize::MAX,
            })
            .collect();
        let mut starts = vec![0usize; self.users.len() + 1];
        for &slot in slots.iter().filter(|&&s| s != usize::MAX) {
            starts[slot + 1] += 1;
        }
        for slot in 1..starts.len() {
            starts[slot] += starts[slot - 1];
        }
        let mut next = starts.clone();
        self.user_rows = vec![0; starts[starts.len() - 1]];
        for (row, &slot) in slots.iter().enumerate().filter(|(_, &s)| s != usize::MAX) {
            self.user_rows[next[slot]] = row;
            next[slot] += 1;
        }
        self.user_starts = starts;
    }

    /// The time of the event in row `row` (microseconds since the epoch).
    pub fn time(&self, row: usize) -> Option<i64> {
        self.times.get(row).copied().filter(|&t| t != NO_TIME)
    }

    /// The rows of `user`'s events, in time order.
    pub fn of_user(&self, user: &str) -> &[usize] {
        self.users.get(user).map_or(&[], |&slot| {
            &self.user_rows[self.user_starts[slot]..self.user_starts[slot + 1]]
        })
    }

    /// The rows of events of type `kind`, in time order.
    pub fn of_type(&self, kind: &str) -> &[usize] {
        self.types
            .iter()
            .find(|(k, _)| k == kind)
            .map_or(&[], |(_, rows)| rows.as_slice())
    }

    /// The row of `user`'s event with id `id`.
    pub fn row_of(&self, user: &str, id: &str) -> Option<usize> {
        let ids = self.ids.as_ref()?;
        self.of_user(user).iter().copied().find(|&row| ids.get(row) == Some(id))
    }
}

#[cfg(test)]
mod tests {
    use polars::prelude::*;

    use super::*;

    #[test]
    fn rows_by_user_type_and_id_keep_time_order() {
        let micros = Series::new(EVENT_TS.into(), [10i64, 20, 30, 40, 50])
            .cast(&DataType::Datetime(TimeUnit::Microseconds, None))
            .unwrap();
        let events = DataFrame::new(
            5,
            vec![
                Column::new(EVENT_USER.into(), [Some("b"), Some("a"), Some("b"), None, Some("a")]),
                Column::new(EVENT_TYPE.into(), ["view", "buy", "view", "view", "view"]),
                micros.into_column(),
                Column::new(EVENT_ID.into(), ["e1", "e2", "e3", "e4", "e5"]),
            ],
        )
        .unwrap();
        let index = EventIndex::build(&events);
        assert_eq!(index.of_user("b"), [0, 2]);
        assert_eq!(index.of_user("a"), [1, 4]);
        assert_eq!(index.of_user("nobody"), [] as [usize; 0]);
        assert_eq!(index.of_type("view"), [0, 2, 3, 4]);
        assert_eq!(index.of_type("buy"), [1]);
        assert_eq!(index.time(2), Some(30));
        assert_eq!(index.time(9), None);
        assert_eq!(index.row_of("a", "e5"), Some(4));
        assert_eq!(
            index.row_of("b", "e5"),
            None,
            "an id is looked up among its user's events"
        );
    }
}
