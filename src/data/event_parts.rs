//! An events file loaded in parts: each part's rows loaded into its own columns (on its own
//! thread), then the parts put together in file order, their errors and counts as one pass
//! gives them.

use std::collections::BTreeMap;
use std::ops::Range;
use std::path::Path;

use polars::prelude::*;

use super::event_layout::{load_row, EventLayout, KnownUsers, Loaded};
use super::frame_builder::FrameBuilder;
use super::line_parts::line_ranges;
use super::parts::{in_parallel, parts_for, stacked};
use super::row_errors::RowErrors;
use super::source_row::SourceRow;
use super::{LoadError, LoadOptions, RowError, RowPosition, TableReport};

/// Bytes per part at least, when a file is read in parallel parts.
const MIN_PART_BYTES: u64 = 8 << 20;

/// Bytes per row guessed, to make room in a part's columns before its rows are counted.
const BYTES_PER_ROW_GUESS: u64 = 128;

/// Whether a part but the first follows an odd number of quotes: it started inside a quoted
/// field, and its rows are not the file's.
pub(super) fn starts_inside_quotes(parts: &[Part]) -> bool {
    let mut quotes = 0;
    parts.iter().any(|part| {
        let inside = quotes % 2 == 1;
        quotes += part.quotes;
        inside
    })
}

/// How many parts to read the file at `path` in, from byte `start`: one per [`MIN_PART_BYTES`],
/// within [`parts_for`].
pub(super) fn parts_of_file(path: &Path, start: u64) -> Result<usize, LoadError> {
    let length = std::fs::metadata(path).map_err(|e| LoadError::io(path, e))?.len();
    Ok(parts_for((length.saturating_sub(start) / MIN_PART_BYTES) as usize))
}

/// Loads the rows of the file at `path` after `start` (the byte where its rows start, and the
/// lines before it) in `count` parallel parts, each reading its own byte range of the file in
/// blocks: the file's text is never held whole. `read` hands each row of a range to the
/// function it is given, with its position counted from the range's start, and says how many
/// lines and quotes the range held. Each part's positions are then moved down past the lines
/// before it: the parts, in file order, are what one pass gives.
pub(super) fn load_in_ranges(
    path: &Path,
    start: (u64, usize),
    count: usize,
    known_users: &KnownUsers,
    layout: &EventLayout,
    options: LoadOptions,
    read: impl Fn(Range<u64>, &mut dyn FnMut(RowPosition, SourceRow<'_>)) -> Result<(usize, usize), LoadError> + Sync,
) -> Result<Vec<Part>, LoadError> {
    let ranges = line_ranges(path, start.0, count).map_err(|e| LoadError::io(path, e))?;
    let parts = in_parallel(path, ranges, |range| {
        let capacity = ((range.end - range.start) / BYTES_PER_ROW_GUESS) as usize;
        load_part(path, layout, known_users, options, capacity, |row| read(range, row))
    });
    let mut lines_before = start.1;
    let mut moved = Vec::with_capacity(parts.len());
    for part in parts {
        let mut part = part?;
        for error in part.errors.iter_mut().chain(part.dropped.values_mut()) {
            error.move_down(lines_before);
        }
        lines_before += part.lines;
        moved.push(part);
    }
    Ok(moved)
}

/// The parts of an events file put together in order: one frame (the parts' chunks kept as
/// they are, not copied into one), the errors as one pass gives them, the file's report.
pub(super) fn put_together(
    path: &Path,
    parts: Vec<Part>,
    layout: &EventLayout,
    options: LoadOptions,
    errors: &mut Vec<RowError>,
    reports: &mut Vec<TableReport>,
) -> Result<DataFrame, LoadError> {
    let mut bad = RowErrors::new(path, options, errors);
    let (mut frames, mut rows, mut left_out, mut unknown_users) = (Vec::new(), 0, 0, 0);
    for part in parts {
        bad.absorb(part.errors, part.dropped);
        frames.push(part.frame);
        rows += part.rows;
        left_out += part.left_out;
        unknown_users += part.unknown_users;
    }
    let file = bad.file().to_string();
    let built = stacked(path, frames, || {
        Ok(FrameBuilder::new(layout.built_columns(), 0).finish(path)?.0)
    })?;
    reports.push(TableReport::for_events(
        file,
        rows,
        left_out - unknown_users,
        unknown_users,
    ));
    layout.event_table(&built).map_err(|e| LoadError::io(path, e))
}

/// What one part of an events file loaded to.
pub(super) struct Part {
    frame: DataFrame,
    errors: Vec<RowError>,
    dropped: BTreeMap<String, RowError>,
    /// Rows read (blank lines are not rows).
    rows: usize,
    /// Lines read, blank ones included.
    lines: usize,
    /// Quotes read (CSV).
    quotes: usize,
    left_out: usize,
    unknown_users: usize,
}

/// Loads one part of an events file into the layout's built columns: `read` hands each of the
/// part's rows, with its position, to the function it is given, and says how many lines and
/// quotes it read (none for rows read already, whose positions are the file's own).
pub(super) fn load_part(
    path: &Path,
    layout: &EventLayout,
    known_users: &KnownUsers,
    options: LoadOptions,
    capacity: usize,
    read: impl FnOnce(&mut dyn FnMut(RowPosition, SourceRow<'_>)) -> Result<(usize, usize), LoadError>,
) -> Result<Part, LoadError> {
    let mut errors = Vec::new();
    let mut bad = RowErrors::new(path, options, &mut errors);
    let mut frame = FrameBuilder::new(layout.built_columns(), capacity);
    let (mut rows, mut unknown_users) = (0, 0);
    let (lines, quotes) = read(&mut |position, row| {
        rows += 1;
        if load_row(position, &row, layout, known_users, &mut frame, &mut bad) == Loaded::UnknownUser {
            unknown_users += 1;
        }
    })?;
    let dropped = bad.into_dropped();
    let (frame, left_out) = frame.finish(path)?;
    Ok(Part {
        frame,
        errors,
        dropped,
        rows,
        lines,
        quotes,
        left_out,
        unknown_users,
    })
}
