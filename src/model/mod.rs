//! Stage 1, model: the typed values of the campaign language, independent of YAML and I/O.
//! The bottom of the stack: it imports only `diag`.
//!
//! Value formats (durations, percentages, caps, time ranges) parse here; the data schema and
//! the checked documents ([`Campaign`], [`Test`], ...) are built from raw documents by `check`.

mod address;
mod assignment;
mod boosted_trees;
mod bucket;
mod currency;
mod dataset_source;
mod documents;
mod duration;
mod event_roles;
mod expression;
mod frequency_cap;
mod json_value;
mod ledger_location;
mod names;
mod percent;
mod persona_algorithm;
mod persona_labels;
mod readable_json;
mod recommend_source;
mod rollout;
mod schedule_due;
mod schema;
mod score_model;
mod send_state;
mod table_column;
mod time_range;
mod tracking;
mod trained_model;
mod transport;
mod types;
mod uses;
mod zone;

pub use address::{is_valid_address, parse_mailbox};
pub use assignment::{assign, assign_bucket, bucket, Assignment};
pub use boosted_trees::{BoostedTrees, TreeNode};
pub use bucket::Bucket;
pub use currency::{currency_codes, is_currency_code, minor_digits};
pub use dataset_source::{
    is_postgres_source, is_spark_source, is_table_source, postgres_url_holds_password, spark_url_holds_token,
    split_postgres_source, split_postgres_url, split_spark_source, split_table_source,
};
pub use documents::*;
pub use duration::Duration;
pub use event_roles::EventRoles;
pub use expression::{Aggregate, AggregateFunction, BinaryOp, Expr, ExprKind, Ident, Literal, UnaryOp};
pub use frequency_cap::FrequencyCap;
pub use json_value::{json_mismatch, parse_datetime};
pub use ledger_location::LedgerLocation;
pub use names::{is_valid_name, NAME_PATTERN};
pub use percent::Percent;
pub use persona_algorithm::{Algorithm, Impute, Scale};
pub use persona_labels::PersonaLabels;
pub use readable_json::readable_json;
pub use recommend_source::RecommendSource;
pub use rollout::{Metric, Rollout, RolloutDecision};
pub use schema::{DataSchema, DataSources, EventColumns, EventSchema, Field, Table};
pub use score_model::{ScoreAlgorithm, ScoreInput, ScoreModel};
pub use send_state::SendState;
pub use table_column::{ColumnKind, TableColumn};
pub use time_range::LocalTimeRange;
pub use tracking::Tracking;
pub use trained_model::{
    sigmoid, CalibrationBin, EncodedColumn, Fit, Influence, Logistic, TrainedModel, TrainingReport, Validation,
};
pub use transport::Transport;
pub use types::{BaseType, Type};
pub use uses::Uses;
pub use zone::parse_zone;
