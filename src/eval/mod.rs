//! Stage 6, eval: the checked workspace evaluated on its data. Every feature, segment and
//! persona model becomes a column of the profile frame (and score models are trained by time
//! travel over the same evaluation, `training.rs`), each computed once in the order of the
//! workspace graph ([`evaluate`]); expressions are lowered to polars (`lower.rs`) and event
//! aggregates become group-bys joined back to the profiles.

mod aggregate;
mod bins;
mod boosting;
mod columns;
mod engine;
mod engine_kind;
mod engine_session;
mod error;
mod evaluate;
mod logistic;
mod lower;
mod neighbours;
mod persona_traits;
mod personas;
mod score_inputs;
mod scores;
mod sql;
mod training;

pub use boosting::{fit_boosted, BoostedFit};
pub use columns::{
    audience_flags_column, consent_flags_column, persona_column, population_flags_column, score_column, segment_column,
    user_column,
};
pub use engine::{engaged_on, evaluate_on_engine, newest_event_on, EngineEvaluation};
pub use engine_kind::Engine;
pub use error::EvalError;
pub use evaluate::{condition_flags, evaluate, expression_values, trigger_events, Evaluation};
pub use logistic::fit_logistic;
pub use lower::Unsupported;
pub use persona_traits::{persona_traits, Trait};
pub use personas::{fit_persona, Cluster, PersonaFit, PersonaSummary};
pub use score_inputs::{encode, fit_encoding};
pub use scores::{Drift, ScoreSummary};
pub use sql::{
    due_column, evaluation_query, expressions_query, features_query, variant_due_column, Dialect, SqlTables,
};
pub use training::{train, HeldOut};
