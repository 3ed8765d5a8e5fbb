//! A fitted gradient-boosted ensemble of regression trees (`algorithm: gradient_boosting`): the
//! log-odds of a row is the baseline plus the value of the leaf it reaches in every tree.

use serde::{Deserialize, Serialize};

use super::sigmoid;

/// A saved ensemble of trees.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BoostedTrees {
    /// The log-odds before any tree: that of the training population's positive rate.
    pub baseline: f64,
    /// The trees in the order they were fitted; each tree's nodes, its root first.
    pub trees: Vec<Vec<TreeNode>>,
}

/// One node of a tree.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum TreeNode {
    /// A row goes to `left` when its value in `column` is at most `threshold`, else to `right`.
    Split {
        /// The design matrix's column.
        column: usize,
        /// The largest value that goes left.
        threshold: f64,
        /// The node a row at most the threshold goes to.
        left: usize,
        /// The node the other rows go to.
        right: usize,
    },
    /// What the tree adds to the log-odds of a row that reaches it.
    Leaf {
        /// The amount (already scaled by the learning rate).
        value: f64,
    },
}

impl BoostedTrees {
    /// The probability of a positive outcome for one encoded row.
    pub fn probability(&self, row: &[f64]) -> f64 {
        sigmoid(self.baseline + self.trees.iter().map(|tree| leaf_value(tree, row)).sum::<f64>())
    }
}

/// The value of the leaf `row` reaches in `tree` (0 for a malformed tree, which a hand-edited
/// file could hold: a bad index never panics and never loops).
fn leaf_value(tree: &[TreeNode], row: &[f64]) -> f64 {
    let mut at = 0;
    for _ in 0..tree.len() {
        match tree.get(at) {
            Some(TreeNode::Leaf { value }) => return *value,
            Some(TreeNode::Split {
                column,
                threshold,
                left,
                right,
            }) => {
                at = if row.get(*column).copied().unwrap_or(0.0) <= *threshold {
                    *left
                } else {
                    *right
                }
            }
            None => return 0.0,
        }
    }
    0.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_row_adds_the_leaf_it_reaches_in_each_tree() {
        let stump = |threshold: f64, low: f64, high: f64| {
            vec![
                TreeNode::Split {
                    column: 0,
                    threshold,
                    left: 1,
                    right: 2,
                },
                TreeNode::Leaf { value: low },
                TreeNode::Leaf { value: high },
            ]
        };
        let model = BoostedTrees {
            baseline: 0.5,
            trees: vec![stump(0.0, -1.0, 1.0), stump(2.0, 0.25, -0.25)],
        };
        assert!((model.probability(&[-1.0]) - sigmoid(0.5 - 1.0 + 0.25)).abs() < 1e-15);
        assert!((model.probability(&[0.0]) - sigmoid(-0.25)).abs() < 1e-15);
        assert!((model.probability(&[3.0]) - sigmoid(0.5 + 1.0 - 0.25)).abs() < 1e-15);
    }

    #[test]
    fn a_malformed_tree_adds_nothing_instead_of_failing() {
        let looping = vec![TreeNode::Split {
            column: 7,
            threshold: 0.0,
            left: 0,
            right: 0,
        }];
        let dangling = vec![TreeNode::Split {
            column: 0,
            threshold: 0.0,
            left: 5,
            right: 5,
        }];
        let model = BoostedTrees {
            baseline: 0.0,
            trees: vec![looping, dangling],
        };
        assert_eq!(model.probability(&[1.0]), 0.5);
    }

    #[test]
    fn nodes_read_back_as_written() {
        let nodes = vec![
            TreeNode::Split {
                column: 1,
                threshold: -0.123_456_789_012_345_67,
                left: 1,
                right: 2,
            },
            TreeNode::Leaf { value: 0.1 },
            TreeNode::Leaf { value: -0.2 },
        ];
        let text = serde_json::to_string(&nodes).unwrap();
        assert_eq!(serde_json::from_str::<Vec<TreeNode>>(&text).unwrap(), nodes);
    }
}
