//! A fitted score model as `tailor train` saves it (`models/<name>.json`): the encoding of its
//! inputs, its weights, and the report that says how well it predicted a held-out time slice.
//! Reviewable in a pull request, like a lock file; `check` reads it with the workspace.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::{readable_json, BoostedTrees, ScoreAlgorithm};

/// A saved score model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrainedModel {
    /// The `kind: model` it was fitted for.
    pub model: String,
    /// The algorithm (`logistic` or `gradient_boosting`).
    pub algorithm: String,
    /// The clock of the training run.
    pub trained_at: DateTime<Utc>,
    /// The cut-off the final fit's features were computed at (`trained_at − horizon`).
    pub cutoff: DateTime<Utc>,
    /// The horizon, in seconds.
    pub horizon_seconds: i64,
    /// The design matrix's columns.
    pub columns: Vec<EncodedColumn>,
    /// What was fitted.
    pub fit: Fit,
    /// How the model was checked.
    pub report: TrainingReport,
}

impl TrainedModel {
    /// The saved form: JSON laid out for review, one tree node per line.
    pub fn to_json(&self) -> String {
        readable_json(self)
    }

    /// The inputs the saved fit reads, each once, in column order.
    pub fn inputs(&self) -> Vec<&str> {
        let mut inputs: Vec<&str> = Vec::new();
        for column in &self.columns {
            if !inputs.contains(&column.input()) {
                inputs.push(column.input());
            }
        }
        inputs
    }
}

/// A fitted model: what turns an encoded row into a probability.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Fit {
    /// Weights on the columns (`algorithm: logistic`).
    Logistic(Logistic),
    /// Boosted trees over the columns (`algorithm: gradient_boosting`).
    Boosted(BoostedTrees),
}

impl Fit {
    /// The algorithm that fitted it.
    pub fn algorithm(&self) -> ScoreAlgorithm {
        match self {
            Fit::Logistic(_) => ScoreAlgorithm::Logistic,
            Fit::Boosted(_) => ScoreAlgorithm::GradientBoosting,
        }
    }

    /// The probability of a positive outcome for one encoded row.
    pub fn probability(&self, row: &[f64]) -> f64 {
        match self {
            Fit::Logistic(logistic) => logistic.probability(row),
            Fit::Boosted(trees) => trees.probability(row),
        }
    }
}

/// A fitted logistic regression.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Logistic {
    /// The bias.
    pub intercept: f64,
    /// One weight per input column.
    pub weights: Vec<f64>,
}

impl Logistic {
    /// The probability of a positive outcome for one encoded row.
    pub fn probability(&self, row: &[f64]) -> f64 {
        sigmoid(self.intercept + self.weights.iter().zip(row).map(|(w, x)| w * x).sum::<f64>())
    }
}

/// The logistic function, computed without overflow for large `|z|`.
pub fn sigmoid(z: f64) -> f64 {
    if z >= 0.0 {
        1.0 / (1.0 + (-z).exp())
    } else {
        let e = z.exp();
        e / (1.0 + e)
    }
}

/// One column of the model's design matrix.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "encoding", rename_all = "snake_case")]
pub enum EncodedColumn {
    /// A number or a flag (true is 1), standardised.
    Standardised {
        /// The feature or field.
        input: String,
        /// Its mean in training (also what a missing value becomes).
        mean: f64,
        /// Its standard deviation in training (1 when it was constant).
        scale: f64,
    },
    /// 1 when the input has this category, else 0.
    OneHot {
        /// The feature or field.
        input: String,
        /// The category.
        category: String,
        /// The share of the training population with it.
        share: f64,
    },
}

impl EncodedColumn {
    /// The feature or field the column reads.
    pub fn input(&self) -> &str {
        match self {
            EncodedColumn::Standardised { input, .. } | EncodedColumn::OneHot { input, .. } => input,
        }
    }

    /// How the column reads in a report: `orders_90d` or `tier = gold`.
    pub fn title(&self) -> String {
        match self {
            EncodedColumn::Standardised { input, .. } => input.clone(),
            EncodedColumn::OneHot { input, category, .. } => format!("{input} = {category}"),
        }
    }
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

/// One bin of a calibration table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CalibrationBin {
    /// The bin's lower edge (inclusive).
    pub from: f64,
    /// The bin's upper edge (exclusive, but 1.0 belongs to the last bin).
    pub to: f64,
    /// How many predictions fell in it.
    pub count: usize,
    /// Their mean predicted probability.
    pub predicted: f64,
    /// The share of them whose outcome was positive.
    pub observed: f64,
}

/// How much one column counts in the final fit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Influence {
    /// The column, as `input` or `input = category`.
    pub column: String,
    /// For a logistic fit, its weight on the standardised (or one-hot) value: positive raises
    /// the score. For boosted trees, its share of the loss reduction all splits achieved (0–1).
    pub weight: f64,
}
