//! Durations such as `30s`, `15m`, `1h`, `7d`, `2w`.

use std::fmt;

/// A length of time in whole seconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Duration {
    /// Whole seconds.
    pub seconds: i64,
}

impl Duration {
    /// Seconds per unit letter (`s m h d w`).
    pub fn unit_seconds(unit: char) -> Option<i64> {
        match unit {
            's' => Some(1),
            'm' => Some(60),
            'h' => Some(3_600),
            'd' => Some(86_400),
            'w' => Some(604_800),
            _ => None,
        }
    }

    /// The duration in microseconds, saturating for absurdly long ones.
    pub fn micros(self) -> i64 {
        self.seconds.saturating_mul(1_000_000)
    }

    /// Parses `<digits><unit>` with unit one of `s m h d w`.
    pub fn parse(text: &str) -> Result<Duration, String> {
        let text = text.trim();
        let Some(unit) = text.chars().last() else {
            return Err(format!("an empty duration: write {UNITS}"));
        };
        let digits = &text[..text.len() - unit.len_utf8()];
        let seconds = Duration::unit_seconds(unit)
            .filter(|_| digits.bytes().all(|b| b.is_ascii_digit()))
            .ok_or_else(|| Duration::not_a_duration(text))?;
        if digits.is_empty() {
            return Err(Duration::not_a_duration(text));
        }
        let count: i64 = digits.parse().map_err(|_| format!("`{text}` is too large"))?;
        count
            .checked_mul(seconds)
            .map(|seconds| Duration { seconds })
            .ok_or_else(|| format!("`{text}` is too large"))
    }
}

/// How durations are written, for every message about one that is not.
const UNITS: &str = "a whole number and a unit: 30s, 15m, 1h, 7d or 2w";

impl Duration {
    /// Why `text` is not a duration; for a number and a unit in words (`1 hour`, `2 days`),
    /// the short form to write instead.
    fn not_a_duration(text: &str) -> String {
        let words: Vec<&str> = text.split_whitespace().collect();
        let short = match words.as_slice() {
            [count, word] if count.bytes().all(|b| b.is_ascii_digit()) => {
                let unit = match word.to_ascii_lowercase().trim_end_matches('s') {
                    "sec" | "second" => Some('s'),
                    "min" | "minute" => Some('m'),
                    "h" | "hr" | "hour" => Some('h'),
                    "d" | "day" => Some('d'),
                    "w" | "wk" | "week" => Some('w'),
                    _ => None,
                };
                unit.map(|u| format!("{count}{u}"))
            }
            _ => None,
        };
        match short {
            Some(short) => format!("`{text}` is not a duration: write `{short}` ({UNITS})"),
            None => format!("`{text}` is not a duration: write {UNITS}"),
        }
    }
}

impl fmt::Display for Duration {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (unit, size) in [('w', 604_800), ('d', 86_400), ('h', 3_600), ('m', 60)] {
            if self.seconds != 0 && self.seconds % size == 0 {
                return write!(f, "{}{unit}", self.seconds / size);
            }
        }
        write!(f, "{}s", self.seconds)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_every_unit() {
        assert_eq!(Duration::parse("30s").unwrap().seconds, 30);
        assert_eq!(Duration::parse("15m").unwrap().seconds, 900);
        assert_eq!(Duration::parse("2w").unwrap().to_string(), "2w");
        assert!(Duration::parse("7").is_err());
        assert!(Duration::parse("d").is_err());
        assert!(Duration::parse("1.5h").is_err());
        assert!(Duration::parse("99999999999999999999d").is_err());
    }

    #[test]
    fn a_duration_in_words_gets_its_short_form_and_every_message_lists_the_units() {
        let units = "a whole number and a unit: 30s, 15m, 1h, 7d or 2w";
        assert_eq!(
            Duration::parse("1 hour").unwrap_err(),
            format!("`1 hour` is not a duration: write `1h` ({units})")
        );
        assert_eq!(
            Duration::parse("2 Days").unwrap_err(),
            format!("`2 Days` is not a duration: write `2d` ({units})")
        );
        assert_eq!(
            Duration::parse("30 minutes").unwrap_err(),
            format!("`30 minutes` is not a duration: write `30m` ({units})")
        );
        for text in ["7", "d", "1.5h", "30x", "soon"] {
            assert_eq!(
                Duration::parse(text).unwrap_err(),
                format!("`{text}` is not a duration: write {units}")
            );
        }
    }
}
