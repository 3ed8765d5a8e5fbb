//! Gradient boosting of regression trees for the log loss, as scikit-learn's
//! `HistGradientBoostingClassifier` does with its defaults (100 rounds, learning rate 0.1, 31
//! leaves, 20 rows per leaf, no penalty, up to 255 bins per input), without its early stopping,
//! which draws a random validation set: here every row is learnt from and the fit is
//! deterministic.
//!
//! Each round fits one tree to the gradient and hessian of the loss at the current predictions.
//! The tree grows leaf by leaf, always splitting the leaf whose best split reduces the loss most,
//! and finds splits from per-bin sums (histograms): a child's histogram is built from its rows
//! when it is the smaller child and is its parent's minus its sibling's otherwise. Histograms are
//! built column by column on every core; each column's sums are added in the same row order on
//! every run.

use std::ops::{AddAssign, Sub};

use super::bins::BinnedMatrix;
use crate::model::{sigmoid, BoostedTrees, TreeNode};

/// Trees fitted.
const ROUNDS: usize = 100;
/// What each tree's leaf values are scaled by.
const LEARNING_RATE: f64 = 0.1;
/// Leaves per tree at most.
const MAX_LEAVES: usize = 31;
/// Rows a leaf holds at least.
const MIN_LEAF_ROWS: u32 = 20;
/// The summed hessian a leaf holds at least (a leaf of near-certain rows learns nothing).
const MIN_LEAF_HESSIAN: f64 = 1e-3;
/// Below this many row × column visits a histogram is built on one thread.
const PARALLEL_VISITS: usize = 1 << 17;

/// A fitted ensemble and how much each column counted in it.
pub struct BoostedFit {
    /// The trees.
    pub trees: BoostedTrees,
    /// Per column, its share of the loss reduction of all splits (summing to 1, or all 0 when
    /// no split was found).
    pub gain_shares: Vec<f64>,
}

/// Fits boosted trees to `rows` (one value per column each) and `outcomes`.
pub fn fit_boosted(rows: &[Vec<f64>], outcomes: &[bool]) -> BoostedFit {
    let binned = BinnedMatrix::new(rows);
    let labels: Vec<f64> = outcomes.iter().map(|o| f64::from(u8::from(*o))).collect();
    let rate = (labels.iter().sum::<f64>() / labels.len().max(1) as f64).clamp(1e-12, 1.0 - 1e-12);
    let baseline = (rate / (1.0 - rate)).ln();
    let mut predicted = vec![baseline; labels.len()];
    let mut gradients = vec![0.0; labels.len()];
    let mut hessians = vec![0.0; labels.len()];
    let mut gains = vec![0.0; binned.edges.len()];
    let mut trees = Vec::with_capacity(ROUNDS);
    for _ in 0..ROUNDS {
        for (i, label) in labels.iter().enumerate() {
            let p = sigmoid(predicted[i]);
            gradients[i] = p - label;
            hessians[i] = p * (1.0 - p);
        }
        let mut grower = TreeGrower::new(&binned, &gradients, &hessians);
        let nodes = grower.grow(&mut gains);
        for leaf in &grower.finished {
            for row in &grower.order[leaf.start..leaf.end] {
                predicted[*row as usize] += leaf.value;
            }
        }
        trees.push(nodes);
    }
    let total: f64 = gains.iter().sum();
    let gain_shares = gains
        .iter()
        .map(|gain| if total > 0.0 { gain / total } else { 0.0 })
        .collect();
    BoostedFit {
        trees: BoostedTrees { baseline, trees },
        gain_shares,
    }
}

/// Sums of gradients, hessians and rows (of one bin, one leaf or one side of a split).
#[derive(Debug, Clone, Copy, Default)]
struct Totals {
    gradient: f64,
    hessian: f64,
    rows: u32,
}

impl AddAssign for Totals {
    fn add_assign(&mut self, other: Totals) {
        self.gradient += other.gradient;
        self.hessian += other.hessian;
        self.rows += other.rows;
    }
}

impl Sub for Totals {
    type Output = Totals;
    fn sub(self, other: Totals) -> Totals {
        Totals {
            gradient: self.gradient - other.gradient,
            hessian: self.hessian - other.hessian,
            rows: self.rows - other.rows,
        }
    }
}

impl Totals {
    /// How much fitting one value to these rows reduces the loss (up to a constant factor).
    fn score(self) -> f64 {
        self.gradient * self.gradient / self.hessian
    }

    /// Whether a leaf may hold these rows.
    fn may_be_leaf(self) -> bool {
        self.rows >= MIN_LEAF_ROWS && self.hessian >= MIN_LEAF_HESSIAN
    }
}

/// Per column, the totals of each bin.
type Histogram = Vec<Vec<Totals>>;

/// The best way to split a leaf.
struct Split {
    column: usize,
    /// Rows in bins up to this one go left.
    bin: u8,
    gain: f64,
    left: Totals,
}

/// A leaf that may still be split.
struct OpenLeaf {
    node: usize,
    start: usize,
    end: usize,
    totals: Totals,
    /// Empty when the leaf cannot be split.
    histogram: Histogram,
    split: Option<Split>,
}

/// A leaf of the finished tree: its rows (`order[start..end]`) and its value.
struct FinishedLeaf {
    start: usize,
    end: usize,
    value: f64,
}

/// Grows one tree.
struct TreeGrower<'a> {
    binned: &'a BinnedMatrix,
    gradients: &'a [f64],
    hessians: &'a [f64],
    /// Row numbers, each leaf's rows contiguous.
    order: Vec<u32>,
    finished: Vec<FinishedLeaf>,
}

impl<'a> TreeGrower<'a> {
    fn new(binned: &'a BinnedMatrix, gradients: &'a [f64], hessians: &'a [f64]) -> Self {
        // Row numbers fit u32: a design matrix of four billion profiles does not fit in memory.
        let order = (0..gradients.len() as u32).collect();
        TreeGrower {
            binned,
            gradients,
            hessians,
            order,
            finished: Vec::new(),
        }
    }

    /// Grows the tree, adding each split's gain to its column in `gains`; returns its nodes.
    fn grow(&mut self, gains: &mut [f64]) -> Vec<TreeNode> {
        let mut nodes = vec![TreeNode::Leaf { value: 0.0 }];
        let all = self.totals(&self.order);
        let histogram = if all.rows >= 2 * MIN_LEAF_ROWS {
            self.histogram(&self.order)
        } else {
            Vec::new()
        };
        let mut open = vec![self.open_leaf(0, 0, self.order.len(), all, histogram)];
        while open.len() < MAX_LEAVES {
            // The leaf whose split gains most (the earliest on a tie).
            let mut best: Option<(usize, f64)> = None;
            for (i, leaf) in open.iter().enumerate() {
                if let Some(split) = &leaf.split {
                    if best.is_none_or(|(_, gain)| split.gain > gain) {
                        best = Some((i, split.gain));
                    }
                }
            }
            let Some((best, _)) = best else { break };
            let leaf = open.remove(best);
            let Some(split) = &leaf.split else { break };
            gains[split.column] += split.gain;
            let bins = &self.binned.bins[split.column];
            let middle = leaf.start + partition(&mut self.order[leaf.start..leaf.end], bins, split.bin);
            let (left, right) = (nodes.len(), nodes.len() + 1);
            nodes[leaf.node] = TreeNode::Split {
                column: split.column,
                threshold: self.binned.edges[split.column][usize::from(split.bin)],
                left,
                right,
            };
            nodes.extend([TreeNode::Leaf { value: 0.0 }, TreeNode::Leaf { value: 0.0 }]);
            let left = (left, leaf.start, middle, split.left);
            let right = (right, middle, leaf.end, leaf.totals - split.left);
            // The smaller child's histogram from its rows, the larger's by subtraction; none
            // when even the larger is too small to split.
            let (small, large) = if left.3.rows <= right.3.rows {
                (left, right)
            } else {
                (right, left)
            };
            let (small_histogram, large_histogram) = if large.3.rows >= 2 * MIN_LEAF_ROWS {
                let small_histogram = self.histogram(&self.order[small.1..small.2]);
                let large_histogram = difference(&leaf.histogram, &small_histogram);
                (small_histogram, large_histogram)
            } else {
                (Vec::new(), Vec::new())
            };
            let mut children = [
                self.open_leaf(small.0, small.1, small.2, small.3, small_histogram),
                self.open_leaf(large.0, large.1, large.2, large.3, large_histogram),
            ];
            children.sort_by_key(|child| child.node);
            open.extend(children);
        }
        for leaf in open {
            self.finish(&mut nodes, leaf.node, leaf.start, leaf.end, leaf.totals);
        }
        nodes
    }

    /// A leaf over `order[start..end]` with its best split, if it is large enough to split and
    /// `histogram` is given.
    fn open_leaf(&self, node: usize, start: usize, end: usize, totals: Totals, histogram: Histogram) -> OpenLeaf {
        let splittable = totals.rows >= 2 * MIN_LEAF_ROWS && !histogram.is_empty();
        let split = splittable.then(|| self.best_split(&histogram, totals)).flatten();
        OpenLeaf {
            node,
            start,
            end,
            totals,
            histogram: if split.is_some() { histogram } else { Vec::new() },
            split,
        }
    }

    fn totals(&self, rows: &[u32]) -> Totals {
        let mut totals = Totals::default();
        for row in rows {
            totals += Totals {
                gradient: self.gradients[*row as usize],
                hessian: self.hessians[*row as usize],
                rows: 1,
            };
        }
        totals
    }

    /// Per column, the totals of each bin over `rows`.
    fn histogram(&self, rows: &[u32]) -> Histogram {
        let gathered: Vec<(f64, f64)> = rows
            .iter()
            .map(|row| (self.gradients[*row as usize], self.hessians[*row as usize]))
            .collect();
        let column = |c: usize| {
            let bins = &self.binned.bins[c];
            let mut histogram = vec![Totals::default(); self.binned.edges[c].len() + 1];
            for (row, (gradient, hessian)) in rows.iter().zip(&gathered) {
                let totals = &mut histogram[usize::from(bins[*row as usize])];
                totals.gradient += gradient;
                totals.hessian += hessian;
                totals.rows += 1;
            }
            histogram
        };
        let columns = self.binned.bins.len();
        let threads = std::thread::available_parallelism().map_or(1, |n| n.get()).min(columns);
        if threads <= 1 || rows.len() * columns < PARALLEL_VISITS {
            return (0..columns).map(column).collect();
        }
        let per_thread = columns.div_ceil(threads);
        std::thread::scope(|scope| {
            let handles: Vec<_> = (0..columns)
                .step_by(per_thread)
                .map(|first| {
                    let column = &column;
                    scope.spawn(move || {
                        (first..(first + per_thread).min(columns))
                            .map(column)
                            .collect::<Histogram>()
                    })
                })
                .collect();
            handles
                .into_iter()
                .flat_map(|handle| handle.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic)))
                .collect()
        })
    }

    /// The split of a leaf with `totals` that reduces the loss most, if any does.
    fn best_split(&self, histogram: &Histogram, totals: Totals) -> Option<Split> {
        let parent = totals.score();
        let mut best: Option<Split> = None;
        for (column, bins) in histogram.iter().enumerate() {
            let mut left = Totals::default();
            for (bin, bin_totals) in bins.iter().enumerate().take(bins.len() - 1) {
                left += *bin_totals;
                let right = totals - left;
                if right.rows < MIN_LEAF_ROWS {
                    break;
                }
                if !left.may_be_leaf() || !right.may_be_leaf() {
                    continue;
                }
                let gain = left.score() + right.score() - parent;
                if gain > best.as_ref().map_or(0.0, |b| b.gain) {
                    best = Some(Split {
                        column,
                        bin: u8::try_from(bin).unwrap_or(u8::MAX),
                        gain,
                        left,
                    });
                }
            }
        }
        best
    }

    /// Makes `node` a leaf with the value that minimises the loss of its rows (to second order),
    /// scaled by the learning rate.
    fn finish(&mut self, nodes: &mut [TreeNode], node: usize, start: usize, end: usize, totals: Totals) {
        let value = -LEARNING_RATE * totals.gradient / (totals.hessian + 1e-15);
        nodes[node] = TreeNode::Leaf { value };
        self.finished.push(FinishedLeaf { start, end, value });
    }
}

/// `parent − child`, bin by bin.
fn difference(parent: &Histogram, child: &Histogram) -> Histogram {
    parent
        .iter()
        .zip(child)
        .map(|(p, c)| p.iter().zip(c).map(|(p, c)| *p - *c).collect())
        .collect()
}

/// Reorders `rows` so that those whose bin is at most `bin` come first (each side keeping its
/// order); returns how many they are.
fn partition(rows: &mut [u32], bins: &[u8], bin: u8) -> usize {
    let mut right = Vec::new();
    let mut left = 0;
    for k in 0..rows.len() {
        let row = rows[k];
        if bins[row as usize] <= bin {
            rows[left] = row;
            left += 1;
        } else {
            right.push(row);
        }
    }
    rows[left..].copy_from_slice(&right);
    left
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::SeededRng;
    use crate::stats::roc_auc;

    /// Two inputs; the outcome is likely when exactly one is positive (a pattern no line fits).
    fn exclusive_or(rows: usize, seed: u64) -> (Vec<Vec<f64>>, Vec<bool>) {
        let mut rng = SeededRng(seed);
        (0..rows)
            .map(|_| {
                let (a, b) = (rng.unit() * 2.0 - 1.0, rng.unit() * 2.0 - 1.0);
                let likely = (a > 0.0) != (b > 0.0);
                (vec![a, b], rng.unit() < if likely { 0.9 } else { 0.1 })
            })
            .unzip()
    }

    #[test]
    fn learns_an_interaction_a_line_cannot() {
        let (rows, outcomes) = exclusive_or(4_000, 1);
        let fit = fit_boosted(&rows, &outcomes);
        let (test_rows, test_outcomes) = exclusive_or(2_000, 2);
        let scores: Vec<f64> = test_rows.iter().map(|row| fit.trees.probability(row)).collect();
        let auc = roc_auc(&scores, &test_outcomes).unwrap();
        // The best possible AUC here is 0.9 · 0.9 + 0.5 · 2 · 0.1 · 0.9 = 0.9.
        assert!(auc > 0.85, "AUC {auc}");
        let line = crate::eval::fit_logistic(&rows, &outcomes, 1.0);
        let line_scores: Vec<f64> = test_rows.iter().map(|row| line.probability(row)).collect();
        assert!(roc_auc(&line_scores, &test_outcomes).unwrap() < 0.6);
        assert_eq!(fit.trees.trees.len(), ROUNDS);
        assert!((fit.gain_shares.iter().sum::<f64>() - 1.0).abs() < 1e-9);
    }

    #[test]
    fn every_leaf_holds_enough_rows_and_a_tree_at_most_31_leaves() {
        let (rows, outcomes) = exclusive_or(3_000, 3);
        let fit = fit_boosted(&rows, &outcomes);
        for tree in &fit.trees.trees {
            let leaves = tree.iter().filter(|n| matches!(n, TreeNode::Leaf { .. })).count();
            assert!(leaves <= MAX_LEAVES, "{leaves}");
            assert_eq!(tree.len(), 2 * leaves - 1);
        }
        // The first tree's leaves, counted by walking the rows down it.
        let first = BoostedTrees {
            baseline: 0.0,
            trees: vec![fit.trees.trees[0].clone()],
        };
        let mut per_leaf = std::collections::BTreeMap::new();
        for row in &rows {
            *per_leaf.entry(first.probability(row).to_bits()).or_insert(0) += 1;
        }
        assert!(per_leaf.values().all(|count| *count >= MIN_LEAF_ROWS), "{per_leaf:?}");
    }

    #[test]
    fn the_same_rows_give_the_same_trees() {
        let (rows, outcomes) = exclusive_or(2_000, 4);
        assert_eq!(fit_boosted(&rows, &outcomes).trees, fit_boosted(&rows, &outcomes).trees);
    }

    #[test]
    fn one_outcome_only_or_no_rows_gives_a_constant() {
        let rows = vec![vec![1.0], vec![2.0]];
        let fit = fit_boosted(&rows, &[true, true]);
        assert!(fit.trees.probability(&[1.0]) > 0.999);
        let empty = fit_boosted(&[], &[]);
        assert!(empty.trees.probability(&[]).is_finite());
    }
}
