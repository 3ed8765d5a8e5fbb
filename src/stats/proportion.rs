//! A proportion (successes out of trials): its Wilson score interval, and the two-proportion
//! z-test with the difference's interval — `statsmodels`' `proportion_confint(method="wilson")`
//! and `proportions_ztest` (pooled variance), and the unpooled Wald interval of the difference.

use serde::Serialize;

use super::{normal_quantile, normal_sf, Interval, Moments};

/// Successes out of trials.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Proportion {
    /// How many succeeded.
    pub successes: u64,
    /// Out of how many.
    pub trials: u64,
}

impl Proportion {
    /// The observed rate (0 without trials).
    pub fn rate(&self) -> f64 {
        if self.trials == 0 {
            0.0
        } else {
            self.successes as f64 / self.trials as f64
        }
    }

    /// The rate's variance per trial, p(1 − p).
    pub fn variance(&self) -> f64 {
        let p = self.rate();
        p * (1.0 - p)
    }

    /// The proportion as a sample of 0s and 1s: its size, rate and variance p(1 − p) (as
    /// `gbstats` takes a proportion's moments).
    pub fn moments(&self) -> Moments {
        Moments {
            n: self.trials,
            mean: self.rate(),
            variance: self.variance(),
        }
    }

    /// The Wilson score interval at confidence 1 − `alpha` ([0, 1] without trials).
    pub fn wilson(&self, alpha: f64) -> Interval {
        if self.trials == 0 {
            return Interval { low: 0.0, high: 1.0 };
        }
        let z = normal_quantile(1.0 - alpha / 2.0);
        let n = self.trials as f64;
        let p = self.rate();
        let z2 = z * z;
        let denominator = 1.0 + z2 / n;
        let center = (p + z2 / (2.0 * n)) / denominator;
        let half = z * (p * (1.0 - p) / n + z2 / (4.0 * n * n)).sqrt() / denominator;
        Interval::around(center, half)
    }
}

/// A two-proportion comparison, treatment against control.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct ZTest {
    /// The treatment's rate minus the control's.
    pub difference: f64,
    /// The z statistic, with the pooled standard error.
    pub z: f64,
    /// Its two-sided p-value.
    pub p_value: f64,
    /// The difference's interval at 1 − alpha (unpooled standard error).
    pub interval: Interval,
}

/// Compares `treatment` with `control`; `None` when either has no trials or the pooled rate is
/// 0 or 1 (no variation to test).
pub fn two_proportion_z_test(control: Proportion, treatment: Proportion, alpha: f64) -> Option<ZTest> {
    if control.trials == 0 || treatment.trials == 0 {
        return None;
    }
    let (n1, n2) = (treatment.trials as f64, control.trials as f64);
    let pooled = (treatment.successes + control.successes) as f64 / (n1 + n2);
    let pooled_se = (pooled * (1.0 - pooled) * (1.0 / n1 + 1.0 / n2)).sqrt();
    if pooled_se == 0.0 {
        return None;
    }
    let difference = treatment.rate() - control.rate();
    let z = difference / pooled_se;
    let unpooled_se = (treatment.variance() / n1 + control.variance() / n2).sqrt();
    Some(ZTest {
        difference,
        z,
        p_value: 2.0 * normal_sf(z.abs()),
        interval: Interval::around(difference, normal_quantile(1.0 - alpha / 2.0) * unpooled_se),
    })
}
