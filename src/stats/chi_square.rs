//! Pearson's chi-square: independence of arm and outcome across all arms (`scipy`'s
//! `chi2_contingency(..., correction=False)`), and goodness of fit of arm sizes to the declared
//! weights, the sample-ratio-mismatch check (`scipy`'s `chisquare`, GrowthBook's `check_srm`).

use serde::Serialize;
use statrs::distribution::{ChiSquared, ContinuousCDF};

/// A chi-square statistic with its degrees of freedom and p-value.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct ChiSquare {
    /// The statistic.
    pub statistic: f64,
    /// Degrees of freedom.
    pub freedom: u32,
    /// P(χ² ≥ statistic).
    pub p_value: f64,
}

fn upper_tail(statistic: f64, freedom: u32) -> f64 {
    match ChiSquared::new(f64::from(freedom)) {
        Ok(distribution) => distribution.sf(statistic),
        Err(_) => 1.0,
    }
}

/// Tests whether outcome and arm are independent, from each arm's (successes, trials); `None`
/// with fewer than two arms or when an expected cell is zero.
pub fn chi_square_contingency(arms: &[(u64, u64)]) -> Option<ChiSquare> {
    if arms.len() < 2 {
        return None;
    }
    let total: f64 = arms.iter().map(|&(_, n)| n as f64).sum();
    let successes: f64 = arms.iter().map(|&(s, _)| s as f64).sum();
    let failures = total - successes;
    let mut statistic = 0.0;
    for &(s, n) in arms {
        let n = n as f64;
        let expected = [n * successes / total, n * failures / total];
        let observed = [s as f64, n - s as f64];
        for (o, e) in observed.iter().zip(expected) {
            if e <= 0.0 {
                return None;
            }
            statistic += (o - e) * (o - e) / e;
        }
    }
    let freedom = (arms.len() - 1) as u32;
    Some(ChiSquare {
        statistic,
        freedom,
        p_value: upper_tail(statistic, freedom),
    })
}

/// Tests observed counts against shares proportional to `weights`; `None` with fewer than two
/// categories or no observations.
pub fn chi_square_fit(observed: &[u64], weights: &[f64]) -> Option<ChiSquare> {
    let total: f64 = observed.iter().map(|&o| o as f64).sum();
    let weight: f64 = weights.iter().sum();
    if observed.len() < 2 || observed.len() != weights.len() || total == 0.0 || weight <= 0.0 {
        return None;
    }
    let mut statistic = 0.0;
    for (&o, &w) in observed.iter().zip(weights) {
        let expected = w / weight * total;
        if expected <= 0.0 {
            return None;
        }
        statistic += (o as f64 - expected).powi(2) / expected;
    }
    let freedom = (observed.len() - 1) as u32;
    Some(ChiSquare {
        statistic,
        freedom,
        p_value: upper_tail(statistic, freedom),
    })
}
