//! The render budget: a template rendered with data cannot spin, or allocate without bound,
//! whatever the data holds. `{% for i in (1..user.n) %}` with a huge `n`, nested loops over
//! large lists, or an `assign` that doubles a string in a loop fail *that one render* with a
//! clear error; the run goes on with the next recipient.
//!
//! Three limits, per render of one template (partials included):
//! - loop iterations ([`MAX_LOOP_STEPS`]), counted by tailor's own `for` and `tablerow`
//!   ([`super::loops`]), which also walk ranges without materialising them;
//! - the size of a value kept by `assign` or `capture` ([`MAX_VALUE_BYTES`]);
//! - the size of the output ([`MAX_OUTPUT_BYTES`]).

use std::cell::{Cell, RefCell};
use std::io::{self, Write};

use liquid_core::model::ValueView;
use liquid_core::{Error, Result};

/// Loop iterations one render may take.
pub const MAX_LOOP_STEPS: u64 = 1_000_000;

/// Bytes one value kept by `assign` or `capture` may hold.
pub const MAX_VALUE_BYTES: usize = 1 << 20;

/// Bytes one rendered template may produce.
pub const MAX_OUTPUT_BYTES: usize = 8 << 20;

thread_local! {
    /// Loop iterations taken by the render running on this thread.
    static STEPS: Cell<u64> = const { Cell::new(0) };
    /// Why the render running on this thread went over its budget, once it did.
    static EXCEEDED: RefCell<Option<String>> = const { RefCell::new(None) };
}

/// Starts the budget of a new render on this thread.
pub fn start() {
    STEPS.set(0);
    EXCEEDED.with_borrow_mut(|e| *e = None);
}

/// Why the render that just ran went over its budget, if it did.
pub fn exceeded() -> Option<String> {
    EXCEEDED.with_borrow_mut(Option::take)
}

/// Records why the budget is spent and returns the error that ends the render.
pub(super) fn spent(why: String) -> Error {
    let error = Error::with_msg(why.clone());
    EXCEEDED.with_borrow_mut(|e| {
        e.get_or_insert(why);
    });
    error
}

/// Takes one loop iteration from the budget.
pub fn step() -> Result<()> {
    let steps = STEPS.get() + 1;
    STEPS.set(steps);
    if steps > MAX_LOOP_STEPS {
        return Err(spent(format!(
            "the render budget is spent: more than {MAX_LOOP_STEPS} loop iterations (a range or list from data is too large)"
        )));
    }
    Ok(())
}

/// The size of `value` in bytes, counted up to `limit` (so a huge value is not walked whole).
fn size(value: &dyn ValueView, limit: usize) -> usize {
    if let Some(array) = value.as_array() {
        let mut total = 0;
        for item in array.values() {
            total += size(item, limit) + 1;
            if total > limit {
                break;
            }
        }
        total
    } else if let Some(object) = value.as_object() {
        let mut total = 0;
        for (key, item) in object.iter() {
            total += key.len() + size(item, limit) + 1;
            if total > limit {
                break;
            }
        }
        total
    } else {
        value.to_kstr().len()
    }
}

/// Refuses a value for `variable` larger than [`MAX_VALUE_BYTES`].
pub fn check_value(variable: &str, value: &dyn ValueView) -> Result<()> {
    if size(value, MAX_VALUE_BYTES) > MAX_VALUE_BYTES {
        return Err(spent(format!(
            "the render budget is spent: `{variable}` grew past {} KiB",
            MAX_VALUE_BYTES >> 10
        )));
    }
    Ok(())
}

/// A writer that refuses to grow past `limit` bytes.
pub struct BoundedWriter<'a> {
    inner: &'a mut Vec<u8>,
    limit: usize,
}

impl<'a> BoundedWriter<'a> {
    /// Writes into `inner`, at most `limit` bytes in all.
    pub fn new(inner: &'a mut Vec<u8>, limit: usize) -> BoundedWriter<'a> {
        BoundedWriter { inner, limit }
    }
}

impl Write for BoundedWriter<'_> {
    fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
        if self.inner.len() + bytes.len() > self.limit {
            let why = format!(
                "the render budget is spent: the output grew past {} KiB",
                self.limit >> 10
            );
            let _ = spent(why.clone());
            return Err(io::Error::other(why));
        }
        self.inner.extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use liquid_core::model::Value;

    #[test]
    fn steps_run_out_and_start_again_with_each_render() {
        start();
        for _ in 0..MAX_LOOP_STEPS {
            step().unwrap();
        }
        assert!(step().is_err());
        assert!(exceeded().is_some_and(|why| why.contains("loop iterations")));
        start();
        assert!(step().is_ok());
        assert_eq!(exceeded(), None);
    }

    #[test]
    fn large_values_and_outputs_are_refused() {
        start();
        assert!(check_value("s", &Value::scalar("x".repeat(100))).is_ok());
        assert!(check_value("s", &Value::scalar("x".repeat(MAX_VALUE_BYTES + 1))).is_err());
        let mut out = Vec::new();
        let mut writer = BoundedWriter::new(&mut out, 10);
        assert!(writer.write_all(b"0123456789").is_ok());
        assert!(writer.write_all(b"!").is_err());
    }
}
