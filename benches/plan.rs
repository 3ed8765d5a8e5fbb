//! Benchmark: loading and evaluating a generated shop (default 1,000,000 profiles, ~20,000,000
//! events) with the demo's features and segments, then planning every campaign; beside DuckDB
//! loading the same files and running the same feature and segment queries in the same run.
//!
//! Run with `cargo bench --bench plan` (DuckDB from `python3 -m pip install duckdb`). Set
//! `TAILOR_BENCH_PROFILES` for another size and `TAILOR_BENCH_FORMATS` for the file formats
//! (default `parquet,ndjson,csv`). Generated shops are cached under the target folder.

use std::path::Path;
use std::process::Command;
use std::time::Instant;

use tailor::data::{load_dataset, LoadOptions};
use tailor::eval::evaluate;
use tailor::plan::{build_plan, History, LocalFacts};

mod support;

use support::{bench_profiles, checked_demo, median, peak_memory_mib, planned_documents, shop, NOW};

/// Runs taken for each figure; the median is reported.
const RUNS: usize = 3;

fn main() {
    let profiles = bench_profiles(1_000_000);
    let formats = std::env::var("TAILOR_BENCH_FORMATS").unwrap_or_else(|_| "parquet,ndjson,csv".into());
    for format in formats.split(',').map(str::trim).filter(|f| !f.is_empty()) {
        bench_format(profiles, format);
    }
}

/// The benchmark on a shop of `profiles` profiles whose files are in `format`. Peak memory is
/// the process's, so a format's figure covers the formats before it.
fn bench_format(profiles: usize, format: &str) {
    println!("== {format} ==");
    let data = shop(profiles, format);
    let (_workspace, checked, now) = checked_demo(&data, format, &planned_documents());

    let (mut loads, mut evaluations, mut plans) = (Vec::new(), Vec::new(), Vec::new());
    let (mut peak_after_load, mut peak_after_features, mut loaded_mib, mut rows) = (0.0, 0.0, 0.0, (0, 0));
    for run in 0..RUNS {
        let start = Instant::now();
        let dataset = load_dataset(&checked, LoadOptions::default()).expect("the generated data fits the schema");
        loads.push(start.elapsed().as_secs_f64());
        if run == 0 {
            peak_after_load = peak_memory_mib();
        }
        let start = Instant::now();
        let evaluation = evaluate(&checked, &dataset, now).expect("evaluate");
        evaluations.push(start.elapsed().as_secs_f64());
        if run == 0 {
            peak_after_features = peak_memory_mib();
        }
        let start = Instant::now();
        let facts = LocalFacts {
            workspace: &checked,
            dataset: &dataset,
            evaluation: &evaluation,
            now,
        };
        build_plan(&checked, &evaluation, &facts, &History::default(), None, now).expect("plan");
        plans.push(start.elapsed().as_secs_f64());
        if run == 0 {
            loaded_mib = (dataset.profiles.estimated_size() + dataset.events.estimated_size()) as f64 / 1_048_576.0;
            rows = (dataset.profiles.height(), dataset.events.height());
        }
    }
    let (load, features, planning) = (median(loads), median(evaluations), median(plans));
    let peak = peak_memory_mib();
    println!(
        "tailor: {} profiles, {} events, median of {RUNS}: load {load:.2} s, features+segments {features:.2} s, plan of 6 campaigns {planning:.2} s",
        rows.0, rows.1
    );
    println!(
        "tailor: peak memory {peak:.0} MiB (first run: {peak_after_load:.0} MiB after loading, {peak_after_features:.0} MiB after evaluating); loaded columns {loaded_mib:.0} MiB; peak / loaded {:.2}x",
        peak / loaded_mib
    );

    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("benches/duckdb_features.py");
    match Command::new("python3")
        .arg(&script)
        .arg(&data)
        .arg(NOW)
        .arg(RUNS.to_string())
        .arg(format)
        .output()
    {
        Ok(output) if output.status.success() => {
            let text = String::from_utf8_lossy(&output.stdout);
            let times: Vec<f64> = text.split_whitespace().filter_map(|t| t.parse().ok()).collect();
            if let [duck_load, duck_features, duck_peak] = times[..] {
                println!(
                    "duckdb: median of {RUNS}: load {duck_load:.2} s, features+segments {duck_features:.2} s; peak memory {duck_peak:.0} MiB"
                );
                println!(
                    "ratio tailor/duckdb: load {:.2}x, features+segments {:.2}x, both {:.2}x; peak memory after evaluating {:.2}x",
                    load / duck_load,
                    features / duck_features,
                    (load + features) / (duck_load + duck_features),
                    peak_after_features / duck_peak
                );
            }
        }
        Ok(output) => println!("duckdb peer failed: {}", String::from_utf8_lossy(&output.stderr)),
        Err(error) => println!("duckdb peer skipped ({error}): `python3 -m pip install duckdb`"),
    }
}
