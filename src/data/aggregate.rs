//! Event aggregates (`count`, `sum`, `last_n`, ...) as group-bys over the event frame, joined
//! back to the profiles.

use polars::prelude::*;

use super::events::{event_column, EVENT_ID, EVENT_TS, EVENT_TYPE, EVENT_USER};
use super::lower::{user_column, DAY_MICROS};
use crate::expr::AggregateFunction;
use crate::model::BaseType;

/// One aggregate to compute, as found while lowering.
#[derive(Debug, Clone)]
pub struct AggregateJob {
    /// The column it becomes.
    pub column: String,
    /// Which aggregate.
    pub function: AggregateFunction,
    /// The event type.
    pub event_type: String,
    /// The property and its type, for aggregates over values.
    pub property: Option<(String, BaseType)>,
    /// `N` of `last_n`.
    pub limit: Option<usize>,
    /// The lowered `where`, over the event frame.
    pub condition: Option<Expr>,
    /// Whether the condition reads profile columns (`user.<field>`).
    pub uses_profile: bool,
    /// The `within` window in microseconds.
    pub within: Option<i64>,
}

impl AggregateJob {
    fn value(&self) -> Expr {
        match &self.property {
            Some((name, _)) if name == "ts" => col(EVENT_TS).cast(DataType::Int64),
            Some((name, BaseType::DateTime)) => col(event_column(&self.event_type, name)).cast(DataType::Int64),
            Some((name, BaseType::Date)) => {
                col(event_column(&self.event_type, name)).cast(DataType::Int64) * lit(DAY_MICROS)
            }
            Some((name, _)) => col(event_column(&self.event_type, name)),
            None => lit(NULL),
        }
    }

    fn reduction(&self) -> Expr {
        let by_time = [col(EVENT_TS), col(EVENT_ID)];
        let ascending = SortMultipleOptions::default();
        let newest_first = SortMultipleOptions::default().with_order_descending(true);
        match self.function {
            AggregateFunction::Count => len().cast(DataType::Int64),
            AggregateFunction::Exists => len().gt(lit(0)),
            AggregateFunction::Sum => self.value().sum(),
            AggregateFunction::Avg => self.value().cast(DataType::Float64).mean(),
            AggregateFunction::Min => self.value().min(),
            AggregateFunction::Max => self.value().max(),
            AggregateFunction::First => self.value().sort_by(by_time, ascending).first(),
            AggregateFunction::Last => self.value().sort_by(by_time, ascending).last(),
            AggregateFunction::LastN => self
                .value()
                .sort_by(by_time, newest_first)
                .drop_nulls()
                .unique_stable()
                .head(self.limit),
        }
    }

    /// The value for a profile with no matching events.
    fn empty(&self) -> Option<Expr> {
        match self.function {
            AggregateFunction::Count => Some(lit(0i64)),
            AggregateFunction::Exists => Some(lit(false)),
            AggregateFunction::Sum => Some(match self.property.as_ref().map(|(_, b)| b) {
                Some(BaseType::Int) => lit(0i64),
                _ => lit(0.0),
            }),
            AggregateFunction::LastN => {
                let empty = Series::new_empty(PlSmallStr::EMPTY, &DataType::String);
                Some(lit(Series::new(PlSmallStr::EMPTY, [empty])).first())
            }
            _ => None,
        }
    }

    /// Adds the aggregate as a column of `profiles` (keyed by `key`), reading `events` up to
    /// `now` (microseconds).
    pub fn join_onto(
        &self,
        profiles: LazyFrame,
        profile_frame: &DataFrame,
        key: &str,
        events: &DataFrame,
        now: i64,
    ) -> LazyFrame {
        let ts = col(EVENT_TS).cast(DataType::Int64);
        let mut keep = col(EVENT_TYPE)
            .eq(lit(self.event_type.clone()))
            .and(ts.clone().lt_eq(lit(now)));
        if let Some(within) = self.within {
            keep = keep.and(ts.gt_eq(lit(now - within)));
        }
        if let Some(condition) = &self.condition {
            keep = keep.and(condition.clone());
        }
        let mut matching = events.clone().lazy();
        if self.uses_profile {
            let prefixed: Vec<Expr> = profile_frame
                .get_column_names()
                .iter()
                .map(|n| col(n.as_str()).alias(user_column(n.as_str())))
                .collect();
            let renamed = profile_frame.clone().lazy().select(prefixed);
            matching = matching.join(
                renamed,
                [col(EVENT_USER)],
                [col(user_column(key))],
                JoinArgs::new(JoinType::Inner),
            );
        }
        let per_user = matching
            .filter(keep)
            .group_by([col(EVENT_USER)])
            .agg([self.reduction().alias(self.column.as_str())]);
        let joined = profiles.join(per_user, [col(key)], [col(EVENT_USER)], JoinArgs::new(JoinType::Left));
        match self.empty() {
            Some(empty) => joined.with_column(col(self.column.as_str()).fill_null(empty)),
            None => joined,
        }
    }
}

/// The events joined with their profile's columns, named `user.<column>`.
pub fn with_profiles(events: &DataFrame, profiles: &DataFrame, key: &str) -> LazyFrame {
    let prefixed: Vec<Expr> = profiles
        .get_column_names()
        .iter()
        .map(|n| col(n.as_str()).alias(user_column(n.as_str())))
        .collect();
    let renamed = profiles.clone().lazy().select(prefixed);
    events.clone().lazy().join(
        renamed,
        [col(EVENT_USER)],
        [col(user_column(key))],
        JoinArgs::new(JoinType::Inner),
    )
}
