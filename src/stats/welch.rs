//! Welch's unequal-variance t-test from each arm's moments, for revenue per recipient (`scipy`'s
//! `ttest_ind(equal_var=False)`), with the relative lift's delta-method interval as GrowthBook's
//! `gbstats` computes it.

use serde::Serialize;
use statrs::distribution::{ContinuousCDF, StudentsT};

use super::Interval;

/// An arm's sample: size, mean and variance.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Moments {
    /// How many units.
    pub n: u64,
    /// Their mean.
    pub mean: f64,
    /// Their variance (the sample variance for a metric; p(1 − p) for a proportion, as
    /// `gbstats` takes it).
    pub variance: f64,
}

impl Moments {
    /// The moments of `values`, with the sample variance (n − 1).
    pub fn of(values: &[f64]) -> Moments {
        let n = values.len();
        let mean = if n == 0 {
            0.0
        } else {
            values.iter().sum::<f64>() / n as f64
        };
        let variance = if n < 2 {
            0.0
        } else {
            values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1) as f64
        };
        Moments {
            n: n as u64,
            mean,
            variance,
        }
    }
}

/// Welch's test of treatment against control.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Welch {
    /// Treatment mean minus control mean.
    pub difference: f64,
    /// Its interval at 1 − alpha.
    pub interval: Interval,
    /// The t statistic.
    pub t: f64,
    /// Welch–Satterthwaite degrees of freedom.
    pub freedom: f64,
    /// Two-sided p-value.
    pub p_value: f64,
    /// The relative lift, (treatment − control) / control.
    pub relative: f64,
    /// Its delta-method interval at 1 − alpha.
    pub relative_interval: Interval,
    /// The relative lift's two-sided p-value.
    pub relative_p_value: f64,
}

/// Compares `treatment` with `control`; `None` when an arm has fewer than two units, both
/// variances are zero, or the control's mean is zero (no relative lift).
pub fn welch_t_test(control: Moments, treatment: Moments, alpha: f64) -> Option<Welch> {
    if control.n < 2 || treatment.n < 2 || control.mean == 0.0 {
        return None;
    }
    let (na, nb) = (control.n as f64, treatment.n as f64);
    let (va, vb) = (control.variance / na, treatment.variance / nb);
    if va + vb <= 0.0 {
        return None;
    }
    let freedom = (va + vb).powi(2) / (va * va / (na - 1.0) + vb * vb / (nb - 1.0));
    let t_distribution = StudentsT::new(0.0, 1.0, freedom).ok()?;
    let critical = t_distribution.inverse_cdf(1.0 - alpha / 2.0);
    let two_sided = |t: f64| 2.0 * t_distribution.sf(t.abs());

    let difference = treatment.mean - control.mean;
    let se = (va + vb).sqrt();
    let t = difference / se;

    let (ma, mb) = (control.mean, treatment.mean);
    let relative = difference / ma;
    let relative_variance = treatment.variance / (ma * ma * nb) + control.variance * mb * mb / (ma.powi(4) * na);
    let relative_se = relative_variance.sqrt();
    Some(Welch {
        difference,
        interval: Interval::around(difference, critical * se),
        t,
        freedom,
        p_value: two_sided(t),
        relative,
        relative_interval: Interval::around(relative, critical * relative_se),
        relative_p_value: two_sided(relative / relative_se),
    })
}
