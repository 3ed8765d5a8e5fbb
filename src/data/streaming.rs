//! Running a lazy query on polars' streaming engine, which reads and groups in morsels.

use polars::prelude::*;
use polars_core::query_result::QueryResult;

/// Collects `query` with the streaming engine (faster here for Parquet scans and the per-type
/// group-bys; polars falls back to in-memory execution for any step it cannot stream).
pub fn collect_streaming(query: LazyFrame) -> PolarsResult<DataFrame> {
    match query.collect_with_engine(Engine::Streaming)? {
        QueryResult::Single(frame) => Ok(frame),
        QueryResult::Multiple(mut frames) => Ok(frames.pop().unwrap_or_default()),
    }
}
