//! A frame filled row by row from a file's text cells: one typed builder per column and the
//! rows kept. Profiles, the catalog and events (CSV, NDJSON) all load through it.

use std::ops::Range;
use std::path::Path;

use polars::prelude::*;

use super::read::SourceRows;
use super::row_errors::RowErrors;
use super::source_row::SourceRow;
use super::{ColumnBuilder, LoadError};
use crate::model::Type;

/// Columns being built for a range of a file's rows, and which rows stay.
pub struct FrameBuilder {
    names: Vec<String>,
    builders: Vec<ColumnBuilder>,
    keep: Vec<bool>,
    /// The file's row that is this frame's first.
    first: usize,
}

impl FrameBuilder {
    /// Empty `columns` (name and type) for the file's rows `rows`, all kept so far.
    pub fn new<'c>(columns: impl IntoIterator<Item = (&'c str, &'c Type)>, rows: Range<usize>) -> FrameBuilder {
        let (names, builders) = columns
            .into_iter()
            .map(|(name, ty)| (name.to_string(), ColumnBuilder::new(ty, rows.len())))
            .unzip();
        FrameBuilder {
            names,
            builders,
            keep: vec![true; rows.len()],
            first: rows.start,
        }
    }

    /// Whether `row` of `rows` did not parse at all (a ragged line, bad JSON); such a row is
    /// reported as `data::bad-row`, left out, and null in every column.
    pub fn unparsed(&mut self, rows: &SourceRows, row: &SourceRow, bad: &mut RowErrors) -> bool {
        let Some(problem) = row.problem() else {
            return false;
        };
        bad.add(
            rows.position(row.index()),
            "data::bad-row",
            "",
            String::new(),
            problem.to_string(),
        );
        self.keep[row.index() - self.first] = false;
        self.builders.iter_mut().for_each(ColumnBuilder::push_null);
        true
    }

    /// The column builders, in the order given to [`FrameBuilder::new`].
    pub fn builders(&mut self) -> &mut [ColumnBuilder] {
        &mut self.builders
    }

    /// Leaves the file's row `row` out of the frame (its values are pushed all the same).
    pub fn drop_row(&mut self, row: usize) {
        self.keep[row - self.first] = false;
    }

    /// The frame without the rows left out, and how many were; `path` names the file when
    /// polars fails.
    pub fn finish(self, path: &Path) -> Result<(DataFrame, usize), LoadError> {
        let failed = |e: PolarsError| LoadError::Io {
            path: path.to_path_buf(),
            message: e.to_string(),
        };
        let left_out = self.keep.iter().filter(|k| !**k).count();
        let mask = (left_out > 0).then_some(self.keep.as_slice());
        let columns: Vec<Column> = self
            .builders
            .into_iter()
            .zip(&self.names)
            .map(|(builder, name)| builder.finish(name, mask))
            .collect::<PolarsResult<_>>()
            .map_err(failed)?;
        Ok((DataFrame::new_infer_height(columns).map_err(failed)?, left_out))
    }
}
