//! A fitted score model as `tailor train` saves it (`models/<name>.json`): the encoding of its
//! inputs, its weights, and the report that says how well it predicted a held-out time slice.
//! Reviewable in a pull request, like a lock file.

use chrono::{DateTime, Utc};
use polars::prelude::DataFrame;
use serde::{Deserialize, Serialize};

use super::logistic::Logistic;
use super::score_inputs::{encode, EncodedColumn};
use super::EvalError;
use crate::model::ScoreModel;
use crate::stats::CalibrationBin;

/// A saved score model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrainedModel {
    /// The `kind: model` it was fitted for.
    pub model: String,
    /// The algorithm (`logistic`).
    pub algorithm: String,
    /// The clock of the training run.
    pub trained_at: DateTime<Utc>,
    /// The cut-off the final fit's features were computed at (`trained_at − horizon`).
    pub cutoff: DateTime<Utc>,
    /// The horizon, in seconds.
    pub horizon_seconds: i64,
    /// The design matrix's columns.
    pub columns: Vec<EncodedColumn>,
    /// The fitted weights, one per column, and the intercept.
    pub fit: Logistic,
    /// How the model was checked.
    pub report: TrainingReport,
}

/// What `tailor train` measured.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrainingReport {
    /// Profiles in the population at the final cut-off.
    pub population: usize,
    /// The share of them whose label held in the horizon after it.
    pub positive_rate: f64,
    /// The held-out check: fitted one horizon earlier, scored on the final slice.
    pub validation: Validation,
    /// The columns with the largest standardised weights, largest first.
    pub influence: Vec<Influence>,
}

/// A model fitted on an earlier slice, scored on the later one it never saw.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Validation {
    /// The cut-off of the slice the checked model was fitted on.
    pub fitted_at: DateTime<Utc>,
    /// Profiles in that slice's population.
    pub fitted_on: usize,
    /// Profiles scored (the final slice's population).
    pub scored: usize,
    /// Those whose label held.
    pub positives: usize,
    /// Area under the ROC curve.
    pub auc: f64,
    /// Mean log loss.
    pub log_loss: f64,
    /// Predicted against observed rate, in tenths of probability.
    pub calibration: Vec<CalibrationBin>,
}

/// One column's weight in the final fit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Influence {
    /// The column, as `input` or `input = category`.
    pub column: String,
    /// Its weight on the standardised (or one-hot) value: positive raises the score.
    pub weight: f64,
}

impl TrainedModel {
    /// The probability the model gives each row of `frame` (an evaluation at the time of use).
    pub fn scores(&self, model: &ScoreModel, frame: &DataFrame) -> Result<Vec<f64>, EvalError> {
        let rows: Vec<usize> = (0..frame.height()).collect();
        let matrix = encode(&model.inputs, &self.columns, frame, &rows)?;
        Ok(matrix.iter().map(|row| self.fit.probability(row)).collect())
    }

    /// The saved form: pretty JSON with a final newline.
    pub fn to_json(&self) -> String {
        let mut text = serde_json::to_string_pretty(self).unwrap_or_default();
        text.push('\n');
        text
    }
}
