//! A ledger that could not be opened, read or written.

use std::fmt;

/// A ledger that could not be opened, read or written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LedgerError {
    /// The ledger: its file, or its database's URL.
    pub location: String,
    /// What went wrong.
    pub message: String,
}

impl fmt::Display for LedgerError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ledger `{}`: {}", self.location, self.message)
    }
}
