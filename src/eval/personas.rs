//! Persona labels (SPEC §4): a model's profiles clustered on its numeric features, K-Means or
//! DBSCAN, each cluster named after its nearest prototype.
//!
//! Deterministic: the same rows, parameters and seed give the same labels. Inputs are scaled
//! (`standard`: mean 0 and standard deviation 1; `minmax`: 0 to 1; a constant feature stays 0)
//! over the population being clustered. K-Means runs [`STARTS`] times (in parallel) from
//! k-means++ centres, each start seeded from the model's seed, each with Lloyd's iterations until
//! no profile changes cluster or the centres barely move ([`TOLERANCE`], at most
//! [`MAX_ITERATIONS`]), and keeps the run with the least inertia (the sum of squared distances to
//! the centres; the earliest on ties), as scikit-learn's `n_init` does: one start can settle in a
//! poor local optimum. DBSCAN counts a point itself among its `min_points` neighbours within
//! `eps` (in scaled units); clusters are numbered in row order; noise is `noise`. Clusters are
//! then named one to one after their nearest prototype (prototypes in raw units, compared on
//! the features they give), closest pairs first; the rest are `cluster_1`, `cluster_2`, ...
//! from the largest. A profile outside the population has no label; a missing (null) input is
//! filled in as the model's `impute` says (the population's median by default), or, with
//! `impute: none`, leaves the profile unlabelled.

use polars::prelude::*;

use super::columns::persona_column;
use super::neighbours::{distance2, NeighbourIndex};
use super::EvalError;
use crate::data::SeededRng;
use crate::model::{Clustering, Impute, PersonaModel, Scale};

/// Lloyd's iterations at most.
const MAX_ITERATIONS: usize = 300;
/// K-Means starts; the one with the least inertia is kept.
const STARTS: usize = 10;
/// Lloyd's iterations end when the centres moved (squared, summed) less than this times the
/// inputs' mean variance: scikit-learn's `tol`.
const TOLERANCE: f64 = 1e-4;

/// A persona model fitted to the profiles.
#[derive(Debug, Clone)]
pub struct PersonaFit {
    /// Each row's label, a text column named [`persona_column`].
    pub labels: Column,
    /// What the labels add up to.
    pub summary: PersonaSummary,
}

/// A fitted persona model's clusters.
#[derive(Debug, Clone, PartialEq)]
pub struct PersonaSummary {
    /// The model.
    pub model: String,
    /// Profiles in its population (labelled, or left out for a missing input).
    pub population: usize,
    /// Labelled profiles that had a missing input filled in ([`Impute`]).
    pub imputed: usize,
    /// Each label's profiles, by label.
    pub clusters: Vec<Cluster>,
}

impl PersonaSummary {
    /// Profiles that carry a label.
    pub fn labelled(&self) -> usize {
        self.clusters.iter().map(|c| c.size).sum()
    }

    /// Profiles of the population left without a label.
    pub fn unlabelled(&self) -> usize {
        self.population - self.labelled()
    }
}

/// The profiles that share a label.
#[derive(Debug, Clone, PartialEq)]
pub struct Cluster {
    /// A prototype's name, `cluster_<i>`, or `noise`.
    pub label: String,
    /// How many profiles carry it.
    pub size: usize,
    /// Their mean inputs, in raw units, in the order of the model's features.
    pub centroid: Vec<f64>,
}

/// `model` fitted to the rows of `frame` that `population` flags, taken in the bytewise order
/// of the `key` column when one is named (so that the same profiles in another row order, as
/// another source or engine returns them, get the same fit), else in row order.
pub fn fit_persona(
    model: &PersonaModel,
    frame: &DataFrame,
    population: &[bool],
    key: Option<&str>,
) -> Result<PersonaFit, EvalError> {
    let inputs = model
        .features
        .iter()
        .map(|feature| {
            let column = frame.column(feature)?.cast(&DataType::Float64)?;
            Ok(column.f64()?.iter().collect::<Vec<Option<f64>>>())
        })
        .collect::<Result<Vec<_>, PolarsError>>()?;
    let mut members: Vec<usize> = (0..frame.height())
        .filter(|&row| population.get(row) == Some(&true))
        .collect();
    if let Some(key) = key {
        let keys = frame.column(key)?.str()?.clone();
        members.sort_by(|&a, &b| keys.get(a).map(str::as_bytes).cmp(&keys.get(b).map(str::as_bytes)));
    }
    // What a missing input becomes, per feature (none: the profile is left out).
    let fills: Vec<Option<f64>> = inputs
        .iter()
        .map(|column| {
            let known = members.iter().filter_map(|&row| column[row].filter(|v| v.is_finite()));
            fill_value(model.impute, known.collect())
        })
        .collect();
    // The clustered rows and their points.
    let mut imputed = 0;
    let (rows, raw): (Vec<usize>, Vec<Vec<f64>>) = members
        .iter()
        .filter_map(|&row| {
            let mut filled = false;
            let point: Option<Vec<f64>> = inputs
                .iter()
                .zip(&fills)
                .map(|(column, fill)| {
                    column[row].filter(|v| v.is_finite()).or_else(|| {
                        filled = true;
                        *fill
                    })
                })
                .collect();
            imputed += usize::from(filled && point.is_some());
            point.map(|point| (row, point))
        })
        .unzip();
    let scaler = Scaler::fit(&raw, model.scale);
    let points: Vec<Vec<f64>> = raw.iter().map(|p| scaler.apply(p)).collect();
    let assigned: Vec<Option<usize>> = match model.clustering {
        Clustering::Kmeans { k } => kmeans(&points, k as usize, model.seed).into_iter().map(Some).collect(),
        Clustering::Dbscan { eps, min_points } => dbscan(&points, eps, min_points as usize),
    };
    let names = cluster_names(model, &points, &assigned, &scaler);
    let mut labels: Vec<Option<&str>> = vec![None; frame.height()];
    let mut clusters: std::collections::BTreeMap<&str, (usize, Vec<f64>)> = Default::default();
    for ((row, cluster), point) in rows.iter().zip(&assigned).zip(&raw) {
        let label = cluster.map_or("noise", |c| names[c].as_str());
        labels[*row] = Some(label);
        let (size, sum) = clusters.entry(label).or_insert_with(|| (0, vec![0.0; point.len()]));
        *size += 1;
        for (s, v) in sum.iter_mut().zip(point) {
            *s += v;
        }
    }
    let clusters = clusters
        .into_iter()
        .map(|(label, (size, sum))| Cluster {
            label: label.to_string(),
            size,
            centroid: sum.into_iter().map(|s| s / size as f64).collect(),
        })
        .collect();
    Ok(PersonaFit {
        labels: Column::new(persona_column(&model.name).into(), labels),
        summary: PersonaSummary {
            model: model.name.clone(),
            population: members.len(),
            imputed,
            clusters,
        },
    })
}

/// What `impute` fills a missing input with, from the population's `known` values; `None`
/// leaves the profile out (`impute: none`, or no profile has the input).
fn fill_value(impute: Impute, mut known: Vec<f64>) -> Option<f64> {
    if known.is_empty() && impute != Impute::Zero {
        return None;
    }
    match impute {
        Impute::None => None,
        Impute::Zero => Some(0.0),
        Impute::Mean => Some(known.iter().sum::<f64>() / known.len() as f64),
        Impute::Median => {
            known.sort_by(f64::total_cmp);
            let middle = known.len() / 2;
            Some(if known.len().is_multiple_of(2) {
                (known[middle - 1] + known[middle]) / 2.0
            } else {
                known[middle]
            })
        }
    }
}

/// Scaling fitted on the clustered points: `(x - offset) / factor` per feature.
struct Scaler {
    offset: Vec<f64>,
    factor: Vec<f64>,
}

impl Scaler {
    fn fit(points: &[Vec<f64>], scale: Scale) -> Scaler {
        let dimensions = points.first().map_or(0, Vec::len);
        let column = |d: usize| points.iter().map(move |p| p[d]);
        let (offset, factor) = (0..dimensions)
            .map(|d| match scale {
                Scale::None => (0.0, 1.0),
                Scale::Standard => {
                    let n = points.len() as f64;
                    let mean = column(d).sum::<f64>() / n;
                    let deviation = (column(d).map(|v| (v - mean).powi(2)).sum::<f64>() / n).sqrt();
                    (mean, if deviation > 0.0 { deviation } else { 1.0 })
                }
                Scale::Minmax => {
                    let min = column(d).fold(f64::INFINITY, f64::min);
                    let max = column(d).fold(f64::NEG_INFINITY, f64::max);
                    (min, if max > min { max - min } else { 1.0 })
                }
            })
            .unzip();
        Scaler { offset, factor }
    }

    fn apply(&self, point: &[f64]) -> Vec<f64> {
        point
            .iter()
            .zip(self.offset.iter().zip(&self.factor))
            .map(|(v, (offset, factor))| (v - offset) / factor)
            .collect()
    }

    /// One raw value of feature `d`, scaled.
    fn value(&self, d: usize, value: f64) -> f64 {
        (value - self.offset.get(d).unwrap_or(&0.0)) / self.factor.get(d).unwrap_or(&1.0)
    }
}

/// The mean over the dimensions of each one's variance.
fn mean_variance(points: &[Vec<f64>]) -> f64 {
    let dimensions = points.first().map_or(0, Vec::len);
    if dimensions == 0 {
        return 0.0;
    }
    let n = points.len() as f64;
    let total: f64 = (0..dimensions)
        .map(|d| {
            let mean = points.iter().map(|p| p[d]).sum::<f64>() / n;
            points.iter().map(|p| (p[d] - mean).powi(2)).sum::<f64>() / n
        })
        .sum();
    total / dimensions as f64
}

/// The nearest of `centres` to `point` (the first on ties).
fn nearest(point: &[f64], centres: &[Vec<f64>]) -> usize {
    let mut best = (0, f64::INFINITY);
    for (index, centre) in centres.iter().enumerate() {
        let d = distance2(point, centre);
        if d < best.1 {
            best = (index, d);
        }
    }
    best.0
}

/// K-Means: each point's cluster, `0..min(k, points)`, from the best of [`STARTS`] starts.
///
/// Each start draws its own seed from `seed` up front, so the starts run in parallel (one per
/// core) and the result is the same on any machine: the least inertia wins, the earliest start
/// on ties.
fn kmeans(points: &[Vec<f64>], k: usize, seed: u64) -> Vec<usize> {
    let k = k.min(points.len());
    if k == 0 {
        return Vec::new();
    }
    let mut seeds = SeededRng(seed);
    let starts: Vec<u64> = (0..STARTS).map(|_| seeds.next_u64()).collect();
    let workers = std::thread::available_parallelism().map_or(1, |n| n.get()).min(STARTS);
    let mut runs: Vec<Option<(Vec<usize>, f64)>> = vec![None; STARTS];
    std::thread::scope(|scope| {
        for (worker, chunk) in runs.chunks_mut(STARTS.div_ceil(workers)).enumerate() {
            let starts = &starts;
            scope.spawn(move || {
                for (offset, run) in chunk.iter_mut().enumerate() {
                    let start = worker * STARTS.div_ceil(workers) + offset;
                    *run = Some(kmeans_once(points, k, &mut SeededRng(starts[start])));
                }
            });
        }
    });
    let mut best: Option<(Vec<usize>, f64)> = None;
    for (assigned, inertia) in runs.into_iter().flatten() {
        if best.as_ref().is_none_or(|(_, least)| inertia < *least) {
            best = Some((assigned, inertia));
        }
    }
    best.map(|(assigned, _)| assigned).unwrap_or_default()
}

/// One K-Means run from k-means++ centres drawn from `rng`: each point's cluster and the
/// inertia (the sum of squared distances to the final centres). Lloyd's iterations stop when
/// no point changes cluster, or when the centres moved less than [`TOLERANCE`] times the
/// inputs' mean variance (scikit-learn's rule), at most [`MAX_ITERATIONS`].
fn kmeans_once(points: &[Vec<f64>], k: usize, rng: &mut SeededRng) -> (Vec<usize>, f64) {
    let mut centres = vec![points[rng.index(points.len())].clone()];
    let mut closest: Vec<f64> = points.iter().map(|p| distance2(p, &centres[0])).collect();
    while centres.len() < k {
        let total: f64 = closest.iter().sum();
        let next = if total > 0.0 {
            let mut target = rng.unit() * total;
            closest
                .iter()
                .position(|&d| {
                    target -= d;
                    target < 0.0 && d > 0.0
                })
                .unwrap_or_else(|| closest.iter().rposition(|&d| d > 0.0).unwrap_or(0))
        } else {
            rng.index(points.len())
        };
        centres.push(points[next].clone());
        for (d, p) in closest.iter_mut().zip(points) {
            *d = d.min(distance2(p, &points[next]));
        }
    }
    let dimensions = points[0].len();
    let tolerance = TOLERANCE * mean_variance(points);
    let mut assigned: Vec<usize> = points.iter().map(|p| nearest(p, &centres)).collect();
    for _ in 0..MAX_ITERATIONS {
        let mut sums = vec![vec![0.0; dimensions]; k];
        let mut counts = vec![0usize; k];
        for (p, &c) in points.iter().zip(&assigned) {
            counts[c] += 1;
            for (s, v) in sums[c].iter_mut().zip(p) {
                *s += v;
            }
        }
        let mut shift = 0.0;
        for ((centre, sum), &count) in centres.iter_mut().zip(sums).zip(&counts) {
            // An emptied cluster keeps its centre.
            if count > 0 {
                let moved: Vec<f64> = sum.into_iter().map(|s| s / count as f64).collect();
                shift += distance2(centre, &moved);
                *centre = moved;
            }
        }
        let next: Vec<usize> = points.iter().map(|p| nearest(p, &centres)).collect();
        let settled = next == assigned || shift <= tolerance;
        assigned = next;
        if settled {
            break;
        }
    }
    let inertia = points
        .iter()
        .zip(&assigned)
        .map(|(p, &c)| distance2(p, &centres[c]))
        .sum();
    (assigned, inertia)
}

/// DBSCAN's expansion state: which points were queued, each point's cluster, the queue.
type Expansion<'a> = (
    &'a mut [bool],
    &'a mut [Option<usize>],
    &'a mut std::collections::VecDeque<usize>,
);

/// Queues the points of `found` for cluster `id`, each once; one already visited (noise so far,
/// or a border point of this cluster) only joins the cluster.
fn enqueue(found: Vec<usize>, id: usize, visited: &[bool], (queued, cluster, queue): &mut Expansion) {
    for j in found {
        if visited[j] || queued[j] {
            cluster[j].get_or_insert(id);
        } else {
            queued[j] = true;
            queue.push_back(j);
        }
    }
}

/// DBSCAN: each point's cluster in discovery order, `None` for noise.
fn dbscan(points: &[Vec<f64>], eps: f64, min_points: usize) -> Vec<Option<usize>> {
    let index = NeighbourIndex::new(points, eps);
    let mut cluster: Vec<Option<usize>> = vec![None; points.len()];
    let mut visited = vec![false; points.len()];
    let mut queued = vec![false; points.len()];
    let mut clusters = 0;
    for i in 0..points.len() {
        if visited[i] {
            continue;
        }
        visited[i] = true;
        let around = index.around(i);
        if around.len() < min_points {
            continue; // noise, unless a core point reaches it later
        }
        let id = clusters;
        clusters += 1;
        cluster[i] = Some(id);
        let mut queue = std::collections::VecDeque::new();
        let mut state = (&mut queued[..], &mut cluster[..], &mut queue);
        enqueue(around, id, &visited, &mut state);
        while let Some(j) = state.2.pop_front() {
            state.1[j].get_or_insert(id);
            visited[j] = true;
            let reach = index.around(j);
            if reach.len() >= min_points {
                enqueue(reach, id, &visited, &mut state);
            }
        }
    }
    cluster
}

/// Each cluster's name: its nearest prototype one to one, closest pairs first; the rest
/// `cluster_<i>` from the largest.
fn cluster_names(
    model: &PersonaModel,
    points: &[Vec<f64>],
    assigned: &[Option<usize>],
    scaler: &Scaler,
) -> Vec<String> {
    let clusters = assigned.iter().flatten().max().map_or(0, |c| c + 1);
    let dimensions = model.features.len();
    let mut sums = vec![vec![0.0; dimensions]; clusters];
    let mut sizes = vec![0usize; clusters];
    for (p, c) in points.iter().zip(assigned) {
        if let Some(c) = *c {
            sizes[c] += 1;
            for (s, v) in sums[c].iter_mut().zip(p) {
                *s += v;
            }
        }
    }
    let centroids: Vec<Vec<f64>> = sums
        .into_iter()
        .zip(&sizes)
        .map(|(sum, &size)| sum.into_iter().map(|s| s / size.max(1) as f64).collect())
        .collect();
    let mut pairs: Vec<(f64, usize, usize)> = Vec::new();
    for (p, (_, values)) in model.prototypes.iter().enumerate() {
        let given: Vec<(usize, f64)> = values
            .iter()
            .filter_map(|(feature, value)| {
                let d = model.features.iter().position(|f| f == feature)?;
                Some((d, scaler.value(d, *value)))
            })
            .collect();
        for (c, centroid) in centroids.iter().enumerate() {
            let distance: f64 = given.iter().map(|&(d, v)| (centroid[d] - v).powi(2)).sum();
            pairs.push((distance, c, p));
        }
    }
    pairs.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)).then(a.2.cmp(&b.2)));
    let mut names: Vec<Option<String>> = vec![None; clusters];
    let mut taken = vec![false; model.prototypes.len()];
    for (_, c, p) in pairs {
        if names[c].is_none() && !taken[p] {
            names[c] = Some(model.prototypes[p].0.clone());
            taken[p] = true;
        }
    }
    let mut unnamed: Vec<usize> = (0..clusters).filter(|&c| names[c].is_none()).collect();
    unnamed.sort_by(|&a, &b| sizes[b].cmp(&sizes[a]).then(a.cmp(&b)));
    for (i, c) in unnamed.into_iter().enumerate() {
        names[c] = Some(format!("cluster_{}", i + 1));
    }
    names.into_iter().map(Option::unwrap_or_default).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Three tight groups around (0,0), (10,0) and (0,10), with one far outlier.
    fn blobs() -> Vec<Vec<f64>> {
        let mut points = Vec::new();
        for (cx, cy) in [(0.0, 0.0), (10.0, 0.0), (0.0, 10.0)] {
            for i in 0..20 {
                let jitter = f64::from(i % 5) * 0.1;
                points.push(vec![cx + jitter, cy - jitter]);
            }
        }
        points.push(vec![50.0, 50.0]);
        points
    }

    #[test]
    fn kmeans_finds_the_groups_and_is_deterministic() {
        let points: Vec<Vec<f64>> = blobs().into_iter().take(60).collect();
        let assigned = kmeans(&points, 3, 42);
        for group in assigned.chunks(20) {
            assert!(group.iter().all(|&c| c == group[0]), "{assigned:?}");
        }
        let distinct: std::collections::BTreeSet<usize> = assigned.iter().copied().collect();
        assert_eq!(distinct.len(), 3);
        assert_eq!(kmeans(&points, 3, 42), assigned);
        assert_eq!(
            kmeans(&points[..2], 5, 1).len(),
            2,
            "k is capped at the number of points"
        );
    }

    #[test]
    fn dbscan_finds_the_groups_and_leaves_the_outlier_as_noise() {
        let assigned = dbscan(&blobs(), 1.0, 5);
        assert_eq!(assigned[..20], vec![Some(0); 20][..]);
        assert_eq!(assigned[20..40], vec![Some(1); 20][..]);
        assert_eq!(assigned[40..60], vec![Some(2); 20][..]);
        assert_eq!(assigned[60], None);
    }

    fn model(prototypes: Vec<(&str, Vec<(&str, f64)>)>) -> PersonaModel {
        PersonaModel {
            name: "shopper".into(),
            clustering: Clustering::Kmeans { k: 3 },
            features: vec!["orders".into(), "basket".into()],
            scale: Scale::None,
            impute: Impute::Median,
            seed: 7,
            population: None,
            prototypes: prototypes
                .into_iter()
                .map(|(n, v)| (n.to_string(), v.into_iter().map(|(f, x)| (f.to_string(), x)).collect()))
                .collect(),
            uses: Default::default(),
        }
    }

    #[test]
    fn clusters_take_their_nearest_prototypes_one_to_one_and_the_rest_are_numbered_by_size() {
        let points = vec![
            vec![0.0, 0.0],
            vec![0.0, 1.0],
            vec![10.0, 0.0],
            vec![0.0, 10.0],
            vec![0.0, 11.0],
            vec![0.0, 12.0],
        ];
        let assigned = vec![Some(0), Some(0), Some(1), Some(2), Some(2), Some(2)];
        let scaler = Scaler::fit(&points, Scale::None);
        // Both prototypes are nearest to cluster 1: the closer one takes it, the other its next
        // nearest (cluster 0 before cluster 2 on a tie); cluster 2 is left unnamed.
        let names = cluster_names(
            &model(vec![("far", vec![("orders", 9.0)]), ("near", vec![("orders", 10.0)])]),
            &points,
            &assigned,
            &scaler,
        );
        assert_eq!(names, ["far", "near", "cluster_1"]);
    }

    #[test]
    fn labels_leave_rows_outside_the_population_or_with_null_inputs_unlabelled_without_imputation() {
        let frame = df!(
            "orders" => [Some(0i64), Some(0), Some(10), Some(10), None, Some(10)],
            "basket" => [Some(1.0f64), Some(1.5), Some(100.0), Some(101.0), Some(5.0), Some(100.0)],
        )
        .unwrap();
        let mut model = model(vec![("big", vec![("basket", 100.0)]), ("small", vec![("basket", 0.0)])]);
        model.clustering = Clustering::Kmeans { k: 2 };
        model.scale = Scale::Standard;
        model.impute = Impute::None;
        let fit = fit_persona(&model, &frame, &[true, true, true, true, true, false], None).unwrap();
        let labels: Vec<Option<&str>> = fit.labels.str().unwrap().iter().collect();
        assert_eq!(
            labels,
            [Some("small"), Some("small"), Some("big"), Some("big"), None, None]
        );
        assert_eq!((fit.summary.population, fit.summary.imputed), (5, 0));
        let big = Cluster {
            label: "big".into(),
            size: 2,
            centroid: vec![10.0, 100.5],
        };
        let small = Cluster {
            label: "small".into(),
            size: 2,
            centroid: vec![0.0, 1.25],
        };
        assert_eq!(fit.summary.clusters, [big, small]);
    }

    #[test]
    fn missing_inputs_are_imputed_from_the_population() {
        // Orders known for 0, 0, 1, 10 (median 0.5, mean 2.75); the fifth profile has none and a
        // big basket: its cluster depends on what its orders become.
        let frame = df!(
            "orders" => [Some(0i64), Some(0), Some(1), Some(10), None],
            "basket" => [Some(1.0f64), Some(1.0), Some(100.0), Some(100.0), Some(100.0)],
        )
        .unwrap();
        let mut model = model(vec![("big", vec![("basket", 100.0)]), ("small", vec![("basket", 1.0)])]);
        model.clustering = Clustering::Kmeans { k: 2 };
        for (impute, orders) in [(Impute::Median, 0.5), (Impute::Mean, 2.75), (Impute::Zero, 0.0)] {
            model.impute = impute;
            let fit = fit_persona(&model, &frame, &[true; 5], None).unwrap();
            assert_eq!(fit.labels.str().unwrap().get(4), Some("big"), "{impute:?}");
            assert_eq!(fit.summary.imputed, 1);
            let big = fit.summary.clusters.iter().find(|c| c.label == "big").unwrap();
            assert_eq!(big.size, 3);
            assert!(
                (big.centroid[0] - (11.0 + orders) / 3.0).abs() < 1e-9,
                "{impute:?}: {big:?}"
            );
        }
        assert_eq!(fill_value(Impute::Median, vec![3.0, 1.0, 2.0]), Some(2.0));
        assert_eq!(fill_value(Impute::Median, vec![]), None);
        assert_eq!(fill_value(Impute::Zero, vec![]), Some(0.0));
    }

    #[test]
    fn a_profile_clustered_alone_takes_its_nearest_prototype_in_raw_units() {
        let frame = df!("orders" => [Some(2i64)], "basket" => [Some(170.0f64)]).unwrap();
        let mut model = model(vec![
            ("big", vec![("orders", 3.0), ("basket", 180.0)]),
            ("small", vec![("orders", 6.0), ("basket", 25.0)]),
        ]);
        model.scale = Scale::Standard;
        let fit = fit_persona(&model, &frame, &[true], None).unwrap();
        assert_eq!(fit.labels.str().unwrap().get(0), Some("big"));
    }
}
