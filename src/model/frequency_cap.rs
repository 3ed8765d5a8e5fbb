//! Frequency caps such as `3 per 7d`.

use std::fmt;

use super::Duration;

/// At most `count` sends per `window`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FrequencyCap {
    /// Sends allowed in a window.
    pub count: u32,
    /// The sliding window.
    pub window: Duration,
}

impl FrequencyCap {
    /// Parses `<count> per <duration>`.
    pub fn parse(text: &str) -> Result<FrequencyCap, String> {
        let mut words = text.split_whitespace();
        let (Some(count), Some("per"), Some(window), None) = (words.next(), words.next(), words.next(), words.next())
        else {
            return Err(format!("`{text}` is not a frequency cap: write it like `3 per 7d`"));
        };
        let count: u32 = count
            .parse()
            .map_err(|_| format!("`{count}` is not a whole number of sends"))?;
        if count == 0 {
            return Err("a cap of 0 sends would block every campaign".into());
        }
        let window = Duration::parse(window)?;
        if window.seconds == 0 {
            return Err("the cap's window must be longer than 0".into());
        }
        Ok(FrequencyCap { count, window })
    }
}

impl fmt::Display for FrequencyCap {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} per {}", self.count, self.window)
    }
}
