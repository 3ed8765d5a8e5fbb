//! tailor's own filters: `money`, `url_param`, `pluralize`, `product` and `safe_url`.

use std::sync::{Arc, OnceLock};

use super::FilterResult;
use crate::model::is_currency_code;
use crate::template::value::{LiquidValue, Number, Object};
use crate::template::TemplateLocale;

/// Formats a number as money in the workspace's locale: `{{ 1234.5 | money }}` is `$1,234.50`
/// (en-US, USD) or `1.234,50 €` (de-DE, EUR); an argument names another currency. Nil stays nil.
pub fn money(input: &LiquidValue, currency: Option<LiquidValue>, locale: &TemplateLocale) -> FilterResult {
    let amount = match input {
        LiquidValue::Nil => return Ok(LiquidValue::Nil),
        LiquidValue::Int(_) | LiquidValue::Float(_) => input.to_number().as_f64(),
        LiquidValue::Str(s) => match crate::template::value::parse_number(s) {
            Some(number) => number.as_f64(),
            None => return Err(format!("expects a number, not `{s}`")),
        },
        other => return Err(format!("expects a number, not {}", other.kind())),
    };
    let code = currency.filter(|c| !c.is_nil()).map(|c| c.to_text().into_owned());
    if let Some(code) = code.as_deref().filter(|c| !is_currency_code(&c.to_uppercase())) {
        return Err(format!("`{code}` is not an ISO 4217 currency code"));
    }
    Ok(locale.money(amount, code.as_deref()).into())
}

/// Percent-encodes everything but unreserved characters (RFC 3986).
fn encode(text: &str) -> String {
    text.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// Adds a query parameter to a URL: `{{ url | url_param: 'utm_source', 'email' }}`.
pub fn url_param(input: &LiquidValue, name: &LiquidValue, value: &LiquidValue) -> LiquidValue {
    let url = input.to_text();
    let (base, fragment) = url.split_once('#').map_or((url.as_ref(), None), |(b, f)| (b, Some(f)));
    let separator = if base.contains('?') { '&' } else { '?' };
    let mut out = format!(
        "{base}{separator}{}={}",
        encode(&name.to_text()),
        encode(&value.to_text())
    );
    if let Some(fragment) = fragment {
        out.push('#');
        out.push_str(fragment);
    }
    out.into()
}

/// The singular for 1 and the plural otherwise: `{{ n | pluralize: 'item', 'items' }}`.
pub fn pluralize(input: &LiquidValue, singular: &LiquidValue, plural: &LiquidValue) -> LiquidValue {
    let one = matches!(input.to_number(), Number::Int(1)) || input.to_number() == Number::Float(1.0);
    if one {
        singular.clone()
    } else {
        plural.clone()
    }
}

/// The catalog's products by key, and the row of a key the catalog lacks (every field nil, so
/// `{{ p.name | default: "..." }}` works for it).
#[derive(Debug, Default)]
pub struct ProductRows {
    by_key: Object,
    unknown: LiquidValue,
}

impl ProductRows {
    /// The rows by key; `fields` are the catalog's field names.
    pub fn new(rows: impl IntoIterator<Item = (String, LiquidValue)>, fields: Vec<&str>) -> ProductRows {
        let unknown: Object = fields.into_iter().map(|f| (f.to_string(), LiquidValue::Nil)).collect();
        ProductRows {
            by_key: rows.into_iter().collect(),
            unknown: unknown.into(),
        }
    }

    /// The row of `key`, or the all-nil row.
    fn get(&self, key: &str) -> LiquidValue {
        self.by_key.get(key).cloned().unwrap_or_else(|| self.unknown.clone())
    }
}

/// The catalog for `product` filters: filled once per run from the data.
pub type ProductCatalog = Arc<OnceLock<ProductRows>>;

/// Looks a product up by its key: `{{ event.product_id | product }}` is the catalog row (its
/// fields typed by the schema); a key the catalog lacks (or nil) gives the row with every
/// field nil.
pub fn product(input: &LiquidValue, catalog: &ProductCatalog) -> FilterResult {
    let rows = catalog.get().ok_or("needs the catalog, which is not loaded here")?;
    Ok(rows.get(&input.to_text()))
}

/// URL schemes a link or image from data may use.
const SAFE_SCHEMES: [&str; 4] = ["http", "https", "mailto", "tel"];

/// `url` when it is relative or its scheme is one of [`SAFE_SCHEMES`]; `#` otherwise, so a
/// `javascript:` or `data:` URL from data cannot become a live link. Browsers ignore tabs and
/// line breaks inside a URL, and leading spaces and control characters, so they are ignored
/// here too when reading the scheme.
pub fn safe_url(url: &str) -> &str {
    let cleaned: String = url
        .trim_start_matches(|c: char| c.is_whitespace() || c.is_control())
        .chars()
        .filter(|c| !matches!(c, '\t' | '\n' | '\r'))
        .take(64)
        .collect();
    let scheme_end = cleaned.find(|c: char| !(c.is_ascii_alphanumeric() || "+-.".contains(c)));
    match scheme_end {
        Some(end) if end > 0 && cleaned[end..].starts_with(':') => {
            if SAFE_SCHEMES.contains(&cleaned[..end].to_ascii_lowercase().as_str()) {
                url
            } else {
                "#"
            }
        }
        _ => url,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_safe_schemes_survive() {
        for kept in [
            "https://a.test/x",
            "HTTP://a.test",
            "mailto:a@b.test",
            "/p/1",
            "#top",
            "p?x=a:b",
            "tel:+1555",
        ] {
            assert_eq!(safe_url(kept), kept);
        }
        for dropped in [
            "javascript:alert(1)",
            " JavaScript:alert(1)",
            "java\tscript:x",
            "\u{1}javascript:x",
            "data:text/html,x",
            "vbscript:x",
        ] {
            assert_eq!(safe_url(dropped), "#", "{dropped:?}");
        }
    }

    #[test]
    fn encodes_url_parameters() {
        assert_eq!(encode("a b&c=d/é"), "a%20b%26c%3Dd%2F%C3%A9");
        let url = url_param(&"https://a.test/p#top".into(), &"utm".into(), &"e mail".into());
        assert_eq!(url.to_text(), "https://a.test/p?utm=e%20mail#top");
    }

    #[test]
    fn money_checks_its_currency() {
        let locale = TemplateLocale::default();
        assert_eq!(
            money(&LiquidValue::Float(1234.5), None, &locale).unwrap().to_text(),
            "$1,234.50"
        );
        assert!(money(&LiquidValue::Int(1), Some("EURO".into()), &locale).is_err());
        assert!(money(&LiquidValue::Nil, None, &locale).unwrap().is_nil());
    }
}
