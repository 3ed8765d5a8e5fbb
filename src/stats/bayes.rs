//! Bayesian comparison of two conversion rates with Beta(1, 1) priors, in closed form: the
//! probability that the treatment's rate beats the control's (Evan Miller's sum) and the expected
//! loss of choosing each (Chris Stucchio's identity), exact rather than sampled, so reports are
//! deterministic.

use serde::Serialize;
use statrs::function::beta::ln_beta;

use super::Proportion;

/// The posterior comparison of treatment against control.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct BetaComparison {
    /// P(treatment's rate > control's rate).
    pub probability_to_beat: f64,
    /// E[max(control − treatment, 0)]: what choosing the treatment costs if it is worse.
    pub expected_loss_treatment: f64,
    /// E[max(treatment − control, 0)]: what keeping the control costs if it is worse.
    pub expected_loss_control: f64,
}

/// P(X > Y) for X ~ Beta(a, b), Y ~ Beta(c, d), with integer `a` and `c` (sums over the smaller).
pub fn beta_probability_greater(a: f64, b: f64, c: f64, d: f64) -> f64 {
    if c < a {
        return 1.0 - beta_probability_greater(c, d, a, b);
    }
    let base = ln_beta(c, d);
    let mut total = 0.0;
    let mut i = 0.0;
    while i < a {
        total += (ln_beta(c + i, b + d) - (b + i).ln() - ln_beta(1.0 + i, b) - base).exp();
        i += 1.0;
    }
    total.clamp(0.0, 1.0)
}

/// E[max(X − Y, 0)] for X ~ Beta(a, b), Y ~ Beta(c, d).
fn expected_excess(a: f64, b: f64, c: f64, d: f64) -> f64 {
    let value = a / (a + b) * beta_probability_greater(a + 1.0, b, c, d)
        - c / (c + d) * beta_probability_greater(a, b, c + 1.0, d);
    value.max(0.0)
}

impl BetaComparison {
    /// Compares the posteriors Beta(1 + successes, 1 + failures) of both arms.
    pub fn of(control: Proportion, treatment: Proportion) -> BetaComparison {
        let posterior = |p: Proportion| (1.0 + p.successes as f64, 1.0 + (p.trials - p.successes) as f64);
        let (a, b) = posterior(treatment);
        let (c, d) = posterior(control);
        BetaComparison {
            probability_to_beat: beta_probability_greater(a, b, c, d),
            expected_loss_treatment: expected_excess(c, d, a, b),
            expected_loss_control: expected_excess(a, b, c, d),
        }
    }
}
