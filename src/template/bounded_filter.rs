//! Filters whose result can outgrow their input (`append`, `prepend`, `replace`, `join`,
//! `concat`, …), checked against the render budget *before* they run: the largest result the
//! input and arguments could give must fit in [`MAX_OUTPUT_BYTES`]. So two large values from
//! data (`{{ user.a | replace: "x", user.b }}`) cannot make one expression allocate without
//! bound.

use std::fmt;

use liquid_core::model::ValueView;
use liquid_core::parser::FilterArguments;
use liquid_core::{Expression, Filter, FilterReflection, ParseFilter, Result, Runtime, Value};

use super::budget::MAX_OUTPUT_BYTES;

/// How the largest result of a filter follows from its input's size and its arguments' sizes.
#[derive(Debug, Clone, Copy)]
pub enum Growth {
    /// The input plus every argument, at most (`append`, `prepend`, `concat`).
    Sum,
    /// Each item of the input with the separator after it (`join`).
    Joined,
    /// Every occurrence of the first argument replaced by the second (`replace`).
    Replaced,
}

impl Growth {
    /// The largest result for an input of `input` bytes (`items` items) and these arguments.
    fn bound(self, input: usize, items: usize, arguments: &[usize]) -> usize {
        let argument = |i: usize| arguments.get(i).copied().unwrap_or(0);
        match self {
            Growth::Sum => input.saturating_add(arguments.iter().sum()),
            Growth::Joined => input.saturating_add(items.saturating_mul(argument(0).max(1))),
            Growth::Replaced => {
                let occurrences = input / argument(0).max(1) + 1;
                input.saturating_add(occurrences.saturating_mul(argument(1)))
            }
        }
    }
}

/// The size of a value in bytes and, for an array, its number of items.
fn measure(value: &dyn ValueView) -> (usize, usize) {
    match value.as_array() {
        Some(array) => {
            let items = array.size() as usize;
            let bytes = array.values().map(|item| item.to_kstr().len() + 1).sum();
            (bytes, items)
        }
        None if value.is_nil() => (0, 0),
        None => (value.to_kstr().len(), 1),
    }
}

/// `F`, refused before it runs when its result could outgrow the budget.
#[derive(Clone)]
pub struct Bounded<F> {
    filter: F,
    growth: Growth,
}

impl<F> Bounded<F> {
    /// `filter`, whose result grows as `growth` says.
    pub fn new(filter: F, growth: Growth) -> Bounded<F> {
        Bounded { filter, growth }
    }
}

impl<F: ParseFilter + Clone + 'static> ParseFilter for Bounded<F> {
    fn parse(&self, arguments: FilterArguments<'_>) -> Result<Box<dyn Filter>> {
        // The arguments are read here too, to be measured before the filter runs.
        let positional: Vec<Expression> = arguments.positional.collect();
        let inner = self.filter.parse(FilterArguments {
            positional: Box::new(positional.clone().into_iter()),
            keyword: arguments.keyword,
        })?;
        Ok(Box::new(BoundedFilter {
            inner,
            arguments: positional,
            growth: self.growth,
            name: self.filter.reflection().name().to_string(),
        }))
    }

    fn reflection(&self) -> &dyn FilterReflection {
        self.filter.reflection()
    }
}

struct BoundedFilter {
    inner: Box<dyn Filter>,
    arguments: Vec<Expression>,
    growth: Growth,
    name: String,
}

impl fmt::Debug for BoundedFilter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.inner, f)
    }
}

impl fmt::Display for BoundedFilter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.inner, f)
    }
}

impl Filter for BoundedFilter {
    fn evaluate(&self, input: &dyn ValueView, runtime: &dyn Runtime) -> Result<Value> {
        let (bytes, items) = measure(input);
        let mut arguments = Vec::with_capacity(self.arguments.len());
        for argument in &self.arguments {
            arguments.push(measure(argument.evaluate(runtime)?.as_view()).0);
        }
        if self.growth.bound(bytes, items, &arguments) > MAX_OUTPUT_BYTES {
            return Err(super::budget::spent(format!(
                "the render budget is spent: `{}` could give more than {} KiB here",
                self.name,
                MAX_OUTPUT_BYTES >> 10
            )));
        }
        self.inner.evaluate(input, runtime)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bounds_follow_the_filters() {
        assert_eq!(Growth::Sum.bound(10, 1, &[5, 5]), 20);
        assert_eq!(Growth::Joined.bound(10, 4, &[3]), 22);
        // "aaaa" with every "a" replaced by 10 bytes: at most 4 + 5 * 10.
        assert_eq!(Growth::Replaced.bound(4, 1, &[1, 10]), 54);
        assert_eq!(Growth::Replaced.bound(4, 1, &[0, 10]), 54);
    }
}
