//! tailor's own filters: `money`, `url_param`, `pluralize`, `raw` and `safe_url`.

use std::sync::{Arc, OnceLock};

use liquid_core::parser::FilterArguments;
use liquid_core::{
    Display_filter, Expression, Filter, FilterParameters, FilterReflection, FromFilterParameters, ParseFilter,
};

use crate::model::is_currency_code;
use crate::template::TemplateLocale;
use liquid_core::{Result, Runtime, Value, ValueView};

use super::{invalid_argument, invalid_input};

#[derive(Debug, FilterParameters)]
struct MoneyArgs {
    #[parameter(description = "ISO 4217 currency code (default: the workspace's).", arg_type = "str")]
    currency: Option<Expression>,
}

/// Formats a number as money in the workspace's locale: `{{ 1234.5 | money }}` → `$1,234.50`
/// (en-US, USD) or `1.234,50 €` (de-DE, EUR); an argument names another currency.
#[derive(Clone, FilterReflection)]
#[filter(
    name = "money",
    description = "Formats a number as money.",
    parameters(MoneyArgs),
    parsed(MoneyFilter)
)]
pub struct Money {
    /// The workspace's locale and currency.
    pub locale: Arc<TemplateLocale>,
}

impl ParseFilter for Money {
    fn parse(&self, arguments: FilterArguments) -> Result<Box<dyn Filter>> {
        let args = MoneyArgs::from_args(arguments)?;
        Ok(Box::new(MoneyFilter {
            args,
            locale: Arc::clone(&self.locale),
        }))
    }

    fn reflection(&self) -> &dyn FilterReflection {
        self
    }
}

#[derive(Debug)]
struct MoneyFilter {
    args: MoneyArgs,
    locale: Arc<TemplateLocale>,
}

impl std::fmt::Display for MoneyFilter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "money: {}", self.args)
    }
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
        if let Some(code) = args
            .currency
            .as_deref()
            .filter(|c| !is_currency_code(&c.to_uppercase()))
        {
            let cause = format!("`{code}` is not an ISO 4217 currency code");
            return Err(invalid_argument("currency", cause));
        }
        Ok(Value::scalar(self.locale.money(amount, args.currency.as_deref())))
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

/// The catalog's products by key, as template objects, and the row of a key the catalog lacks
/// (every field nil, so `{{ p.name | default: "..." }}` works for it).
#[derive(Debug, Default)]
pub struct ProductRows {
    by_key: liquid_core::Object,
    unknown: Value,
}

impl ProductRows {
    /// The rows by key; `fields` are the catalog's field names.
    pub fn new(rows: impl IntoIterator<Item = (String, Value)>, fields: Vec<&str>) -> ProductRows {
        let unknown: liquid_core::Object = fields.into_iter().map(|f| (f.to_string().into(), Value::Nil)).collect();
        ProductRows {
            by_key: rows.into_iter().map(|(key, row)| (key.into(), row)).collect(),
            unknown: Value::Object(unknown),
        }
    }

    /// The row of `key`, or the all-nil row.
    fn get(&self, key: &str) -> Value {
        self.by_key.get(key).cloned().unwrap_or_else(|| self.unknown.clone())
    }
}

/// The catalog for `product` filters: filled once per run from the data.
pub type ProductCatalog = Arc<OnceLock<ProductRows>>;

/// Looks a product up in the catalog by its key: `{{ event.product_id | product }}` → the
/// catalog row (its fields typed by the schema); a key the catalog lacks (or nil) gives the row
/// with every field nil.
#[derive(Clone, FilterReflection)]
#[filter(
    name = "product",
    description = "The catalog row of a product key.",
    parsed(ProductFilter)
)]
pub struct Product {
    /// The catalog, shared with the renderer that fills it.
    pub catalog: ProductCatalog,
}

impl ParseFilter for Product {
    fn parse(&self, mut arguments: FilterArguments) -> Result<Box<dyn Filter>> {
        if arguments.positional.next().is_some() || arguments.keyword.next().is_some() {
            return Err(invalid_argument("product", "`product` takes no arguments"));
        }
        Ok(Box::new(ProductFilter {
            catalog: Arc::clone(&self.catalog),
        }))
    }

    fn reflection(&self) -> &dyn FilterReflection {
        self
    }
}

#[derive(Debug, Display_filter)]
#[name = "product"]
struct ProductFilter {
    catalog: ProductCatalog,
}

impl Filter for ProductFilter {
    fn evaluate(&self, input: &dyn ValueView, _runtime: &dyn Runtime) -> Result<Value> {
        let catalog = self
            .catalog
            .get()
            .ok_or_else(|| invalid_input("a product key, with the catalog loaded"))?;
        Ok(catalog.get(input.to_kstr().as_str()))
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

/// Neutralises URLs with a scheme other than http(s), mailto or tel ([`safe_url`]). tailor adds
/// it to every output that starts an `href` or `src` value of an HTML template; nil stays nil.
#[derive(Clone, ParseFilter, FilterReflection)]
#[filter(
    name = "safe_url",
    description = "Keeps http(s), mailto, tel and relative URLs; any other scheme becomes `#`.",
    parsed(SafeUrlFilter)
)]
pub struct SafeUrl;

#[derive(Debug, Default, Display_filter)]
#[name = "safe_url"]
struct SafeUrlFilter;

impl Filter for SafeUrlFilter {
    fn evaluate(&self, input: &dyn ValueView, _runtime: &dyn Runtime) -> Result<Value> {
        if input.is_nil() {
            return Ok(Value::Nil);
        }
        let url = input.to_kstr();
        Ok(Value::scalar(safe_url(&url).to_string()))
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
    }
}
