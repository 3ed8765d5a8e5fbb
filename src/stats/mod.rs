//! Stage 2, stats: the A/B statistics `tailor report` signs and the power `plan` and `check`
//! quote, and the measures of a score model's predictions `tailor train` reports — pure functions of counts and moments, no I/O. Each method is the textbook one that
//! `statsmodels`, `scipy` and GrowthBook's `gbstats` implement, and a test run by CI holds them
//! to those references within 1e-6 (`tests/cli/statistics.rs`).
//!
//! Distributions (normal, Student's t, chi-square) and the beta function come from `statrs`.

mod bayes;
mod chi_square;
mod classification;
mod distribution;
mod holm;
mod interval;
mod power;
mod proportion;
mod sequential;
mod welch;

pub use bayes::{beta_probability_greater, BetaComparison};
pub use chi_square::{chi_square_contingency, chi_square_fit, ChiSquare};
pub use classification::{calibration, log_loss, roc_auc};
pub use distribution::{normal_cdf, normal_quantile, normal_sf};
pub use holm::holm;
pub use interval::Interval;
pub use power::{detectable_effect_size, detectable_lift, power, proportion_effect_size, sample_size_per_arm};
pub use proportion::{two_proportion_z_test, Proportion, ZTest};
pub use sequential::{msprt, Sequential, SEQUENTIAL_TUNING};
pub use welch::{welch_t_test, Moments, Welch};
