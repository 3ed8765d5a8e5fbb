//! An always-valid test (mSPRT with a normal mixture, Waudby-Smith et al. 2023, as GrowthBook's
//! `gbstats` implements it): its p-value and interval hold however often one looks, so a
//! report read every day does not inflate false positives.

use serde::Serialize;

use super::Interval;

/// GrowthBook's default tuning: the sample size at which the test is tightest.
pub const SEQUENTIAL_TUNING: f64 = 5000.0;

/// An always-valid result for a difference.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Sequential {
    /// The always-valid p-value.
    pub p_value: f64,
    /// The always-valid (confidence-sequence) interval at 1 − alpha.
    pub interval: Interval,
}

/// The sequential test of an `estimate` with variance `variance` (of the estimate) from
/// `units` units in all, at level `alpha`, tuned for `tuning` units; `None` without variance.
pub fn msprt(estimate: f64, variance: f64, units: u64, alpha: f64, tuning: f64) -> Option<Sequential> {
    if variance <= 0.0 || units == 0 || tuning <= 0.0 {
        return None;
    }
    let n = units as f64;
    let log_alpha = alpha.ln();
    let rho2 = (-2.0 * log_alpha + (-2.0 * log_alpha + 1.0).ln()) / tuning;
    let spread = n * rho2 + 1.0;
    // The e-value is exp(ρ² s / (2 (Nρ² + 1))) / √(Nρ² + 1); the p-value its inverse, at most 1.
    let standardized = estimate * estimate * n / variance;
    let log_e_value = rho2 * standardized / (2.0 * spread) - 0.5 * spread.ln();
    let p_value = (-log_e_value).exp().min(1.0);
    let half_width = (variance * n).sqrt() * (2.0 * spread * (spread.sqrt() / alpha).ln() / (n * n * rho2)).sqrt();
    Some(Sequential {
        p_value,
        interval: Interval::around(estimate, half_width),
    })
}
