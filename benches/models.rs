//! Benchmark: tailor's persona clustering and score-model fitting against scikit-learn on the
//! same matrices in the same run — K-Means on 1,000,000 × 4 (k = 5, ten starts each), DBSCAN on
//! 100,000 × 3, a logistic regression on 1,000,000 × 10, and gradient-boosted trees on
//! 1,000,000 × 10 (scikit-learn's `HistGradientBoostingClassifier`, both with 100 rounds) — with
//! how well the answers agree (adjusted Rand index; AUC of both fits, for the trees on 200,000
//! rows neither saw).
//!
//! The data are generated blobs and known logits (seeded; the trees' has thresholds and
//! interactions). Both use every core where they can (tailor's K-Means starts and its trees'
//! histograms run in parallel; its DBSCAN and logistic fit run on one core; scikit-learn uses
//! OpenMP) — the table says how many this machine has.
//!
//! Run with `cargo bench --bench models` (Python 3 with scikit-learn).

use std::fs;
use std::path::Path;
use std::process::Command;
use std::time::Instant;

use polars::prelude::*;
use serde_json::{json, Value};
use tailor::data::SeededRng;
use tailor::eval::{fit_boosted, fit_logistic, fit_persona};
use tailor::model::{Clustering, Impute, PersonaModel, Scale, Uses};
use tailor::stats::roc_auc;

const K: u32 = 5;
const EPS: f64 = 0.3;
const MIN_POINTS: u32 = 10;

fn normal(rng: &mut SeededRng) -> f64 {
    let u = rng.unit().max(1e-12);
    (-2.0 * u.ln()).sqrt() * (std::f64::consts::TAU * rng.unit()).cos()
}

/// `rows` points in `dimensions`, around `centres` random centres in a 20-wide cube.
fn blobs(rows: usize, dimensions: usize, centres: usize, sd: f64, seed: u64) -> Vec<Vec<f64>> {
    let mut rng = SeededRng(seed);
    let centres: Vec<Vec<f64>> = (0..centres)
        .map(|_| (0..dimensions).map(|_| 20.0 * rng.unit()).collect())
        .collect();
    (0..rows)
        .map(|i| {
            centres[i % centres.len()]
                .iter()
                .map(|c| c + sd * normal(&mut rng))
                .collect()
        })
        .collect()
}

/// Writes `rows` as raw little-endian f64 for numpy.
fn write_matrix(folder: &Path, name: &str, rows: &[Vec<f64>]) {
    let bytes: Vec<u8> = rows.iter().flatten().flat_map(|v| v.to_le_bytes()).collect();
    fs::write(folder.join(format!("{name}.f64")), bytes).unwrap();
}

/// tailor's labels for `points` (a persona model over columns `c0..`), as cluster numbers with
/// noise as -1, and the seconds the fit took.
fn cluster(points: &[Vec<f64>], clustering: Clustering) -> (Vec<i64>, f64) {
    let dimensions = points[0].len();
    let columns: Vec<Column> = (0..dimensions)
        .map(|d| {
            Column::new(
                format!("c{d}").into(),
                points.iter().map(|p| p[d]).collect::<Vec<f64>>(),
            )
        })
        .collect();
    let frame = DataFrame::new(points.len(), columns).unwrap();
    let model = PersonaModel {
        name: "bench".into(),
        clustering,
        features: (0..dimensions).map(|d| format!("c{d}")).collect(),
        scale: Scale::None,
        impute: Impute::Median,
        seed: 0,
        population: None,
        prototypes: Vec::new(),
        uses: Uses::default(),
    };
    let start = Instant::now();
    let fit = fit_persona(&model, &frame, &vec![true; points.len()], None).unwrap();
    let seconds = start.elapsed().as_secs_f64();
    let labels = fit.labels.str().unwrap();
    let numbers = labels
        .iter()
        .map(|l| match l {
            Some("noise") | None => -1,
            Some(label) => label.trim_start_matches("cluster_").parse().unwrap_or(-2),
        })
        .collect();
    (numbers, seconds)
}

fn main() {
    let folder = tempfile::tempdir().unwrap();
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    println!("models benchmark · {cores} cores here · tailor's K-Means starts and tree histograms run in parallel, its DBSCAN and logistic fit on one core; scikit-learn its default threads");

    let kmeans_points = blobs(1_000_000, 4, K as usize, 1.5, 1);
    write_matrix(folder.path(), "kmeans", &kmeans_points);
    let (kmeans_labels, kmeans_seconds) = cluster(&kmeans_points, Clustering::Kmeans { k: K });
    fs::write(
        folder.path().join("kmeans_labels.json"),
        json!(kmeans_labels).to_string(),
    )
    .unwrap();
    drop(kmeans_points);

    let dbscan_points = blobs(100_000, 3, 8, 0.4, 2);
    write_matrix(folder.path(), "dbscan", &dbscan_points);
    let (dbscan_labels, dbscan_seconds) = cluster(
        &dbscan_points,
        Clustering::Dbscan {
            eps: EPS,
            min_points: MIN_POINTS,
        },
    );
    fs::write(
        folder.path().join("dbscan_labels.json"),
        json!(dbscan_labels).to_string(),
    )
    .unwrap();

    // A known logit over ten standardised inputs; the label is drawn from it.
    let mut rng = SeededRng(3);
    let weights: Vec<f64> = (0..10).map(|i| (f64::from(i) - 4.5) / 5.0).collect();
    let rows: Vec<Vec<f64>> = (0..1_000_000)
        .map(|_| {
            let x: Vec<f64> = (0..10).map(|_| normal(&mut rng)).collect();
            let z: f64 = -0.5 + x.iter().zip(&weights).map(|(a, w)| a * w).sum::<f64>();
            let y = rng.unit() < 1.0 / (1.0 + (-z).exp());
            x.into_iter().chain([f64::from(u8::from(y))]).collect()
        })
        .collect();
    write_matrix(folder.path(), "logistic", &rows);
    let inputs: Vec<Vec<f64>> = rows.iter().map(|r| r[..10].to_vec()).collect();
    let outcomes: Vec<bool> = rows.iter().map(|r| r[10] > 0.5).collect();
    drop(rows);
    let start = Instant::now();
    let fit = fit_logistic(&inputs, &outcomes, 1.0);
    let logistic_seconds = start.elapsed().as_secs_f64();
    let scores: Vec<f64> = inputs.iter().map(|row| fit.probability(row)).collect();
    let auc = roc_auc(&scores, &outcomes).unwrap_or(0.5);

    drop(inputs);
    let (boosting_seconds, boosting_auc) = boosting(folder.path());

    let meta = json!({ "kmeans": [1_000_000, 4], "dbscan": [100_000, 3], "logistic": [1_000_000, 11],
                       "boosting": [BOOSTING_TRAIN + BOOSTING_TEST, 11], "boosting_train": BOOSTING_TRAIN,
                       "k": K, "eps": EPS, "min_points": MIN_POINTS });
    fs::write(folder.path().join("meta.json"), meta.to_string()).unwrap();
    let peer = Command::new("python3")
        .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("benches/peers/models_sklearn.py"))
        .arg(folder.path())
        .output()
        .expect("python3 runs");
    assert!(peer.status.success(), "{}", String::from_utf8_lossy(&peer.stderr));
    let theirs: Value = serde_json::from_slice(&peer.stdout).unwrap();
    let line = |key: &str, title: &str, ours: f64, agreement: String| {
        let their_seconds = theirs[key]["seconds"].as_f64().unwrap();
        println!(
            "{title:<28} tailor {ours:>7.2} s   scikit-learn {their_seconds:>7.2} s   tailor takes {:.2}x   {agreement}",
            ours / their_seconds
        );
    };
    line(
        "kmeans",
        "kmeans 1,000,000 x 4, k=5",
        kmeans_seconds,
        format!("ARI {:.4}", theirs["kmeans"]["ari"].as_f64().unwrap()),
    );
    line(
        "dbscan",
        "dbscan 100,000 x 3",
        dbscan_seconds,
        format!("ARI {:.4}", theirs["dbscan"]["ari"].as_f64().unwrap()),
    );
    line(
        "logistic",
        "logistic 1,000,000 x 10",
        logistic_seconds,
        format!("AUC {auc:.4} vs {:.4}", theirs["logistic"]["auc"].as_f64().unwrap()),
    );
    line(
        "boosting",
        "boosted trees 1,000,000 x 10",
        boosting_seconds,
        format!(
            "held-out AUC {boosting_auc:.4} vs {:.4}",
            theirs["boosting"]["auc"].as_f64().unwrap()
        ),
    );
}

/// Rows the trees are fitted on, and rows after them that score the fit.
const BOOSTING_TRAIN: usize = 1_000_000;
const BOOSTING_TEST: usize = 200_000;

/// Writes the trees' matrix (ten inputs, the label last) and fits tailor's trees on its first
/// [`BOOSTING_TRAIN`] rows; returns the seconds the fit took and its AUC on the rest.
fn boosting(folder: &Path) -> (f64, f64) {
    let mut rng = SeededRng(4);
    let rows: Vec<Vec<f64>> = (0..BOOSTING_TRAIN + BOOSTING_TEST)
        .map(|_| {
            let x: Vec<f64> = (0..10).map(|_| normal(&mut rng)).collect();
            // A step, an interaction, a bump and a line: what trees learn and a line does not.
            let z = -0.5 + 1.5 * f64::from(u8::from(x[0] > 0.5 && x[1] < 0.0)) - x[2] * x[3]
                + (1.0 - x[4] * x[4])
                + 0.5 * x[5];
            let y = rng.unit() < 1.0 / (1.0 + (-z).exp());
            x.into_iter().chain([f64::from(u8::from(y))]).collect()
        })
        .collect();
    write_matrix(folder, "boosting", &rows);
    let (train, test) = rows.split_at(BOOSTING_TRAIN);
    let inputs: Vec<Vec<f64>> = train.iter().map(|r| r[..10].to_vec()).collect();
    let outcomes: Vec<bool> = train.iter().map(|r| r[10] > 0.5).collect();
    let start = Instant::now();
    let fit = fit_boosted(&inputs, &outcomes);
    let seconds = start.elapsed().as_secs_f64();
    let scores: Vec<f64> = test.iter().map(|row| fit.trees.probability(&row[..10])).collect();
    let test_outcomes: Vec<bool> = test.iter().map(|r| r[10] > 0.5).collect();
    (seconds, roc_auc(&scores, &test_outcomes).unwrap_or(0.5))
}
