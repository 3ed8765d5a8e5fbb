//! tailor's `date`: strftime formatting of the RFC 3339 times tailor puts in the context, in
//! the recipient's zone (the context carries local times) or in a zone named by the template;
//! dates written as Shopify's examples write them (`March 14, 2016`) and Unix timestamps too.

use chrono::format::{Item, StrftimeItems};
use chrono::{DateTime, FixedOffset, NaiveDate, NaiveDateTime, NaiveTime};
use chrono_tz::Tz;

use super::FilterResult;
use crate::template::value::LiquidValue;
use crate::template::TemplateLocale;

/// Date-and-time forms read besides RFC 3339, without an offset (read as UTC).
const NAIVE_TIMES: [&str; 4] = [
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y/%m/%d %H:%M:%S",
];

/// Date forms read, at 00:00 UTC.
const DATES: [&str; 7] = [
    "%Y-%m-%d",
    "%Y/%m/%d",
    "%B %d, %Y",
    "%b %d, %Y",
    "%d %B %Y",
    "%d %b %Y",
    "%B %d %Y",
];

/// Why `"now" | date` is refused.
const WALL_CLOCK: &str = "`\"now\" | date` reads the wall clock; use the `now` variable";

/// Reads an RFC 3339 time, a date (00:00 UTC, as in expressions), a date with a time, or a
/// Unix timestamp. `now`/`today` are refused: they would read the wall clock, and renders
/// must depend on the run's `--now` only.
fn parse_time(value: &LiquidValue) -> Result<DateTime<FixedOffset>, &'static str> {
    let utc = |t: NaiveDateTime| t.and_utc().fixed_offset();
    if let LiquidValue::Int(seconds) = value {
        return DateTime::from_timestamp(*seconds, 0)
            .map(|t| t.fixed_offset())
            .ok_or("a Unix timestamp in range");
    }
    let text = value.to_text();
    let text = text.trim();
    if matches!(text.to_ascii_lowercase().as_str(), "now" | "today") {
        return Err(WALL_CLOCK);
    }
    if let Ok(time) = DateTime::parse_from_rfc3339(text) {
        return Ok(time);
    }
    if !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit()) {
        return parse_time(&LiquidValue::Int(
            text.parse().map_err(|_| "a Unix timestamp in range")?,
        ));
    }
    for format in ["%Y-%m-%d %H:%M:%S %z", "%a, %d %b %Y %H:%M:%S %z"] {
        if let Ok(time) = DateTime::parse_from_str(text, format) {
            return Ok(time);
        }
    }
    if let Some(time) = NAIVE_TIMES
        .iter()
        .find_map(|f| NaiveDateTime::parse_from_str(text, f).ok())
    {
        return Ok(utc(time));
    }
    DATES
        .iter()
        .find_map(|f| NaiveDate::parse_from_str(text, f).ok())
        .map(|date| utc(date.and_time(NaiveTime::MIN)))
        .ok_or("a date, a datetime or an RFC 3339 time")
}

/// `format` parsed, or why it is not a valid strftime format.
pub fn strftime(format: &str) -> Result<Vec<Item<'_>>, String> {
    let items: Vec<Item> = StrftimeItems::new(format).collect();
    if items.iter().any(|item| matches!(item, Item::Error)) {
        return Err(format!("`{format}` is not a valid strftime format"));
    }
    Ok(items)
}

/// Formats a date or time: `{{ event.ts | date: "%B %-d, %H:%M" }}` is `December 1, 07:35`
/// for a recipient in New York. Nil, or an empty format, gives the input back. Month and day
/// names follow the workspace's locale.
pub fn date(
    input: &LiquidValue,
    format: &LiquidValue,
    zone: Option<LiquidValue>,
    locale: &TemplateLocale,
) -> FilterResult {
    let format = format.to_text();
    if input.is_nil() || format.is_empty() {
        return Ok(input.clone());
    }
    let time = match parse_time(input) {
        Ok(time) => time,
        Err(WALL_CLOCK) => return Err(WALL_CLOCK.into()),
        // Shopify gives back what it cannot read as a date.
        Err(_) => return Ok(input.clone()),
    };
    let items = strftime(&format)?;
    let text = match zone.filter(|z| !z.is_nil()) {
        Some(name) => {
            let name = name.to_text();
            let zone: Tz = name.parse().map_err(|_| format!("`{name}` is not an IANA time zone"))?;
            time.with_timezone(&zone)
                .format_localized_with_items(items.into_iter(), locale.dates())
                .to_string()
        }
        None => time
            .format_localized_with_items(items.into_iter(), locale.dates())
            .to_string(),
    };
    Ok(text.into())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn format(input: &str, f: &str, zone: Option<&str>) -> Result<String, String> {
        format_in(input, f, zone, &TemplateLocale::default())
    }

    fn format_in(input: &str, f: &str, zone: Option<&str>, locale: &TemplateLocale) -> Result<String, String> {
        date(&input.into(), &f.into(), zone.map(LiquidValue::from), locale).map(|v| v.to_text().into_owned())
    }

    #[test]
    fn formats_in_the_offset_of_the_value_or_a_named_zone() {
        assert_eq!(
            format("2026-12-01T07:35:00-05:00", "%B %-d, %H:%M", None).unwrap(),
            "December 1, 07:35"
        );
        assert_eq!(
            format("2026-12-01T12:35:00Z", "%H:%M %Z", Some("Europe/Paris")).unwrap(),
            "13:35 CET"
        );
        assert_eq!(format("2026-03-09", "%a %d/%m", None).unwrap(), "Mon 09/03");
        assert_eq!(format("1700000000", "%Y", None).unwrap(), "2023");
        assert_eq!(format("March 14, 2016", "%b %d, %y", None).unwrap(), "Mar 14, 16");
    }

    #[test]
    fn month_and_day_names_follow_the_locale() {
        let german = TemplateLocale::new("de-DE", "EUR").unwrap();
        assert_eq!(
            format_in("2026-12-01T07:35:00-05:00", "%A, %-d. %B", None, &german).unwrap(),
            "Dienstag, 1. Dezember"
        );
    }

    #[test]
    fn refuses_the_wall_clock_bad_formats_and_bad_zones() {
        assert!(format("now", "%Y", None).unwrap_err().contains("wall clock"));
        assert!(format("2026-12-01T12:35:00Z", "%Q", None)
            .unwrap_err()
            .contains("strftime"));
        assert!(format("2026-12-01T12:35:00Z", "%Y", Some("Mars/Base"))
            .unwrap_err()
            .contains("IANA"));
        assert_eq!(format("soon", "%Y", None).unwrap(), "soon");
    }
}
