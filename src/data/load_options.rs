//! How loading treats rows that do not fit the schema.

/// How to treat bad rows.
#[derive(Debug, Clone, Copy, Default)]
pub struct LoadOptions {
    /// Drop and count bad rows instead of failing.
    pub skip_bad_rows: bool,
}
