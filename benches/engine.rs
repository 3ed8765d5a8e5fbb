//! Benchmark: `tailor plan` and a dry `tailor run` evaluated inside PostgreSQL
//! (`--engine postgres`) and on Spark (`--engine spark`, Spark Connect) against the polars
//! engine on the same generated shop (default 200,000 profiles, ~4,200,000 events): the polars
//! engine reads the shop's Parquet files, each engine the same rows loaded into its tables.
//! Whole commands timed (median of 3), with tailor's peak memory: what it holds when the events
//! stay in the database. Every plan and dry run must print the same on every engine; the
//! benchmark checks it.
//!
//! PostgreSQL runs with `TAILOR_BENCH_POSTGRES=1` (a server in the `PG*` environment,
//! `python3 -m pip install duckdb psycopg[binary]`); Spark in a build with the `spark` feature
//! when `TAILOR_BENCH_SPARK_CONNECT` names a Spark Connect server (`sc://localhost:15002`; the
//! server reads the shop's files, so it runs on this host). For example
//! `TAILOR_BENCH_POSTGRES=1 TAILOR_BENCH_SPARK_CONNECT=sc://localhost:15002 cargo bench
//! --features spark --bench engine`. `TAILOR_BENCH_PROFILES` sets the size.

use std::path::Path;
use std::process::Command;
use std::time::Instant;

mod support;

use support::{bench_profiles, median, planned_documents, shop, wait_measured, workspace, NOW};

/// Runs taken for each figure; the median is reported.
const RUNS: usize = 3;

/// The schema (PostgreSQL) or database (Spark) the shop is loaded into.
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

/// The shop's Parquet files in `data` loaded into PostgreSQL; the URL of each table.
fn load_into_postgres(data: &Path) -> impl Fn(&str) -> String {
    let loaded = Command::new("python3")
        .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/cli/sql_engines.py"))
        .arg("load-postgres")
        .arg(data)
        .arg(SCHEMA)
        .output()
        .expect("python3 runs");
    assert!(loaded.status.success(), "{}", String::from_utf8_lossy(&loaded.stderr));
    let database = std::env::var("PGDATABASE").unwrap_or_default();
    move |table| format!("postgres:///{database}?table={SCHEMA}.{table}")
}

/// The shop's Parquet files in `data` copied by the Spark Connect server at `url` into tables;
/// the URL of each table.
#[cfg(feature = "spark")]
fn load_into_spark(url: &str, data: &Path) -> impl Fn(&str) -> String {
    let session = spark_connect::SparkSession::builder()
        .remote(url)
        .get_or_create()
        .expect("a Spark Connect server");
    let mut statements = vec![
        format!("DROP DATABASE IF EXISTS {SCHEMA} CASCADE"),
        format!("CREATE DATABASE {SCHEMA}"),
    ];
    for table in ["profiles", "events"] {
        let file = data.join(format!("{table}.parquet"));
        statements.push(format!(
            "CREATE TABLE {SCHEMA}.{table} USING parquet AS SELECT * FROM parquet.`{}`",
            file.display()
        ));
    }
    for statement in statements {
        session
            .sql(&statement)
            .and_then(|frame| frame.collect())
            .unwrap_or_else(|e| panic!("{statement}: {e}"));
    }
    let url = url.to_string();
    move |table| format!("{url}?table={SCHEMA}.{table}")
}

/// The benchmark's workspace over the shop in `data`, its files linked in (the command line
/// reads only data inside the workspace).
fn linked_workspace(data: &Path) -> tempfile::TempDir {
    let dir = workspace(data, "parquet", &planned_documents());
    let schema_file = dir.path().join("data.yaml");
    let mut text = std::fs::read_to_string(&schema_file).expect("data.yaml");
    for name in ["profiles.parquet", "events.parquet", "products.csv"] {
        if std::fs::hard_link(data.join(name), dir.path().join(name)).is_err() {
            std::fs::copy(data.join(name), dir.path().join(name)).expect("copy");
        }
        text = text.replace(&data.join(name).to_string_lossy().into_owned(), name);
    }
    std::fs::write(&schema_file, text).expect("data.yaml written");
    dir
}

/// The workspace over the shop in `data` reading the tables `url_of` names instead of its files.
fn reading_tables(data: &Path, url_of: impl Fn(&str) -> String) -> tempfile::TempDir {
    let dir = linked_workspace(data);
    let schema_file = dir.path().join("data.yaml");
    let text = std::fs::read_to_string(&schema_file).expect("data.yaml");
    let text = text
        .replace("profiles.parquet", &url_of("profiles"))
        .replace("events.parquet", &url_of("events"));
    std::fs::write(&schema_file, text).expect("data.yaml written");
    dir
}

fn main() {
    let postgres = std::env::var_os("TAILOR_BENCH_POSTGRES").is_some();
    let spark = std::env::var("TAILOR_BENCH_SPARK_CONNECT").ok();
    if !postgres && spark.is_none() {
        println!(
            "engine: skipped (set TAILOR_BENCH_POSTGRES=1 with a server in the PG* environment, or TAILOR_BENCH_SPARK_CONNECT=sc://HOST:15002 with --features spark)"
        );
        return;
    }
    let profiles = bench_profiles(200_000);
    let data = shop(profiles, "parquet");
    let files = linked_workspace(&data);

    // Each engine's copy of the workspace, reading its tables.
    let mut engines: Vec<(&str, tempfile::TempDir)> = Vec::new();
    if postgres {
        let start = Instant::now();
        let url_of = load_into_postgres(&data);
        println!(
            "loaded {profiles} profiles into PostgreSQL in {:.1} s",
            start.elapsed().as_secs_f64()
        );
        engines.push(("postgres", reading_tables(&data, url_of)));
    }
    if let Some(url) = spark {
        #[cfg(feature = "spark")]
        {
            let start = Instant::now();
            let url_of = load_into_spark(&url, &data);
            println!(
                "loaded {profiles} profiles into Spark in {:.1} s",
                start.elapsed().as_secs_f64()
            );
            engines.push(("spark", reading_tables(&data, url_of)));
        }
        #[cfg(not(feature = "spark"))]
        println!("spark: skipped at {url} (build the benchmark with `--features spark`)");
    }

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
        let mut measured = vec![("polars (Parquet files)".to_string(), polars)];
        for (engine, dir) in &engines {
            let mut on_engine = args.clone();
            on_engine.extend(["--engine", engine]);
            let m = measure(dir.path(), &on_engine);
            assert!(
                m.output == measured[0].1.output,
                "`{name}` differs between polars and {engine}"
            );
            measured.push((format!("--engine {engine}"), m));
        }
        let (base_seconds, base_mib) = (measured[0].1.seconds, measured[0].1.peak_mib);
        for (label, m) in &measured {
            println!(
                "{:<40} {:>9.2} {:>10.1} {:>13.2}x {:>15.2}x",
                format!("{name}, {label}"),
                m.seconds,
                m.peak_mib,
                m.seconds / base_seconds,
                m.peak_mib / base_mib
            );
        }
    }
    if postgres {
        let _ = Command::new("psql")
            .args(["-qc", &format!("DROP SCHEMA IF EXISTS {SCHEMA} CASCADE")])
            .output();
    }
}
