//! How well predicted probabilities fit what happened: the area under the ROC curve, the log
//! loss and a calibration table — the measures scikit-learn's `roc_auc_score`, `log_loss` and
//! `calibration_curve` (uniform bins) compute.

use crate::model::CalibrationBin;

/// Probabilities are clipped this far from 0 and 1 before the log loss (as scikit-learn does for
/// float64), so one certain mistake does not make it infinite.
const LOG_LOSS_EPSILON: f64 = 1e-15;

/// The area under the ROC curve: the chance that a random positive scores above a random
/// negative, ties counting half (the Mann–Whitney U statistic over the pair count). `None` when
/// one of the two outcomes is missing.
pub fn roc_auc(scores: &[f64], outcomes: &[bool]) -> Option<f64> {
    let positives = outcomes.iter().filter(|o| **o).count();
    let negatives = outcomes.len() - positives;
    if positives == 0 || negatives == 0 {
        return None;
    }
    let mut order: Vec<usize> = (0..scores.len()).collect();
    order.sort_by(|a, b| scores[*a].total_cmp(&scores[*b]));
    // Ranks from 1, each run of tied scores given its average rank.
    let mut positive_rank_sum = 0.0;
    let mut start = 0;
    while start < order.len() {
        let mut end = start + 1;
        while end < order.len() && scores[order[end]] == scores[order[start]] {
            end += 1;
        }
        let average_rank = (start + 1 + end) as f64 / 2.0;
        positive_rank_sum += average_rank * order[start..end].iter().filter(|i| outcomes[**i]).count() as f64;
        start = end;
    }
    let (p, n) = (positives as f64, negatives as f64);
    Some((positive_rank_sum - p * (p + 1.0) / 2.0) / (p * n))
}

/// The mean negative log-likelihood of the outcomes under the probabilities.
pub fn log_loss(probabilities: &[f64], outcomes: &[bool]) -> f64 {
    if probabilities.is_empty() {
        return 0.0;
    }
    let total: f64 = probabilities
        .iter()
        .zip(outcomes)
        .map(|(p, outcome)| {
            let p = p.clamp(LOG_LOSS_EPSILON, 1.0 - LOG_LOSS_EPSILON);
            if *outcome {
                -p.ln()
            } else {
                -(1.0 - p).ln()
            }
        })
        .sum();
    total / probabilities.len() as f64
}

/// Predictions grouped into `bins` equal-width bins of probability, each with its mean
/// prediction and observed rate; empty bins are left out.
pub fn calibration(probabilities: &[f64], outcomes: &[bool], bins: usize) -> Vec<CalibrationBin> {
    let bins = bins.max(1);
    let mut sums = vec![(0usize, 0.0f64, 0usize); bins];
    for (p, outcome) in probabilities.iter().zip(outcomes) {
        let bin = ((p * bins as f64) as usize).min(bins - 1);
        sums[bin].0 += 1;
        sums[bin].1 += p;
        sums[bin].2 += usize::from(*outcome);
    }
    sums.iter()
        .enumerate()
        .filter(|(_, (count, _, _))| *count > 0)
        .map(|(bin, (count, predicted, positives))| CalibrationBin {
            from: bin as f64 / bins as f64,
            to: (bin + 1) as f64 / bins as f64,
            count: *count,
            predicted: predicted / *count as f64,
            observed: *positives as f64 / *count as f64,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn auc_counts_ties_as_half_and_needs_both_outcomes() {
        // sklearn.metrics.roc_auc_score([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8]) == 0.75
        assert_eq!(roc_auc(&[0.1, 0.4, 0.35, 0.8], &[false, false, true, true]), Some(0.75));
        // roc_auc_score([0, 1, 0, 1], [0.5, 0.5, 0.2, 0.9]) == 0.875
        assert_eq!(roc_auc(&[0.5, 0.5, 0.2, 0.9], &[false, true, false, true]), Some(0.875));
        assert_eq!(roc_auc(&[0.1, 0.2], &[true, true]), None);
    }

    #[test]
    fn log_loss_matches_the_textbook_and_survives_certainty() {
        // sklearn.metrics.log_loss([1, 0], [0.9, 0.2]) == 0.164252033486018
        assert!((log_loss(&[0.9, 0.2], &[true, false]) - 0.164_252_033_486_018).abs() < 1e-12);
        assert!(log_loss(&[0.0], &[true]).is_finite());
    }

    #[test]
    fn calibration_bins_hold_mean_prediction_and_observed_rate() {
        let bins = calibration(&[0.05, 0.15, 0.12, 1.0], &[false, true, false, true], 10);
        assert_eq!(bins.len(), 3);
        assert_eq!((bins[1].count, bins[1].observed), (2, 0.5));
        assert!((bins[1].predicted - 0.135).abs() < 1e-12);
        assert_eq!((bins[2].from, bins[2].count), (0.9, 1));
    }
}
