//! The files a run has read, and the mapping from byte offsets to lines and columns.

use std::path::{Path, PathBuf};

use super::{FileId, Span};

/// One file's text with precomputed line starts.
#[derive(Debug)]
pub struct SourceFile {
    /// The path as shown to users (the workspace path as given, joined with the relative path).
    pub display_path: String,
    /// The path on disk.
    pub path: PathBuf,
    /// The whole text.
    pub text: String,
    line_starts: Vec<usize>,
}

/// A 1-based line and column; columns count Unicode scalar values (SPEC §8).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LineColumn {
    /// 1-based line number.
    pub line: usize,
    /// 1-based column, in characters.
    pub column: usize,
}

impl SourceFile {
    /// Line and column of a byte offset (clamped to the text, snapped to a char boundary).
    pub fn line_column(&self, offset: usize) -> LineColumn {
        let mut offset = offset.min(self.text.len());
        while !self.text.is_char_boundary(offset) {
            offset -= 1;
        }
        let line_index = match self.line_starts.binary_search(&offset) {
            Ok(i) => i,
            Err(i) => i - 1,
        };
        let line_start = self.line_starts[line_index];
        let column = self.text[line_start..offset].chars().count() + 1;
        LineColumn {
            line: line_index + 1,
            column,
        }
    }
}

/// Every file read so far; a [`Span`] names one of them by [`FileId`].
#[derive(Debug, Default)]
pub struct SourceMap {
    files: Vec<SourceFile>,
}

impl SourceMap {
    /// An empty map.
    pub fn new() -> SourceMap {
        SourceMap::default()
    }

    /// Adds a file's text and returns its id.
    pub fn add(&mut self, path: &Path, display_path: String, text: String) -> FileId {
        let mut line_starts = vec![0];
        line_starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        let id = FileId(u32::try_from(self.files.len()).unwrap_or(u32::MAX));
        self.files.push(SourceFile {
            display_path,
            path: path.to_path_buf(),
            text,
            line_starts,
        });
        id
    }

    /// The file behind an id.
    pub fn file(&self, id: FileId) -> &SourceFile {
        &self.files[id.0 as usize]
    }

    /// Every file with its id, in the order they were added.
    pub fn files(&self) -> impl Iterator<Item = (FileId, &SourceFile)> {
        self.files.iter().enumerate().map(|(i, f)| (FileId(i as u32), f))
    }

    /// The id of the file at `path`, if it was read.
    pub fn find(&self, path: &Path) -> Option<FileId> {
        self.files.iter().position(|f| f.path == path).map(|i| FileId(i as u32))
    }

    /// The text a span covers.
    pub fn snippet(&self, span: Span) -> &str {
        let text = &self.file(span.file).text;
        text.get(span.start as usize..span.end as usize).unwrap_or("")
    }

    /// Where `span` starts, as `file:line:column`.
    pub fn place(&self, span: Span) -> String {
        let file = self.file(span.file);
        let start = file.line_column(span.start as usize);
        format!("{}:{}:{}", file.display_path, start.line, start.column)
    }

    /// Start and end positions of a span.
    pub fn range(&self, span: Span) -> (LineColumn, LineColumn) {
        let file = self.file(span.file);
        (
            file.line_column(span.start as usize),
            file.line_column(span.end as usize),
        )
    }
}
