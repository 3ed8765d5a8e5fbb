//! `kind: model`, a predicted score learned from the data by time travel (SPEC §4).

use schemars::JsonSchema;
use serde::Deserialize;

use crate::load::Located;
use crate::model::ScoreAlgorithm;

/// A model that predicts, for each profile, the probability of a future behaviour.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawModel {
    /// Always `model`.
    pub kind: Located<String>,
    /// The model's name; its score is `score.<name>`.
    pub name: Located<String>,
    /// What the score predicts.
    pub description: Option<String>,
    /// What happened in the `horizon` after the cut-off: a condition over event aggregates and
    /// profile fields, for example `count(purchase) == 0`.
    pub label: Located<String>,
    /// How far ahead the score looks, for example `60d`: training computes the features as of
    /// `now − horizon` and the label from the events after it.
    pub horizon: Located<String>,
    /// Who is scored: a condition as of the cut-off (default: every profile).
    pub population: Option<Located<String>>,
    /// The inputs: features or profile fields; numbers and flags as they are, text and enums
    /// one-hot.
    pub features: Located<Vec<Located<String>>>,
    /// `logistic` (the default).
    pub algorithm: Option<Located<ScoreAlgorithm>>,
    /// How old the saved model may be before `plan` warns, for example `30d`.
    pub max_age: Option<Located<String>>,
}
