//! The scalar functions of the expression language and their arities.

/// A built-in scalar function.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Function {
    /// Its name.
    pub name: &'static str,
    /// Least number of arguments.
    pub min_args: usize,
    /// Most arguments (`usize::MAX` for variadic).
    pub max_args: usize,
    /// How it is called, for hints.
    pub signature: &'static str,
}

const fn function(name: &'static str, min_args: usize, max_args: usize, signature: &'static str) -> Function {
    Function {
        name,
        min_args,
        max_args,
        signature,
    }
}

/// Every scalar function (aggregates are parsed separately).
pub const FUNCTIONS: [Function; 12] = [
    function("now", 0, 0, "now()"),
    function("ago", 1, 1, "ago(7d)"),
    function("days_since", 1, 1, "days_since(signup_at)"),
    function("date", 1, 1, "date(\"2026-01-01\")"),
    function("datetime", 1, 1, "datetime(\"2026-01-01T09:00:00Z\")"),
    function("lower", 1, 1, "lower(s)"),
    function("upper", 1, 1, "upper(s)"),
    function("len", 1, 1, "len(x)"),
    function("contains", 2, 2, "contains(x, v)"),
    function("starts_with", 2, 2, "starts_with(s, prefix)"),
    function("ends_with", 2, 2, "ends_with(s, suffix)"),
    function("coalesce", 1, usize::MAX, "coalesce(a, b, ...)"),
];

impl Function {
    /// The function called `name`.
    pub fn find(name: &str) -> Option<&'static Function> {
        FUNCTIONS.iter().find(|f| f.name == name)
    }
}
