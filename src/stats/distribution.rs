//! The standard normal distribution's tails and quantiles, through `statrs`.

use statrs::distribution::{ContinuousCDF, Normal};

fn standard() -> Normal {
    Normal::standard()
}

/// P(Z ≤ x) for a standard normal Z.
pub fn normal_cdf(x: f64) -> f64 {
    standard().cdf(x)
}

/// P(Z > x) for a standard normal Z (accurate far into the upper tail).
pub fn normal_sf(x: f64) -> f64 {
    standard().sf(x)
}

/// The x with P(Z ≤ x) = `p`, for `p` in (0, 1).
pub fn normal_quantile(p: f64) -> f64 {
    standard().inverse_cdf(p.clamp(f64::MIN_POSITIVE, 1.0 - f64::EPSILON))
}
