//! Why the datasets could not be loaded, and how that is reported.

use std::fmt;
use std::path::PathBuf;

use super::RowError;
use crate::diag::{suggestion_hint, Diagnostic};
use crate::model::{is_postgres_source, is_spark_source};

/// Loading failed: every bad row found (up to a limit per file), or an unreadable file.
#[derive(Debug)]
pub enum LoadError {
    /// A file could not be read at all.
    Io {
        /// The file.
        path: PathBuf,
        /// Why.
        message: String,
    },
    /// Rows that do not fit the schema.
    BadRows(Vec<RowError>),
    /// A file lacks columns the schema declares: the whole file is wrong, not some rows, so
    /// `--skip-bad-rows` does not apply.
    MissingColumns {
        /// The file.
        path: PathBuf,
        /// The declared columns it lacks.
        missing: Vec<String>,
        /// The columns it has.
        present: Vec<String>,
    },
}

impl LoadError {
    /// A file that cannot be read (or processed), and why.
    pub fn io(path: &std::path::Path, message: impl ToString) -> LoadError {
        LoadError::Io {
            path: path.to_path_buf(),
            message: message.to_string(),
        }
    }

    /// What went wrong, as diagnostics: `data::io` for a file that cannot be read, else one per
    /// bad row (`data::bad-value`, `data::missing-column`, ...).
    pub fn diagnostics(&self) -> Vec<Diagnostic> {
        match self {
            LoadError::Io { path, message } => {
                let source = path.to_string_lossy();
                let hint = if is_postgres_source(&source) {
                    "check the URL under `sources:`, that the server is reachable, and the `PG*` environment (the password in `TAILOR_PG_PASSWORD`)"
                } else if is_spark_source(&source) {
                    "check the URL under `sources:`, that the Spark Connect server is reachable and the table exists (a token in `TAILOR_SPARK_TOKEN`)"
                } else {
                    "check the path under `sources:` in the data schema, and that the file is readable"
                };
                vec![
                    Diagnostic::error("data::io", format!("cannot read `{}`: {message}", path.display()))
                        .with_hint(hint),
                ]
            }
            LoadError::MissingColumns { path, missing, present } => missing
                .iter()
                .map(|name| {
                    Diagnostic::error(
                        "data::missing-column",
                        format!(
                            "`{}` has no column `{name}`, which the data schema declares",
                            path.display()
                        ),
                    )
                    .with_optional_hint(suggestion_hint(name, present.iter().map(String::as_str)))
                    .with_hint(format!(
                        "the file's columns are: {}; rename the column in the file or the field in `kind: data`",
                        present.join(", ")
                    ))
                })
                .collect(),
            LoadError::BadRows(errors) => {
                let last = errors.len().saturating_sub(1);
                errors
                    .iter()
                    .enumerate()
                    .map(|(i, error)| {
                        let diagnostic = Diagnostic::error(error.code, error.to_string());
                        if i == last {
                            diagnostic
                                .with_hint("fix the rows, or pass --skip-bad-rows to leave bad rows out and count them")
                        } else {
                            diagnostic
                        }
                    })
                    .collect()
            }
        }
    }

    /// Whether the fault is the environment's (an unreadable file), not the data's content.
    pub fn is_io(&self) -> bool {
        matches!(self, LoadError::Io { .. })
    }
}

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LoadError::Io { path, message } => write!(f, "cannot read `{}`: {message}", path.display()),
            LoadError::BadRows(errors) => {
                write!(
                    f,
                    "{} row{} do not fit the schema",
                    errors.len(),
                    if errors.len() == 1 { "" } else { "s" }
                )?;
                if let Some(first) = errors.first() {
                    write!(f, "; the first: {first}")?;
                }
                Ok(())
            }
            LoadError::MissingColumns { path, missing, .. } => write!(
                f,
                "`{}` lacks the declared column{} {}",
                path.display(),
                if missing.len() == 1 { "" } else { "s" },
                missing.join(", ")
            ),
        }
    }
}
