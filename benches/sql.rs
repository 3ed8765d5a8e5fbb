//! Benchmark: the demo's features, segments and scores as the SQL `tailor plan --emit-sql`
//! writes, run by DuckDB, PostgreSQL and Spark (local mode) on a generated shop (default
//! 200,000 profiles, ~4,200,000 events, Parquet), beside the polars engine on the same files and
//! DuckDB running the hand-written feature queries of the `plan` benchmark.
//!
//! Run with `cargo bench --bench sql`. Needs `python3 -m pip install duckdb`; PostgreSQL runs
//! when `TAILOR_BENCH_POSTGRES=1` with a server in the `PG*` environment (`psycopg`), Spark when
//! `TAILOR_BENCH_SPARK=1` (`pyspark`, Java 17). `TAILOR_BENCH_PROFILES` sets the size.

use std::path::Path;
use std::process::Command;
use std::time::Instant;

use tailor::data::{load_dataset, LoadOptions};
use tailor::eval::{evaluate, features_query, Dialect, SqlTables};

mod support;

use support::{bench_profiles, checked_demo, median, shop, EVALUATED, NOW};

/// Runs taken for each figure; the median is reported.
const RUNS: usize = 3;

fn main() {
    let profiles = bench_profiles(200_000);
    let data = shop(profiles, "parquet");
    let (ws, checked, now) = checked_demo(&data, "parquet", EVALUATED);

    let start = Instant::now();
    let dataset = load_dataset(&checked, LoadOptions::default()).expect("the generated data fits the schema");
    let load = start.elapsed().as_secs_f64();
    let evaluations: Vec<f64> = (0..RUNS)
        .map(|_| {
            let start = Instant::now();
            evaluate(&checked, &dataset, now).expect("evaluate");
            start.elapsed().as_secs_f64()
        })
        .collect();
    let polars = median(evaluations);
    println!(
        "polars: {} profiles, {} events: load {load:.2} s, features+segments+scores {polars:.2} s (median of {RUNS})",
        dataset.profiles.height(),
        dataset.events.height()
    );
    drop(dataset);

    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut engines = vec![Dialect::Duckdb];
    for (variable, dialect) in [
        ("TAILOR_BENCH_POSTGRES", Dialect::Postgres),
        ("TAILOR_BENCH_SPARK", Dialect::Spark),
    ] {
        if std::env::var_os(variable).is_some() {
            engines.push(dialect);
        } else {
            println!("{dialect}: skipped (set {variable}=1)");
        }
    }
    for dialect in engines {
        let query = features_query(&checked, now, dialect, &SqlTables::default()).expect("the demo lowers");
        let file = ws.path().join(format!("query.{dialect}.sql"));
        std::fs::write(&file, query).expect("query written");
        let output = Command::new("python3")
            .arg(repo.join("tests/cli/sql_engines.py"))
            .args(["time", dialect.name()])
            .arg(&data)
            .arg(&file)
            .arg(RUNS.to_string())
            .output();
        match output {
            Ok(output) if output.status.success() => {
                let text = String::from_utf8_lossy(&output.stdout);
                let figures: Vec<f64> = text.split_whitespace().filter_map(|t| t.parse().ok()).collect();
                if let [engine_load, engine_query, rows] = figures[..] {
                    println!(
                        "{dialect}: load {engine_load:.2} s, tailor's query stored in the engine {engine_query:.2} s for {rows} rows (median of {RUNS}); polars / {dialect} {:.2}x",
                        polars / engine_query
                    );
                }
            }
            Ok(output) => println!("{dialect}: failed: {}", String::from_utf8_lossy(&output.stderr)),
            Err(error) => println!("{dialect}: skipped ({error})"),
        }
    }

    // The plan benchmark's hand-written DuckDB queries (features and segments, no score), for
    // how the generated SQL compares with SQL a person wrote.
    match Command::new("python3")
        .arg(repo.join("benches/duckdb_features.py"))
        .arg(&data)
        .arg(NOW)
        .arg(RUNS.to_string())
        .arg("parquet")
        .output()
    {
        Ok(output) if output.status.success() => {
            let text = String::from_utf8_lossy(&output.stdout);
            let times: Vec<f64> = text.split_whitespace().filter_map(|t| t.parse().ok()).collect();
            if let [_, features] = times[..] {
                println!("duckdb, hand-written features+segments: {features:.2} s (median of {RUNS})");
            }
        }
        Ok(output) => println!(
            "duckdb hand-written: failed: {}",
            String::from_utf8_lossy(&output.stderr)
        ),
        Err(error) => println!("duckdb hand-written: skipped ({error})"),
    }
}
