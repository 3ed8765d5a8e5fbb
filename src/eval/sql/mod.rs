//! The same workspace evaluated by a SQL engine: features, segments, scores and each
//! campaign's audience, arms and due occurrences lowered from the typed IR to one query, in the PostgreSQL, Spark SQL or DuckDB dialect, with the semantics of the
//! polars engine (SPEC §3: SQL's null logic, times as microseconds, `a / b` null where `b` is
//! zero). `tailor plan --emit-sql` writes it for review or for a team's own orchestrator.

mod aggregate;
mod arms;
mod dialect;
mod due;
mod expression;
mod query;
mod score;

pub use dialect::Dialect;
pub use due::{due_column, variant_due_column};
pub use query::{evaluation_query, expressions_query, features_query, SqlTables};
