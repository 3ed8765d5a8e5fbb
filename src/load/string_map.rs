//! Maps positions inside a decoded YAML string back to bytes in the file.
//!
//! An expression or template inside a YAML scalar is parsed from the decoded value, but its
//! diagnostics must point at the characters in the file, whatever the quoting, escapes or
//! folding. The map aligns the value's characters with the node's source text: each value
//! character is matched to the next source character equal to it (a folded line break matches a
//! space), skipping quotes, escape backslashes and indentation.

use crate::diag::{FileId, Span};

/// Offsets of each character of a decoded string in its file.
#[derive(Debug, Clone)]
pub struct StringMap {
    file: FileId,
    /// For every byte offset of the value that starts a char, the file offset; plus the end.
    offsets: Vec<(usize, usize)>,
    node: Span,
}

impl StringMap {
    /// Aligns `value` with `source`, the node's text that starts at `node.start` in the file.
    pub fn new(value: &str, source: &str, node: Span) -> StringMap {
        let base = node.start as usize;
        let mut offsets = Vec::with_capacity(value.len() + 1);
        let source_chars: Vec<(usize, char)> = source.char_indices().collect();
        let mut cursor = match source_chars.first() {
            Some((_, '"' | '\'')) => 1,
            _ => 0,
        };
        let mut last_end = base + cursor.min(source.len());
        for (value_offset, ch) in value.char_indices() {
            let found = source_chars[cursor.min(source_chars.len())..]
                .iter()
                .position(|&(_, s)| s == ch || (ch == ' ' && s == '\n') || (ch == '\n' && s == '\n'));
            match found {
                Some(skip) => {
                    let (source_offset, s) = source_chars[cursor + skip];
                    offsets.push((value_offset, base + source_offset));
                    cursor += skip + 1;
                    last_end = base + source_offset + s.len_utf8();
                }
                None => offsets.push((value_offset, last_end)),
            }
        }
        offsets.push((value.len(), last_end));
        StringMap {
            file: node.file,
            offsets,
            node,
        }
    }

    /// A map for text that is itself a whole file (templates): identity offsets.
    pub fn identity(file: FileId, len: usize) -> StringMap {
        StringMap {
            file,
            offsets: Vec::new(),
            node: Span::new(file, 0, len),
        }
    }

    /// The file span of `start..end` (byte offsets in the decoded value).
    pub fn span(&self, start: usize, end: usize) -> Span {
        if self.offsets.is_empty() {
            return Span::new(self.file, start, end);
        }
        let from = self.lookup(start);
        let to = if end > start { self.lookup_end(end) } else { from };
        Span::new(self.file, from, to.max(from))
    }

    /// The span of the whole YAML node.
    pub fn node(&self) -> Span {
        self.node
    }

    fn lookup(&self, offset: usize) -> usize {
        match self.offsets.binary_search_by_key(&offset, |&(v, _)| v) {
            Ok(i) => self.offsets[i].1,
            Err(i) => self.offsets[i.saturating_sub(1)].1,
        }
    }

    /// The file offset just past the value character that ends before `offset`.
    fn lookup_end(&self, offset: usize) -> usize {
        match self.offsets.binary_search_by_key(&offset, |&(v, _)| v) {
            Ok(i) if i > 0 => {
                let previous = self.offsets[i - 1].1;
                let next = self.offsets[i].1;
                // Close the span right after the previous character, not at the next one.
                next.min(previous + self.char_len_at(i - 1))
            }
            Ok(i) => self.offsets[i].1,
            Err(i) => self.offsets[i.min(self.offsets.len() - 1)].1,
        }
    }

    fn char_len_at(&self, index: usize) -> usize {
        let (value_offset, _) = self.offsets[index];
        let next_value = self.offsets.get(index + 1).map_or(value_offset + 1, |&(v, _)| v);
        next_value - value_offset
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spans(value: &str, source: &str, start: usize, end: usize) -> (u32, u32) {
        let map = StringMap::new(value, source, Span::new(FileId(0), 10, 10 + source.len()));
        let span = map.span(start, end);
        (span.start - 10, span.end - 10)
    }

    #[test]
    fn plain_scalar_is_identity() {
        assert_eq!(spans("a and b", "a and b", 2, 5), (2, 5));
    }

    #[test]
    fn quotes_and_escapes_shift_offsets() {
        // value: say "hi" ; source: "say \"hi\""
        assert_eq!(spans("say \"hi\"", "\"say \\\"hi\\\"\"", 4, 8), (6, 11));
    }

    #[test]
    fn folded_block_maps_across_lines() {
        let source = ">\n  a and\n  bb\n";
        assert_eq!(spans("a and bb\n", source, 6, 8), (12, 14));
    }
}
