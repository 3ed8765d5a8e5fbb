//! The shape of names: `[a-z][a-z0-9_]*`.

/// The pattern every `name:` matches.
pub const NAME_PATTERN: &str = "[a-z][a-z0-9_]*";

/// Whether `name` matches [`NAME_PATTERN`].
pub fn is_valid_name(name: &str) -> bool {
    let mut bytes = name.bytes();
    bytes.next().is_some_and(|b| b.is_ascii_lowercase())
        && bytes.all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
}
