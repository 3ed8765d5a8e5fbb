//! Scoring the profiles with a saved score model: the probability for each profile of the
//! model's population as evaluated now (null outside it), and how far the inputs drifted from
//! what the model was trained on.

use chrono::{DateTime, Utc};
use polars::prelude::*;

use super::columns::score_column;
use super::score_inputs::encode;
use super::EvalError;
use crate::model::{EncodedColumn, ScoreModel};

/// A standardised input whose population mean moved this many standard deviations drifted.
const DRIFT_STANDARD_DEVIATIONS: f64 = 0.5;
/// A category whose share of the population moved this much drifted.
const DRIFT_SHARE: f64 = 0.1;
/// Drift is judged on at least this many scored profiles (a handful move by chance alone).
const DRIFT_MIN_PROFILES: usize = 50;

/// What scoring found for one model.
#[derive(Debug, Clone, PartialEq)]
pub struct ScoreSummary {
    /// The model.
    pub model: String,
    /// When its saved fit was trained (`None`: there is none, and every score is null).
    pub trained_at: Option<DateTime<Utc>>,
    /// Profiles scored (the population now).
    pub scored: usize,
    /// Their mean score.
    pub mean: Option<f64>,
    /// Inputs whose distribution moved since training.
    pub drift: Vec<Drift>,
}

/// An input that moved since the model was trained.
#[derive(Debug, Clone, PartialEq)]
pub struct Drift {
    /// The column, as `input` or `input = category`.
    pub column: String,
    /// Its mean (or the category's share) in training.
    pub then: f64,
    /// Its mean (or share) now.
    pub now: f64,
    /// The move in standard deviations, for a number.
    pub standard_deviations: Option<f64>,
}

/// The `score.<model>` column for every row of `frame`, and what scoring found.
pub fn score_profiles(
    model: &ScoreModel,
    frame: &DataFrame,
    population: &[bool],
) -> Result<(Column, ScoreSummary), EvalError> {
    let name = score_column(&model.name);
    let Some(saved) = &model.saved else {
        let nulls = Column::full_null(name.as_str().into(), frame.height(), &DataType::Float64);
        let summary = ScoreSummary {
            model: model.name.clone(),
            trained_at: None,
            scored: 0,
            mean: None,
            drift: Vec::new(),
        };
        return Ok((nulls, summary));
    };
    let rows: Vec<usize> = (0..frame.height()).filter(|r| population[*r]).collect();
    let matrix = encode(&model.inputs, &saved.columns, frame, &rows)?;
    let mut scores: Vec<Option<f64>> = vec![None; frame.height()];
    for (row, encoded) in rows.iter().zip(&matrix) {
        scores[*row] = Some(saved.fit.probability(encoded));
    }
    let known: Vec<f64> = scores.iter().flatten().copied().collect();
    let mean = (!known.is_empty()).then(|| ordered_sum(known.clone()) / known.len() as f64);
    let drift = drift(&saved.columns, &matrix);
    let summary = ScoreSummary {
        model: model.name.clone(),
        trained_at: Some(saved.trained_at),
        scored: rows.len(),
        mean,
        drift,
    };
    Ok((Column::new(name.as_str().into(), scores), summary))
}

/// The columns whose population mean (standardised) or share (one-hot) moved clearly since
/// training.
fn drift(columns: &[EncodedColumn], matrix: &[Vec<f64>]) -> Vec<Drift> {
    if matrix.len() < DRIFT_MIN_PROFILES {
        return Vec::new();
    }
    let count = matrix.len() as f64;
    columns
        .iter()
        .enumerate()
        .filter_map(|(i, column)| {
            let mean = ordered_sum(matrix.iter().map(|row| row[i]).collect()) / count;
            match column {
                // A standardised value's training mean is 0 by construction.
                EncodedColumn::Standardised { mean: then, scale, .. } => (mean.abs() >= DRIFT_STANDARD_DEVIATIONS)
                    .then(|| Drift {
                        column: column.title(),
                        then: *then,
                        now: then + mean * scale,
                        standard_deviations: Some(mean),
                    }),
                EncodedColumn::OneHot { share, .. } => ((mean - share).abs() >= DRIFT_SHARE).then(|| Drift {
                    column: column.title(),
                    then: *share,
                    now: mean,
                    standard_deviations: None,
                }),
            }
        })
        .collect()
}

/// The sum of `values` added smallest first: the same bits whatever order the engine gave the
/// rows in.
fn ordered_sum(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    values.iter().sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn columns() -> Vec<EncodedColumn> {
        vec![
            EncodedColumn::Standardised {
                input: "orders_90d".into(),
                mean: 2.0,
                scale: 4.0,
            },
            EncodedColumn::OneHot {
                input: "tier".into(),
                category: "gold".into(),
                share: 0.2,
            },
        ]
    }

    #[test]
    fn a_mean_half_a_deviation_away_or_a_share_ten_points_away_is_drift() {
        // Everyone now has 4 orders (half a deviation up) and 35% are gold (15 points up).
        let matrix: Vec<Vec<f64>> = (0..100).map(|i| vec![0.5, f64::from(u8::from(i < 35))]).collect();
        let drift = drift(&columns(), &matrix);
        assert_eq!(drift.len(), 2, "{drift:?}");
        assert_eq!(
            (drift[0].then, drift[0].now, drift[0].standard_deviations),
            (2.0, 4.0, Some(0.5))
        );
        assert_eq!(drift[1].column, "tier = gold");
        assert!((drift[1].now - 0.35).abs() < 1e-12);
    }

    #[test]
    fn small_moves_and_small_populations_are_not_drift() {
        let steady: Vec<Vec<f64>> = (0..100).map(|i| vec![0.1, f64::from(u8::from(i < 25))]).collect();
        assert!(drift(&columns(), &steady).is_empty());
        let few: Vec<Vec<f64>> = (0..10).map(|_| vec![3.0, 1.0]).collect();
        assert!(drift(&columns(), &few).is_empty());
    }
}
