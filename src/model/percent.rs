//! Percentages such as `10%` or `12.5%`, exact to 0.01%.

use std::fmt;

/// A percentage in hundredths of a percent: `10000` is 100%.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Percent {
    /// Hundredths of a percent: 1 is 0.01%.
    pub hundredths: u32,
}

impl Percent {
    /// Parses `<number>%` with at most two decimals.
    pub fn parse(text: &str) -> Result<Percent, String> {
        let text = text.trim();
        let number = text
            .strip_suffix('%')
            .ok_or_else(|| format!("`{text}` is not a percentage: write it like `10%`"))?;
        let (whole, fraction) = number.split_once('.').unwrap_or((number, ""));
        let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
        if whole.is_empty() || !digits(whole) || !digits(fraction) {
            return Err(format!("`{text}` is not a percentage: write it like `10%` or `2.5%`"));
        }
        if fraction.len() > 2 {
            return Err(format!("`{text}` is finer than 0.01%"));
        }
        let whole: u32 = whole.parse().map_err(|_| format!("`{text}` is too large"))?;
        let fraction: u32 = format!("{fraction:0<2}").parse().unwrap_or(0);
        whole
            .checked_mul(100)
            .and_then(|w| w.checked_add(fraction))
            .filter(|&h| h <= 10_000)
            .map(|hundredths| Percent { hundredths })
            .ok_or_else(|| format!("`{text}` is more than 100%"))
    }
}

impl fmt::Display for Percent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (whole, fraction) = (self.hundredths / 100, self.hundredths % 100);
        if fraction == 0 {
            write!(f, "{whole}%")
        } else {
            write!(f, "{}%", format!("{whole}.{fraction:02}").trim_end_matches('0'))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_exact_hundredths() {
        assert_eq!(Percent::parse("10%").unwrap().hundredths, 1_000);
        assert_eq!(Percent::parse("0.01%").unwrap().hundredths, 1);
        assert_eq!(Percent::parse("12.5%").unwrap().to_string(), "12.5%");
        assert!(Percent::parse("0.001%").is_err());
        assert!(Percent::parse("101%").is_err());
        assert!(Percent::parse("10").is_err());
        assert!(Percent::parse("-1%").is_err());
    }
}
