//! The filters templates may use: every standard Liquid filter and tailor's own.

use super::shape::Shape;

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
    /// Unknown.
    Any,
}

/// A filter's signature.
#[derive(Debug, Clone, Copy)]
pub struct FilterSpec {
    /// Its name.
    pub name: &'static str,
    /// Least positional arguments.
    pub min_args: usize,
    /// Most positional arguments.
    pub max_args: usize,
    /// What it needs.
    pub input: Input,
    /// What it gives.
    pub output: Output,
    /// Whether it is tailor's own (not standard Liquid).
    pub tailor: bool,
}

const fn f(name: &'static str, min_args: usize, max_args: usize, input: Input, output: Output) -> FilterSpec {
    FilterSpec {
        name,
        min_args,
        max_args,
        input,
        output,
        tailor: false,
    }
}

const fn own(name: &'static str, min_args: usize, max_args: usize, input: Input, output: Output) -> FilterSpec {
    FilterSpec {
        tailor: true,
        ..f(name, min_args, max_args, input, output)
    }
}

use Input as I;
use Output as O;

/// Every filter, standard Liquid first, then tailor's.
pub const FILTERS: [FilterSpec; 64] = [
    f("abs", 0, 0, I::Number, O::Number),
    f("append", 1, 1, I::Any, O::String),
    f("at_least", 1, 1, I::Number, O::Number),
    f("at_most", 1, 1, I::Number, O::Number),
    f("base64_decode", 0, 0, I::Any, O::String),
    f("base64_encode", 0, 0, I::Any, O::String),
    f("base64_url_safe_decode", 0, 0, I::Any, O::String),
    f("base64_url_safe_encode", 0, 0, I::Any, O::String),
    f("capitalize", 0, 0, I::Any, O::String),
    f("ceil", 0, 0, I::Number, O::Int),
    f("compact", 0, 1, I::List, O::Same),
    f("concat", 1, 1, I::List, O::Same),
    f("date", 0, 2, I::Date, O::String),
    f("default", 0, 1, I::Any, O::Same),
    f("divided_by", 1, 1, I::Number, O::Number),
    f("downcase", 0, 0, I::Any, O::String),
    f("escape", 0, 0, I::Any, O::String),
    f("escape_once", 0, 0, I::Any, O::String),
    f("find", 1, 2, I::List, O::Item),
    f("find_index", 1, 2, I::List, O::Int),
    f("first", 0, 0, I::Any, O::Item),
    f("floor", 0, 0, I::Number, O::Int),
    f("has", 1, 2, I::List, O::Bool),
    f("join", 0, 1, I::List, O::String),
    f("last", 0, 0, I::Any, O::Item),
    f("lstrip", 0, 0, I::Any, O::String),
    f("map", 1, 1, I::List, O::AnyList),
    f("minus", 1, 1, I::Number, O::Number),
    f("modulo", 1, 1, I::Number, O::Number),
    f("newline_to_br", 0, 0, I::Any, O::String),
    f("plus", 1, 1, I::Number, O::Number),
    f("prepend", 1, 1, I::Any, O::String),
    f("reject", 1, 2, I::List, O::Same),
    f("remove", 1, 1, I::Any, O::String),
    f("remove_first", 1, 1, I::Any, O::String),
    f("remove_last", 1, 1, I::Any, O::String),
    f("replace", 1, 2, I::Any, O::String),
    f("replace_first", 1, 2, I::Any, O::String),
    f("replace_last", 1, 2, I::Any, O::String),
    f("reverse", 0, 0, I::List, O::Same),
    f("round", 0, 1, I::Number, O::Number),
    f("rstrip", 0, 0, I::Any, O::String),
    f("size", 0, 0, I::Any, O::Int),
    f("slice", 1, 2, I::Any, O::Same),
    f("sort", 0, 1, I::List, O::Same),
    f("sort_natural", 0, 1, I::List, O::Same),
    f("split", 1, 1, I::Any, O::StringList),
    f("strip", 0, 0, I::Any, O::String),
    f("strip_html", 0, 0, I::Any, O::String),
    f("strip_newlines", 0, 0, I::Any, O::String),
    f("sum", 0, 1, I::List, O::Number),
    f("times", 1, 1, I::Number, O::Number),
    f("truncate", 0, 2, I::Any, O::String),
    f("truncatewords", 0, 2, I::Any, O::String),
    f("uniq", 0, 1, I::List, O::Same),
    f("upcase", 0, 0, I::Any, O::String),
    f("url_decode", 0, 0, I::Any, O::String),
    f("url_encode", 0, 0, I::Any, O::String),
    f("where", 1, 2, I::List, O::Same),
    own("raw", 0, 0, I::Any, O::Same),
    own("money", 0, 1, I::Number, O::String),
    own("url_param", 2, 2, I::Any, O::String),
    own("pluralize", 2, 2, I::Number, O::String),
    own("safe_url", 0, 0, I::Any, O::String),
];

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
            Output::Any => Shape::Any,
        }
    }
}
