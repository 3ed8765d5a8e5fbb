//! Event aggregates as SQL: a group-by per event type over the events up to `now`, each
//! aggregate choosing its rows with `FILTER (WHERE ...)`, and `last_n` as ranked rows.

use super::dialect::Dialect;
use super::expression::{event_value, EVENTS_ALIAS, ID, TS, TYPE, USER, USER_ALIAS};
use crate::eval::aggregate::AggregateJob;
use crate::model::{AggregateFunction, BaseType};

/// The number of values `last_n` keeps when it names none (as polars' `head` does).
const DEFAULT_LAST_N: usize = 10;

/// How one aggregate reads the events of its type, in one dialect.
pub struct SqlAggregate<'j> {
    /// The aggregate.
    pub job: &'j AggregateJob<String>,
    /// The dialect.
    pub dialect: Dialect,
    /// The run's clock in microseconds.
    pub now: i64,
}

impl SqlAggregate<'_> {
    fn events_column(&self, name: &str) -> String {
        format!("{EVENTS_ALIAS}.{}", self.dialect.ident(name))
    }

    /// The value aggregated (temporal values in microseconds).
    fn value(&self) -> String {
        match &self.job.property {
            Some((name, _)) if name == "ts" => self.events_column(TS),
            Some((name, base)) => event_value(self.dialect, name, base),
            None => "NULL".into(),
        }
    }

    /// Which of the type's events this aggregate reads: its window and its `where`.
    fn selector(&self) -> Option<String> {
        let window = self.job.within.map(|within| {
            format!(
                "{} >= {}",
                self.events_column(TS),
                self.dialect.int(self.now.saturating_sub(within))
            )
        });
        match (window, &self.job.condition) {
            (Some(window), Some(condition)) => Some(format!("({window} AND {condition})")),
            (window, condition) => window.or_else(|| condition.clone()),
        }
    }

    /// The events' order: time, then id.
    fn order(&self) -> [String; 2] {
        [self.events_column(TS), self.dialect.bytewise(&self.events_column(ID))]
    }

    /// The aggregate over one user's events of its type, as a select-list item of a group-by;
    /// none for `last_n`, which has a table of its own ([`SqlAggregate::last_n_table`]).
    pub fn reduction(&self) -> Option<String> {
        let dialect = self.dialect;
        let selector = self.selector();
        let filter = |aggregate: String| match &selector {
            Some(selector) => format!("{aggregate} FILTER (WHERE {selector})"),
            None => aggregate,
        };
        let value = self.value();
        let base = self.job.property.as_ref().map(|(_, base)| base);
        Some(match self.job.function {
            AggregateFunction::Count => filter("count(*)".into()),
            AggregateFunction::Exists => format!("({} > 0)", filter("count(*)".into())),
            AggregateFunction::Sum => match base {
                Some(BaseType::Int) => dialect.cast(&filter(format!("sum({value})")), "BIGINT"),
                _ => filter(format!("sum({})", dialect.cast(&value, dialect.double()))),
            },
            AggregateFunction::Avg => filter(format!("avg({})", dialect.cast(&value, dialect.double()))),
            AggregateFunction::Min | AggregateFunction::Max => {
                let name = if self.job.function == AggregateFunction::Min {
                    "min"
                } else {
                    "max"
                };
                let value = match base {
                    Some(BaseType::String | BaseType::Enum(_)) => dialect.bytewise(&value),
                    _ => value,
                };
                filter(format!("{name}({value})"))
            }
            AggregateFunction::First | AggregateFunction::Last => {
                let newest = self.job.function == AggregateFunction::Last;
                dialect.first_value(&value, &self.order(), newest, selector.as_deref())
            }
            AggregateFunction::LastN => return None,
        })
    }

    /// The value for a profile with no matching events, if it is not null.
    pub fn empty(&self) -> Option<String> {
        match self.job.function {
            AggregateFunction::Count => Some(self.dialect.int(0)),
            AggregateFunction::Exists => Some("FALSE".into()),
            AggregateFunction::Sum => Some(match self.job.property.as_ref().map(|(_, b)| b) {
                Some(BaseType::Int) => self.dialect.int(0),
                _ => self.dialect.cast("0", self.dialect.double()),
            }),
            AggregateFunction::LastN => {
                let item = match self.job.property.as_ref().map(|(_, b)| b) {
                    Some(BaseType::DateTime | BaseType::Date) => BaseType::Int,
                    Some(base) => base.clone(),
                    None => BaseType::String,
                };
                Some(self.dialect.empty_array(&item))
            }
            _ => None,
        }
    }

    /// `last_n` as a table of (user, values): each user's newest `N` distinct values of the
    /// selected events, newest first. `events` is the events' table expression (aliased `e`,
    /// joined to the profile row `u` when the `where` reads it).
    pub fn last_n_table(&self, events: &str) -> String {
        let dialect = self.dialect;
        let ident = |name: &str| dialect.ident(name);
        let value = self.value();
        let mut keep = vec![
            format!(
                "{} = {}",
                self.events_column(TYPE),
                dialect.string(&self.job.event_type)
            ),
            format!("{value} IS NOT NULL"),
        ];
        keep.extend(self.selector());
        let newest = self.order().map(|key| format!("{key} DESC")).join(", ");
        let (user, rank, value_rank) = (ident(USER), ident("__rank"), ident("__value_rank"));
        let (v, t, i) = (ident("__value"), ident("__t"), ident("__i"));
        let limit = self.job.limit.unwrap_or(DEFAULT_LAST_N);
        format!(
            "SELECT {user}, {} AS {column} FROM (\
             SELECT {user}, {v}, row_number() OVER (PARTITION BY {user} ORDER BY {t} DESC, {i} DESC) AS {rank} FROM (\
             SELECT {EVENTS_ALIAS}.{user} AS {user}, {value} AS {v}, {EVENTS_ALIAS}.{ts} AS {t}, {bytewise_id} AS {i}, \
             row_number() OVER (PARTITION BY {EVENTS_ALIAS}.{user}, {value} ORDER BY {newest}) AS {value_rank} \
             FROM {events} WHERE {keep}) distinct_values WHERE {value_rank} = 1) ranked \
             WHERE {rank} <= {limit} GROUP BY {user}",
            dialect.ordered_array(&v, &rank),
            column = ident(&self.job.column),
            ts = ident(TS),
            bytewise_id = dialect.bytewise(&self.events_column(ID)),
            keep = keep.join(" AND "),
        )
    }
}

/// The events of one type, joined to their profile row `u` from `profiles` when an aggregate's
/// `where` reads it, as a `FROM` item.
pub fn events_from(dialect: Dialect, events: &str, profiles: Option<(&str, &str)>) -> String {
    let e = format!("{} {EVENTS_ALIAS}", dialect.ident(events));
    match profiles {
        None => e,
        Some((table, key)) => format!(
            "{e} JOIN {} {USER_ALIAS} ON {USER_ALIAS}.{} = {EVENTS_ALIAS}.{}",
            dialect.ident(table),
            dialect.ident(key),
            dialect.ident(USER)
        ),
    }
}
