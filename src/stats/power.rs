//! Power before sending: the smallest effect an A/B split can detect, and the sample an observed
//! effect needs — the normal approximation of `statsmodels`' `NormalIndPower` (two-sided, both
//! tails counted), with Cohen's h for proportions (`proportion_effectsize`).

use super::{normal_cdf, normal_quantile, normal_sf};

/// The power of a two-sided test of standardized effect `effect` with `n1` and `n2` units at
/// level `alpha`.
pub fn power(effect: f64, n1: f64, n2: f64, alpha: f64) -> f64 {
    let effective = 1.0 / (1.0 / n1 + 1.0 / n2);
    let critical = normal_quantile(1.0 - alpha / 2.0);
    let shift = effect * effective.sqrt();
    normal_sf(critical - shift) + normal_cdf(-critical - shift)
}

/// Bisects a rising function of `x` on [`low`, `high`] for where it reaches `target`.
fn solve_rising(mut low: f64, mut high: f64, target: f64, f: impl Fn(f64) -> f64) -> f64 {
    for _ in 0..200 {
        let middle = 0.5 * (low + high);
        if f(middle) < target {
            low = middle;
        } else {
            high = middle;
        }
    }
    0.5 * (low + high)
}

/// The smallest standardized effect detected with probability `power` by arms of `n1` and `n2`
/// units at level `alpha`; `None` with an empty arm.
pub fn detectable_effect_size(n1: u64, n2: u64, alpha: f64, power_wanted: f64) -> Option<f64> {
    if n1 == 0 || n2 == 0 {
        return None;
    }
    let (n1, n2) = (n1 as f64, n2 as f64);
    Some(solve_rising(0.0, 100.0, power_wanted, |d| power(d, n1, n2, alpha)))
}

/// Cohen's h between two proportions: 2·asin(√p1) − 2·asin(√p2).
pub fn proportion_effect_size(p1: f64, p2: f64) -> f64 {
    2.0 * p1.clamp(0.0, 1.0).sqrt().asin() - 2.0 * p2.clamp(0.0, 1.0).sqrt().asin()
}

/// The smallest absolute rise from `baseline` that arms of `n1` and `n2` detect with probability
/// `power` at level `alpha`; `None` when no rise within [0, 1] is detectable.
pub fn detectable_lift(baseline: f64, n1: u64, n2: u64, alpha: f64, power_wanted: f64) -> Option<f64> {
    let h = detectable_effect_size(n1, n2, alpha, power_wanted)?;
    let angle = baseline.clamp(0.0, 1.0).sqrt().asin() + h / 2.0;
    if angle > std::f64::consts::FRAC_PI_2 {
        return None;
    }
    Some(angle.sin().powi(2) - baseline)
}

/// Units per arm (equal arms) for a test of `control` against `treatment` rates to reach
/// `power` at level `alpha`; `None` when the rates are equal.
pub fn sample_size_per_arm(control: f64, treatment: f64, alpha: f64, power_wanted: f64) -> Option<u64> {
    let h = proportion_effect_size(treatment, control).abs();
    if h < 1e-12 {
        return None;
    }
    let n = solve_rising(1.0, 1e12, power_wanted, |n| power(h, n, n, alpha));
    Some(n.ceil() as u64)
}
