//! Event aggregates (`count`, `sum`, `last_n`, ...) as group-bys over the event frame, joined
//! back to the profiles.

use polars::prelude::*;

use super::columns::user_column;
use crate::data::{event_column, DAY_MICROS, EVENT_TS, EVENT_TYPE, EVENT_USER};
use crate::model::{Aggregate, AggregateFunction, BaseType, EventSchema, ExprKind, Literal};

/// One aggregate to compute, as found while lowering; `C` is how its `where` was lowered (a
/// polars expression, or SQL text).
#[derive(Debug, Clone)]
pub struct AggregateJob<C = Expr> {
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
    pub condition: Option<C>,
    /// Whether the condition reads profile columns (`user.<field>`).
    pub uses_profile: bool,
    /// The `within` window in microseconds.
    pub within: Option<i64>,
}

impl<C: PartialEq> AggregateJob<C> {
    /// The job computing `aggregate` over events of type `event` into `column`, its `where`
    /// already lowered to `condition`.
    pub fn new(
        column: String,
        event: &EventSchema,
        aggregate: &Aggregate,
        condition: Option<C>,
        uses_profile: bool,
    ) -> AggregateJob<C> {
        let limit = match aggregate.limit.as_deref().map(|l| &l.kind) {
            Some(ExprKind::Literal(Literal::Int(n))) => Some(usize::try_from(*n).unwrap_or(0)),
            _ => None,
        };
        let property = aggregate.property.as_ref().map(|p| {
            let base = if p.name == "ts" {
                BaseType::DateTime
            } else {
                event
                    .properties
                    .field(&p.name)
                    .map_or(BaseType::Null, |f| f.ty.base.clone())
            };
            (p.name.clone(), base)
        });
        AggregateJob {
            column,
            function: aggregate.function,
            event_type: event.name.clone(),
            property,
            limit,
            condition,
            uses_profile,
            within: aggregate.within.as_ref().map(|(d, _)| d.micros()),
        }
    }

    /// Whether `other` computes the same values (whatever its column is called).
    pub fn same_as(&self, other: &AggregateJob<C>) -> bool {
        self.function == other.function
            && self.event_type == other.event_type
            && self.property == other.property
            && self.limit == other.limit
            && self.within == other.within
            && self.uses_profile == other.uses_profile
            && self.condition == other.condition
    }

    /// The column of `job` among `jobs`: the column of the same aggregate found earlier (the
    /// same aggregate written twice is computed once), or `job`'s own, added to them.
    pub fn add_once(jobs: &mut Vec<AggregateJob<C>>, job: AggregateJob<C>) -> String {
        if let Some(same) = jobs.iter().find(|other| other.same_as(&job)) {
            return same.column.clone();
        }
        let column = job.column.clone();
        jobs.push(job);
        column
    }

    /// Whether the aggregate depends on event order (`first`, `last`, `last_n`): computed on
    /// its selected rows alone rather than in its type's batch.
    pub fn is_ordered(&self) -> bool {
        matches!(
            self.function,
            AggregateFunction::First | AggregateFunction::Last | AggregateFunction::LastN
        )
    }
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

    /// Which of the type's events (already limited to `ts <= now`) this aggregate reads:
    /// its window and its `where`; `None` for all of them.
    fn selector(&self, now: i64) -> Option<Expr> {
        let window = self.within.map(|within| {
            col(EVENT_TS)
                .cast(DataType::Int64)
                .gt_eq(lit(now.saturating_sub(within)))
        });
        match (window, self.condition.clone()) {
            (Some(window), Some(condition)) => Some(window.and(condition)),
            (window, condition) => window.or(condition),
        }
    }

    fn selected(&self) -> String {
        format!("{}.selected", self.column)
    }

    fn masked(&self) -> String {
        format!("{}.value", self.column)
    }

    /// Columns computed on the events before grouping: whether each event is selected, and
    /// the value where it is (null elsewhere). Plain columns let the group-by use polars' fast
    /// reductions instead of evaluating expressions group by group.
    fn prepared(&self, now: i64) -> Vec<Expr> {
        let mut columns = Vec::new();
        let selector = self.selector(now);
        if let Some(selector) = &selector {
            columns.push(selector.clone().fill_null(lit(false)).alias(self.selected()));
        }
        if self.property.is_some() {
            let value = match &selector {
                Some(selector) => when(selector.clone().fill_null(lit(false)))
                    .then(self.value())
                    .otherwise(lit(NULL)),
                None => self.value(),
            };
            columns.push(value.alias(self.masked()));
        }
        columns
    }

    /// The aggregate over one user's events of its type, up to `now` and in time order.
    fn reduction(&self, now: i64) -> Expr {
        let selected = self.selector(now).map(|_| col(self.selected()));
        let masked = || col(self.masked());
        let chosen = |e: Expr| match &selected {
            Some(s) => e.filter(s.clone()),
            None => e,
        };
        match self.function {
            AggregateFunction::Count => match &selected {
                Some(s) => s.clone().cast(DataType::Int64).sum(),
                None => len().cast(DataType::Int64),
            },
            AggregateFunction::Exists => match &selected {
                Some(s) => s.clone().any(true),
                None => len().gt(lit(0)),
            },
            AggregateFunction::Sum => masked().sum(),
            AggregateFunction::Avg => masked().cast(DataType::Float64).mean(),
            AggregateFunction::Min => masked().min(),
            AggregateFunction::Max => masked().max(),
            // Events are in time order (ts, then id): the first and last selected event.
            AggregateFunction::First => chosen(masked()).first(),
            AggregateFunction::Last => chosen(masked()).last(),
            AggregateFunction::LastN => masked().drop_nulls().reverse().unique_stable().head(self.limit),
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
    /// `now` (microseconds); for aggregates whose `where` reads profile columns.
    pub fn join_onto(
        &self,
        profiles: LazyFrame,
        profile_frame: &DataFrame,
        key: &str,
        events: &DataFrame,
        now: i64,
    ) -> LazyFrame {
        let events = with_profiles(events, profile_frame, key);
        join_batch(profiles, std::slice::from_ref(self), events, key, now)
    }
}

/// Adds several aggregates over events of one type as columns of `profiles`, with one group-by
/// over that type's events: each aggregate filters the events it reads within the group.
pub fn join_batch(profiles: LazyFrame, jobs: &[AggregateJob], events: LazyFrame, key: &str, now: i64) -> LazyFrame {
    let Some(first) = jobs.first() else { return profiles };
    let of_type = col(EVENT_TYPE)
        .eq(lit(first.event_type.clone()))
        .and(col(EVENT_TS).cast(DataType::Int64).lt_eq(lit(now)));
    let prepared: Vec<Expr> = jobs.iter().flat_map(|job| job.prepared(now)).collect();
    let reductions: Vec<Expr> = jobs
        .iter()
        .map(|job| job.reduction(now).alias(job.column.as_str()))
        .collect();
    let events = events.filter(of_type);
    let events = if prepared.is_empty() {
        events
    } else {
        events.with_columns(prepared)
    };
    let per_user = events.group_by([col(EVENT_USER)]).agg(reductions);
    // Profiles keep their order, whichever engine runs the join.
    let args = JoinArgs {
        maintain_order: MaintainOrderJoin::Left,
        ..JoinArgs::new(JoinType::Left)
    };
    let joined = profiles.join(per_user, [col(key)], [col(EVENT_USER)], args);
    let fills: Vec<Expr> = jobs
        .iter()
        .filter_map(|job| job.empty().map(|empty| col(job.column.as_str()).fill_null(empty)))
        .collect();
    if fills.is_empty() {
        joined
    } else {
        joined.with_columns(fills)
    }
}

/// Adds one order-dependent aggregate as a column of `profiles`: its type's events up to `now`
/// are filtered by its window and `where` first (usually a small share of them), then grouped
/// in time order. Cheaper than masking a whole type's column when the selection is narrow.
pub fn join_selected(profiles: LazyFrame, job: &AggregateJob, events: LazyFrame, key: &str, now: i64) -> LazyFrame {
    let mut keep = col(EVENT_TYPE)
        .eq(lit(job.event_type.clone()))
        .and(col(EVENT_TS).cast(DataType::Int64).lt_eq(lit(now)));
    if let Some(selector) = job.selector(now) {
        keep = keep.and(selector.fill_null(lit(false)));
    }
    let value = job.value();
    let reduction = match job.function {
        AggregateFunction::First => value.first(),
        AggregateFunction::Last => value.last(),
        _ => value.drop_nulls().reverse().unique_stable().head(job.limit),
    };
    let per_user = events
        .filter(keep)
        .group_by([col(EVENT_USER)])
        .agg([reduction.alias(job.column.as_str())]);
    let args = JoinArgs {
        maintain_order: MaintainOrderJoin::Left,
        ..JoinArgs::new(JoinType::Left)
    };
    let joined = profiles.join(per_user, [col(key)], [col(EVENT_USER)], args);
    match job.empty() {
        Some(empty) => joined.with_column(col(job.column.as_str()).fill_null(empty)),
        None => joined,
    }
}

/// The events joined with their profile's columns, named `user.<column>`, in the events' own
/// (time) order, which `first` and `last` read.
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
        JoinArgs {
            maintain_order: MaintainOrderJoin::Left,
            ..JoinArgs::new(JoinType::Inner)
        },
    )
}
