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
            return Err("empty duration".into());
        };
        let digits = &text[..text.len() - unit.len_utf8()];
        let seconds =
            Duration::unit_seconds(unit).ok_or_else(|| format!("`{text}` has no unit: end it with s, m, h, d or w"))?;
        if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(format!(
                "`{text}` is not a duration: write a whole number and a unit, like `7d`"
            ));
        }
        let count: i64 = digits.parse().map_err(|_| format!("`{text}` is too large"))?;
        count
            .checked_mul(seconds)
            .map(|seconds| Duration { seconds })
            .ok_or_else(|| format!("`{text}` is too large"))
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
}
