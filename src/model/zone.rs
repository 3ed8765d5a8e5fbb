//! IANA time zone names, as the manifest, schedules, the data and the `date` filter take them.

use chrono_tz::Tz;

use crate::diag::suggestion_hint;

/// Parses an IANA time zone name, suggesting a close one.
pub fn parse_zone(name: &str) -> Result<Tz, String> {
    name.parse::<Tz>().map_err(|_| {
        let names = chrono_tz::TZ_VARIANTS.iter().map(|z| z.name());
        match suggestion_hint(name, names) {
            Some(hint) => format!("`{name}` is not an IANA time zone; {hint}"),
            None => format!("`{name}` is not an IANA time zone such as `America/New_York`"),
        }
    })
}
