//! When each profile's send of a campaign is due (SPEC §5): schedules in the recipient's local
//! time, event triggers with `after`, `expire`, `unless` and collapsing, condition triggers.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use polars::prelude::*;

use crate::check::CheckedWorkspace;
use crate::data::{Dataset, EVENT_ID, EVENT_TS, EVENT_TYPE, EVENT_USER};
use crate::eval::{trigger_events, EvalError, Evaluation};
use crate::model::{EventTrigger, Schedule};

/// What a profile's occurrence of a campaign is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Occurrence {
    /// Due now, with its occurrence id (trigger event id, schedule `at`, or the run's `now`).
    Due(String),
    /// Not due: before the schedule, after its expiry, no firing event, condition false.
    NotDue,
}

/// Each profile's occurrence of one campaign, by row: the campaign's, and for each variant with
/// its own schedule (a send-time test) that variant's.
#[derive(Debug, Clone, Default)]
pub struct Occurrences {
    /// The campaign's occurrence per row (the holdout's, and every variant's without a schedule
    /// of its own).
    pub campaign: Vec<Occurrence>,
    /// Per variant, in listed order: its own occurrences when it has its own schedule.
    pub by_variant: Vec<Option<Vec<Occurrence>>>,
}

impl Occurrences {
    /// The occurrence of `row` in `variant` (`None`: the holdout).
    pub fn of(&self, row: usize, variant: Option<usize>) -> &Occurrence {
        variant
            .and_then(|v| self.by_variant.get(v)?.as_ref())
            .unwrap_or(&self.campaign)
            .get(row)
            .unwrap_or(&Occurrence::NotDue)
    }
}

/// The recipient's time zone: their own valid IANA zone, else the workspace's.
pub fn recipient_zone(zone: Option<&str>, default: Tz) -> Tz {
    zone.and_then(|z| z.parse().ok()).unwrap_or(default)
}

/// A schedule for one recipient in `zone`.
pub fn schedule_occurrence(schedule: &Schedule, zone: Tz, now: DateTime<Utc>) -> Occurrence {
    schedule.due(zone, now).map_or(Occurrence::NotDue, Occurrence::Due)
}

/// For an event trigger, each user's firing occurrence (profile key to event id): the
/// trigger-type events that pass `where`, then [`event_occurrences`].
pub fn fired_events(
    workspace: &CheckedWorkspace,
    dataset: &Dataset,
    evaluation: &Evaluation,
    trigger: &EventTrigger,
    now: DateTime<Utc>,
) -> Result<HashMap<String, String>, EvalError> {
    let candidates = trigger_events(workspace, dataset, evaluation, trigger, now)?;
    event_occurrences(trigger, &candidates, &dataset.events, now)
}

/// For an event trigger, each user's firing occurrence: the newest due event that passed
/// `where`, not cancelled by an `unless` event after it, not expired. `candidates` are the
/// trigger-type events that passed `where` (columns `__user`, `__ts`, `__id`).
pub fn event_occurrences(
    trigger: &EventTrigger,
    candidates: &DataFrame,
    events: &DataFrame,
    now: DateTime<Utc>,
) -> Result<HashMap<String, String>, EvalError> {
    let now_us = now.timestamp_micros();
    let after = trigger.after.micros();
    let expire = trigger.expire.micros();
    let ts = || col(EVENT_TS).cast(DataType::Int64);
    let due = ts() + lit(after);
    let mut fired = candidates
        .clone()
        .lazy()
        .filter(
            ts().lt_eq(lit(now_us))
                .and(due.clone().lt_eq(lit(now_us)))
                .and((lit(now_us) - due).lt_eq(lit(expire))),
        )
        .select([col(EVENT_USER), ts().alias("__event_ts"), col(EVENT_ID)]);
    if let Some(unless) = &trigger.unless {
        let cancelling = events
            .clone()
            .lazy()
            .filter(col(EVENT_TYPE).eq(lit(unless.clone())).and(ts().lt_eq(lit(now_us))))
            .group_by([col(EVENT_USER)])
            .agg([ts().max().alias("__unless_ts")]);
        // An `unless` event in (e.ts, now] cancels e: the latest one decides.
        fired = fired
            .join(
                cancelling,
                [col(EVENT_USER)],
                [col(EVENT_USER)],
                JoinArgs::new(JoinType::Left),
            )
            .filter(
                col("__unless_ts")
                    .is_null()
                    .or(col("__unless_ts").lt_eq(col("__event_ts"))),
            );
    }
    let newest = fired
        .sort_by_exprs([col("__event_ts"), col(EVENT_ID)], SortMultipleOptions::default())
        .group_by([col(EVENT_USER)])
        .agg([col(EVENT_ID).last()])
        .collect()?;
    let users = newest.column(EVENT_USER)?.str()?.clone();
    let ids = newest.column(EVENT_ID)?.str()?.clone();
    Ok(users
        .iter()
        .zip(ids.iter())
        .filter_map(|(u, i)| Some((u?.to_string(), i?.to_string())))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Duration, ScheduleZone};
    use chrono::NaiveDateTime;

    fn at(text: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(text).unwrap().to_utc()
    }

    #[test]
    fn schedules_fall_due_in_the_recipients_local_time() {
        let schedule = Schedule {
            at: NaiveDateTime::parse_from_str("2026-12-01T09:00", "%Y-%m-%dT%H:%M").unwrap(),
            zone: ScheduleZone::Recipient,
            expire: Duration { seconds: 2 * 86_400 },
        };
        let new_york: Tz = "America/New_York".parse().unwrap();
        let berlin: Tz = "Europe/Berlin".parse().unwrap();
        // 15:00 UTC is 10:00 in New York (due) and 16:00 in Berlin (due); 13:00 UTC is 08:00 in New York.
        assert_eq!(
            schedule_occurrence(&schedule, new_york, at("2026-12-01T15:00:00Z")),
            Occurrence::Due("2026-12-01T09:00".into())
        );
        assert_eq!(
            schedule_occurrence(&schedule, new_york, at("2026-12-01T13:00:00Z")),
            Occurrence::NotDue
        );
        assert_eq!(
            schedule_occurrence(&schedule, berlin, at("2026-12-01T08:30:00Z")),
            Occurrence::Due("2026-12-01T09:00".into())
        );
        // Expired two days after `at`.
        assert_eq!(
            schedule_occurrence(&schedule, new_york, at("2026-12-03T15:00:00Z")),
            Occurrence::NotDue
        );
    }
}
