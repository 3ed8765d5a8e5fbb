//! Finding the points within `eps` of a point, for DBSCAN: a grid of cells `eps` wide in up to
//! [`GRID_DIMENSIONS`] dimensions (a point's neighbours lie in its cell and the 3^d around it),
//! else the points sorted on their first input (neighbours lie within `eps` of it there), which
//! is quadratic inside a dense clump.

use std::collections::HashMap;

/// Up to this many inputs, the grid (3^d cells per query); beyond, the sorted first input.
const GRID_DIMENSIONS: usize = 4;

/// The points, indexed for radius queries.
pub struct NeighbourIndex<'p> {
    points: &'p [Vec<f64>],
    eps: f64,
    lookup: Lookup,
}

enum Lookup {
    /// The points of each cell, by cell coordinates.
    Grid(HashMap<Vec<i64>, Vec<usize>>),
    /// Point numbers sorted on the first input, and those first inputs.
    Sorted { order: Vec<usize>, first: Vec<f64> },
}

impl<'p> NeighbourIndex<'p> {
    /// Indexes `points` for queries of radius `eps`.
    pub fn new(points: &'p [Vec<f64>], eps: f64) -> NeighbourIndex<'p> {
        let dimensions = points.first().map_or(0, Vec::len);
        let lookup = if (1..=GRID_DIMENSIONS).contains(&dimensions) && eps > 0.0 {
            grid(points, eps)
        } else {
            sorted(points)
        };
        NeighbourIndex { points, eps, lookup }
    }

    /// The points within `eps` of point `i` (itself included), in ascending order.
    pub fn around(&self, i: usize) -> Vec<usize> {
        let point = &self.points[i];
        let near = |j: &usize| distance2(point, &self.points[*j]) <= self.eps * self.eps;
        let mut found: Vec<usize> = match &self.lookup {
            Lookup::Grid(cells) => {
                let home = cell(point, self.eps);
                let mut found = Vec::new();
                for offsets in neighbouring_offsets(home.len()) {
                    let key: Vec<i64> = home.iter().zip(&offsets).map(|(c, o)| c.saturating_add(*o)).collect();
                    if let Some(members) = cells.get(&key) {
                        found.extend(members.iter().copied().filter(near));
                    }
                }
                found
            }
            Lookup::Sorted { order, first } => {
                let x = point.first().copied().unwrap_or(0.0);
                let start = first.partition_point(|&v| v < x - self.eps);
                let end = first.partition_point(|&v| v <= x + self.eps);
                order[start..end].iter().copied().filter(near).collect()
            }
        };
        found.sort_unstable();
        found
    }
}

/// The points of each cell of a grid `eps` wide.
fn grid(points: &[Vec<f64>], eps: f64) -> Lookup {
    let mut cells: HashMap<Vec<i64>, Vec<usize>> = HashMap::new();
    for (i, point) in points.iter().enumerate() {
        cells.entry(cell(point, eps)).or_default().push(i);
    }
    Lookup::Grid(cells)
}

/// The points sorted on their first input.
fn sorted(points: &[Vec<f64>]) -> Lookup {
    let first = |i: usize| points[i].first().copied().unwrap_or(0.0);
    let mut order: Vec<usize> = (0..points.len()).collect();
    order.sort_by(|&a, &b| first(a).total_cmp(&first(b)).then(a.cmp(&b)));
    let first = order.iter().map(|&i| first(i)).collect();
    Lookup::Sorted { order, first }
}

/// The cell of `point` in a grid `eps` wide.
fn cell(point: &[f64], eps: f64) -> Vec<i64> {
    // `as` saturates: a far-out value lands in the outermost cell, still checked by distance.
    point.iter().map(|v| (v / eps).floor() as i64).collect()
}

/// Every offset in {-1, 0, 1}^d.
fn neighbouring_offsets(dimensions: usize) -> Vec<Vec<i64>> {
    let mut offsets = vec![Vec::new()];
    for _ in 0..dimensions {
        offsets = offsets
            .into_iter()
            .flat_map(|prefix| {
                [-1, 0, 1].map(|step| {
                    let mut next = prefix.clone();
                    next.push(step);
                    next
                })
            })
            .collect();
    }
    offsets
}

/// The squared Euclidean distance between two points.
pub fn distance2(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| (x - y).powi(2)).sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_grid_and_the_sorted_scan_find_the_same_neighbours() {
        let mut rng = crate::data::SeededRng(5);
        let points: Vec<Vec<f64>> = (0..400).map(|_| (0..3).map(|_| 4.0 * rng.unit()).collect()).collect();
        let grid = NeighbourIndex::new(&points, 0.5);
        let scan = NeighbourIndex {
            points: &points,
            eps: 0.5,
            lookup: sorted(&points),
        };
        assert!(matches!(grid.lookup, Lookup::Grid(_)));
        for i in 0..points.len() {
            let found = grid.around(i);
            assert_eq!(found, scan.around(i), "point {i}");
            assert!(found.contains(&i));
        }
    }
}
