//! tailor's own filters: `money`, `url_param`, `pluralize` and `raw`.

use liquid_core::{
    Display_filter, Expression, Filter, FilterParameters, FilterReflection, FromFilterParameters, ParseFilter,
};
use liquid_core::{Result, Runtime, Value, ValueView};

use super::{invalid_argument, invalid_input};

/// Groups the integer part of a fixed-point number with commas: `1234567.5` → `1,234,567.50`.
fn grouped(amount: f64, decimals: usize) -> String {
    let text = format!("{:.*}", decimals, amount.abs());
    let (whole, fraction) = text.split_once('.').map_or((text.as_str(), ""), |(w, f)| (w, f));
    let mut out = String::new();
    for (i, digit) in whole.chars().enumerate() {
        if i > 0 && (whole.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(digit);
    }
    if !fraction.is_empty() {
        out.push('.');
        out.push_str(fraction);
    }
    out
}

/// The symbol and decimals of an ISO 4217 currency (the code itself when there is no symbol).
fn currency(code: &str) -> (String, usize) {
    match code {
        "USD" | "CAD" | "AUD" => ("$".into(), 2),
        "EUR" => ("€".into(), 2),
        "GBP" => ("£".into(), 2),
        "JPY" => ("¥".into(), 0),
        other => (format!("{other} "), 2),
    }
}

#[derive(Debug, FilterParameters)]
struct MoneyArgs {
    #[parameter(description = "ISO 4217 currency code (default USD).", arg_type = "str")]
    currency: Option<Expression>,
}

/// Formats a number as money: `{{ 1234.5 | money }}` → `$1,234.50`.
#[derive(Clone, ParseFilter, FilterReflection)]
#[filter(
    name = "money",
    description = "Formats a number as money.",
    parameters(MoneyArgs),
    parsed(MoneyFilter)
)]
pub struct Money;

#[derive(Debug, FromFilterParameters, Display_filter)]
#[name = "money"]
struct MoneyFilter {
    #[parameters]
    args: MoneyArgs,
}

impl Filter for MoneyFilter {
    fn evaluate(&self, input: &dyn ValueView, runtime: &dyn Runtime) -> Result<Value> {
        let args = self.args.evaluate(runtime)?;
        if input.is_nil() {
            return Ok(Value::Nil);
        }
        let amount = input
            .as_scalar()
            .and_then(|s| s.to_float())
            .ok_or_else(|| invalid_input("a number"))?;
        let code = args.currency.as_deref().unwrap_or("USD").to_uppercase();
        let (symbol, decimals) = currency(&code);
        let sign = if amount < 0.0 { "-" } else { "" };
        Ok(Value::scalar(format!("{sign}{symbol}{}", grouped(amount, decimals))))
    }
}

#[derive(Debug, FilterParameters)]
struct UrlParamArgs {
    #[parameter(description = "The query parameter's name.", arg_type = "str")]
    name: Expression,
    #[parameter(description = "Its value.", arg_type = "str")]
    value: Expression,
}

/// Adds a query parameter to a URL: `{{ url | url_param: 'utm_source', 'email' }}`.
#[derive(Clone, ParseFilter, FilterReflection)]
#[filter(
    name = "url_param",
    description = "Adds a URL-encoded query parameter to a URL.",
    parameters(UrlParamArgs),
    parsed(UrlParamFilter)
)]
pub struct UrlParam;

#[derive(Debug, FromFilterParameters, Display_filter)]
#[name = "url_param"]
struct UrlParamFilter {
    #[parameters]
    args: UrlParamArgs,
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

impl Filter for UrlParamFilter {
    fn evaluate(&self, input: &dyn ValueView, runtime: &dyn Runtime) -> Result<Value> {
        let args = self.args.evaluate(runtime)?;
        let url = input.to_kstr();
        let (base, fragment) = url.split_once('#').map_or((url.as_str(), None), |(b, f)| (b, Some(f)));
        let separator = if base.contains('?') { '&' } else { '?' };
        let mut out = format!("{base}{separator}{}={}", encode(&args.name), encode(&args.value));
        if let Some(fragment) = fragment {
            out.push('#');
            out.push_str(fragment);
        }
        Ok(Value::scalar(out))
    }
}

#[derive(Debug, FilterParameters)]
struct PluralizeArgs {
    #[parameter(description = "The word for one.", arg_type = "str")]
    singular: Expression,
    #[parameter(description = "The word for any other count.", arg_type = "str")]
    plural: Expression,
}

/// Picks the singular for 1 and the plural otherwise: `{{ n | pluralize: 'item', 'items' }}`.
#[derive(Clone, ParseFilter, FilterReflection)]
#[filter(
    name = "pluralize",
    description = "The singular for 1, the plural otherwise.",
    parameters(PluralizeArgs),
    parsed(PluralizeFilter)
)]
pub struct Pluralize;

#[derive(Debug, FromFilterParameters, Display_filter)]
#[name = "pluralize"]
struct PluralizeFilter {
    #[parameters]
    args: PluralizeArgs,
}

impl Filter for PluralizeFilter {
    fn evaluate(&self, input: &dyn ValueView, runtime: &dyn Runtime) -> Result<Value> {
        let args = self.args.evaluate(runtime)?;
        let count = input
            .as_scalar()
            .and_then(|s| s.to_float())
            .ok_or_else(|| invalid_argument("input", "a number"))?;
        Ok(Value::scalar(if count == 1.0 {
            args.singular.into_owned()
        } else {
            args.plural.into_owned()
        }))
    }
}

/// Marks an output as not to be HTML-escaped; the value itself is unchanged.
#[derive(Clone, ParseFilter, FilterReflection)]
#[filter(
    name = "raw",
    description = "Prints the value without HTML escaping.",
    parsed(RawFilter)
)]
pub struct Raw;

#[derive(Debug, Default, Display_filter)]
#[name = "raw"]
struct RawFilter;

impl Filter for RawFilter {
    fn evaluate(&self, input: &dyn ValueView, _runtime: &dyn Runtime) -> Result<Value> {
        Ok(input.to_value())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_money_and_urls() {
        assert_eq!(grouped(1234567.5, 2), "1,234,567.50");
        assert_eq!(grouped(12.0, 0), "12");
        assert_eq!(encode("a b&c=d/é"), "a%20b%26c%3Dd%2F%C3%A9");
    }
}
