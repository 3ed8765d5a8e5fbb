//! Benchmark: `tailor plan` and a dry `tailor run` evaluated inside PostgreSQL
//! (`--engine postgres`) against the polars engine on the same generated shop (default 200,000
//! profiles, ~4,200,000 events): the polars engine reads the shop's Parquet files, the engine
//! the same rows loaded into tables. Whole commands timed (median of 3), with tailor's peak
//! memory: what it holds when the events stay in the database. Every plan and dry run must
//! print the same on both engines; the benchmark checks it.
//!
//! Run with `TAILOR_BENCH_POSTGRES=1 cargo bench --bench engine` (a server in the `PG*`
//! environment, `python3 -m pip install duckdb psycopg[binary]`); `TAILOR_BENCH_PROFILES` sets
//! the size.

use std::path::Path;
use std::process::Command;
use std::time::Instant;

mod support;

use support::{bench_profiles, median, planned_documents, shop, wait_measured, workspace, NOW};

/// Runs taken for each figure; the median is reported.
const RUNS: usize = 3;

/// The schema the shop is loaded into.
const SCHEMA: &str = "tailor_bench_engine";

/// One measured command: its output, seconds (median) and peak MiB (largest).
struct Measured {
    output: Vec<u8>,
    seconds: f64,
    peak_mib: f64,
}

/// `tailor ARGS` in `dir`, [`RUNS`] times.
fn measure(dir: &Path, args: &[&str]) -> Measured {
    let (mut times, mut peak_mib, mut output) = (Vec::new(), 0.0f64, Vec::new());
    for _ in 0..RUNS {
        let (out, err) = (
            tempfile::NamedTempFile::new().expect("temp file"),
            tempfile::NamedTempFile::new().expect("temp file"),
        );
        let start = Instant::now();
        let child = Command::new(env!("CARGO_BIN_EXE_tailor"))
            .args(args)
            .current_dir(dir)
            .env("TAILOR_UNSUBSCRIBE_SECRET", "bench-secret-of-at-least-32-bytes-long")
            .stdout(out.reopen().expect("reopen"))
            .stderr(err.reopen().expect("reopen"))
            .spawn()
            .expect("tailor starts");
        let (code, peak) = wait_measured(child);
        times.push(start.elapsed().as_secs_f64());
        let said = std::fs::read_to_string(err.path()).unwrap_or_default();
        assert_eq!(code, 0, "tailor {args:?} failed: {said}");
        peak_mib = peak_mib.max(peak);
        output = std::fs::read(out.path()).expect("output");
    }
    Measured {
        output,
        seconds: median(times),
        peak_mib,
    }
}

fn main() {
    if std::env::var_os("TAILOR_BENCH_POSTGRES").is_none() {
        println!("engine: skipped (set TAILOR_BENCH_POSTGRES=1 with a server in the PG* environment)");
        return;
    }
    let profiles = bench_profiles(200_000);
    let data = shop(profiles, "parquet");
    let entries = planned_documents();
    let files = workspace(&data, "parquet", &entries);
    let tables = workspace(&data, "parquet", &entries);
    // The command line reads only data inside the workspace: the shop's files are linked in.
    for dir in [files.path(), tables.path()] {
        let schema_file = dir.join("data.yaml");
        let mut text = std::fs::read_to_string(&schema_file).expect("data.yaml");
        for name in ["profiles.parquet", "events.parquet", "products.csv"] {
            if std::fs::hard_link(data.join(name), dir.join(name)).is_err() {
                std::fs::copy(data.join(name), dir.join(name)).expect("copy");
            }
            text = text.replace(&data.join(name).to_string_lossy().into_owned(), name);
        }
        std::fs::write(&schema_file, text).expect("data.yaml written");
    }

    let start = Instant::now();
    let loaded = Command::new("python3")
        .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/cli/sql_engines.py"))
        .arg("load-postgres")
        .arg(&data)
        .arg(SCHEMA)
        .output()
        .expect("python3 runs");
    assert!(loaded.status.success(), "{}", String::from_utf8_lossy(&loaded.stderr));
    println!(
        "loaded {profiles} profiles into PostgreSQL in {:.1} s",
        start.elapsed().as_secs_f64()
    );
    let database = std::env::var("PGDATABASE").unwrap_or_default();
    let schema_file = tables.path().join("data.yaml");
    let text = std::fs::read_to_string(&schema_file).expect("data.yaml");
    let text = text
        .replace(
            "profiles.parquet",
            &format!("postgres:///{database}?table={SCHEMA}.profiles"),
        )
        .replace(
            "events.parquet",
            &format!("postgres:///{database}?table={SCHEMA}.events"),
        );
    std::fs::write(&schema_file, text).expect("data.yaml written");

    println!(
        "{:<40} {:>9} {:>10} {:>14} {:>16}",
        "", "seconds", "peak MiB", "time / polars", "memory / polars"
    );
    for (name, args) in [
        ("plan", vec!["plan", ".", "--now", NOW, "--format", "json"]),
        (
            "run --dry-run",
            vec!["run", ".", "--now", NOW, "--dry-run", "--format", "json"],
        ),
    ] {
        let polars = measure(files.path(), &args);
        let mut on_engine = args.clone();
        on_engine.extend(["--engine", "postgres"]);
        let engine = measure(tables.path(), &on_engine);
        assert!(engine.output == polars.output, "`{name}` differs between the engines");
        for (label, m) in [("polars (Parquet files)", &polars), ("--engine postgres", &engine)] {
            println!(
                "{:<40} {:>9.2} {:>10.1} {:>13.2}x {:>15.2}x",
                format!("{name}, {label}"),
                m.seconds,
                m.peak_mib,
                m.seconds / polars.seconds,
                m.peak_mib / polars.peak_mib
            );
        }
    }
    let _ = Command::new("psql")
        .args(["-qc", &format!("DROP SCHEMA IF EXISTS {SCHEMA} CASCADE")])
        .output();
}
