//! When each profile's send of a campaign is due (SPEC §5), as SQL: `due.<campaign>` holds the
//! occurrence id, or null when nothing is due. The id is the schedule's `at`
//! (`YYYY-MM-DDTHH:MM`), the run's `now` for a condition trigger, or the firing event's id for
//! an event trigger. A variant with a schedule of its own (a send-time test) gets
//! `due.<campaign>.<variant>`.
//!
//! A schedule in the recipient's clock depends only on the recipient's zone, and `now` is
//! fixed. So the zones for which it is due are worked out here with the zone database tailor
//! itself uses, and the query compares zone names. It never depends on the engine's own zone
//! data, and a zone tailor does not know falls back to the workspace's, as in `plan`.
//!
//! An event trigger fires on each user's newest event of its type that passed its `where`,
//! is due (`after` it, up to `now`) and not expired, and that no `unless` event followed up to
//! `now`. Ties in time go to the greater id, bytewise, as in `plan`. That event's id is the
//! occurrence.

use chrono::{DateTime, SecondsFormat, Utc};
use chrono_tz::{Tz, TZ_VARIANTS};

use super::aggregate::events_from;
use super::dialect::Dialect;
use super::expression::{EVENTS_ALIAS, ID, TS, TYPE, USER};
use crate::model::{BaseType, Schedule, ScheduleZone};

/// The name of the column of a profile's occurrence of `campaign`.
pub fn due_column(campaign: &str) -> String {
    format!("due.{campaign}")
}

/// The name of the column of a profile's occurrence of `variant`, which has its own schedule.
pub fn variant_due_column(campaign: &str, variant: &str) -> String {
    format!("due.{campaign}.{variant}")
}

/// A schedule's occurrence for each profile at `now`: `zone` is the profile's zone column
/// (lowered), `None` when the schema declares none; `default` is the workspace's zone.
pub fn schedule_due(
    dialect: Dialect,
    schedule: &Schedule,
    zone: Option<&str>,
    default: Tz,
    now: DateTime<Utc>,
) -> String {
    let occurrence = |tz: Tz| schedule.due(tz, now);
    let text = |id: Option<String>| match id {
        Some(id) => dialect.string(&id),
        None => dialect.cast("NULL", &dialect.type_of(&BaseType::String)),
    };
    let zone = match (schedule.zone, zone) {
        (ScheduleZone::Named(_), _) | (ScheduleZone::Recipient, None) => return text(occurrence(default)),
        (ScheduleZone::Recipient, Some(zone)) => zone,
    };
    let at = dialect.string(&schedule.at.format("%Y-%m-%dT%H:%M").to_string());
    let default_due = occurrence(default).is_some();
    // The zone names whose verdict differs from the default's: a profile whose zone is one of
    // them gets that verdict, any other (the default's, an unknown zone, none) the default's.
    let differing: Vec<String> = TZ_VARIANTS
        .iter()
        .filter(|tz| occurrence(**tz).is_some() != default_due)
        .map(|tz| dialect.string(tz.name()))
        .collect();
    match (default_due, differing.is_empty()) {
        (false, true) => text(None),
        (true, true) => at,
        (false, false) => format!("CASE WHEN {zone} IN ({}) THEN {at} END", differing.join(", ")),
        (true, false) => format!("CASE WHEN {zone} IN ({}) THEN NULL ELSE {at} END", differing.join(", ")),
    }
}

/// A condition trigger's occurrence for each profile: the run's `now` where `condition` (lowered)
/// holds.
pub fn condition_due(dialect: Dialect, condition: &str, now: DateTime<Utc>) -> String {
    let id = dialect.string(&now.to_rfc3339_opts(SecondsFormat::Secs, true));
    format!("CASE WHEN coalesce({condition}, FALSE) THEN {id} END")
}

/// An event trigger's firing events: each user's newest qualifying event ([`FiringEvents::table`]),
/// joined to the profiles as `column`.
#[derive(Debug, Clone)]
pub struct FiringEvents {
    /// The `due.` column it fills.
    pub column: String,
    /// The trigger's event type.
    pub event_type: String,
    /// Its `where`, lowered over one event (`e`) and its profile (`u`).
    pub condition: Option<String>,
    /// Whether the `where` reads the profile (then the events are joined to it).
    pub reads_profile: bool,
    /// `after`, in microseconds.
    pub after: i64,
    /// `expire`, in microseconds.
    pub expire: i64,
    /// The cancelling event type.
    pub unless: Option<String>,
}

impl FiringEvents {
    /// The table of each user's (`__user`) firing event id (`__id`) at `now` (microseconds),
    /// over the events up to now (`events`) and, when the `where` reads the profile, the
    /// profiles `profiles` keyed by `key`.
    pub fn table(&self, dialect: Dialect, now: i64, events: &str, profiles: &str, key: &str) -> String {
        let ident = |name: &str| dialect.ident(name);
        let column = |name: &str| format!("{EVENTS_ALIAS}.{}", ident(name));
        let (ts, id, user) = (column(TS), column(ID), column(USER));
        let due_by = now.saturating_sub(self.after);
        let mut conditions = vec![
            format!("{} = {}", column(TYPE), dialect.string(&self.event_type)),
            format!("{ts} <= {}", dialect.int(due_by)),
            format!("{ts} >= {}", dialect.int(due_by.saturating_sub(self.expire))),
        ];
        if let Some(condition) = &self.condition {
            conditions.push(format!("coalesce({condition}, FALSE)"));
        }
        let mut from = events_from(dialect, events, self.reads_profile.then_some((profiles, key)));
        if let Some(unless) = &self.unless {
            let latest = ident("__unless_ts");
            from.push_str(&format!(
                " LEFT JOIN (SELECT {u}, MAX({t}) AS {latest} FROM {} WHERE {} = {} GROUP BY {u}) c ON c.{u} = {user}",
                ident(events),
                ident(TYPE),
                dialect.string(unless),
                u = ident(USER),
                t = ident(TS),
            ));
            conditions.push(format!("(c.{latest} IS NULL OR c.{latest} <= {ts})"));
        }
        let rank = ident("__rank");
        format!(
            "SELECT {u}, {i} FROM (SELECT {user} AS {u}, {id} AS {i}, ROW_NUMBER() OVER (PARTITION BY {user} ORDER BY {ts} DESC, {} DESC NULLS LAST) AS {rank} FROM {from} WHERE {}) ranked WHERE {rank} = 1",
            dialect.bytewise(&id),
            conditions.join(" AND "),
            u = ident(USER),
            i = ident(ID),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Duration;

    fn schedule(zone: ScheduleZone) -> Schedule {
        Schedule {
            at: chrono::NaiveDateTime::parse_from_str("2026-12-01T09:00", "%Y-%m-%dT%H:%M").unwrap(),
            zone,
            expire: Duration { seconds: 86_400 },
        }
    }

    #[test]
    fn a_recipient_schedule_compares_zone_names_worked_out_with_tailors_zone_data() {
        let now = DateTime::parse_from_rfc3339("2026-12-01T15:00:00Z").unwrap().to_utc();
        let new_york: Tz = "America/New_York".parse().unwrap();
        // 10:00 in New York (due), 07:00 in Los Angeles (not yet), 16:00 in Berlin (due).
        let sql = schedule_due(
            Dialect::Duckdb,
            &schedule(ScheduleZone::Recipient),
            Some("\"tz\""),
            new_york,
            now,
        );
        assert!(sql.starts_with("CASE WHEN \"tz\" IN ('"), "{sql}");
        assert!(sql.ends_with(") THEN NULL ELSE '2026-12-01T09:00' END"), "{sql}");
        assert!(sql.contains("'America/Los_Angeles'"));
        assert!(!sql.contains("'Europe/Berlin'") && !sql.contains("'America/New_York'"));
        // A zone in its own clock is the same for everyone.
        let berlin: Tz = "Europe/Berlin".parse().unwrap();
        assert_eq!(
            schedule_due(
                Dialect::Duckdb,
                &schedule(ScheduleZone::Named(berlin)),
                Some("\"tz\""),
                new_york,
                now
            ),
            "'2026-12-01T09:00'"
        );
        let before = DateTime::parse_from_rfc3339("2026-11-30T15:00:00Z").unwrap().to_utc();
        assert_eq!(
            schedule_due(
                Dialect::Postgres,
                &schedule(ScheduleZone::Recipient),
                None,
                new_york,
                before
            ),
            "CAST(NULL AS TEXT)"
        );
    }
}
