//! A ledger that could not be opened, read or written.

use std::fmt;
use std::path::PathBuf;

/// A ledger that could not be opened, read or written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LedgerError {
    /// The ledger file.
    pub path: PathBuf,
    /// What went wrong.
    pub message: String,
}

impl fmt::Display for LedgerError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ledger `{}`: {}", self.path.display(), self.message)
    }
}
