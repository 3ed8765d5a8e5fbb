//! `remove_last` and `replace_last`.

use liquid_core::{
    Display_filter, Expression, Filter, FilterParameters, FilterReflection, FromFilterParameters, ParseFilter,
};
use liquid_core::{Result, Runtime, Value, ValueView};

#[derive(Debug, FilterParameters)]
struct RemoveLastArgs {
    #[parameter(description = "The text to remove.", arg_type = "str")]
    search: Expression,
}

/// Removes the last occurrence of a text.
#[derive(Clone, ParseFilter, FilterReflection)]
#[filter(
    name = "remove_last",
    description = "Removes the last occurrence of a text.",
    parameters(RemoveLastArgs),
    parsed(RemoveLastFilter)
)]
pub struct RemoveLast;

#[derive(Debug, FromFilterParameters, Display_filter)]
#[name = "remove_last"]
struct RemoveLastFilter {
    #[parameters]
    args: RemoveLastArgs,
}

fn replace_last(input: &str, search: &str, replacement: &str) -> String {
    match input.rfind(search) {
        Some(at) if !search.is_empty() => format!("{}{replacement}{}", &input[..at], &input[at + search.len()..]),
        _ => input.to_string(),
    }
}

impl Filter for RemoveLastFilter {
    fn evaluate(&self, input: &dyn ValueView, runtime: &dyn Runtime) -> Result<Value> {
        let args = self.args.evaluate(runtime)?;
        Ok(Value::scalar(replace_last(&input.to_kstr(), &args.search, "")))
    }
}

#[derive(Debug, FilterParameters)]
struct ReplaceLastArgs {
    #[parameter(description = "The text to replace.", arg_type = "str")]
    search: Expression,
    #[parameter(description = "What replaces it.", arg_type = "str")]
    replace: Option<Expression>,
}

/// Replaces the last occurrence of a text.
#[derive(Clone, ParseFilter, FilterReflection)]
#[filter(
    name = "replace_last",
    description = "Replaces the last occurrence of a text.",
    parameters(ReplaceLastArgs),
    parsed(ReplaceLastFilter)
)]
pub struct ReplaceLast;

#[derive(Debug, FromFilterParameters, Display_filter)]
#[name = "replace_last"]
struct ReplaceLastFilter {
    #[parameters]
    args: ReplaceLastArgs,
}

impl Filter for ReplaceLastFilter {
    fn evaluate(&self, input: &dyn ValueView, runtime: &dyn Runtime) -> Result<Value> {
        let args = self.args.evaluate(runtime)?;
        let replacement = args.replace.as_deref().unwrap_or("");
        Ok(Value::scalar(replace_last(&input.to_kstr(), &args.search, replacement)))
    }
}
