//! `find`, `find_index`, `has`, `reject` and `sum` over arrays (of objects).

use liquid_core::model::ValueViewCmp;
use liquid_core::{
    Display_filter, Expression, Filter, FilterParameters, FilterReflection, FromFilterParameters, ParseFilter,
};
use liquid_core::{Result, Runtime, Value, ValueView};

use super::invalid_input;

#[derive(Debug, FilterParameters)]
struct PropertyArgs {
    #[parameter(description = "The property to test.", arg_type = "str")]
    property: Expression,
    #[parameter(description = "The value it must have (default: any truthy value).")]
    target: Option<Expression>,
}

/// The input's items: an array's values, or the input itself.
fn items(input: &dyn ValueView) -> Vec<&dyn ValueView> {
    match input.as_array() {
        Some(array) => array.values().collect(),
        None if input.is_nil() => Vec::new(),
        None => vec![input],
    }
}

/// Whether `item` has `property` (equal to `target`, or truthy without one).
fn matches(item: &dyn ValueView, property: &str, target: Option<&dyn ValueView>) -> bool {
    let Some(object) = item.as_object() else { return false };
    let Some(value) = object.get(property) else {
        return false;
    };
    match target {
        Some(target) => ValueViewCmp::new(value) == ValueViewCmp::new(target),
        None => value.query_state(liquid_core::model::State::Truthy),
    }
}

/// Which of the property filters.
#[derive(Debug, Clone, Copy)]
enum Search {
    Find,
    FindIndex,
    Has,
    Reject,
}

fn search(kind: Search, args: &PropertyArgs, input: &dyn ValueView, runtime: &dyn Runtime) -> Result<Value> {
    let args = args.evaluate(runtime)?;
    let property = args.property.to_kstr();
    let target = args.target.as_ref().map(|t| t.as_view());
    let items = items(input);
    let test = |item: &dyn ValueView| matches(item, property.as_str(), target);
    Ok(match kind {
        Search::Find => items
            .into_iter()
            .find(|i| test(*i))
            .map_or(Value::Nil, |i| i.to_value()),
        Search::FindIndex => items
            .into_iter()
            .position(test)
            .map_or(Value::Nil, |i| Value::scalar(i as i64)),
        Search::Has => Value::scalar(items.into_iter().any(test)),
        Search::Reject => Value::array(
            items
                .into_iter()
                .filter(|i| !test(*i))
                .map(|i| i.to_value())
                .collect::<Vec<_>>(),
        ),
    })
}

/// The first item whose property has the value, or nil.
#[derive(Clone, ParseFilter, FilterReflection)]
#[filter(
    name = "find",
    description = "The first item whose property has the value, or nil.",
    parameters(PropertyArgs),
    parsed(FindFilter)
)]
pub struct Find;

#[derive(Debug, FromFilterParameters, Display_filter)]
#[name = "find"]
struct FindFilter {
    #[parameters]
    args: PropertyArgs,
}

impl Filter for FindFilter {
    fn evaluate(&self, input: &dyn ValueView, runtime: &dyn Runtime) -> Result<Value> {
        search(Search::Find, &self.args, input, runtime)
    }
}

/// The index of the first item whose property has the value, or nil.
#[derive(Clone, ParseFilter, FilterReflection)]
#[filter(
    name = "find_index",
    description = "The index of the first item whose property has the value, or nil.",
    parameters(PropertyArgs),
    parsed(FindIndexFilter)
)]
pub struct FindIndex;

#[derive(Debug, FromFilterParameters, Display_filter)]
#[name = "find_index"]
struct FindIndexFilter {
    #[parameters]
    args: PropertyArgs,
}

impl Filter for FindIndexFilter {
    fn evaluate(&self, input: &dyn ValueView, runtime: &dyn Runtime) -> Result<Value> {
        search(Search::FindIndex, &self.args, input, runtime)
    }
}

/// Whether any item's property has the value.
#[derive(Clone, ParseFilter, FilterReflection)]
#[filter(
    name = "has",
    description = "Whether any item's property has the value.",
    parameters(PropertyArgs),
    parsed(HasFilter)
)]
pub struct Has;

#[derive(Debug, FromFilterParameters, Display_filter)]
#[name = "has"]
struct HasFilter {
    #[parameters]
    args: PropertyArgs,
}

impl Filter for HasFilter {
    fn evaluate(&self, input: &dyn ValueView, runtime: &dyn Runtime) -> Result<Value> {
        search(Search::Has, &self.args, input, runtime)
    }
}

/// The items whose property does not have the value.
#[derive(Clone, ParseFilter, FilterReflection)]
#[filter(
    name = "reject",
    description = "The items whose property does not have the value.",
    parameters(PropertyArgs),
    parsed(RejectFilter)
)]
pub struct Reject;

#[derive(Debug, FromFilterParameters, Display_filter)]
#[name = "reject"]
struct RejectFilter {
    #[parameters]
    args: PropertyArgs,
}

impl Filter for RejectFilter {
    fn evaluate(&self, input: &dyn ValueView, runtime: &dyn Runtime) -> Result<Value> {
        search(Search::Reject, &self.args, input, runtime)
    }
}

#[derive(Debug, FilterParameters)]
struct SumArgs {
    #[parameter(description = "Sum this property of each item.", arg_type = "str")]
    property: Option<Expression>,
}

/// The sum of the items (or of one property of each); what is not a number counts as 0.
#[derive(Clone, ParseFilter, FilterReflection)]
#[filter(
    name = "sum",
    description = "The sum of the items, or of one property of each.",
    parameters(SumArgs),
    parsed(SumFilter)
)]
pub struct Sum;

#[derive(Debug, FromFilterParameters, Display_filter)]
#[name = "sum"]
struct SumFilter {
    #[parameters]
    args: SumArgs,
}

impl Filter for SumFilter {
    fn evaluate(&self, input: &dyn ValueView, runtime: &dyn Runtime) -> Result<Value> {
        let args = self.args.evaluate(runtime)?;
        let property = args.property.map(|p| p.to_kstr().into_owned());
        let (mut int, mut float, mut any_float) = (0i64, 0f64, false);
        for item in items(input) {
            let value = match &property {
                Some(p) => match item.as_object().and_then(|o| o.get(p.as_str())) {
                    Some(v) => v,
                    None => continue,
                },
                None => item,
            };
            let Some(scalar) = value.as_scalar() else {
                if value.is_array() {
                    return Err(invalid_input("nested arrays cannot be summed"));
                }
                continue;
            };
            if let Some(n) = scalar.to_integer() {
                int = int.saturating_add(n);
            } else if let Some(f) = scalar.to_float() {
                float += f;
                any_float = true;
            }
        }
        Ok(if any_float {
            Value::scalar(int as f64 + float)
        } else {
            Value::scalar(int)
        })
    }
}
