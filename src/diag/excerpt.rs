//! Short excerpts: a diagnostic quotes at most a few hundred characters of anything it did not
//! write itself (a file's text, a data value, a parser's message quoting a scalar), so a
//! 100 MB value, or a secret a file happened to hold, is never echoed whole.

/// Characters of quoted text a diagnostic shows at most.
pub const MAX_EXCERPT_CHARS: usize = 240;

/// `text` when it is at most `max` characters long; else its first `max - 1` characters and
/// an ellipsis.
pub fn excerpt(text: &str, max: usize) -> String {
    match text.char_indices().nth(max) {
        None => text.to_string(),
        Some(_) => {
            let cut = text
                .char_indices()
                .nth(max.saturating_sub(1))
                .map_or(text.len(), |(i, _)| i);
            format!("{}…", &text[..cut])
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_text_is_cut_with_an_ellipsis() {
        assert_eq!(excerpt("short", 10), "short");
        assert_eq!(excerpt("abcdef", 4), "abc…");
        assert_eq!(excerpt("ééééé", 3), "éé…");
        assert_eq!(
            excerpt(&"x".repeat(1_000_000), MAX_EXCERPT_CHARS).chars().count(),
            MAX_EXCERPT_CHARS
        );
    }
}
