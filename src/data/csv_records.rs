//! A CSV file's records held whole, for reading rows by index (profiles, the catalog): where
//! each record is and the line it starts on, split into fields when its row is read, by the
//! same rules as events read in parts ([`super::csv_record`]).

use std::ops::Range;
use std::path::Path;

use super::csv_record::{column_in, each_record_in, fields_under, header_names};
use super::source_row::{SourceColumn, SourceRow};
use super::LoadError;

/// The records of a CSV file after its header.
#[derive(Debug, Default)]
pub struct CsvRecords {
    /// The header's column names.
    names: Vec<String>,
    /// Every record's text, one after another.
    text: Vec<u8>,
    /// Where each record is in `text`, and the 1-based line it starts on.
    records: Vec<(Range<usize>, usize)>,
}

impl CsvRecords {
    /// Reads the CSV file at `path`: its header, then its records (a quoted field may hold
    /// line breaks, so a record may span lines).
    pub fn read(path: &Path) -> Result<CsvRecords, LoadError> {
        let mut file = CsvRecords::default();
        let mut header: Option<Vec<String>> = None;
        each_record_in(path, 0..u64::MAX, |line, record| match header {
            None => header = Some(header_names(record)),
            Some(_) => {
                let start = file.text.len();
                file.text.extend_from_slice(record);
                file.records.push((start..file.text.len(), line));
            }
        })
        .map_err(|e| LoadError::io(path, e))?;
        file.names = header.unwrap_or_default();
        Ok(file)
    }

    /// Number of records.
    pub fn len(&self) -> usize {
        self.records.len()
    }

    /// Whether there is no record.
    pub fn is_empty(&self) -> bool {
        self.records.is_empty()
    }

    /// The 1-based line record `row` starts on.
    pub fn line_of(&self, row: usize) -> usize {
        self.records.get(row).map_or(row + 2, |(_, line)| *line)
    }

    /// Record `row`, split into fields under the header.
    pub fn row(&self, row: usize) -> SourceRow<'_> {
        let text = self
            .records
            .get(row)
            .map_or(&[][..], |(range, _)| &self.text[range.clone()]);
        SourceRow::record(row, fields_under(text, self.names.len()))
    }

    /// The header's column names.
    pub fn names(&self) -> &[String] {
        &self.names
    }

    /// The column called `name`: its place in the header, or missing.
    pub fn column(&self, name: &str) -> SourceColumn<'static> {
        column_in(&self.names, name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn records(text: &str) -> CsvRecords {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("table.csv");
        std::fs::write(&path, text).unwrap();
        CsvRecords::read(&path).unwrap()
    }

    #[test]
    fn quoted_line_breaks_and_commas_stay_in_their_record() {
        let file = records("a,b\n\"x,1\",\"two\nlines\"\n3,4\n");
        assert_eq!(file.line_of(0), 2);
        assert_eq!(file.line_of(1), 4);
        assert_eq!(file.len(), 2);
        assert!(file.row(0).problem().is_none());
        assert!(file.row(1).problem().is_none());
    }

    #[test]
    fn rows_with_more_fields_than_the_header_are_named_with_their_count() {
        let file = records("a,b\n1,2\n1,2,3\n\n");
        assert_eq!(file.row(0).problem(), None);
        assert!(file
            .row(1)
            .problem()
            .unwrap()
            .starts_with("2 fields like the header (this row has 3"));
        assert_eq!(file.row(2).problem(), None, "a blank line has fewer fields, not more");
    }
}
