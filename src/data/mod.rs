//! Stage 5, data: load the profiles, events and catalog a checked workspace declares into typed
//! polars DataFrames, checking every row against the schema (SPEC §2).
//!
//! Nothing is silently coerced: a value that does not fit its declared type is a [`RowError`]
//! naming the file, the line (CSV, NDJSON) or row (Parquet, a table in PostgreSQL or Spark), the column, the value and the
//! expected type. With `skip_bad_rows`, bad rows are dropped and counted instead.

#[cfg(feature = "spark")]
mod arrow_column;
mod column;
mod compaction;
mod csv_record;
mod csv_records;
mod database_table;
mod dataset;
mod event_id;
mod event_index;
mod event_layout;
mod event_log;
mod event_parts;
mod event_table;
mod events;
mod flat_json;
mod frame_builder;
mod json_cell;
mod line_parts;
mod load;
mod load_error;
mod load_options;
mod parquet;
mod parts;
mod postgres_server;
mod postgres_table;
mod read;
mod row_error;
mod row_errors;
mod seeded;
mod source_row;
#[cfg(feature = "spark")]
mod spark_server;
#[cfg(feature = "spark")]
mod spark_table;
mod streamed_column;
mod streaming;
mod table;
mod test_data;
mod tls_config;
mod traits;

pub use column::ColumnBuilder;
pub use column::DAY_MICROS;
pub(crate) use column::{any_to_json, datetime_micros};
pub use compaction::Compaction;
pub use database_table::DatabaseTable;
#[cfg(not(feature = "spark"))]
pub use database_table::NO_SPARK;
pub use dataset::Dataset;
pub use event_id::event_id;
pub use event_index::EventIndex;
pub use event_log::{EventLog, MESSAGE_ID, RECEIVED_AT};
pub use event_table::{event_column, newest_event, EVENT_ID, EVENT_TS, EVENT_TYPE, EVENT_USER};
pub use json_cell::JsonCell;
pub use load::{compact_event_log, load_addresses_of, load_catalog_only, load_dataset, load_users_data};
pub use load_error::LoadError;
pub use load_options::LoadOptions;
pub use postgres_server::{described as described_postgres_error, PostgresServer};
pub use postgres_table::PostgresTable;
pub use read::{ends_unterminated, Source, SourceRows};
pub use row_error::{RowError, RowPosition};
pub use seeded::SeededRng;
pub use source_row::{SourceColumn, SourceRow};
#[cfg(feature = "spark")]
pub use spark_server::{described as described_spark_error, keys_view, spark_frame, SparkServer};
#[cfg(feature = "spark")]
pub use spark_table::SparkTable;
pub use streamed_column::StreamedColumn;
pub use streaming::collect_streaming;
pub use table::TableReport;
pub use test_data::test_dataset;
pub use tls_config::tls_config;
