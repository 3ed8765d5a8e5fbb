//! The manifest's `locale` and `currency` as the `money` and `date` filters use them: number
//! grouping, decimal mark and where the currency symbol goes (CLDR's patterns for the locales
//! listed in [`SUPPORTED_LOCALES`]), and month and day names (chrono's localized formatting).

use crate::model::minor_digits;
use chrono::Locale;

/// How one locale writes amounts of money.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct MoneyStyle {
    /// Between groups of three digits.
    group: &'static str,
    /// Before the fraction.
    decimal: &'static str,
    /// `¤1.00` rather than `1.00 ¤`.
    symbol_first: bool,
    /// A no-break space between symbol and number.
    spaced: bool,
}

const NBSP: &str = "\u{a0}";
const NARROW_NBSP: &str = "\u{202f}";

/// Locales `money` and `date` know, with their money style.
const STYLES: [(&str, MoneyStyle); 17] = [
    (
        "en-US",
        MoneyStyle {
            group: ",",
            decimal: ".",
            symbol_first: true,
            spaced: false,
        },
    ),
    (
        "en-GB",
        MoneyStyle {
            group: ",",
            decimal: ".",
            symbol_first: true,
            spaced: false,
        },
    ),
    (
        "en-CA",
        MoneyStyle {
            group: ",",
            decimal: ".",
            symbol_first: true,
            spaced: false,
        },
    ),
    (
        "en-AU",
        MoneyStyle {
            group: ",",
            decimal: ".",
            symbol_first: true,
            spaced: false,
        },
    ),
    (
        "ja-JP",
        MoneyStyle {
            group: ",",
            decimal: ".",
            symbol_first: true,
            spaced: false,
        },
    ),
    (
        "es-MX",
        MoneyStyle {
            group: ",",
            decimal: ".",
            symbol_first: true,
            spaced: false,
        },
    ),
    (
        "de-DE",
        MoneyStyle {
            group: ".",
            decimal: ",",
            symbol_first: false,
            spaced: true,
        },
    ),
    (
        "de-AT",
        MoneyStyle {
            group: NBSP,
            decimal: ",",
            symbol_first: true,
            spaced: true,
        },
    ),
    (
        "de-CH",
        MoneyStyle {
            group: "’",
            decimal: ".",
            symbol_first: true,
            spaced: true,
        },
    ),
    (
        "fr-FR",
        MoneyStyle {
            group: NARROW_NBSP,
            decimal: ",",
            symbol_first: false,
            spaced: true,
        },
    ),
    (
        "fr-CA",
        MoneyStyle {
            group: NBSP,
            decimal: ",",
            symbol_first: false,
            spaced: true,
        },
    ),
    (
        "es-ES",
        MoneyStyle {
            group: ".",
            decimal: ",",
            symbol_first: false,
            spaced: true,
        },
    ),
    (
        "it-IT",
        MoneyStyle {
            group: ".",
            decimal: ",",
            symbol_first: false,
            spaced: true,
        },
    ),
    (
        "nl-NL",
        MoneyStyle {
            group: ".",
            decimal: ",",
            symbol_first: true,
            spaced: true,
        },
    ),
    (
        "pt-BR",
        MoneyStyle {
            group: ".",
            decimal: ",",
            symbol_first: true,
            spaced: true,
        },
    ),
    (
        "sv-SE",
        MoneyStyle {
            group: NBSP,
            decimal: ",",
            symbol_first: false,
            spaced: true,
        },
    ),
    (
        "pl-PL",
        MoneyStyle {
            group: NBSP,
            decimal: ",",
            symbol_first: false,
            spaced: true,
        },
    ),
];

/// Every locale the manifest may name.
pub const SUPPORTED_LOCALES: [&str; 17] = {
    let mut tags = [""; 17];
    let mut i = 0;
    while i < STYLES.len() {
        tags[i] = STYLES[i].0;
        i += 1;
    }
    tags
};

/// A currency's symbol in `locale` and its minor digits; its code when it has no common symbol.
fn currency(code: &str, locale: &str) -> (String, usize) {
    let home = |region_locale: &str, symbol: &str, elsewhere: &str| {
        if locale == region_locale {
            symbol.to_string()
        } else {
            elsewhere.to_string()
        }
    };
    match code {
        "USD" => (if locale.starts_with("en-") { "$" } else { "US$" }.to_string(), 2),
        "EUR" => ("€".into(), 2),
        "GBP" => ("£".into(), 2),
        "JPY" => (if locale == "ja-JP" { "￥" } else { "¥" }.to_string(), 0),
        "CAD" => (home("en-CA", "$", "CA$"), 2),
        "AUD" => (home("en-AU", "$", "A$"), 2),
        "MXN" => (home("es-MX", "$", "MX$"), 2),
        "BRL" => ("R$".into(), 2),
        "CHF" => ("CHF".into(), 2),
        "SEK" => ("kr".into(), 2),
        "PLN" => ("zł".into(), 2),
        other => (other.to_string(), minor_digits(other)),
    }
}

/// The formatting settings of one workspace.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TemplateLocale {
    tag: String,
    money: MoneyStyle,
    dates: Locale,
    /// The default currency of `money` (ISO 4217).
    pub currency: String,
}

impl Default for TemplateLocale {
    fn default() -> TemplateLocale {
        TemplateLocale::new("en-US", "USD").unwrap_or_else(|_| unreachable!("en-US is supported"))
    }
}

impl TemplateLocale {
    /// The settings for `tag` (one of [`SUPPORTED_LOCALES`]) with `currency` as the default.
    pub fn new(tag: &str, currency: &str) -> Result<TemplateLocale, String> {
        let money = STYLES
            .iter()
            .find(|(t, _)| *t == tag)
            .map(|(_, style)| *style)
            .ok_or_else(|| format!("`{tag}` is not a supported locale ({})", SUPPORTED_LOCALES.join(", ")))?;
        let dates = Locale::try_from(tag.replace('-', "_").as_str())
            .map_err(|_| format!("`{tag}` has no date names in chrono"))?;
        Ok(TemplateLocale {
            tag: tag.to_string(),
            money,
            dates,
            currency: currency.to_string(),
        })
    }

    /// Month and day names for `date`.
    pub fn dates(&self) -> Locale {
        self.dates
    }

    /// `amount` as money in `code` (default: the workspace's currency).
    pub fn money(&self, amount: f64, code: Option<&str>) -> String {
        let code = code.map_or_else(|| self.currency.clone(), str::to_uppercase);
        let (symbol, decimals) = currency(&code, &self.tag);
        let style = self.money;
        let text = format!("{:.*}", decimals, amount.abs());
        let (whole, fraction) = text.split_once('.').unwrap_or((text.as_str(), ""));
        let mut number = String::with_capacity(text.len() + 8);
        for (i, digit) in whole.chars().enumerate() {
            if i > 0 && (whole.len() - i) % 3 == 0 {
                number.push_str(style.group);
            }
            number.push(digit);
        }
        if !fraction.is_empty() {
            number.push_str(style.decimal);
            number.push_str(fraction);
        }
        let space = if style.spaced { NBSP } else { "" };
        let sign = if amount < 0.0 { "-" } else { "" };
        if style.symbol_first {
            format!("{sign}{symbol}{space}{number}")
        } else {
            format!("{sign}{number}{space}{symbol}")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn money_uses_the_currency_s_minor_digits() {
        let us = TemplateLocale::default();
        assert_eq!(us.money(1234.5678, Some("KWD")), "KWD1,234.568");
        assert_eq!(us.money(1234.5678, Some("KRW")), "KRW1,235");
    }

    #[test]
    fn money_follows_the_locale() {
        let us = TemplateLocale::default();
        assert_eq!(us.money(1234.5, None), "$1,234.50");
        assert_eq!(us.money(-3.0, Some("eur")), "-€3.00");
        assert_eq!(us.money(1234.0, Some("JPY")), "¥1,234");
        let de = TemplateLocale::new("de-DE", "EUR").unwrap();
        assert_eq!(de.money(1234567.891, None), "1.234.567,89\u{a0}€");
        assert_eq!(de.money(5.0, Some("USD")), "5,00\u{a0}US$");
        let fr = TemplateLocale::new("fr-FR", "EUR").unwrap();
        assert_eq!(fr.money(1234.5, None), "1\u{202f}234,50\u{a0}€");
        let ch = TemplateLocale::new("de-CH", "CHF").unwrap();
        assert_eq!(ch.money(1234.5, None), "CHF\u{a0}1’234.50");
        assert!(TemplateLocale::new("xx-YY", "USD").unwrap_err().contains("en-US"));
    }

    #[test]
    fn every_supported_locale_has_date_names() {
        for tag in SUPPORTED_LOCALES {
            assert!(TemplateLocale::new(tag, "USD").is_ok(), "{tag}");
        }
    }
}
