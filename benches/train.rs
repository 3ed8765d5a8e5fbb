//! Benchmark: training the demo's churn model (`campaigns/models.yaml`) on a generated shop
//! (default 1,000,000 profiles, ~20,000,000 events, Parquet) by time travel, as `tailor train`
//! does — features evaluated as of two cut-offs, the held-out check, the final fit — with each
//! algorithm; beside scikit-learn fitting the same held-out matrices (`LogisticRegression(C=1)`,
//! `HistGradientBoostingClassifier` without early stopping) in the same run, with the held-out
//! AUC of both.
//!
//! Run with `cargo bench --bench train` (Python 3 with scikit-learn). Set
//! `TAILOR_BENCH_PROFILES` for another size. The generated shop is cached under the target
//! folder (shared with `cargo bench --bench plan`).

use std::fs;
use std::path::Path;
use std::process::Command;
use std::time::Instant;

use serde_json::{json, Value};
use tailor::data::{load_dataset, LoadOptions};
use tailor::eval::{fit_boosted, fit_logistic, train, HeldOut};
use tailor::model::ScoreAlgorithm;

mod support;

use support::{bench_profiles, checked_demo, peak_memory_mib, shop};

/// The demo's documents `train` reads.
const TRAINED: &[&str] = &["tailor.yaml", "features.yaml", "models.yaml"];

/// Writes a held-out matrix as raw little-endian f64 for numpy, the label as a last column.
fn write_matrix(path: &Path, rows: &[Vec<f64>], outcomes: &[bool]) {
    let bytes: Vec<u8> = rows
        .iter()
        .zip(outcomes)
        .flat_map(|(row, outcome)| row.iter().copied().chain([f64::from(u8::from(*outcome))]))
        .flat_map(f64::to_le_bytes)
        .collect();
    fs::write(path, bytes).expect("write the matrix");
}

/// Seconds to fit the held-out check's earlier slice with `algorithm` alone.
fn fit_seconds(algorithm: ScoreAlgorithm, held_out: &HeldOut) -> f64 {
    let start = Instant::now();
    match algorithm {
        ScoreAlgorithm::Logistic => drop(fit_logistic(&held_out.fitted, &held_out.fitted_outcomes, 1.0)),
        ScoreAlgorithm::GradientBoosting => drop(fit_boosted(&held_out.fitted, &held_out.fitted_outcomes)),
    }
    start.elapsed().as_secs_f64()
}

fn main() {
    let profiles = bench_profiles(1_000_000);
    let data = shop(profiles, "parquet");
    let (_workspace, checked, now) = checked_demo(&data, "parquet", TRAINED);
    let start = Instant::now();
    let dataset = load_dataset(&checked, LoadOptions::default()).expect("the generated data fits the schema");
    println!(
        "train benchmark · {profiles} profiles, {} events (Parquet) loaded in {:.2} s · {} cores here",
        dataset.events.height(),
        start.elapsed().as_secs_f64(),
        std::thread::available_parallelism().map_or(1, |n| n.get())
    );
    let folder = tempfile::tempdir().expect("tempdir");
    let mut ours = serde_json::Map::new();
    for algorithm in [ScoreAlgorithm::Logistic, ScoreAlgorithm::GradientBoosting] {
        let mut model = checked.models[0].clone();
        model.algorithm = algorithm;
        let start = Instant::now();
        let (trained, held_out) = train(&checked, &dataset, &model, now).expect("train");
        let total = start.elapsed().as_secs_f64();
        let fit = fit_seconds(algorithm, &held_out);
        write_matrix(
            &folder.path().join(format!("{}.fitted.f64", algorithm.name())),
            &held_out.fitted,
            &held_out.fitted_outcomes,
        );
        write_matrix(
            &folder.path().join(format!("{}.scored.f64", algorithm.name())),
            &held_out.scored,
            &held_out.scored_outcomes,
        );
        let check = &trained.report.validation;
        println!(
            "tailor {:<18} train {total:>6.2} s (of which one fit {fit:.2} s) · fitted on {} × {}, scored {} · held-out AUC {:.4} · peak memory {:.0} MiB",
            algorithm.name(),
            check.fitted_on,
            held_out.columns.len(),
            check.scored,
            check.auc,
            peak_memory_mib()
        );
        ours.insert(
            algorithm.name().into(),
            json!({ "fit_seconds": fit, "columns": held_out.columns.len() + 1, "auc": check.auc }),
        );
    }
    fs::write(folder.path().join("ours.json"), Value::Object(ours.clone()).to_string()).expect("write");
    let peer = Command::new("python3")
        .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("benches/peers/train_sklearn.py"))
        .arg(folder.path())
        .output();
    let theirs: Value = match peer {
        Ok(output) if output.status.success() => serde_json::from_slice(&output.stdout).expect("the peer prints JSON"),
        Ok(output) => {
            println!("scikit-learn peer failed: {}", String::from_utf8_lossy(&output.stderr));
            return;
        }
        Err(error) => {
            println!("scikit-learn peer skipped ({error}): `python3 -m pip install scikit-learn`");
            return;
        }
    };
    for (name, mine) in &ours {
        let (fit, auc) = (
            mine["fit_seconds"].as_f64().unwrap_or(0.0),
            mine["auc"].as_f64().unwrap_or(0.0),
        );
        let their_fit = theirs[name]["seconds"].as_f64().unwrap_or(f64::NAN);
        println!(
            "{name:<18} fit: tailor {fit:>6.2} s   scikit-learn {their_fit:>6.2} s   tailor takes {:.2}x   held-out AUC {auc:.4} vs {:.4}",
            fit / their_fit,
            theirs[name]["auc"].as_f64().unwrap_or(f64::NAN)
        );
    }
}
