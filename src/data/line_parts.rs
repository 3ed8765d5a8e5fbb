//! A text file read by lines in byte ranges that each start at a line, so that several threads
//! can read one file at once, each in blocks: no thread holds the file's text, only a block.

use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom};
use std::ops::Range;
use std::path::Path;

/// Bytes read at a time.
const BLOCK: usize = 4 << 20;

/// Bytes looked at, at a time, for the line break that ends a range.
const PROBE: usize = 64 << 10;

/// Splits the file at `path` from byte `from` (the start of a line) into at most `count` byte
/// ranges of about equal size, in order and covering the rest of it, each starting at a line
/// (just past a `\n`, or at `from`). A range is never empty: nothing after `from`, no range.
pub fn line_ranges(path: &Path, from: u64, count: usize) -> io::Result<Vec<Range<u64>>> {
    let mut file = File::open(path)?;
    let length = file.metadata()?.len();
    let mut starts = vec![from];
    for part in 1..count.max(1) as u64 {
        let guess = (from + (length.saturating_sub(from)) * part / count as u64).max(starts[starts.len() - 1] + 1);
        let start = next_line_start(&mut file, guess, length)?;
        if start < length && start > starts[starts.len() - 1] {
            starts.push(start);
        }
    }
    if length <= from {
        return Ok(Vec::new());
    }
    let ends = starts.iter().skip(1).copied().chain([length]);
    Ok(starts
        .iter()
        .copied()
        .zip(ends)
        .map(|(start, end)| start..end)
        .collect())
}

/// Where the first line starting at or after `at` starts: just past the first `\n` at or after
/// `at - 1` (the end of the file when there is none).
fn next_line_start(file: &mut File, at: u64, length: u64) -> io::Result<u64> {
    let mut offset = at.saturating_sub(1);
    let mut probe = vec![0u8; PROBE];
    while offset < length {
        file.seek(SeekFrom::Start(offset))?;
        let read = read_full(file, &mut probe)?;
        if read == 0 {
            break;
        }
        if let Some(at) = memchr::memchr(b'\n', &probe[..read]) {
            return Ok(offset + at as u64 + 1);
        }
        offset += read as u64;
    }
    Ok(length)
}

/// Reads into `buffer` until it is full or the file ends; how many bytes were read. A read
/// the OS interrupted is tried again.
fn read_full(file: &mut impl Read, buffer: &mut [u8]) -> io::Result<usize> {
    let mut filled = 0;
    while filled < buffer.len() {
        match file.read(&mut buffer[filled..]) {
            Ok(0) => break,
            Ok(read) => filled += read,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        }
    }
    Ok(filled)
}

/// Hands each line of `range` of the file at `path` to `line`, in order and without its `\n`
/// (a last line without one included), reading the range in blocks; a line longer than a block
/// grows the block to hold it. Returns how many lines there were.
pub fn each_line_in(path: &Path, range: Range<u64>, mut line: impl FnMut(&[u8])) -> io::Result<usize> {
    let mut file = File::open(path)?;
    file.seek(SeekFrom::Start(range.start))?;
    let mut file = file.take(range.end - range.start);
    let mut block = vec![0u8; BLOCK];
    let (mut filled, mut lines) = (0, 0);
    loop {
        let read = read_full(&mut file, &mut block[filled..])?;
        filled += read;
        let mut start = 0;
        for end in memchr::memchr_iter(b'\n', &block[start..filled]) {
            line(&block[start..end]);
            lines += 1;
            start = end + 1;
        }
        if read == 0 {
            if start < filled {
                line(&block[start..filled]);
                lines += 1;
            }
            return Ok(lines);
        }
        block.copy_within(start..filled, 0);
        filled -= start;
        if filled == block.len() {
            block.resize(block.len() * 2, 0);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines_of(path: &Path, ranges: &[Range<u64>]) -> Vec<String> {
        let mut lines = Vec::new();
        for range in ranges {
            each_line_in(path, range.clone(), |line| {
                lines.push(String::from_utf8_lossy(line).into_owned())
            })
            .unwrap();
        }
        lines
    }

    #[test]
    fn ranges_start_at_lines_and_read_back_every_line_once() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("rows.ndjson");
        let text: String = (0..1000).map(|i| format!("{}\n", "x".repeat(i % 37))).collect();
        for (body, count) in [
            (text.clone(), 1),
            (text.clone(), 7),
            (text.trim_end().to_string(), 3),
            ("\n\n".into(), 4),
        ] {
            std::fs::write(&path, &body).unwrap();
            let ranges = line_ranges(&path, 0, count).unwrap();
            assert!(ranges.len() <= count);
            for pair in ranges.windows(2) {
                assert_eq!(pair[0].end, pair[1].start);
                assert_eq!(body.as_bytes()[pair[1].start as usize - 1], b'\n');
            }
            let expected: Vec<String> = body.split_terminator('\n').map(str::to_string).collect();
            assert_eq!(lines_of(&path, &ranges), expected, "{count} parts");
        }
        std::fs::write(&path, "").unwrap();
        assert!(line_ranges(&path, 0, 4).unwrap().is_empty());
    }

    #[test]
    fn a_line_longer_than_a_block_is_read_whole() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("long.ndjson");
        let long = "y".repeat(BLOCK * 2 + 3);
        std::fs::write(&path, format!("a\n{long}\nb")).unwrap();
        let ranges = line_ranges(&path, 0, 1).unwrap();
        assert_eq!(lines_of(&path, &ranges), vec!["a".to_string(), long, "b".to_string()]);
    }
}
