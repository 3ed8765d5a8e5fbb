//! The variables of one render: what `assign`, `capture`, `increment`, loops, `cycle` and
//! `ifchanged` keep, and the order names are looked up in (loop variables, then assigned
//! variables, then counters, then the globals the render was given).

use std::collections::HashMap;

use super::value::{LiquidValue, Object};

/// A loop being walked, for `forloop` (and `tablerowloop`).
#[derive(Debug, Clone)]
pub struct LoopState {
    /// `variable-collection`, Shopify's `forloop.name`.
    pub name: String,
    /// How many items the loop walks.
    pub length: usize,
    /// The current item's position, from 0.
    pub index0: usize,
    /// For `tablerow`: the number of columns (0: all in one row).
    pub cols: Option<usize>,
    /// A `render … for` loop: not the `parentloop` of loops inside it.
    pub outermost: bool,
}

impl LoopState {
    /// `forloop` (or `tablerowloop`) as a hash; `parent` is the enclosing loop's.
    pub fn object(&self, parent: Option<LiquidValue>) -> LiquidValue {
        let (length, index0) = (self.length as i64, self.index0 as i64);
        let mut object = Object::with_capacity(12);
        object.insert("name".into(), self.name.as_str().into());
        object.insert("length".into(), LiquidValue::Int(length));
        object.insert("index".into(), LiquidValue::Int(index0 + 1));
        object.insert("index0".into(), LiquidValue::Int(index0));
        object.insert("rindex".into(), LiquidValue::Int(length - index0));
        object.insert("rindex0".into(), LiquidValue::Int(length - index0 - 1));
        object.insert("first".into(), LiquidValue::Bool(index0 == 0));
        object.insert("last".into(), LiquidValue::Bool(index0 == length - 1));
        if let Some(cols) = self.cols {
            // Without `cols`, every item is in one row.
            let cols = if cols == 0 { length.max(1) } else { cols as i64 };
            let (col0, row0) = (index0 % cols, index0 / cols);
            let col_last = col0 == cols - 1;
            object.insert("col".into(), LiquidValue::Int(col0 + 1));
            object.insert("col0".into(), LiquidValue::Int(col0));
            object.insert("col_first".into(), LiquidValue::Bool(col0 == 0));
            object.insert("col_last".into(), LiquidValue::Bool(col_last));
            object.insert("row".into(), LiquidValue::Int(row0 + 1));
        } else {
            object.insert("parentloop".into(), parent.unwrap_or_default());
        }
        object.into()
    }
}

/// The variables of one render (a `render`ed partial gets a scope of its own; an `include`d
/// one shares its caller's).
#[derive(Debug, Default)]
pub struct Scope {
    /// Loop variables and `render`'s bound variables, innermost last.
    locals: Vec<(String, LiquidValue)>,
    /// Loops being walked, innermost last.
    loops: Vec<LoopState>,
    /// Variables set by `assign` and `capture`.
    assigned: HashMap<String, LiquidValue>,
    /// `increment` / `decrement` counters.
    counters: HashMap<String, i64>,
    /// Where each `cycle` group is.
    cycles: HashMap<String, usize>,
    /// What the last `ifchanged` printed.
    pub last_changed: Option<String>,
    /// Where each loop stopped, for `offset: continue`.
    pub continue_at: HashMap<String, usize>,
}

impl Scope {
    /// The value of `name`, nil when it has none.
    pub fn lookup(&self, name: &str, globals: &Object) -> LiquidValue {
        if let Some((_, value)) = self.locals.iter().rev().find(|(n, _)| n == name) {
            return value.clone();
        }
        if name == "forloop" || name == "tablerowloop" {
            let tablerow = name == "tablerowloop";
            if let Some(at) = self.loops.iter().rposition(|l| l.cols.is_some() == tablerow) {
                return self.loop_object(at);
            }
        }
        if let Some(value) = self.assigned.get(name) {
            return value.clone();
        }
        if let Some(count) = self.counters.get(name) {
            return LiquidValue::Int(*count);
        }
        globals.get(name).cloned().unwrap_or_default()
    }

    /// `forloop` of the loop at `at`, with its `parentloop`.
    fn loop_object(&self, at: usize) -> LiquidValue {
        let parent = match self.loops[at].outermost {
            true => None,
            false => self.loops[..at]
                .iter()
                .rposition(|l| l.cols.is_none() && !l.outermost)
                .map(|p| self.loop_object(p)),
        };
        self.loops[at].object(parent)
    }

    /// Sets a variable (`assign`, `capture`).
    pub fn assign(&mut self, name: &str, value: LiquidValue) {
        self.assigned.insert(name.to_string(), value);
    }

    /// Binds a local variable until [`Scope::pop_local`].
    pub fn push_local(&mut self, name: &str, value: LiquidValue) {
        self.locals.push((name.to_string(), value));
    }

    /// Sets the innermost local variable's value.
    pub fn set_local(&mut self, value: LiquidValue) {
        if let Some(last) = self.locals.last_mut() {
            last.1 = value;
        }
    }

    /// Unbinds the innermost local variable.
    pub fn pop_local(&mut self) {
        self.locals.pop();
    }

    /// Starts walking a loop.
    pub fn push_loop(&mut self, state: LoopState) {
        self.loops.push(state);
    }

    /// Moves the innermost loop to item `index0`.
    pub fn loop_at(&mut self, index0: usize) {
        if let Some(state) = self.loops.last_mut() {
            state.index0 = index0;
        }
    }

    /// Ends the innermost loop.
    pub fn pop_loop(&mut self) {
        self.loops.pop();
    }

    /// `increment` (`step` 1, printing the value before) or `decrement` (`step` -1, printing
    /// the value after); counters start at 0 and live apart from assigned variables.
    pub fn count(&mut self, name: &str, step: i64) -> i64 {
        let counter = self.counters.entry(name.to_string()).or_insert(0);
        let before = *counter;
        *counter += step;
        if step > 0 {
            before
        } else {
            *counter
        }
    }

    /// The position of the `cycle` group `key`, moved on by one (back to 0 past `len`); a
    /// group used with fewer values than before may be past its end (it prints nothing).
    pub fn cycle(&mut self, key: &str, len: usize) -> usize {
        let at = self.cycles.entry(key.to_string()).or_insert(0);
        let current = *at;
        *at = if current + 1 >= len { 0 } else { current + 1 };
        current
    }
}
