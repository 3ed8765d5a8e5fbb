//! One CSV record split into its fields, and records put together from a file's lines: a
//! quoted field (`"…"`, with `""` for a quote inside) may hold commas and line breaks.

use std::borrow::Cow;
use std::io::{self, BufRead, BufReader};
use std::ops::Range;
use std::path::Path;

use super::line_parts::each_line_in;
use super::source_row::{SourceColumn, NOT_UTF8};

/// The fields of `record` (one CSV record without its final line break), each borrowed from it
/// unless it holds a doubled quote. Text after a closing quote is kept, as written.
pub fn record_fields(record: &str) -> Vec<Cow<'_, str>> {
    let bytes = record.as_bytes();
    let mut fields = Vec::with_capacity(16);
    let mut at = 0;
    loop {
        let (field, next) = if bytes.get(at) == Some(&b'"') {
            quoted_field(record, at)
        } else {
            let end = memchr::memchr(b',', &bytes[at..]).map_or(bytes.len(), |i| at + i);
            (Cow::Borrowed(&record[at..end]), end)
        };
        fields.push(field);
        if next >= bytes.len() {
            return fields;
        }
        at = next + 1;
    }
}

/// The quoted field that starts at `start` (at its opening quote), unquoted, and where the
/// field ends (at the comma after it, or the end of the record).
fn quoted_field(record: &str, start: usize) -> (Cow<'_, str>, usize) {
    let bytes = record.as_bytes();
    let mut text: Option<String> = None;
    let mut from = start + 1;
    loop {
        let Some(quote) = memchr::memchr(b'"', &bytes[from..]).map(|i| from + i) else {
            // No closing quote: the rest of the record is the field.
            return (joined(record, text, from, bytes.len()), bytes.len());
        };
        if bytes.get(quote + 1) == Some(&b'"') {
            let owned = text.get_or_insert_with(String::new);
            owned.push_str(&record[from..=quote]);
            from = quote + 2;
            continue;
        }
        let end = memchr::memchr(b',', &bytes[quote + 1..]).map_or(bytes.len(), |i| quote + 1 + i);
        let field = joined(record, text, from, quote);
        // Text between the closing quote and the comma is kept as written.
        return match &record[quote + 1..end] {
            "" => (field, end),
            after => (Cow::Owned(format!("{field}{after}")), end),
        };
    }
}

/// `record[from..to]` after the text already unescaped, if any.
fn joined(record: &str, text: Option<String>, from: usize, to: usize) -> Cow<'_, str> {
    match text {
        None => Cow::Borrowed(&record[from..to]),
        Some(mut owned) => {
            owned.push_str(&record[from..to]);
            Cow::Owned(owned)
        }
    }
}

/// Hands each record of `range` of the CSV file at `path` to `record`, in order, with the
/// 1-based line it starts on counted from the range's start (a record left open by a quote that
/// never closes runs to the end). Returns how many lines and quotes the range held.
pub fn each_record_in(
    path: &Path,
    range: Range<u64>,
    mut record: impl FnMut(usize, &[u8]),
) -> io::Result<(usize, usize)> {
    let mut records = RecordLines::default();
    let (mut line, mut first_line) = (0, 1);
    let lines = each_line_in(path, range, |bytes| {
        line += 1;
        if !records.open {
            first_line = line;
        }
        if let Some(text) = records.line(bytes) {
            record(first_line, text);
        }
    })?;
    if let Some(text) = records.unclosed() {
        record(first_line, text);
    }
    Ok((lines, records.quotes))
}

/// Puts a file's lines together into records: a line that leaves a quote open continues on the
/// next line. Whether a quote is open counts every `"` (a doubled one opens and closes).
#[derive(Default)]
struct RecordLines {
    /// The lines of the record so far, when it spans lines.
    pending: Vec<u8>,
    /// Whether a quote is open at the end of the lines so far.
    open: bool,
    /// Quotes in every line given.
    quotes: usize,
}

impl RecordLines {
    /// Takes the next line (without its `\n`): the whole record when it ends there (its lines
    /// joined by `\n`, without a final `\r`), `None` while a quote is still open.
    fn line<'l>(&'l mut self, line: &'l [u8]) -> Option<&'l [u8]> {
        if !self.open {
            self.pending.clear();
        }
        let quotes = memchr::memchr_iter(b'"', line).count();
        self.quotes += quotes;
        let was_open = self.open;
        self.open ^= quotes % 2 == 1;
        if self.open {
            self.pending.extend_from_slice(line);
            self.pending.push(b'\n');
            return None;
        }
        let record = if was_open {
            self.pending.extend_from_slice(line);
            &self.pending[..]
        } else {
            line
        };
        Some(record.strip_suffix(b"\r").unwrap_or(record))
    }

    /// The record left open at the end of the lines (a quote never closed), if any.
    fn unclosed(&self) -> Option<&[u8]> {
        self.open
            .then_some(&self.pending[..self.pending.len().saturating_sub(1)])
    }
}

/// Why a record with `found` fields cannot be read under a header of `header` fields.
fn ragged(header: usize, found: usize) -> String {
    format!("{header} fields like the header (this row has {found}; a comma inside a value needs quotes)")
}

/// The fields of `record` read under a header of `header` fields, or why they cannot be: the
/// record is not UTF-8, or has more fields than the header (a shorter one leaves the rest
/// absent).
pub fn fields_under(record: &[u8], header: usize) -> Result<Vec<Cow<'_, str>>, String> {
    let text = std::str::from_utf8(record).map_err(|_| NOT_UTF8.to_string())?;
    let fields = record_fields(text);
    match fields.len() > header {
        true => Err(ragged(header, fields.len())),
        false => Ok(fields),
    }
}

/// The header of a CSV file: its column names, and where the records after it start.
#[derive(Debug)]
pub struct CsvHeader {
    /// The column names, in order.
    pub names: Vec<String>,
    /// The byte where the first record starts.
    pub end: u64,
    /// The lines the header takes.
    pub lines: usize,
}

impl CsvHeader {
    /// The header of the CSV file at `path` (an empty file has no columns).
    pub fn read(path: &Path) -> io::Result<CsvHeader> {
        let mut reader = BufReader::new(std::fs::File::open(path)?);
        let mut records = RecordLines::default();
        let (mut line, mut end, mut lines) = (Vec::new(), 0u64, 0);
        loop {
            line.clear();
            let read = reader.read_until(b'\n', &mut line)?;
            end += read as u64;
            lines += 1;
            let text = line.strip_suffix(b"\n").unwrap_or(&line);
            let record = match records.line(text) {
                Some(record) => Some(record.to_vec()),
                None if read == 0 => records.unclosed().map(<[u8]>::to_vec),
                None => None,
            };
            if let Some(record) = record {
                let names = match record.is_empty() && read == 0 {
                    true => Vec::new(),
                    false => header_names(&record),
                };
                return Ok(CsvHeader { names, end, lines });
            }
            if read == 0 {
                return Ok(CsvHeader {
                    names: Vec::new(),
                    end,
                    lines,
                });
            }
        }
    }

    /// The column called `name`: its place in the header, or missing.
    pub fn column(&self, name: &str) -> SourceColumn<'static> {
        column_in(&self.names, name)
    }
}

/// The column names in a header `record` (lossily UTF-8, a byte-order mark before the first
/// one left out).
pub fn header_names(record: &[u8]) -> Vec<String> {
    let record = record.strip_prefix("\u{feff}".as_bytes()).unwrap_or(record);
    record_fields(&String::from_utf8_lossy(record))
        .iter()
        .map(|name| name.to_string())
        .collect()
}

/// The column called `name` among a header's `names`: its place, or missing.
pub fn column_in(names: &[String], name: &str) -> SourceColumn<'static> {
    names
        .iter()
        .position(|n| n == name)
        .map_or(SourceColumn::Missing, SourceColumn::Field)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_split_at_commas_outside_quotes() {
        assert_eq!(record_fields("a,,b"), vec!["a", "", "b"]);
        assert_eq!(record_fields(""), vec![""]);
        assert_eq!(
            record_fields("\"x,1\",\"say \"\"hi\"\"\",z"),
            vec!["x,1", "say \"hi\"", "z"]
        );
        assert_eq!(record_fields("\"two\nlines\",3"), vec!["two\nlines", "3"]);
        assert_eq!(record_fields("\"\",a,"), vec!["", "a", ""]);
        assert_eq!(record_fields("\"open"), vec!["open"]);
        assert_eq!(record_fields("\"q\"tail,b"), vec!["qtail", "b"]);
    }

    #[test]
    fn a_quote_left_open_joins_the_next_line() {
        let mut lines = RecordLines::default();
        assert_eq!(lines.line(b"1,\"two"), None);
        assert_eq!(lines.line(b"lines\",3\r"), Some(&b"1,\"two\nlines\",3"[..]));
        assert_eq!(lines.line(b"4,5"), Some(&b"4,5"[..]));
        assert_eq!(lines.line(b"\"never closed"), None);
        assert_eq!(lines.unclosed(), Some(&b"\"never closed"[..]));
        assert_eq!(lines.quotes, 3);
    }
}
