//! Training a score model by time travel: features as of a cut-off (the same engine as `plan`,
//! reading only the events before it), the label from the events of the horizon after it.
//!
//! Two slices are used. The model is first fitted on the slice that ends one horizon ago and
//! scored on the latest one, which it never saw: that is the held-out check the report gives
//! (AUC, log loss, calibration). The saved model is then fitted on the latest slice.

use chrono::{DateTime, Duration as Span, Utc};
use polars::prelude::DataFrame;

use super::boosting::fit_boosted;
use super::evaluate::{condition_flags, evaluate};
use super::logistic::fit_logistic;
use super::score_inputs::{encode, fit_encoding};
use super::EvalError;
use crate::check::CheckedWorkspace;
use crate::data::Dataset;
use crate::model::{
    EncodedColumn, Fit, Influence, ScoreAlgorithm, ScoreModel, TrainedModel, TrainingReport, Validation,
};
use crate::stats::{calibration, log_loss, roc_auc};

/// The penalty on the weights: scikit-learn's default `C = 1`.
const PENALTY: f64 = 1.0;
/// Calibration bins: tenths of probability.
const CALIBRATION_BINS: usize = 10;
/// Columns listed as the most influential.
const INFLUENCE_SHOWN: usize = 5;
/// Each outcome must occur at least this often in a slice to fit or check a model.
const MIN_PER_OUTCOME: usize = 5;

/// The profiles of one slice: the population as of a cut-off, with its features and labels.
struct TrainingSlice {
    /// The cut-off.
    pub cutoff: DateTime<Utc>,
    /// Every profile evaluated as of the cut-off.
    pub frame: DataFrame,
    /// The rows of `frame` in the population.
    pub rows: Vec<usize>,
    /// Whether the label held for each of `rows`.
    pub outcomes: Vec<bool>,
}

impl TrainingSlice {
    /// Cuts the data at `cutoff`: features and population as of then, the label over the
    /// events in (`cutoff`, `cutoff + horizon`].
    fn cut(
        workspace: &CheckedWorkspace,
        dataset: &Dataset,
        model: &ScoreModel,
        cutoff: DateTime<Utc>,
    ) -> Result<TrainingSlice, EvalError> {
        let end = cutoff + Span::seconds(model.horizon.seconds);
        let evaluation = evaluate(workspace, dataset, cutoff)?;
        let in_population = match &model.population {
            Some(population) => condition_flags(workspace, dataset, &evaluation, population, cutoff)?,
            None => vec![true; evaluation.frame.height()],
        };
        let future = dataset.events_after(cutoff.timestamp_micros(), &model.label_events)?;
        let labels = condition_flags(workspace, &future, &evaluation, &model.label, end)?;
        // In key order: the engine's row order may vary between runs, and the fit's sums must
        // add the same numbers in the same order for the saved model to be byte-identical.
        let keys = evaluation
            .frame
            .column(&workspace.schema.key)?
            .cast(&polars::prelude::DataType::String)?;
        let keys = keys.str()?;
        let mut rows: Vec<usize> = (0..in_population.len()).filter(|r| in_population[*r]).collect();
        rows.sort_by(|a, b| keys.get(*a).cmp(&keys.get(*b)));
        let outcomes = rows.iter().map(|r| labels[*r]).collect();
        Ok(TrainingSlice {
            cutoff,
            frame: evaluation.frame,
            rows,
            outcomes,
        })
    }

    /// An error unless both outcomes occur often enough to learn from.
    fn usable(&self, model: &ScoreModel, role: &str) -> Result<(), EvalError> {
        let positives = self.outcomes.iter().filter(|o| **o).count();
        let negatives = self.outcomes.len() - positives;
        if positives.min(negatives) < MIN_PER_OUTCOME {
            return Err(EvalError::Training(format!(
                "model `{}`: the {role} slice (features as of {}) has {} profiles in the population, {positives} with the label and {negatives} without; each outcome needs at least {MIN_PER_OUTCOME}",
                model.name,
                self.cutoff.format("%Y-%m-%d %H:%M UTC"),
                self.outcomes.len(),
            )));
        }
        Ok(())
    }
}

/// The matrices of the held-out check, for a reader who wants to fit them elsewhere
/// (`tailor train --export`).
pub struct HeldOut {
    /// The columns, encoded as learnt from the earlier slice.
    pub columns: Vec<EncodedColumn>,
    /// The earlier slice's rows, which the checked model was fitted on.
    pub fitted: Vec<Vec<f64>>,
    /// Their outcomes.
    pub fitted_outcomes: Vec<bool>,
    /// The latest slice's rows, which it scored.
    pub scored: Vec<Vec<f64>>,
    /// Their outcomes.
    pub scored_outcomes: Vec<bool>,
}

/// Fits `model` on `dataset` at `now` and checks it on a held-out slice.
pub fn train(
    workspace: &CheckedWorkspace,
    dataset: &Dataset,
    model: &ScoreModel,
    now: DateTime<Utc>,
) -> Result<(TrainedModel, HeldOut), EvalError> {
    let horizon = Span::seconds(model.horizon.seconds);
    // One evaluated frame at a time: the earlier slice is encoded (the held-out check's
    // inputs) and its frame dropped before the latest slice is evaluated.
    let earlier = TrainingSlice::cut(workspace, dataset, model, now - horizon - horizon)?;
    earlier.usable(model, "earlier")?;
    let checked_columns = fit_encoding(&model.inputs, &earlier.frame, &earlier.rows)?;
    let fitted = encode(&model.inputs, &checked_columns, &earlier.frame, &earlier.rows)?;
    let (fitted_at, fitted_on, fitted_outcomes) = (earlier.cutoff, earlier.rows.len(), earlier.outcomes);
    drop(earlier.frame);
    let latest = TrainingSlice::cut(workspace, dataset, model, now - horizon)?;
    latest.usable(model, "latest")?;
    // The held-out check: fitted on the earlier slice, scored on the latest.
    let (checked, _) = fit(model, &fitted, &fitted_outcomes);
    let scored = encode(&model.inputs, &checked_columns, &latest.frame, &latest.rows)?;
    let predicted: Vec<f64> = scored.iter().map(|row| checked.probability(row)).collect();
    let validation = Validation {
        fitted_at,
        fitted_on,
        scored: latest.rows.len(),
        positives: latest.outcomes.iter().filter(|o| **o).count(),
        auc: roc_auc(&predicted, &latest.outcomes).unwrap_or(0.5),
        log_loss: log_loss(&predicted, &latest.outcomes),
        calibration: calibration(&predicted, &latest.outcomes, CALIBRATION_BINS),
    };
    // The saved model: fitted on the latest slice.
    let columns = fit_encoding(&model.inputs, &latest.frame, &latest.rows)?;
    let (fit, weights) = fit(
        model,
        &encode(&model.inputs, &columns, &latest.frame, &latest.rows)?,
        &latest.outcomes,
    );
    let mut influence: Vec<Influence> = columns
        .iter()
        .zip(&weights)
        .map(|(column, weight)| Influence {
            column: column.title(),
            weight: *weight,
        })
        .collect();
    influence.sort_by(|a, b| b.weight.abs().total_cmp(&a.weight.abs()).then(a.column.cmp(&b.column)));
    influence.truncate(INFLUENCE_SHOWN);
    let report = TrainingReport {
        population: latest.rows.len(),
        positive_rate: validation.positives as f64 / latest.rows.len().max(1) as f64,
        validation,
        influence,
    };
    let trained = TrainedModel {
        model: model.name.clone(),
        algorithm: fit.algorithm().name().into(),
        trained_at: now,
        cutoff: latest.cutoff,
        horizon_seconds: model.horizon.seconds,
        columns,
        fit,
        report,
    };
    let held_out = HeldOut {
        columns: checked_columns,
        fitted,
        fitted_outcomes,
        scored,
        scored_outcomes: latest.outcomes,
    };
    Ok((trained, held_out))
}

/// `model`'s algorithm fitted to `rows`, with how much each column counts in the fit: its weight
/// (logistic) or its share of the trees' gain (boosting).
fn fit(model: &ScoreModel, rows: &[Vec<f64>], outcomes: &[bool]) -> (Fit, Vec<f64>) {
    match model.algorithm {
        ScoreAlgorithm::Logistic => {
            let fit = fit_logistic(rows, outcomes, PENALTY);
            let weights = fit.weights.clone();
            (Fit::Logistic(fit), weights)
        }
        ScoreAlgorithm::GradientBoosting => {
            let fit = fit_boosted(rows, outcomes);
            (Fit::Boosted(fit.trees), fit.gain_shares)
        }
    }
}
