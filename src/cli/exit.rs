//! Exit codes (SPEC §8).

/// What the process tells its caller.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExitCode {
    /// Success; warnings allowed.
    Success = 0,
    /// The input or the outcome is wrong (check errors, failing tests).
    Failure = 1,
    /// Usage errors and I/O failures not about the input's content.
    Usage = 2,
}
