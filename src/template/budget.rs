//! The render budget: a template rendered with data cannot spin, or allocate without bound,
//! whatever the data holds. `{% for i in (1..user.n) %}` with a huge `n`, nested loops over
//! large lists, or an `assign` that doubles a string in a loop fail *that one render* with a
//! clear error naming the template and line; the run goes on with the next recipient.
//!
//! Three limits, per render of one template (partials included):
//! - loop iterations ([`MAX_LOOP_STEPS`]); ranges are walked without being built as lists;
//! - the size of a value kept by `assign` or `capture` ([`MAX_VALUE_BYTES`]), and of what a
//!   filter may build (`append`, `replace`, `join`, … are refused before they run);
//! - the size of the output ([`MAX_OUTPUT_BYTES`]).

/// Loop iterations one render may take.
pub const MAX_LOOP_STEPS: u64 = 1_000_000;

/// Bytes one value kept by `assign` or `capture` may hold.
pub const MAX_VALUE_BYTES: usize = 1 << 20;

/// Bytes one rendered template may produce.
pub const MAX_OUTPUT_BYTES: usize = 8 << 20;

/// What one render has spent.
#[derive(Debug, Default)]
pub struct Budget {
    steps: u64,
}

impl Budget {
    /// Takes one loop iteration; an error once there were more than [`MAX_LOOP_STEPS`].
    pub fn step(&mut self) -> Result<(), String> {
        self.steps += 1;
        if self.steps > MAX_LOOP_STEPS {
            return Err(format!(
                "the render budget is spent: more than {MAX_LOOP_STEPS} loop iterations (a range or list from data is too large)"
            ));
        }
        Ok(())
    }

    /// Refuses output that would grow to `bytes`, past [`MAX_OUTPUT_BYTES`].
    pub fn output(&self, bytes: usize) -> Result<(), String> {
        if bytes > MAX_OUTPUT_BYTES {
            return Err(format!(
                "the render budget is spent: the output grew past {} KiB",
                MAX_OUTPUT_BYTES >> 10
            ));
        }
        Ok(())
    }
}

/// Refuses a filter result that could grow to `bytes`, past [`MAX_OUTPUT_BYTES`].
pub fn check_growth(bytes: usize) -> Result<(), String> {
    if bytes > MAX_OUTPUT_BYTES {
        return Err(format!(
            "the render budget is spent: the result would grow past {} KiB",
            MAX_OUTPUT_BYTES >> 10
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn steps_run_out() {
        let mut budget = Budget::default();
        for _ in 0..MAX_LOOP_STEPS {
            budget.step().unwrap();
        }
        assert!(budget.step().unwrap_err().contains("loop iterations"));
        assert!(Budget::default().step().is_ok());
    }

    #[test]
    fn large_outputs_are_refused() {
        let budget = Budget::default();
        assert!(budget.output(MAX_OUTPUT_BYTES).is_ok());
        assert!(budget.output(MAX_OUTPUT_BYTES + 1).is_err());
        assert!(check_growth(MAX_OUTPUT_BYTES + 1).is_err());
    }
}
