//! The bad rows of one file, collected up to a limit (or only counted with `skip_bad_rows`).

use std::path::Path;

use super::{LoadOptions, RowError, RowPosition};

/// Errors kept per file; past this many, the rest are counted.
pub const MAX_ERRORS_PER_FILE: usize = 50;

/// Collects the bad rows of one file.
pub struct RowErrors<'e> {
    file: String,
    skip: bool,
    errors: &'e mut Vec<RowError>,
    kept: usize,
}

impl<'e> RowErrors<'e> {
    /// Errors of `file`, appended to `errors` unless bad rows are skipped.
    pub fn new(file: &Path, options: LoadOptions, errors: &'e mut Vec<RowError>) -> RowErrors<'e> {
        RowErrors {
            file: file.display().to_string(),
            skip: options.skip_bad_rows,
            errors,
            kept: 0,
        }
    }

    /// Records a bad value.
    pub fn add(&mut self, position: RowPosition, code: &'static str, column: &str, value: String, expected: String) {
        if self.skip {
            return;
        }
        if self.kept == MAX_ERRORS_PER_FILE {
            let error = RowError {
                file: self.file.clone(),
                position,
                code: "data::too-many-errors",
                column: String::new(),
                value: String::new(),
                expected: format!("more bad values follow; fix these first (only {MAX_ERRORS_PER_FILE} are shown)"),
            };
            self.errors.push(error);
        }
        self.kept += 1;
        if self.kept <= MAX_ERRORS_PER_FILE {
            let file = self.file.clone();
            self.errors.push(RowError {
                file,
                position,
                code,
                column: column.to_string(),
                // A bad value is quoted, never echoed whole (a cell may hold megabytes).
                value: crate::diag::excerpt(&value, crate::diag::MAX_EXCERPT_CHARS),
                expected,
            });
        }
    }

    /// The file, as shown.
    pub fn file(&self) -> &str {
        &self.file
    }
}
