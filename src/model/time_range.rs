//! Local time ranges such as `"21:00-08:00"` (start inclusive, end exclusive, may wrap midnight).

use chrono::NaiveTime;

/// A daily range of local times.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LocalTimeRange {
    /// First minute inside the range.
    pub start: NaiveTime,
    /// First minute after the range.
    pub end: NaiveTime,
}

impl LocalTimeRange {
    /// Parses `HH:MM-HH:MM`.
    pub fn parse(text: &str) -> Result<LocalTimeRange, String> {
        let bad = || format!("`{text}` is not a time range: write it like `21:00-08:00`");
        let (start, end) = text.split_once('-').ok_or_else(bad)?;
        let time = |s: &str| NaiveTime::parse_from_str(s.trim(), "%H:%M").map_err(|_| bad());
        let range = LocalTimeRange {
            start: time(start)?,
            end: time(end)?,
        };
        if range.start == range.end {
            return Err(format!("`{text}` is empty: start and end are the same time"));
        }
        Ok(range)
    }

    /// Whether a local time falls inside the range.
    pub fn contains(&self, time: NaiveTime) -> bool {
        if self.start < self.end {
            self.start <= time && time < self.end
        } else {
            time >= self.start || time < self.end
        }
    }
}
