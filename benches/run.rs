//! Benchmark: `tailor run` sending generated audiences of 25,000, 50,000 and 100,000 profiles
//! through Postfix's `smtp-sink` (no rate limit), whole command timed, with its peak memory
//! beside the peak of `tailor plan` on the same data (what loading and evaluating the data
//! costs): the difference is what sending adds, and it must not grow with the audience. Beside
//! it, a hand-rolled Python job (pandas + Jinja2 + smtplib) sends the same audience to the same
//! sink in the same run.
//!
//! With `TAILOR_BENCH_POSTGRES=1` (a server in the `PG*` environment), the largest audience is
//! also sent by one, two and three `tailor run`s at once sharing a ledger in PostgreSQL, against
//! the single run on its SQLite ledger above: what sharing a ledger costs. Then the smallest
//! audience goes to a server that pauses before each answer (tailor's scripted test server), so
//! that the server bounds the rate, once on SQLite and by one, two and three runs sharing the
//! PostgreSQL ledger: what sharing buys.
//!
//! Run with `cargo bench --bench run` (needs `smtp-sink` from Debian's `postfix` package and
//! `python3 -m pip install pandas jinja2`).

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Instant;

const NOW: &str = "2026-12-01T15:00:00Z";
const SIZES: [usize; 3] = [25_000, 50_000, 100_000];
const PORT: u16 = 2599;

/// In the latency-bound rows, the server's pause before each answer.
const ANSWER_DELAY: std::time::Duration = std::time::Duration::from_millis(1);

/// In the latency-bound rows, each run's SMTP connections.
const LATENCY_POOL: u32 = 4;

// The integration tests' helpers (copying a workspace, editing files; a scripted SMTP server).
#[allow(dead_code)]
#[path = "../tests/cli/support.rs"]
mod support;

#[allow(dead_code)]
#[path = "../tests/cli/smtp_server.rs"]
mod smtp_server;

// The benchmarks' own helpers.
#[path = "support/mod.rs"]
mod benches_support;

use benches_support::wait_measured;
use smtp_server::{ScriptedServer, ACCEPT};
use support::{copy_tree, replace_in};

/// The demo workspace sending only `nyc_offer`, to everyone who consents, at any hour, over
/// SMTP to the sink; a shop of `profiles` profiles beside it.
fn workspace(root: &Path, profiles: usize) -> PathBuf {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    let dir = root.join(format!("shop{profiles}"));
    copy_tree(&repo.join("campaigns"), &dir.join("campaigns"));
    let manifest = dir.join("campaigns/tailor.yaml");
    replace_in(&manifest, "transport: outbox", "transport: smtp");
    replace_in(&manifest, "  quiet_hours: \"21:00-08:00\"\n", "");
    replace_in(
        &manifest,
        "url: \"smtp://127.0.0.1:2525\", pool: 8, rate_per_second: 200",
        &format!("url: \"smtp://127.0.0.1:{PORT}?tls=none\", pool: 8, rate_per_second: 0"),
    );
    for entry in fs::read_dir(dir.join("campaigns/campaigns")).expect("campaigns") {
        let path = entry.expect("entry").path();
        if path.file_name().is_some_and(|n| n == "nyc_offer.yaml") {
            replace_in(&path, "audience: segment.active", "audience: true");
        } else {
            let text = fs::read_to_string(&path).expect("read");
            fs::write(&path, format!("{}\nenabled: false\n", text.trim_end())).expect("write");
        }
    }
    let shop = dir.join("datasets/shop");
    for (format, out) in [("csv", shop.clone()), ("ndjson", dir.join("ndjson"))] {
        let status = Command::new(env!("CARGO_BIN_EXE_shopgen"))
            .args([
                "--profiles",
                &profiles.to_string(),
                "--events-per-profile",
                "5",
                "--seed",
                "3",
            ])
            .args(["--now", NOW, "--format", format, "--out"])
            .arg(&out)
            .stdout(Stdio::null())
            .status()
            .expect("shopgen runs");
        assert!(status.success());
    }
    fs::copy(dir.join("ndjson/events.ndjson"), shop.join("events.ndjson")).expect("events");
    dir
}

/// One measured job: messages sent, seconds, peak MiB.
struct Measured {
    sent: u64,
    seconds: f64,
    peak_mib: f64,
}

/// Peak MiB of `tailor plan` on the workspace in `dir`.
fn plan_peak(dir: &Path) -> f64 {
    let child = Command::new(env!("CARGO_BIN_EXE_tailor"))
        .args(["plan", "campaigns", "--now", NOW, "--format", "json"])
        .current_dir(dir)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("tailor plans");
    let (code, peak) = wait_measured(child);
    assert_eq!(code, 0, "tailor plan failed");
    peak
}

fn run_tailor(dir: &Path) -> Measured {
    run_senders(dir, 1)
}

/// `senders` runs of the workspace in `dir` at once, timed until the last ends: messages sent
/// by all, and the largest peak.
fn run_senders(dir: &Path, senders: usize) -> Measured {
    let start = Instant::now();
    let children: Vec<(Child, PathBuf)> = (0..senders)
        .map(|index| {
            let out = dir.join(format!("summary{index}.json"));
            let child = Command::new(env!("CARGO_BIN_EXE_tailor"))
                .args(["run", "campaigns", "--now", NOW, "--format", "json"])
                .current_dir(dir)
                .env("TAILOR_UNSUBSCRIBE_SECRET", "bench-secret-of-at-least-32-bytes-long")
                .stdout(fs::File::create(&out).expect("summary file"))
                .stderr(Stdio::null())
                .spawn()
                .expect("tailor runs");
            (child, out)
        })
        .collect();
    let mut measured = Measured {
        sent: 0,
        seconds: 0.0,
        peak_mib: 0.0,
    };
    for (child, out) in children {
        let (code, peak_mib) = wait_measured(child);
        assert_eq!(code, 0, "tailor run failed");
        let summary: serde_json::Value =
            serde_json::from_str(&fs::read_to_string(out).expect("summary")).expect("json");
        measured.sent += summary["campaigns"]
            .as_array()
            .expect("campaigns")
            .iter()
            .map(|c| c["sent"].as_u64().unwrap_or(0))
            .sum::<u64>();
        measured.peak_mib = measured.peak_mib.max(peak_mib);
    }
    measured.seconds = start.elapsed().as_secs_f64();
    measured
}

/// Runs `sql` with psql in the `PG*` environment.
fn psql(sql: &str) {
    let status = Command::new("psql")
        .args(["-qAt", "-v", "ON_ERROR_STOP=1", "-c", sql])
        .stdout(Stdio::null())
        .status()
        .expect("psql runs");
    assert!(status.success(), "{sql}");
}

/// The audience in `dir` sent by one, two and three runs sharing a ledger in PostgreSQL (a new
/// schema each time), beside the single run on SQLite measured before (`alone`), under
/// `title`; `sent` counts the messages the server received, when it can.
fn shared_ledger_rows(dir: &Path, alone: &Measured, title: &str, sent: &dyn Fn() -> Option<usize>) {
    let database = std::env::var("PGDATABASE").unwrap_or_else(|_| "postgres".into());
    let schema = format!("bench_senders_{}", std::process::id());
    replace_in(
        &dir.join("campaigns/tailor.yaml"),
        "ledger: .tailor/ledger.sqlite",
        &format!("ledger: postgres:///{database}?schema={schema}"),
    );
    println!("\n{title}");
    println!(
        "{:>28}  {:>8}  {:>8}  {:>10}  {:>12}  {:>16}",
        "", "sent", "seconds", "messages/s", "peak MiB", "rate / SQLite"
    );
    let row = |name: &str, m: &Measured| {
        println!(
            "{name:>28}  {:>8}  {:>8.2}  {:>10.0}  {:>12.1}  {:>15.2}x",
            m.sent,
            m.seconds,
            m.sent as f64 / m.seconds,
            m.peak_mib,
            (m.sent as f64 / m.seconds) / (alone.sent as f64 / alone.seconds)
        )
    };
    row("1 run, SQLite ledger", alone);
    let mut received = sent();
    for senders in 1..=3 {
        psql(&format!("DROP SCHEMA IF EXISTS {schema} CASCADE"));
        let shared = run_senders(dir, senders);
        assert_eq!(shared.sent, alone.sent, "the senders together sent every message once");
        if let (Some(before), Some(after)) = (received, sent()) {
            assert_eq!(
                after - before,
                alone.sent as usize,
                "the server received every message once"
            );
            received = Some(after);
        }
        row(&format!("{senders} run(s), PostgreSQL ledger"), &shared);
    }
    psql(&format!("DROP SCHEMA IF EXISTS {schema} CASCADE"));
}

/// The smallest audience sent to a server that pauses [`ANSWER_DELAY`] before each answer,
/// over [`LATENCY_POOL`] connections per run: one run on SQLite, then one, two and three runs
/// sharing a PostgreSQL ledger. Here the server's answers bound the rate, as a remote server's
/// do, and runs that share a ledger add their connections.
fn latency_bound_rows(root: &Path) {
    let server = ScriptedServer::start(&[], ACCEPT, ANSWER_DELAY);
    let dir = workspace(&root.join("latency"), SIZES[0]);
    replace_in(
        &dir.join("campaigns/tailor.yaml"),
        &format!("url: \"smtp://127.0.0.1:{PORT}?tls=none\", pool: 8"),
        &format!(
            "url: \"smtp://127.0.0.1:{}?tls=none\", pool: {LATENCY_POOL}",
            server.port
        ),
    );
    let alone = run_tailor(&dir);
    let title = format!(
        "the {} profiles, to a server pausing {} ms before each answer, {LATENCY_POOL} connections per run",
        SIZES[0],
        ANSWER_DELAY.as_millis()
    );
    shared_ledger_rows(&dir, &alone, &title, &|| Some(server.received().len()));
}

fn run_python(dir: &Path) -> Measured {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("benches/peers/run_pandas_jinja.py");
    let out = dir.join("python.txt");
    let start = Instant::now();
    let child = Command::new("python3")
        .arg(script)
        .arg(dir.join("datasets/shop/profiles.csv"))
        .args(["127.0.0.1", &PORT.to_string()])
        .stdout(fs::File::create(&out).expect("out"))
        .spawn()
        .expect("python3 runs");
    let (code, peak_mib) = wait_measured(child);
    let seconds = start.elapsed().as_secs_f64();
    assert_eq!(code, 0, "the Python job failed (python3 -m pip install pandas jinja2)");
    let text = fs::read_to_string(out).expect("python output");
    let sent = text.split_whitespace().next().and_then(|s| s.parse().ok()).unwrap_or(0);
    Measured {
        sent,
        seconds,
        peak_mib,
    }
}

fn main() {
    if std::env::args().any(|a| a == "--test" || a == "--list") {
        return;
    }
    let sink_path = ["/usr/sbin/smtp-sink", "/usr/lib/postfix/sbin/smtp-sink"]
        .into_iter()
        .find(|p| Path::new(p).exists())
        .expect("smtp-sink is missing: install Debian's `postfix` package");
    let mut sink = Command::new(sink_path)
        .args(["-u", "nobody", &format!("127.0.0.1:{PORT}"), "1024"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("smtp-sink starts");
    std::thread::sleep(std::time::Duration::from_millis(300));
    let root = tempfile::tempdir().expect("tempdir");
    println!("tailor run through smtp-sink (whole command: load, evaluate, plan, render, send, record)");
    let mut rows = Vec::new();
    let mut largest = None;
    for profiles in SIZES {
        let dir = workspace(root.path(), profiles);
        let plan = plan_peak(&dir);
        let tailor = run_tailor(&dir);
        rows.push(format!(
            "{profiles:>9}  {:>8}  {:>8.2}  {:>10.0}  {:>13.1}  {:>13.1}  {:>14.1}",
            tailor.sent,
            tailor.seconds,
            tailor.sent as f64 / tailor.seconds,
            tailor.peak_mib,
            plan,
            tailor.peak_mib - plan
        ));
        largest = Some((dir, tailor));
    }
    println!(
        "{:>9}  {:>8}  {:>8}  {:>10}  {:>13}  {:>13}  {:>14}",
        "profiles", "sent", "seconds", "messages/s", "run peak MiB", "plan peak MiB", "sending adds"
    );
    for row in rows {
        println!("{row}");
    }
    let (dir, tailor) = largest.expect("a size");
    if std::env::var_os("TAILOR_BENCH_POSTGRES").is_some() {
        let title = "the same audience, senders sharing one ledger in PostgreSQL (all on this machine's 2 cores)";
        shared_ledger_rows(&dir, &tailor, title, &|| None);
        latency_bound_rows(root.path());
    }
    let python = run_python(&dir);
    let (tailor_rate, python_rate) = (tailor.sent as f64 / tailor.seconds, python.sent as f64 / python.seconds);
    println!(
        "pandas + Jinja2 + smtplib, {} profiles: {} sent in {:.2} s = {python_rate:.0} messages/s, peak {:.1} MiB",
        SIZES[SIZES.len() - 1],
        python.sent,
        python.seconds,
        python.peak_mib
    );
    println!(
        "tailor is {:.2}x the Python job's rate, at {:.2}x its peak memory",
        tailor_rate / python_rate,
        tailor.peak_mib / python.peak_mib
    );
    let _ = sink.kill();
    let _ = sink.wait();
}
