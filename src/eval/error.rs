//! Why evaluating a workspace on data failed.

use polars::prelude::PolarsError;

use super::lower::Unsupported;

/// Why evaluation failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EvalError {
    /// An expression uses something not evaluated on data yet.
    Unsupported(String),
    /// polars failed.
    Engine(String),
    /// A score model cannot be trained on this data (the message says why).
    Training(String),
}

impl std::fmt::Display for EvalError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            EvalError::Unsupported(what) => write!(f, "cannot evaluate this workspace on data yet: {what}"),
            EvalError::Engine(message) => write!(f, "the query engine failed: {message}"),
            EvalError::Training(message) => write!(f, "{message}"),
        }
    }
}

impl From<Unsupported> for EvalError {
    fn from(error: Unsupported) -> Self {
        EvalError::Unsupported(error.0)
    }
}

impl From<PolarsError> for EvalError {
    fn from(error: PolarsError) -> Self {
        EvalError::Engine(error.to_string())
    }
}
