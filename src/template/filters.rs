//! The filters templates may use: every standard Liquid filter and tailor's own.

use super::filters_impl::strftime;
use super::shape::Shape;
use crate::diag::suggestion_hint;
use crate::model::{currency_codes, is_currency_code};

/// What a filter needs as input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Input {
    /// Anything.
    Any,
    /// Something that reads as a number.
    Number,
    /// A list (text and nil are also accepted, as Liquid does).
    List,
    /// A date, a datetime, a timestamp or a date string.
    Date,
}

/// What a filter gives back.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Output {
    /// Text.
    String,
    /// A number.
    Number,
    /// An integer.
    Int,
    /// The input's shape.
    Same,
    /// An item of the input list.
    Item,
    /// A list of strings.
    StringList,
    /// A list of unknown items.
    AnyList,
    /// A bool.
    Bool,
    /// A row of the catalog (`product`), or nil.
    CatalogRow,
    /// Unknown.
    Any,
}

/// What one argument of a filter may be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Arg {
    /// Anything.
    Any,
    /// A number (or text that reads as one, which Liquid converts).
    Number,
    /// Text, such as a property name or a separator.
    Text,
    /// An ISO 4217 currency code.
    Currency,
    /// A strftime format.
    DateFormat,
    /// An IANA time zone.
    TimeZone,
}

/// A filter's signature.
#[derive(Debug, Clone, Copy)]
pub struct FilterSpec {
    /// Its name.
    pub name: &'static str,
    /// Least positional arguments.
    pub min_args: usize,
    /// What each positional argument may be (their number is the most the filter takes).
    pub args: &'static [Arg],
    /// What it needs.
    pub input: Input,
    /// What it gives.
    pub output: Output,
    /// Whether it is tailor's own (not standard Liquid).
    pub tailor: bool,
}

const fn f(name: &'static str, min_args: usize, args: &'static [Arg], input: Input, output: Output) -> FilterSpec {
    FilterSpec {
        name,
        min_args,
        args,
        input,
        output,
        tailor: false,
    }
}

const fn own(name: &'static str, min_args: usize, args: &'static [Arg], input: Input, output: Output) -> FilterSpec {
    FilterSpec {
        tailor: true,
        ..f(name, min_args, args, input, output)
    }
}

use Arg as A;
use Input as I;
use Output as O;

const NONE: &[Arg] = &[];
const ANY: &[Arg] = &[A::Any];
const NUM: &[Arg] = &[A::Number];
const TEXT: &[Arg] = &[A::Text];

/// Every filter, standard Liquid first, then tailor's.
pub const FILTERS: [FilterSpec; 65] = [
    f("abs", 0, NONE, I::Number, O::Number),
    f("append", 1, ANY, I::Any, O::String),
    f("at_least", 1, NUM, I::Number, O::Number),
    f("at_most", 1, NUM, I::Number, O::Number),
    f("base64_decode", 0, NONE, I::Any, O::String),
    f("base64_encode", 0, NONE, I::Any, O::String),
    f("base64_url_safe_decode", 0, NONE, I::Any, O::String),
    f("base64_url_safe_encode", 0, NONE, I::Any, O::String),
    f("capitalize", 0, NONE, I::Any, O::String),
    f("ceil", 0, NONE, I::Number, O::Int),
    f("compact", 0, TEXT, I::List, O::Same),
    f("concat", 1, ANY, I::List, O::Same),
    f("date", 1, &[A::DateFormat, A::TimeZone], I::Date, O::String),
    f("default", 0, ANY, I::Any, O::Same),
    f("divided_by", 1, NUM, I::Number, O::Number),
    f("downcase", 0, NONE, I::Any, O::String),
    f("escape", 0, NONE, I::Any, O::String),
    f("escape_once", 0, NONE, I::Any, O::String),
    f("find", 1, &[A::Any, A::Any], I::List, O::Item),
    f("find_index", 1, &[A::Any, A::Any], I::List, O::Int),
    f("first", 0, NONE, I::Any, O::Item),
    f("floor", 0, NONE, I::Number, O::Int),
    f("has", 1, &[A::Any, A::Any], I::List, O::Bool),
    f("join", 0, ANY, I::List, O::String),
    f("last", 0, NONE, I::Any, O::Item),
    f("lstrip", 0, NONE, I::Any, O::String),
    f("map", 1, TEXT, I::List, O::AnyList),
    f("minus", 1, NUM, I::Number, O::Number),
    f("modulo", 1, NUM, I::Number, O::Number),
    f("newline_to_br", 0, NONE, I::Any, O::String),
    f("plus", 1, NUM, I::Number, O::Number),
    f("prepend", 1, ANY, I::Any, O::String),
    f("reject", 1, &[A::Any, A::Any], I::List, O::Same),
    f("remove", 1, ANY, I::Any, O::String),
    f("remove_first", 1, ANY, I::Any, O::String),
    f("remove_last", 1, ANY, I::Any, O::String),
    f("replace", 1, &[A::Any, A::Any], I::Any, O::String),
    f("replace_first", 1, &[A::Any, A::Any], I::Any, O::String),
    f("replace_last", 2, &[A::Any, A::Any], I::Any, O::String),
    f("reverse", 0, NONE, I::List, O::Same),
    f("round", 0, NUM, I::Number, O::Number),
    f("rstrip", 0, NONE, I::Any, O::String),
    f("size", 0, NONE, I::Any, O::Int),
    f("slice", 1, &[A::Number, A::Number], I::Any, O::Same),
    f("sort", 0, TEXT, I::List, O::Same),
    f("sort_natural", 0, TEXT, I::List, O::Same),
    f("split", 1, ANY, I::Any, O::StringList),
    f("strip", 0, NONE, I::Any, O::String),
    f("strip_html", 0, NONE, I::Any, O::String),
    f("strip_newlines", 0, NONE, I::Any, O::String),
    f("sum", 0, TEXT, I::List, O::Number),
    f("times", 1, NUM, I::Number, O::Number),
    f("truncate", 0, &[A::Number, A::Any], I::Any, O::String),
    f("truncatewords", 0, &[A::Number, A::Any], I::Any, O::String),
    f("uniq", 0, TEXT, I::List, O::Same),
    f("upcase", 0, NONE, I::Any, O::String),
    f("url_decode", 0, NONE, I::Any, O::String),
    f("url_encode", 0, NONE, I::Any, O::String),
    f("where", 1, &[A::Text, A::Any], I::List, O::Same),
    own("raw", 0, NONE, I::Any, O::Same),
    own("money", 0, &[A::Currency], I::Number, O::String),
    own("url_param", 2, &[A::Text, A::Any], I::Any, O::String),
    own("pluralize", 2, &[A::Text, A::Text], I::Number, O::String),
    own("safe_url", 0, NONE, I::Any, O::String),
    own("product", 0, NONE, I::Any, O::CatalogRow),
];

/// Why a value cannot be a filter's argument: a message and perhaps a hint.
pub type ArgProblem = (String, Option<String>);

impl Arg {
    /// What is wrong with a value of `shape` as this argument; `literal` is its text when it is
    /// a string literal, checked further (a currency code, a format, a zone).
    pub fn problem(self, shape: &Shape, literal: Option<&str>) -> Option<ArgProblem> {
        let not_text = matches!(
            shape,
            Shape::Int | Shape::Float | Shape::Bool | Shape::List(_) | Shape::Object(_) | Shape::Date | Shape::DateTime
        );
        match (self, literal) {
            (Arg::Any, _) => None,
            (Arg::Number, Some(text)) => text.trim().parse::<f64>().is_err().then(|| {
                let message = format!("expects a number, but `\"{text}\"` is text");
                (message, None)
            }),
            (Arg::Number, None) => (!shape.can_be_number()).then(|| (format!("expects a number, not {shape}"), None)),
            (Arg::Currency, _) if not_text => Some((
                format!("expects a currency code, not {shape}"),
                Some(
                    "write an ISO 4217 code in quotes, such as `money: \"EUR\"`; to round, use `round` before it"
                        .into(),
                ),
            )),
            (_, None) => not_text.then(|| (format!("expects text, not {shape}"), None)),
            (Arg::Text, Some(_)) => None,
            (Arg::Currency, Some(code)) => (!is_currency_code(&code.to_uppercase())).then(|| {
                let message = format!("`{code}` is not an ISO 4217 currency code");
                let hint = suggestion_hint(&code.to_uppercase(), currency_codes())
                    .or_else(|| Some("use a three-letter code such as `USD`, `EUR` or `GBP`".into()));
                (message, hint)
            }),
            (Arg::DateFormat, Some(format)) => strftime(format).err().map(|message| {
                let hint = "strftime directives start with `%`: `%Y-%m-%d`, `%B %-d`, `%H:%M`".to_string();
                (message, Some(hint))
            }),
            (Arg::TimeZone, Some(zone)) => zone.parse::<chrono_tz::Tz>().is_err().then(|| {
                let names = chrono_tz::TZ_VARIANTS.iter().map(|z| z.name());
                let hint = suggestion_hint(zone, names).or_else(|| Some("such as `America/New_York`".into()));
                (format!("`{zone}` is not an IANA time zone"), hint)
            }),
        }
    }
}

impl Input {
    /// What the input should be, for messages.
    pub fn describe(self) -> &'static str {
        match self {
            Input::Any => "any value",
            Input::Number => "a number",
            Input::List => "a list",
            Input::Date => "a date",
        }
    }
}

impl FilterSpec {
    /// The filter called `name`.
    pub fn find(name: &str) -> Option<&'static FilterSpec> {
        FILTERS.iter().find(|f| f.name == name)
    }

    /// The most positional arguments it takes.
    pub fn max_args(&self) -> usize {
        self.args.len()
    }

    /// Whether `input` is clearly wrong for this filter.
    pub fn rejects(&self, input: &Shape) -> bool {
        match self.input {
            Input::Any => false,
            Input::Number => !input.can_be_number(),
            Input::List => input.is_non_text_scalar(),
            Input::Date => matches!(input, Shape::Bool | Shape::List(_) | Shape::Object(_)),
        }
    }

    /// What the filter gives for `input`.
    pub fn output(&self, input: &Shape) -> Shape {
        match self.output {
            Output::String => Shape::String,
            Output::Number => match input {
                Shape::Int => Shape::Int,
                _ => Shape::Float,
            },
            Output::Int => Shape::Int,
            Output::Same => input.clone(),
            Output::Item => match input {
                Shape::List(item) => (**item).clone(),
                Shape::String | Shape::Enum(_) => Shape::String,
                _ => Shape::Any,
            },
            Output::StringList => Shape::List(Box::new(Shape::String)),
            Output::AnyList => Shape::List(Box::new(Shape::Any)),
            Output::Bool => Shape::Bool,
            Output::CatalogRow | Output::Any => Shape::Any,
        }
    }
}
