//! A predicted score (`kind: model`): what it predicts, over which horizon, from which inputs.

use std::path::PathBuf;

use schemars::JsonSchema;
use serde::Deserialize;

use super::{BaseType, Duration, Expr, TrainedModel, Type, Uses};

/// How a score model learns.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ScoreAlgorithm {
    /// L2-regularised logistic regression on standardised inputs.
    Logistic,
    /// Gradient-boosted regression trees on binned inputs (as scikit-learn's
    /// `HistGradientBoostingClassifier`): learns thresholds and interactions a line cannot.
    GradientBoosting,
}

impl ScoreAlgorithm {
    /// The name as written in YAML and in a saved fit.
    pub fn name(self) -> &'static str {
        match self {
            ScoreAlgorithm::Logistic => "logistic",
            ScoreAlgorithm::GradientBoosting => "gradient_boosting",
        }
    }
}

/// One input of a score model and how it enters the model.
#[derive(Debug, Clone, PartialEq)]
pub struct ScoreInput {
    /// The feature or profile field.
    pub name: String,
    /// Its type: numbers and flags enter as they are, text and enums one-hot.
    pub ty: Type,
}

impl ScoreInput {
    /// Whether the input is one-hot encoded (text or an enum) rather than a number.
    pub fn is_categorical(&self) -> bool {
        matches!(self.ty.base, BaseType::String | BaseType::Enum(_))
    }
}

/// A checked `kind: model`.
#[derive(Debug, Clone)]
pub struct ScoreModel {
    /// The model's name; its score is `score.<name>`.
    pub name: String,
    /// What the score predicts.
    pub description: Option<String>,
    /// The outcome to predict, over the events of the horizon after the cut-off.
    pub label: Expr,
    /// The event types the label aggregates over (at least one).
    pub label_events: Vec<String>,
    /// How far ahead the score looks.
    pub horizon: Duration,
    /// Who is scored (as of the cut-off); `None` is every profile.
    pub population: Option<Expr>,
    /// The inputs, in declaration order.
    pub inputs: Vec<ScoreInput>,
    /// How the model learns.
    pub algorithm: ScoreAlgorithm,
    /// How old the saved model may be before `plan` warns.
    pub max_age: Option<Duration>,
    /// Where `tailor train` saves the fitted model, relative to the workspace.
    pub file: PathBuf,
    /// The saved fit, when `tailor train` wrote one that fits the declared inputs.
    pub saved: Option<TrainedModel>,
    /// What the inputs and the population read.
    pub uses: Uses,
}
