//! Where a CSV file's records are: the line each starts on (a quoted field may hold line
//! breaks), which lines are not UTF-8, and which records have more fields than the header —
//! found in one pass before polars reads the file, so that each problem is reported at its
//! line instead of failing the whole file.

use std::collections::{HashMap, HashSet};

/// The records of a CSV file, by row (0-based, after the header).
#[derive(Debug, Default)]
pub struct CsvLayout {
    /// The 1-based line each row starts on.
    lines: Vec<usize>,
    /// Rows with a line that is not UTF-8.
    not_utf8: HashSet<usize>,
    /// Rows with more fields than the header, and how many.
    ragged: HashMap<usize, usize>,
    /// Fields in the header.
    header_fields: usize,
    /// Inside a quoted field at the end of the last line read.
    in_quotes: bool,
    /// Fields of the record being read, so far.
    fields: usize,
    /// Records started so far, the header included.
    records: usize,
}

impl CsvLayout {
    /// Reads the next line (0-based `index`, without its `\n`; `valid` when it is UTF-8).
    pub fn line(&mut self, index: usize, text: &str, valid: bool) {
        if !self.in_quotes {
            self.records += 1;
            self.fields = 1;
            if let Some(row) = self.row() {
                self.lines.push(index + 1);
                debug_assert_eq!(self.lines.len(), row + 1);
            }
        }
        if let (false, Some(row)) = (valid, self.row()) {
            self.not_utf8.insert(row);
        }
        for byte in text.bytes() {
            match byte {
                b'"' => self.in_quotes = !self.in_quotes,
                b',' if !self.in_quotes => self.fields += 1,
                _ => {}
            }
        }
        if self.in_quotes {
            return;
        }
        match self.row() {
            None => self.header_fields = self.fields,
            Some(row) if self.fields > self.header_fields => {
                self.ragged.insert(row, self.fields);
            }
            Some(_) => {}
        }
    }

    /// The row of the record being read; `None` for the header.
    fn row(&self) -> Option<usize> {
        self.records.checked_sub(2)
    }

    /// The 1-based line row `row` starts on.
    pub fn line_of(&self, row: usize) -> usize {
        self.lines.get(row).copied().unwrap_or(row + 2)
    }

    /// Why row `row` cannot be read, if it cannot: a line that is not UTF-8, or more fields
    /// than the header.
    pub fn problem(&self, row: usize) -> Option<String> {
        if self.not_utf8.contains(&row) {
            return Some(super::read::NOT_UTF8.to_string());
        }
        self.ragged
            .get(&row)
            .map(|found| super::csv_record::ragged(self.header_fields, *found))
    }

    /// Whether some row has more fields than the header (polars is then told to cut them, and
    /// each such row is reported by [`CsvLayout::problem`]).
    pub fn has_ragged_rows(&self) -> bool {
        !self.ragged.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::CsvLayout;

    fn layout(text: &str) -> CsvLayout {
        let mut layout = CsvLayout::default();
        for (index, line) in text.split_terminator('\n').enumerate() {
            layout.line(index, line, true);
        }
        layout
    }

    #[test]
    fn quoted_line_breaks_and_commas_stay_in_their_record() {
        let layout = layout("a,b\n\"x,1\",\"two\nlines\"\n3,4\n");
        assert_eq!(layout.line_of(0), 2);
        assert_eq!(layout.line_of(1), 4);
        assert!(!layout.has_ragged_rows());
    }

    #[test]
    fn rows_with_more_fields_than_the_header_are_named_with_their_count() {
        let layout = layout("a,b\n1,2\n1,2,3\n\n");
        assert_eq!(layout.problem(0), None);
        assert!(layout
            .problem(1)
            .unwrap()
            .starts_with("2 fields like the header (this row has 3"));
        assert_eq!(layout.problem(2), None, "a blank line has fewer fields, not more");
    }
}
