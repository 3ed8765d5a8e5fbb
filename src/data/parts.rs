//! Work split into parts, one per core, each loaded on its own thread and handed back in
//! order: how the rows of a large file are typed in parallel.

use std::ops::Range;
use std::path::Path;

use polars::prelude::*;

use super::LoadError;

/// Rows per part at least, when rows already read are typed in parallel parts.
const MIN_PART_ROWS: usize = 65_536;

/// How many parts to load in parallel when the work would fill `wanted` of them: one per core
/// at most, one at least.
pub(super) fn parts_for(wanted: usize) -> usize {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    wanted.clamp(1, cores)
}

/// `rows` rows split into parts (a few rows are one part).
pub(super) fn row_ranges(rows: usize) -> Vec<Range<usize>> {
    let count = parts_for(rows / MIN_PART_ROWS);
    let size = rows.div_ceil(count).max(1);
    (0..rows)
        .step_by(size)
        .map(|start| start..(start + size).min(rows))
        .collect()
}

/// `load` run on each of `ranges` on its own thread, the results in order; `path` names the
/// file should a thread fail.
pub(super) fn in_parallel<R: Send, T: Send>(
    path: &Path,
    ranges: Vec<R>,
    load: impl Fn(R) -> Result<T, LoadError> + Sync,
) -> Vec<Result<T, LoadError>> {
    std::thread::scope(|scope| {
        let handles: Vec<_> = ranges.into_iter().map(|range| scope.spawn(|| load(range))).collect();
        handles
            .into_iter()
            .map(|handle| {
                handle
                    .join()
                    .unwrap_or_else(|_| Err(LoadError::io(path, "a loading thread failed")))
            })
            .collect()
    })
}

/// The frames of a file's parts as one, in file order, each part's chunks kept as they are
/// (not copied into one); `empty` when there are no parts (a file without rows).
pub(super) fn stacked(
    path: &Path,
    frames: Vec<DataFrame>,
    empty: impl FnOnce() -> Result<DataFrame, LoadError>,
) -> Result<DataFrame, LoadError> {
    let mut frames = frames.into_iter();
    let mut stacked = match frames.next() {
        Some(first) => first,
        None => empty()?,
    };
    for frame in frames {
        stacked.vstack_mut_owned(frame).map_err(|e| LoadError::io(path, e))?;
    }
    Ok(stacked)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn row_ranges_cover_every_row_once_in_order() {
        for rows in [0, 1, 5, MIN_PART_ROWS, 3 * MIN_PART_ROWS + 7] {
            let ranges = row_ranges(rows);
            assert!(!ranges.is_empty() || rows == 0);
            let covered: Vec<usize> = ranges.into_iter().flatten().collect();
            assert_eq!(covered, (0..rows).collect::<Vec<_>>(), "{rows} rows");
        }
    }

    #[test]
    fn results_come_back_in_order() {
        let results = in_parallel(Path::new("f"), vec![3, 1, 2], |n| Ok(n * 10));
        let values: Vec<i32> = results.into_iter().map(|r| r.unwrap()).collect();
        assert_eq!(values, vec![30, 10, 20]);
    }
}
