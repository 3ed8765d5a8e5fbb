//! tailor's `date`: strftime formatting of the RFC 3339 times tailor puts in the context, in
//! the recipient's zone (the context carries local times) or in a zone named by the template.

use chrono::format::{Item, StrftimeItems};
use chrono::{DateTime, FixedOffset, NaiveDate, NaiveTime};
use chrono_tz::Tz;
use std::sync::Arc;

use liquid_core::parser::FilterArguments;
use liquid_core::{Expression, Filter, FilterParameters, FilterReflection, ParseFilter};

use crate::template::TemplateLocale;
use liquid_core::{Result, Runtime, Value, ValueView};

use super::{invalid_argument, invalid_input};

#[derive(Debug, FilterParameters)]
struct DateArgs {
    #[parameter(description = "strftime format, e.g. \"%B %-d\".", arg_type = "str")]
    format: Option<Expression>,
    #[parameter(
        description = "IANA zone to show the time in (default: the recipient's).",
        arg_type = "str"
    )]
    zone: Option<Expression>,
}

/// Formats a date or time: `{{ event.ts | date: "%B %-d, %H:%M" }}` → `December 1, 07:35` for a
/// recipient in New York. Without a format the input is returned unchanged (Shopify's rule).
/// Month and day names follow the workspace's locale.
#[derive(Clone, FilterReflection)]
#[filter(
    name = "date",
    description = "Formats a date or time with strftime, in the recipient's time zone.",
    parameters(DateArgs),
    parsed(DateFilter)
)]
pub struct Date {
    /// The workspace's locale.
    pub locale: Arc<TemplateLocale>,
}

impl ParseFilter for Date {
    fn parse(&self, arguments: FilterArguments) -> Result<Box<dyn Filter>> {
        let args = DateArgs::from_args(arguments)?;
        Ok(Box::new(DateFilter {
            args,
            locale: Arc::clone(&self.locale),
        }))
    }

    fn reflection(&self) -> &dyn FilterReflection {
        self
    }
}

#[derive(Debug)]
struct DateFilter {
    args: DateArgs,
    locale: Arc<TemplateLocale>,
}

impl std::fmt::Display for DateFilter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "date: {}", self.args)
    }
}

/// Reads an RFC 3339 time, a `YYYY-MM-DD` date (00:00 UTC, as in expressions), or any form
/// the `liquid` crate reads. `now`/`today` are refused: they would read the wall clock, and renders must
/// depend on the run's `--now` only.
fn parse_time(text: &str) -> std::result::Result<DateTime<FixedOffset>, &'static str> {
    let text = text.trim();
    if matches!(text.to_ascii_lowercase().as_str(), "now" | "today") {
        return Err("`\"now\" | date` reads the wall clock; use the `now` variable");
    }
    if let Ok(time) = DateTime::parse_from_rfc3339(text) {
        return Ok(time);
    }
    if let Ok(date) = NaiveDate::parse_from_str(text, "%Y-%m-%d") {
        return Ok(date.and_time(NaiveTime::MIN).and_utc().fixed_offset());
    }
    // The `liquid` crate's own forms: Unix timestamps, "2016-06-13 02:30:00 +0300", ….
    if let Some(time) = liquid_core::model::DateTime::from_str(text) {
        let offset = FixedOffset::east_opt(time.offset().whole_seconds());
        let instant = DateTime::from_timestamp(time.unix_timestamp(), time.nanosecond());
        if let (Some(offset), Some(instant)) = (offset, instant) {
            return Ok(instant.with_timezone(&offset));
        }
    }
    Err("a date, a datetime or an RFC 3339 time")
}

/// `format` parsed, or why it is not a valid strftime format.
pub fn strftime(format: &str) -> std::result::Result<Vec<Item<'_>>, String> {
    let items: Vec<Item> = StrftimeItems::new(format).collect();
    if items.iter().any(|item| matches!(item, Item::Error)) {
        return Err(format!("`{format}` is not a valid strftime format"));
    }
    Ok(items)
}

impl Filter for DateFilter {
    fn evaluate(&self, input: &dyn ValueView, runtime: &dyn Runtime) -> Result<Value> {
        let args = self.args.evaluate(runtime)?;
        let format = args.format.as_deref().unwrap_or_default();
        if input.is_nil() || format.is_empty() {
            return Ok(input.to_value());
        }
        let time = parse_time(&input.to_kstr()).map_err(invalid_input)?;
        let items = strftime(format).map_err(|cause| invalid_argument("format", cause))?;
        let text = match args.zone.as_deref() {
            Some(name) => {
                let zone: Tz = name
                    .parse()
                    .map_err(|_| invalid_argument("zone", format!("`{name}` is not an IANA time zone")))?;
                time.with_timezone(&zone)
                    .format_localized_with_items(items.into_iter(), self.locale.dates())
                    .to_string()
            }
            None => time
                .format_localized_with_items(items.into_iter(), self.locale.dates())
                .to_string(),
        };
        Ok(Value::scalar(text))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(input: &str, args: &str) -> std::result::Result<String, String> {
        date_in(input, args, TemplateLocale::default())
    }

    fn date_in(input: &str, args: &str, locale: TemplateLocale) -> std::result::Result<String, String> {
        let filter = Date {
            locale: Arc::new(locale),
        };
        let parser = liquid::ParserBuilder::with_stdlib().filter(filter).build().unwrap();
        let source = format!("{{{{ t | date: {args} }}}}");
        let template = parser.parse(&source).map_err(|e| e.to_string())?;
        template
            .render(&liquid::object!({ "t": input }))
            .map_err(|e| e.to_string())
    }

    #[test]
    fn formats_in_the_offset_of_the_value_or_a_named_zone() {
        assert_eq!(
            date("2026-12-01T07:35:00-05:00", "\"%B %-d, %H:%M\"").unwrap(),
            "December 1, 07:35"
        );
        assert_eq!(
            date("2026-12-01T12:35:00Z", "\"%H:%M %Z\", \"Europe/Paris\"").unwrap(),
            "13:35 CET"
        );
        assert_eq!(date("2026-03-09", "\"%a %d/%m\"").unwrap(), "Mon 09/03");
        assert_eq!(date("1700000000", "\"%Y\"").unwrap(), "2023");
    }

    #[test]
    fn month_and_day_names_follow_the_locale() {
        let german = TemplateLocale::new("de-DE", "EUR").unwrap();
        assert_eq!(
            date_in("2026-12-01T07:35:00-05:00", "\"%A, %-d. %B\"", german).unwrap(),
            "Dienstag, 1. Dezember"
        );
    }

    #[test]
    fn refuses_the_wall_clock_bad_formats_and_bad_zones() {
        assert!(date("now", "\"%Y\"").unwrap_err().contains("wall clock"));
        assert!(date("2026-12-01T12:35:00Z", "\"%Q\"").unwrap_err().contains("strftime"));
        assert!(date("2026-12-01T12:35:00Z", "\"%Y\", \"Mars/Base\"")
            .unwrap_err()
            .contains("IANA"));
        assert!(date("soon", "\"%Y\"").unwrap_err().contains("RFC 3339"));
    }
}
