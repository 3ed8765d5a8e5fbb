//! When a schedule falls due for one recipient (SPEC §5): from `at` in the schedule's clock
//! (the recipient's zone or a named one) until `at + expire`.

use chrono::{DateTime, NaiveDateTime, Utc};
use chrono_tz::Tz;

use super::{Schedule, ScheduleZone};

impl Schedule {
    /// The occurrence id (`at`, as `YYYY-MM-DDTHH:MM`) when the schedule is due at `now` for a
    /// recipient in `zone` (its own clock when it names one), else `None`.
    pub fn due(&self, zone: Tz, now: DateTime<Utc>) -> Option<String> {
        let zone = match self.zone {
            ScheduleZone::Recipient => zone,
            ScheduleZone::Named(named) => named,
        };
        let local_now = now.with_timezone(&zone).naive_local();
        // An expiry past the end of the calendar never comes.
        let expires = chrono::TimeDelta::try_seconds(self.expire.seconds)
            .and_then(|expire| self.at.checked_add_signed(expire))
            .unwrap_or(NaiveDateTime::MAX);
        (local_now >= self.at && local_now <= expires).then(|| self.at.format("%Y-%m-%dT%H:%M").to_string())
    }
}
