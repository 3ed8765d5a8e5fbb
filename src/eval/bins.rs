//! The design matrix cut into ordered bins, as histogram-based gradient boosting reads it: each
//! column gets at most 255 bins, with edges midway between neighbouring distinct values when it
//! has few enough, else at its quantiles (all rows are used, so binning is deterministic).

/// Bins per column at most (a bin index fits a byte).
pub const MAX_BINS: usize = 255;

/// Every column of a matrix, binned.
pub struct BinnedMatrix {
    /// Per column, the bin of each row.
    pub bins: Vec<Vec<u8>>,
    /// Per column, the upper edge of each bin but the last: a value is in a bin at most `b`
    /// exactly when it is at most `edges[b]`.
    pub edges: Vec<Vec<f64>>,
}

impl BinnedMatrix {
    /// Bins the columns of `rows` (one value per column each).
    pub fn new(rows: &[Vec<f64>]) -> BinnedMatrix {
        let columns = rows.first().map_or(0, Vec::len);
        let (bins, edges) = (0..columns)
            .map(|c| {
                let values: Vec<f64> = rows.iter().map(|row| row[c]).collect();
                let edges = edges(values.clone());
                let bins = values.iter().map(|v| bin_of(&edges, *v)).collect();
                (bins, edges)
            })
            .unzip();
        BinnedMatrix { bins, edges }
    }
}

/// The bin of `value`: how many edges lie below it.
fn bin_of(edges: &[f64], value: f64) -> u8 {
    // At most MAX_BINS - 1 edges, so the index fits.
    u8::try_from(edges.partition_point(|edge| *edge < value)).unwrap_or(u8::MAX)
}

/// The bin edges of one column's values.
fn edges(mut values: Vec<f64>) -> Vec<f64> {
    values.sort_by(f64::total_cmp);
    let mut distinct = values.clone();
    distinct.dedup();
    if distinct.len() <= MAX_BINS {
        return distinct.windows(2).map(|pair| midpoint(pair[0], pair[1])).collect();
    }
    // The 1/255 … 254/255 quantiles, each midway between the two order statistics around it.
    let last = (values.len() - 1) as f64;
    let mut edges: Vec<f64> = (1..MAX_BINS)
        .map(|i| {
            let at = last * i as f64 / MAX_BINS as f64;
            midpoint(values[at.floor() as usize], values[at.ceil() as usize])
        })
        .collect();
    edges.dedup();
    edges
}

fn midpoint(a: f64, b: f64) -> f64 {
    a + (b - a) / 2.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn few_distinct_values_get_a_bin_each_split_midway() {
        let rows: Vec<Vec<f64>> = [3.0, 1.0, 2.0, 1.0, 3.0].iter().map(|v| vec![*v]).collect();
        let binned = BinnedMatrix::new(&rows);
        assert_eq!(binned.edges[0], vec![1.5, 2.5]);
        assert_eq!(binned.bins[0], vec![2, 0, 1, 0, 2]);
    }

    #[test]
    fn many_distinct_values_get_quantile_bins_that_keep_their_order() {
        let rows: Vec<Vec<f64>> = (0..10_000).map(|i| vec![f64::from((i * 7919) % 10_000)]).collect();
        let binned = BinnedMatrix::new(&rows);
        assert_eq!(binned.edges[0].len(), MAX_BINS - 1);
        for (row, bin) in rows.iter().zip(&binned.bins[0]) {
            let b = usize::from(*bin);
            // In bin b: above the edge before it, at most the edge of its own.
            assert!(b == 0 || row[0] > binned.edges[0][b - 1]);
            assert!(b == binned.edges[0].len() || row[0] <= binned.edges[0][b]);
        }
        // Quantile bins hold about the same number of rows each.
        let first = binned.bins[0].iter().filter(|b| **b == 0).count();
        assert!((38..=40).contains(&first), "{first}");
    }
}
