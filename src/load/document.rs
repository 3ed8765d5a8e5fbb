//! One parsed YAML document and the way back from its relative spans to the file.

use super::{Located, StringMap};
use crate::diag::{FileId, SourceMap, Span};

/// A raw document together with where it sits: its file and its first byte in that file.
#[derive(Debug, Clone)]
pub struct Document<T> {
    /// The file holding the document.
    pub file: FileId,
    /// The document's first byte in the file.
    pub base: usize,
    /// The span of the whole document.
    pub whole: Span,
    /// The raw document.
    pub value: T,
}

impl<T> Document<T> {
    /// The absolute span of a located value of this document.
    pub fn span<V>(&self, located: &Located<V>) -> Span {
        Span::new(
            self.file,
            self.base + located.start as usize,
            self.base + located.end as usize,
        )
    }

    /// A map from offsets in a located string's value to file bytes.
    pub fn string_map(&self, located: &Located<String>, sources: &SourceMap) -> StringMap {
        let span = self.span(located);
        StringMap::new(&located.value, sources.snippet(span), span)
    }

    /// The same position with another value.
    pub fn with<U>(&self, value: U) -> Document<U> {
        Document {
            file: self.file,
            base: self.base,
            whole: self.whole,
            value,
        }
    }
}
