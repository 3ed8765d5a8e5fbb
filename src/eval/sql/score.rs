//! A score model's `score.<model>` as SQL: its saved fit (`models/<name>.json`) applied to each
//! profile of its population, as `score_profiles` applies it. Inputs are encoded as the saved
//! columns say (standardised numbers, one-hot categories, a missing value as the training
//! mean), then the logistic weights or the boosted trees give the log-odds.
//!
//! The engine rounds each input to nine significant digits before encoding; SQL does not, so
//! a score may differ from the engine's in its last digits (about 1e-9), never more.

use super::dialect::Dialect;
use crate::eval::lower::Unsupported;
use crate::model::{BoostedTrees, EncodedColumn, Fit, ScoreInput, TreeNode};

/// The log-odds of `fit` for the row in scope, reading the model's `inputs` (columns of the
/// evaluated profiles) through the saved `columns`; a malformed saved tree (one whose nodes
/// are reached twice) is [`Unsupported`].
pub fn log_odds(
    dialect: Dialect,
    fit: &Fit,
    columns: &[EncodedColumn],
    inputs: &[ScoreInput],
) -> Result<String, Unsupported> {
    let encoded: Vec<String> = columns.iter().map(|c| encoded(dialect, c, inputs)).collect();
    let number = |x: f64| float(dialect, x);
    match fit {
        // `intercept + Σ wᵢxᵢ`, summed in the order the engine sums it.
        Fit::Logistic(logistic) => {
            let mut sum = number(0.0);
            for (weight, value) in logistic.weights.iter().zip(&encoded) {
                sum = format!("({sum} + {} * {value})", number(*weight));
            }
            Ok(format!("({} + {sum})", number(logistic.intercept)))
        }
        Fit::Boosted(trees) => {
            if let Some(index) = trees.trees.iter().position(|tree| !is_tree(tree)) {
                return Err(Unsupported(format!(
                    "tree {index} of the saved model reaches a node twice: train the model again"
                )));
            }
            Ok(boosted(dialect, trees, &encoded))
        }
    }
}

/// Whether every node of `tree` is reached from its root at most once (so that its nested
/// `CASE` has one branch per node).
fn is_tree(tree: &[TreeNode]) -> bool {
    let mut seen = vec![false; tree.len()];
    let mut pending = vec![0usize];
    while let Some(at) = pending.pop() {
        let Some(node) = tree.get(at) else { continue };
        if std::mem::replace(&mut seen[at], true) {
            return false;
        }
        if let TreeNode::Split { left, right, .. } = node {
            pending.extend([*left, *right]);
        }
    }
    true
}

/// The probability for log-odds `z` (a column name), as `sigmoid` computes it. PostgreSQL
/// raises an error where `exp` underflows, so the exponent stops at -700 (a probability
/// below 1e-304 either way); a null `z` (outside the population) stays null.
pub fn sigmoid(z: &str) -> String {
    format!(
        "CASE WHEN {z} >= 0 THEN 1 / (1 + exp(greatest(-{z}, -700))) WHEN {z} < 0 THEN exp(greatest({z}, -700)) / (1 + exp(greatest({z}, -700))) END"
    )
}

fn float(dialect: Dialect, x: f64) -> String {
    dialect.cast(&format!("{x:?}"), dialect.double())
}

/// One column of the design matrix for the row in scope.
fn encoded(dialect: Dialect, column: &EncodedColumn, inputs: &[ScoreInput]) -> String {
    let input = inputs.iter().find(|i| i.name == column.input());
    let value = dialect.ident(column.input());
    match (column, input) {
        (EncodedColumn::Standardised { mean, scale, .. }, Some(input)) if !input.is_categorical() => {
            let number = match input.ty.base {
                crate::model::BaseType::Bool => format!("CASE WHEN {value} THEN 1.0 WHEN NOT {value} THEN 0.0 END"),
                _ => value,
            };
            format!(
                "coalesce(({} - {}) / {}, {})",
                dialect.cast(&number, dialect.double()),
                float(dialect, *mean),
                float(dialect, *scale),
                float(dialect, 0.0)
            )
        }
        (EncodedColumn::OneHot { category, .. }, Some(input)) if input.is_categorical() => format!(
            "CASE WHEN {value} = {} THEN {} ELSE {} END",
            dialect.string(category),
            float(dialect, 1.0),
            float(dialect, 0.0)
        ),
        // The input changed kind since the model was saved (or is gone): it reads as missing.
        _ => float(dialect, 0.0),
    }
}

/// The baseline plus each tree's leaf, the trees as nested `CASE`s.
fn boosted(dialect: Dialect, trees: &BoostedTrees, encoded: &[String]) -> String {
    let mut sum = float(dialect, 0.0);
    for tree in &trees.trees {
        sum = format!("({sum} + {})", node(dialect, tree, 0, encoded, tree.len()));
    }
    format!("({} + {sum})", float(dialect, trees.baseline))
}

/// The leaf value a row reaches from node `at`; a malformed tree (a bad index, a cycle) reads
/// 0, as the engine's walk does.
fn node(dialect: Dialect, tree: &[TreeNode], at: usize, encoded: &[String], steps_left: usize) -> String {
    match tree.get(at) {
        Some(TreeNode::Leaf { value }) => float(dialect, *value),
        Some(TreeNode::Split {
            column,
            threshold,
            left,
            right,
        }) if steps_left > 1 => {
            let zero = float(dialect, 0.0);
            let value = encoded.get(*column).unwrap_or(&zero);
            format!(
                "CASE WHEN {value} <= {} THEN {} ELSE {} END",
                float(dialect, *threshold),
                node(dialect, tree, *left, encoded, steps_left - 1),
                node(dialect, tree, *right, encoded, steps_left - 1)
            )
        }
        _ => float(dialect, 0.0),
    }
}
