//! Gradient boosting of regression trees for the log loss, as scikit-learn's
//! `HistGradientBoostingClassifier` does with its defaults (100 rounds, learning rate 0.1, 31
//! leaves, 20 rows per leaf, no penalty, up to 255 bins per input), without its early stopping,
//! which draws a random validation set: here every row is learnt from and the fit is
//! deterministic.
//!
//! Each round fits one tree to the gradient and hessian of the loss at the current predictions.
//! The tree grows leaf by leaf, always splitting the leaf whose best split reduces the loss most,
//! and finds splits from per-bin sums (histograms): a child's histogram is built from its rows
//! when it is the smaller child and is its parent's minus its sibling's otherwise.
//!
//! A histogram is built on every core over parts of the leaf's rows whose size depends on the
//! row count alone, and the parts' sums are added in order: the same sums, and the same saved
//! model, on any number of cores. Splitting a leaf's rows is one branch-free pass.

use std::ops::{AddAssign, Sub};

use rayon::prelude::*;

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
/// A histogram's rows are cut into parts of at least this many rows…
const PART_ROWS: usize = 1 << 12;
/// …and at most this many parts.
const MAX_PARTS: usize = 64;

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
    // On a pool of its own, the fit's serial steps run on one of its threads: a caller waiting
    // beside the pool's threads would leave one core more to share.
    match rayon::ThreadPoolBuilder::new().build() {
        Ok(pool) => pool.install(|| fit(rows, outcomes)),
        Err(_) => fit(rows, outcomes),
    }
}

/// [`fit_boosted`] on the current thread pool.
fn fit(rows: &[Vec<f64>], outcomes: &[bool]) -> BoostedFit {
    let binned = BinnedMatrix::new(rows);
    let labels: Vec<f64> = outcomes.iter().map(|o| f64::from(u8::from(*o))).collect();
    let rate = (labels.iter().sum::<f64>() / labels.len().max(1) as f64).clamp(1e-12, 1.0 - 1e-12);
    let baseline = (rate / (1.0 - rate)).ln();
    let mut predicted = vec![baseline; labels.len()];
    let mut gains = vec![0.0; binned.edges.len()];
    let mut trees = Vec::with_capacity(ROUNDS);
    let (mut buffers, mut right) = (RowBuffers::default(), Vec::new());
    for _ in 0..ROUNDS {
        buffers.reset(&labels, &predicted);
        let mut grower = TreeGrower {
            binned: &binned,
            rows: buffers,
            right,
            leaves: Vec::new(),
        };
        let nodes = grower.grow(&mut gains);
        for (start, end, value) in &grower.leaves {
            for row in &grower.rows.order[*start..*end] {
                predicted[*row as usize] += value;
            }
        }
        (buffers, right) = (grower.rows, grower.right);
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

/// How many rows each part of `count` rows holds.
fn part_rows(count: usize) -> usize {
    count.div_ceil(MAX_PARTS).max(PART_ROWS)
}

/// The rows of one tree, in the order its leaves hold them (a leaf's rows are
/// `order[start..end]`), with what the tree fits: each row's gradient and hessian. Reused from
/// tree to tree.
#[derive(Default)]
struct RowBuffers {
    /// Row numbers.
    order: Vec<u32>,
    /// The gradient and hessian of the log loss for each row.
    derivatives: Vec<(f64, f64)>,
}

impl RowBuffers {
    /// Every row in order, with the loss's gradient and hessian at its predicted log-odds.
    fn reset(&mut self, labels: &[f64], predicted: &[f64]) {
        // Row numbers fit u32: a design matrix of four billion profiles does not fit in memory.
        self.order.clear();
        self.order.extend(0..labels.len() as u32);
        self.derivatives.resize(labels.len(), (0.0, 0.0));
        self.derivatives
            .par_iter_mut()
            .zip(labels.par_iter().zip(predicted.par_iter()))
            .for_each(|(derivatives, (label, predicted))| {
                let p = sigmoid(*predicted);
                *derivatives = (p - label, p * (1.0 - p));
            });
    }

    /// Reorders the rows at `start..end` so that those whose bin in `bins` is at most `bin`
    /// come first, each side keeping its order; returns where the others begin. Without a
    /// branch per row: each row is written to both sides and only its own side's count moves.
    fn partition(&mut self, start: usize, end: usize, bins: &[u8], bin: u8, right: &mut Vec<u32>) -> usize {
        let rows = &mut self.order[start..end];
        right.clear();
        right.resize(rows.len(), 0);
        let (mut left_count, mut right_count) = (0, 0);
        for k in 0..rows.len() {
            // Never ahead of `k`: a row is read before its slot can be written.
            let row = rows[k];
            let goes_left = usize::from(bins[row as usize] <= bin);
            rows[left_count] = row;
            right[right_count] = row;
            left_count += goes_left;
            right_count += 1 - goes_left;
        }
        rows[left_count..].copy_from_slice(&right[..right_count]);
        start + left_count
    }

    /// The totals of every row.
    fn totals(&self) -> Totals {
        let mut totals = Totals::default();
        for (gradient, hessian) in &self.derivatives {
            totals += Totals {
                gradient: *gradient,
                hessian: *hessian,
                rows: 1,
            };
        }
        totals
    }

    /// Per column of `binned`, the totals of each bin over the rows at `start..end`: summed
    /// over parts of them on every core, the parts' sums added in order.
    fn histogram(&self, binned: &BinnedMatrix, start: usize, end: usize) -> Histogram {
        let size = part_rows(end - start);
        let sums: Vec<Histogram> = self.order[start..end]
            .par_chunks(size)
            .map(|rows| part_histogram(binned, rows, &self.derivatives))
            .collect();
        let mut sums = sums.into_iter();
        let mut total = sums.next().unwrap_or_else(|| part_histogram(binned, &[], &[]));
        for part in sums {
            for (total, part) in total.iter_mut().zip(part) {
                for (total, part) in total.iter_mut().zip(part) {
                    *total += part;
                }
            }
        }
        total
    }
}

/// Per column of `binned`, the totals of each bin over `rows` (whose gradients and hessians
/// are in `derivatives`), on one core: the rows' derivatives gathered once, then column by
/// column (a column's bins, a byte per row, stay in the core's cache).
fn part_histogram(binned: &BinnedMatrix, rows: &[u32], derivatives: &[(f64, f64)]) -> Histogram {
    let gathered: Vec<(f64, f64)> = rows.iter().map(|row| derivatives[*row as usize]).collect();
    binned
        .bins
        .iter()
        .zip(&binned.edges)
        .map(|(bins, edges)| {
            let mut slots = [Totals::default(); 1 << u8::BITS];
            for (row, (gradient, hessian)) in rows.iter().zip(&gathered) {
                let totals = &mut slots[usize::from(bins[*row as usize])];
                totals.gradient += gradient;
                totals.hessian += hessian;
                totals.rows += 1;
            }
            slots[..=edges.len()].to_vec()
        })
        .collect()
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

/// Grows one tree.
struct TreeGrower<'a> {
    binned: &'a BinnedMatrix,
    rows: RowBuffers,
    /// Room for the rows that go right while a leaf is split.
    right: Vec<u32>,
    /// The finished tree's leaves: where their rows are in `rows.order`, and their value.
    leaves: Vec<(usize, usize, f64)>,
}

impl TreeGrower<'_> {
    /// Grows the tree, adding each split's gain to its column in `gains`; returns its nodes.
    fn grow(&mut self, gains: &mut [f64]) -> Vec<TreeNode> {
        let mut nodes = vec![TreeNode::Leaf { value: 0.0 }];
        let count = self.rows.order.len();
        let all = self.rows.totals();
        let histogram = if all.rows >= 2 * MIN_LEAF_ROWS {
            self.rows.histogram(self.binned, 0, count)
        } else {
            Vec::new()
        };
        let mut open = vec![self.open_leaf(0, 0, count, all, histogram)];
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
            let middle = self
                .rows
                .partition(leaf.start, leaf.end, bins, split.bin, &mut self.right);
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
                let small_histogram = self.rows.histogram(self.binned, small.1, small.2);
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
            // The value that minimises the loss of its rows (to second order), scaled by the
            // learning rate.
            let value = -LEARNING_RATE * leaf.totals.gradient / (leaf.totals.hessian + 1e-15);
            nodes[leaf.node] = TreeNode::Leaf { value };
            self.leaves.push((leaf.start, leaf.end, value));
        }
        nodes
    }

    /// A leaf over the rows at `start..end` with its best split, if it is large enough to split
    /// and `histogram` is given.
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
}

/// `parent − child`, bin by bin.
fn difference(parent: &Histogram, child: &Histogram) -> Histogram {
    parent
        .iter()
        .zip(child)
        .map(|(p, c)| p.iter().zip(c).map(|(p, c)| *p - *c).collect())
        .collect()
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
    fn the_number_of_cores_does_not_change_the_trees() {
        // Enough rows for histograms of several parts.
        let (rows, outcomes) = exclusive_or(20_000, 5);
        let on = |threads: usize| {
            let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
            pool.install(|| fit(&rows, &outcomes)).trees
        };
        assert_eq!(on(1), on(3));
    }

    #[test]
    fn a_split_keeps_each_sides_order() {
        let mut buffers = RowBuffers {
            order: vec![5, 0, 3, 1, 4, 2],
            derivatives: Vec::new(),
        };
        let bins = [0, 9, 1, 7, 2, 8];
        let mut right = Vec::new();
        let middle = buffers.partition(1, 6, &bins, 2, &mut right);
        assert_eq!((middle, buffers.order), (4, vec![5, 0, 4, 2, 3, 1]));
    }

    #[test]
    fn constant_inputs_give_the_positive_rate_and_no_split() {
        let rows: Vec<Vec<f64>> = (0..200).map(|_| vec![1.0, 0.0]).collect();
        let outcomes: Vec<bool> = (0..200).map(|i| i % 4 == 0).collect();
        let fit = fit_boosted(&rows, &outcomes);
        assert!(
            fit.trees.trees.iter().all(|tree| tree.len() == 1),
            "a constant cannot be split"
        );
        assert!((fit.trees.probability(&[1.0, 0.0]) - 0.25).abs() < 1e-9);
        assert_eq!(fit.gain_shares, vec![0.0, 0.0]);
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
