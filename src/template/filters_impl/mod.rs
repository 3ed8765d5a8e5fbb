//! Every filter the checker accepts, over rendering values ([`LiquidValue`]): standard Liquid's
//! with Shopify's semantics, and tailor's own (`money`, `date` in the recipient's zone,
//! `url_param`, `pluralize`, `product`, `raw`, `safe_url`). The number and kinds of arguments
//! are checked when a template is parsed ([`super::compiled`]); what only the values can tell
//! (a division by zero, a list of the wrong items) is an error here.

mod collections;
mod date;
mod encoding;
mod math;
mod strings;
mod tailor;

use super::value::LiquidValue;
use super::TemplateLocale;

pub use date::strftime;
pub use tailor::{safe_url, ProductCatalog, ProductRows};

/// What filters read besides their input and arguments.
pub struct FilterEnv {
    /// The workspace's locale and currency (`money`, `date`).
    pub locale: TemplateLocale,
    /// The catalog (`product`).
    pub catalog: ProductCatalog,
}

/// A filter's result, or why it failed.
pub type FilterResult = Result<LiquidValue, String>;

/// Applies the filter `name` to `input` with its positional and keyword arguments.
pub fn apply_filter(
    name: &str,
    input: LiquidValue,
    args: &[LiquidValue],
    keywords: &[(&str, LiquidValue)],
    env: &FilterEnv,
) -> FilterResult {
    let arg = |i: usize| args.get(i).cloned().unwrap_or_default();
    let given = |i: usize| args.get(i).cloned();
    match name {
        "abs" | "ceil" | "floor" | "round" | "plus" | "minus" | "times" | "divided_by" | "modulo" | "at_least"
        | "at_most" => math::apply(name, &input, given(0)),
        "append" => strings::append(&input, &arg(0)),
        "prepend" => strings::append(&arg(0), &input),
        "capitalize" => Ok(strings::capitalize(&input)),
        "downcase" => Ok(strings::map_text(&input, |s| s.to_lowercase())),
        "upcase" => Ok(strings::map_text(&input, |s| s.to_uppercase())),
        "escape" => Ok(strings::escape(&input)),
        "escape_once" => Ok(strings::escape_once(&input)),
        "lstrip" => Ok(strings::map_text(&input, |s| s.trim_start().to_string())),
        "rstrip" => Ok(strings::map_text(&input, |s| s.trim_end().to_string())),
        "strip" => Ok(strings::map_text(&input, |s| s.trim().to_string())),
        "newline_to_br" => Ok(strings::map_text(&input, |s| {
            s.replace("\r\n", "\n").replace('\n', "<br />\n")
        })),
        "strip_newlines" => Ok(strings::map_text(&input, |s| s.replace(['\r', '\n'], ""))),
        "strip_html" => Ok(strings::strip_html(&input)),
        "remove" => strings::replace(&input, &arg(0), &LiquidValue::Nil, strings::Which::All),
        "remove_first" => strings::replace(&input, &arg(0), &LiquidValue::Nil, strings::Which::First),
        "remove_last" => strings::replace(&input, &arg(0), &LiquidValue::Nil, strings::Which::Last),
        "replace" => strings::replace(&input, &arg(0), &arg(1), strings::Which::All),
        "replace_first" => strings::replace(&input, &arg(0), &arg(1), strings::Which::First),
        "replace_last" => strings::replace(&input, &arg(0), &arg(1), strings::Which::Last),
        "slice" => strings::slice(&input, &arg(0), given(1)),
        "split" => Ok(strings::split(&input, &arg(0))),
        "truncate" => strings::truncate(&input, given(0), given(1)),
        "truncatewords" => strings::truncate_words(&input, given(0), given(1)),
        "url_encode" => Ok(encoding::url_encode(&input)),
        "url_decode" => Ok(encoding::url_decode(&input)),
        "base64_encode" => Ok(encoding::base64_encode(&input, false)),
        "base64_url_safe_encode" => Ok(encoding::base64_encode(&input, true)),
        "base64_decode" => encoding::base64_decode(&input, false),
        "base64_url_safe_decode" => encoding::base64_decode(&input, true),
        "default" => Ok(collections::default(input, arg(0), keywords)),
        "size" => Ok(LiquidValue::Int(input.size().unwrap_or(0) as i64)),
        "first" => Ok(collections::first_or_last(&input, true)),
        "last" => Ok(collections::first_or_last(&input, false)),
        "join" => collections::join(&input, given(0)),
        "reverse" => Ok(collections::reverse(&input)),
        "concat" => collections::concat(&input, &arg(0)),
        "compact" => collections::compact(&input, given(0)),
        "map" => collections::map(&input, &arg(0)),
        "sort" => collections::sort(&input, given(0), false),
        "sort_natural" => collections::sort(&input, given(0), true),
        "uniq" => collections::uniq(&input, given(0)),
        "sum" => collections::sum(&input, given(0)),
        "where" | "reject" | "has" | "find" | "find_index" => collections::select(name, &input, &arg(0), given(1)),
        "date" => date::date(&input, &arg(0), given(1), &env.locale),
        "money" => tailor::money(&input, given(0), &env.locale),
        "url_param" => Ok(tailor::url_param(&input, &arg(0), &arg(1))),
        "pluralize" => Ok(tailor::pluralize(&input, &arg(0), &arg(1))),
        "product" => tailor::product(&input, &env.catalog),
        "raw" => Ok(input),
        "safe_url" => Ok(match input {
            LiquidValue::Nil => LiquidValue::Nil,
            other => LiquidValue::from(safe_url(&other.to_text())),
        }),
        other => Err(format!("there is no filter `{other}`")),
    }
}
