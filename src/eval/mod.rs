//! Stage 6, eval: the checked workspace evaluated on its data. Every feature, segment and
//! persona model becomes a column of the profile frame, each computed once in the order of the
//! workspace graph ([`evaluate`]); expressions are lowered to polars (`lower.rs`) and event
//! aggregates become group-bys joined back to the profiles.

mod aggregate;
mod columns;
mod error;
mod evaluate;
mod lower;
mod persona_traits;
mod personas;

pub use columns::{persona_column, segment_column, user_column};
pub use error::EvalError;
pub use evaluate::{condition_flags, evaluate, expression_values, trigger_events, Evaluation};
pub use persona_traits::{persona_traits, Trait};
pub use personas::{fit_persona, Cluster, PersonaFit, PersonaSummary};
