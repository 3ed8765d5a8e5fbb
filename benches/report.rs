//! Benchmark: `tailor report` on a generated shop, against a hand-written DuckDB + statsmodels
//! report of the same campaign over the same files, measured in the same run.
//!
//! A shop of 100,000 profiles (shopgen, seed 3, with `--outcomes`: a week of opens, clicks and
//! purchases after the send) is run once (`tailor run --campaign nyc_offer`, outbox) to fill
//! the ledger; then, with the events as NDJSON and as Parquet, `tailor report DIR nyc_offer
//! --format json` and the peer (`benches/peers/report_duckdb.py`: DuckDB SQL over the same
//! events file and the ledger's tables, statsmodels for the tests) each run three times: median
//! wall time, and the per-arm counts of both, which must agree (an independent check of
//! attribution on a large ledger).
//!
//! Run with `cargo bench --bench report` (Python 3 with duckdb, pandas, statsmodels).

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Instant;

#[allow(dead_code)]
#[path = "../tests/cli/support.rs"]
mod support;

const PROFILES: usize = 100_000;
const RUN_AT: &str = "2026-12-01T15:00:00Z";
const REPORT_AT: &str = "2026-12-09T00:00:00Z";
const SECRET: &str = "bench-secret-of-at-least-32-bytes-long";

fn median(mut times: Vec<f64>) -> f64 {
    times.sort_by(f64::total_cmp);
    times[times.len() / 2]
}

fn shop(dir: &Path) {
    for (format, out) in [
        ("csv", dir.join("datasets/shop")),
        ("ndjson", dir.join("ndjson")),
        ("parquet", dir.join("parquet")),
    ] {
        let status = Command::new(env!("CARGO_BIN_EXE_shopgen"))
            .args([
                "--profiles",
                &PROFILES.to_string(),
                "--seed",
                "3",
                "--now",
                RUN_AT,
                "--outcomes",
            ])
            .args(["--format", format, "--out"])
            .arg(&out)
            .stdout(Stdio::null())
            .status()
            .expect("shopgen runs");
        assert!(status.success());
    }
    for file in ["ndjson/events.ndjson", "parquet/events.parquet"] {
        let name = Path::new(file).file_name().expect("a file name");
        std::fs::copy(dir.join(file), dir.join("datasets/shop").join(name)).expect("events");
    }
}

fn timed(command: &mut Command) -> (f64, String) {
    let start = Instant::now();
    let output = command.output().expect("runs");
    let seconds = start.elapsed().as_secs_f64();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    (seconds, String::from_utf8_lossy(&output.stdout).into_owned())
}

fn main() {
    let root = tempfile::tempdir().expect("tempdir");
    let dir = root.path();
    support::copy_tree(&support::repo().join("campaigns"), &dir.join("campaigns"));
    let _ = std::fs::remove_dir_all(dir.join("campaigns/.tailor"));
    shop(dir);
    let start = Instant::now();
    let run = Command::new(env!("CARGO_BIN_EXE_tailor"))
        .args([
            "run",
            "campaigns",
            "--now",
            RUN_AT,
            "--campaign",
            "nyc_offer",
            "--format",
            "json",
        ])
        .current_dir(dir)
        .env("TAILOR_UNSUBSCRIBE_SECRET", SECRET)
        .output()
        .expect("tailor runs");
    assert!(run.status.success(), "{}", String::from_utf8_lossy(&run.stderr));
    println!(
        "setup: {PROFILES} profiles, run of nyc_offer in {:.1} s",
        start.elapsed().as_secs_f64()
    );

    let mut lines = Vec::new();
    for (format, file) in [("NDJSON", "events.ndjson"), ("Parquet", "events.parquet")] {
        let data = dir.join("campaigns/data.yaml");
        let text = std::fs::read_to_string(&data).expect("data.yaml");
        let text = text.replace("events.ndjson", file).replace("events.parquet", file);
        std::fs::write(&data, text).expect("data.yaml");
        println!("events as {format}:");
        let (ours, theirs, agree) = measure(dir, &dir.join("datasets/shop").join(file));
        let (a, b) = (median(ours), median(theirs));
        println!(
            "  attribution agrees with the peer: {}",
            if agree { "yes" } else { "NO" }
        );
        lines.push(format!("| {format} | {a:.2} s | {b:.2} s | {:.2}x |", a / b));
        assert!(agree, "tailor and the peer attribute differently");
    }
    println!("\n| events | tailor report | DuckDB + statsmodels | ratio |\n|---|---:|---:|---:|");
    for line in lines {
        println!("{line}");
    }
}

/// Runs tailor's report and the peer three times each on `events`; their times and whether
/// their per-arm counts agree.
fn measure(dir: &Path, events: &Path) -> (Vec<f64>, Vec<f64>, bool) {
    let (mut ours, mut theirs) = (Vec::new(), Vec::new());
    let (mut ours_out, mut theirs_out) = (String::new(), String::new());
    for _ in 0..3 {
        let (t, out) = timed(
            Command::new(env!("CARGO_BIN_EXE_tailor"))
                .args([
                    "report",
                    "campaigns",
                    "nyc_offer",
                    "--now",
                    REPORT_AT,
                    "--format",
                    "json",
                ])
                .current_dir(dir),
        );
        ours.push(t);
        ours_out = out;
        let (t, out) = timed(
            Command::new("python3")
                .arg(support::repo().join("benches/peers/report_duckdb.py"))
                .arg(dir.join("campaigns/.tailor/ledger.sqlite"))
                .arg(events)
                .args(["nyc_offer", REPORT_AT, &(7 * 86_400).to_string()]),
        );
        theirs.push(t);
        theirs_out = out;
    }
    let ours_json: serde_json::Value = serde_json::from_str(&ours_out).expect("tailor's JSON");
    let theirs_json: serde_json::Value = serde_json::from_str(&theirs_out).expect("the peer's JSON");
    let mut agree = true;
    for arm in ours_json["arms"].as_array().expect("arms") {
        let name = arm["name"].as_str().unwrap_or_default();
        let peer = &theirs_json[name];
        let pairs = [
            ("units", arm["units"].clone()),
            ("delivered", arm["delivered"].clone()),
            ("opens", arm["open"]["count"]["successes"].clone()),
            ("machine_opens", arm["machine_opens"].clone()),
            ("clicks", arm["click"]["count"]["successes"].clone()),
            ("conversions", arm["conversion"]["count"]["successes"].clone()),
        ];
        for (what, value) in pairs {
            if peer[what] != value {
                agree = false;
                println!("  {name}.{what}: tailor {value}, peer {}", peer[what]);
            }
        }
        let revenue = arm["revenue"].as_f64().unwrap_or_default();
        if (revenue - peer["revenue"].as_f64().unwrap_or_default()).abs() > 1e-6 {
            agree = false;
            println!("  {name}.revenue: tailor {revenue}, peer {}", peer["revenue"]);
        }
        println!(
            "  {name:14} units {:>6}  conversions {:>5}  revenue {:>10.2}",
            arm["units"], arm["conversion"]["count"]["successes"], revenue
        );
    }
    (ours, theirs, agree)
}
