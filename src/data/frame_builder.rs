//! A frame filled row by row from a file's text cells: one typed builder per column and the
//! rows kept. Profiles, the catalog and events (CSV, NDJSON) all load through it.

use std::path::Path;

use polars::prelude::*;

use super::row_errors::RowErrors;
use super::source_row::SourceRow;
use super::{ColumnBuilder, LoadError, RowPosition};
use crate::model::Type;

/// Columns being built row by row, and which rows stay.
pub struct FrameBuilder {
    names: Vec<String>,
    builders: Vec<ColumnBuilder>,
    /// Whether each row started so far stays.
    keep: Vec<bool>,
}

impl FrameBuilder {
    /// Empty `columns` (name and type), with room for `capacity` rows.
    pub fn new<'c>(columns: impl IntoIterator<Item = (&'c str, &'c Type)>, capacity: usize) -> FrameBuilder {
        let (names, builders) = columns
            .into_iter()
            .map(|(name, ty)| (name.to_string(), ColumnBuilder::new(ty, capacity)))
            .unzip();
        FrameBuilder {
            names,
            builders,
            keep: Vec::with_capacity(capacity),
        }
    }

    /// Starts the next row, `row` of the file at `position`, and says whether it can be read:
    /// a row that did not parse at all (a ragged line, bad JSON) is reported as
    /// `data::bad-row`, left out, and null in every column.
    pub fn start_row(&mut self, position: RowPosition, row: &SourceRow, bad: &mut RowErrors) -> bool {
        self.keep.push(true);
        let Some(problem) = row.problem() else {
            return true;
        };
        bad.add(position, "data::bad-row", "", String::new(), problem.to_string());
        self.drop_row();
        self.builders.iter_mut().for_each(ColumnBuilder::push_null);
        false
    }

    /// The column builders, in the order given to [`FrameBuilder::new`].
    pub fn builders(&mut self) -> &mut [ColumnBuilder] {
        &mut self.builders
    }

    /// Leaves the row being read out of the frame (its values are pushed all the same).
    pub fn drop_row(&mut self) {
        if let Some(last) = self.keep.last_mut() {
            *last = false;
        }
    }

    /// The frame without the rows left out, and how many were; `path` names the file when
    /// polars fails.
    pub fn finish(self, path: &Path) -> Result<(DataFrame, usize), LoadError> {
        let failed = |e: PolarsError| LoadError::io(path, e);
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
