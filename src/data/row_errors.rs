//! The bad rows of one file, collected up to a limit (or only counted with `skip_bad_rows`).

use std::collections::BTreeMap;
use std::path::Path;

use super::{LoadOptions, RowError, RowPosition};

/// Errors kept per file; past this many, the rest are counted.
pub const MAX_ERRORS_PER_FILE: usize = 50;

/// The code of the marker that stands for the errors past [`MAX_ERRORS_PER_FILE`].
const TOO_MANY: &str = "data::too-many-errors";

/// Collects the bad rows of one file.
pub struct RowErrors<'e> {
    file: String,
    skip: bool,
    errors: &'e mut Vec<RowError>,
    kept: usize,
    /// The key of the row being read (row by row), or of each row (Parquet, by index).
    key: Option<String>,
    keys: Option<Vec<Option<String>>>,
    /// With `skip_bad_rows`: each left-out row of a keyed table, by key, with its first problem.
    dropped: BTreeMap<String, RowError>,
}

impl<'e> RowErrors<'e> {
    /// Errors of `file`, appended to `errors` unless bad rows are skipped.
    pub fn new(file: &Path, options: LoadOptions, errors: &'e mut Vec<RowError>) -> RowErrors<'e> {
        RowErrors {
            file: file.display().to_string(),
            skip: options.skip_bad_rows,
            errors,
            kept: 0,
            key: None,
            keys: None,
            dropped: BTreeMap::new(),
        }
    }

    /// The key of the row whose problems come next (files read row by row).
    pub fn at_key(&mut self, key: Option<String>) {
        self.key = key;
    }

    /// The key of every row by index (files read column by column).
    pub fn with_keys(&mut self, keys: Vec<Option<String>>) {
        self.keys = Some(keys);
    }

    /// The rows left out with `skip_bad_rows` whose key is known, by key, with their first
    /// problem: so that a question about one of them ("preview this profile") can say why.
    pub fn into_dropped(self) -> BTreeMap<String, RowError> {
        self.dropped
    }

    fn key_at(&self, position: RowPosition) -> Option<String> {
        match (position, &self.keys) {
            (RowPosition::Row(row), Some(keys)) => keys.get(row).cloned().flatten(),
            _ => self.key.clone(),
        }
    }

    /// Records a bad value.
    pub fn add(&mut self, position: RowPosition, code: &'static str, column: &str, value: String, expected: String) {
        if self.skip {
            if let Some(key) = self.key_at(position) {
                let error = self.error(position, code, column, &value, expected);
                self.dropped.entry(key).or_insert(error);
            }
            return;
        }
        // Past the limit only the place of the first one beyond it is kept, for the marker.
        let error = if self.kept >= MAX_ERRORS_PER_FILE {
            self.error(position, code, "", "", String::new())
        } else {
            self.error(position, code, column, &value, expected)
        };
        self.record(error);
    }

    /// Keeps `error` (the first [`MAX_ERRORS_PER_FILE`]); the first one past them becomes a
    /// `data::too-many-errors` marker at its place, the rest are only counted.
    fn record(&mut self, error: RowError) {
        if self.kept == MAX_ERRORS_PER_FILE {
            self.errors.push(RowError {
                code: TOO_MANY,
                column: String::new(),
                value: String::new(),
                expected: format!("more bad values follow; fix these first (only {MAX_ERRORS_PER_FILE} are shown)"),
                ..error
            });
        } else if self.kept < MAX_ERRORS_PER_FILE {
            self.errors.push(error);
        }
        self.kept += 1;
    }

    /// Adds, in order, what another collector found in a later part of the same file (files
    /// loaded in parallel parts): the result is what reading the parts one after another in a
    /// single collector gives.
    pub fn absorb(&mut self, part: Vec<RowError>, dropped: BTreeMap<String, RowError>) {
        for error in part {
            if error.code == TOO_MANY {
                // The part had more than the limit, all of them absorbed already: the first
                // beyond it stands for the rest, unless an earlier part's did.
                if self.kept == MAX_ERRORS_PER_FILE {
                    self.record(error);
                }
            } else {
                self.record(error);
            }
        }
        for (key, error) in dropped {
            self.dropped.entry(key).or_insert(error);
        }
    }

    fn error(
        &self,
        position: RowPosition,
        code: &'static str,
        column: &str,
        value: &str,
        expected: String,
    ) -> RowError {
        RowError {
            file: self.file.clone(),
            position,
            code,
            column: column.to_string(),
            // A bad value is quoted, never echoed whole (a cell may hold megabytes).
            value: crate::diag::excerpt(value, crate::diag::MAX_EXCERPT_CHARS),
            expected,
        }
    }

    /// The file, as shown.
    pub fn file(&self) -> &str {
        &self.file
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn collect(lines: &[usize]) -> Vec<RowError> {
        let mut errors = Vec::new();
        let mut bad = RowErrors::new(Path::new("events.ndjson"), LoadOptions::default(), &mut errors);
        for line in lines {
            bad.add(RowPosition::Line(*line), "data::bad-row", "", String::new(), "x".into());
        }
        errors
    }

    #[test]
    fn parts_absorbed_in_order_give_what_one_pass_gives() {
        for (first, second) in [(10, 20), (45, 30), (60, 5), (0, 70), (70, 70)] {
            let lines: Vec<usize> = (1..=first + second).collect();
            let one_pass = collect(&lines);
            let mut errors = Vec::new();
            let mut merged = RowErrors::new(Path::new("events.ndjson"), LoadOptions::default(), &mut errors);
            merged.absorb(collect(&lines[..first]), BTreeMap::new());
            merged.absorb(collect(&lines[first..]), BTreeMap::new());
            assert_eq!(errors, one_pass, "{first} + {second}");
        }
    }
}
