//! Logistic regression with an L2 penalty, fitted by Newton's method.
//!
//! The objective is scikit-learn's `LogisticRegression(C=1)`: the summed log loss plus half the
//! squared weights (the intercept is not penalised). For the few dozen inputs of a score model
//! Newton's method reaches that optimum exactly in a handful of steps, deterministically; a
//! general optimiser (linfa-logistic's L-BFGS through argmin) would bring a numerical stack for
//! the same answer.

use crate::model::{sigmoid, Logistic};

/// Newton steps at most; a step smaller than [`TOLERANCE`] in every coordinate ends it sooner.
const MAX_STEPS: usize = 100;
/// The largest coordinate change that counts as converged.
const TOLERANCE: f64 = 1e-10;

/// Fits `rows` (one value per input column each) to `outcomes` with penalty strength
/// `penalty` on the weights (1 is scikit-learn's default `C = 1`).
pub fn fit_logistic(rows: &[Vec<f64>], outcomes: &[bool], penalty: f64) -> Logistic {
    // Each row with a leading 1 for the intercept (parameter 0, not penalised).
    let augmented: Vec<Vec<f64>> = rows
        .iter()
        .map(|row| std::iter::once(1.0).chain(row.iter().copied()).collect())
        .collect();
    let size = rows.first().map_or(0, Vec::len) + 1;
    let mut beta = vec![0.0; size];
    for _ in 0..MAX_STEPS {
        let mut gradient: Vec<f64> = beta.iter().map(|b| penalty * b).collect();
        gradient[0] = 0.0;
        let mut hessian: Vec<Vec<f64>> = (0..size)
            .map(|i| {
                let mut line = vec![0.0; size];
                line[i] = if i == 0 { 0.0 } else { penalty };
                line
            })
            .collect();
        for (x, outcome) in augmented.iter().zip(outcomes) {
            let p = sigmoid(dot(&beta, x));
            let residual = p - f64::from(u8::from(*outcome));
            let curvature = (p * (1.0 - p)).max(1e-12);
            for ((g, line), xi) in gradient.iter_mut().zip(&mut hessian).zip(x) {
                *g += residual * xi;
                for (h, xj) in line.iter_mut().zip(x) {
                    *h += curvature * xi * xj;
                }
            }
        }
        let Some(step) = solve(hessian, gradient) else {
            break;
        };
        let largest = step.iter().fold(0.0f64, |m, s| m.max(s.abs()));
        for (b, s) in beta.iter_mut().zip(&step) {
            *b -= s;
        }
        if largest < TOLERANCE {
            break;
        }
    }
    Logistic {
        intercept: beta[0],
        weights: beta[1..].to_vec(),
    }
}

fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

/// Solves `a x = b` for a symmetric positive definite `a` (Cholesky); `None` if it is not.
fn solve(mut a: Vec<Vec<f64>>, mut b: Vec<f64>) -> Option<Vec<f64>> {
    let n = b.len();
    for j in 0..n {
        let diagonal = a[j][j] - (0..j).map(|k| a[j][k] * a[j][k]).sum::<f64>();
        if diagonal <= 0.0 || !diagonal.is_finite() {
            return None;
        }
        a[j][j] = diagonal.sqrt();
        for i in j + 1..n {
            let value = (a[i][j] - (0..j).map(|k| a[i][k] * a[j][k]).sum::<f64>()) / a[j][j];
            a[i][j] = value;
        }
    }
    // L y = b, then Lᵀ x = y.
    for i in 0..n {
        b[i] = (b[i] - (0..i).map(|k| a[i][k] * b[k]).sum::<f64>()) / a[i][i];
    }
    for i in (0..n).rev() {
        b[i] = (b[i] - (i + 1..n).map(|k| a[k][i] * b[k]).sum::<f64>()) / a[i][i];
    }
    Some(b)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_scikit_learn_on_a_small_problem() {
        // The optimum of scikit-learn's objective (`LogisticRegression(C=1)`) is where the
        // gradient of the summed log loss plus half the squared weight vanishes: checked below.
        let rows: Vec<Vec<f64>> = [-2.0, -1.0, -0.5, 0.0, 0.5, 1.0, 1.5, 2.0]
            .iter()
            .map(|x| vec![*x])
            .collect();
        let outcomes = [false, false, true, false, true, false, true, true];
        let fit = fit_logistic(&rows, &outcomes, 1.0);
        let residuals: Vec<f64> = rows
            .iter()
            .zip(&outcomes)
            .map(|(row, y)| fit.probability(row) - f64::from(u8::from(*y)))
            .collect();
        let intercept_gradient: f64 = residuals.iter().sum();
        let weight_gradient: f64 = residuals.iter().zip(&rows).map(|(r, row)| r * row[0]).sum::<f64>() + fit.weights[0];
        assert!(
            intercept_gradient.abs() < 1e-9 && weight_gradient.abs() < 1e-9,
            "{fit:?}"
        );
        assert!(fit.weights[0] > 0.5 && fit.weights[0] < 2.0, "{fit:?}");
    }

    #[test]
    fn separable_data_stays_finite_under_the_penalty() {
        let rows: Vec<Vec<f64>> = (0..10).map(|i| vec![f64::from(i)]).collect();
        let outcomes: Vec<bool> = (0..10).map(|i| i >= 5).collect();
        let fit = fit_logistic(&rows, &outcomes, 1.0);
        assert!(fit.intercept.is_finite() && fit.weights[0].is_finite());
        assert!(fit.probability(&[9.0]) > 0.9 && fit.probability(&[0.0]) < 0.1);
    }
}
