//! What the benchmarks on generated shops share: the shop (generated once and cached under the
//! target folder), a copy of the demo's documents pointing at it, peak memory and medians.

// Each benchmark uses some of these.
#![allow(dead_code)]

use std::fs;
use std::os::unix::process::ExitStatusExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command};

use chrono::{DateTime, Utc};
use tailor::check::{check_workspace, CheckedWorkspace};
use tailor::load::load_workspace;

/// The clock every benchmark plans and trains at (the shop is generated up to it).
pub const NOW: &str = "2026-12-01T15:00:00Z";

/// The demo's documents evaluation reads: features, segments, persona and score models.
pub const EVALUATED: &[&str] = &[
    "tailor.yaml",
    "features.yaml",
    "segments.yaml",
    "personas.yaml",
    "models.yaml",
    "models",
];

/// The demo's documents `plan` and `run` read besides [`EVALUATED`]: the campaigns and their
/// templates.
const CAMPAIGNED: &[&str] = &[
    "campaigns/nyc_offer.yaml",
    "campaigns/sneaker_nudge.yaml",
    "campaigns/early_access.yaml",
    "campaigns/winback.yaml",
    "campaigns/cart_abandonment.yaml",
    "campaigns/post_purchase.yaml",
    "templates",
    "templates/partials",
];

/// Every document of the demo `plan` and `run` read.
pub fn planned_documents() -> Vec<&'static str> {
    EVALUATED.iter().chain(CAMPAIGNED).copied().collect()
}

/// The process's peak resident memory so far, in MiB.
pub fn peak_memory_mib() -> f64 {
    status_mib("self", "VmHWM:")
}

/// A memory figure of process `process` (a pid, or `self`) from `/proc/<process>/status`, in
/// MiB: `VmRSS:` (resident now), `VmHWM:` (peak resident); 0 when it cannot be read.
pub fn status_mib(process: &str, field: &str) -> f64 {
    let status = fs::read_to_string(format!("/proc/{process}/status")).unwrap_or_default();
    let kib: f64 = status
        .lines()
        .find(|l| l.starts_with(field))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(0.0);
    kib / 1024.0
}

/// Waits for `child`; its exit code and peak resident memory in MiB.
pub fn wait_measured(child: Child) -> (i32, f64) {
    let mut status = 0;
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: wait4 on our own child's pid, with valid pointers to locals.
    let pid = unsafe { libc::wait4(child.id() as i32, &mut status, 0, &mut usage) };
    assert!(pid > 0, "wait4 failed");
    let code = std::process::ExitStatus::from_raw(status).code().unwrap_or(-1);
    (code, usage.ru_maxrss as f64 / 1024.0)
}

/// The median of `values` (the upper one of an even count).
pub fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

/// The number of profiles to benchmark: `TAILOR_BENCH_PROFILES`, else `default`.
pub fn bench_profiles(default: usize) -> usize {
    std::env::var("TAILOR_BENCH_PROFILES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(default)
}

/// A generated shop of `profiles` profiles with its profiles and events in `format`.
pub fn shop(profiles: usize, format: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("shop-{profiles}-{format}"));
    if !dir.join(format!("events.{format}")).exists() {
        eprintln!("generating a shop of {profiles} profiles (cached in {})", dir.display());
        let status = Command::new(env!("CARGO_BIN_EXE_shopgen"))
            .args([
                "--profiles",
                &profiles.to_string(),
                "--events-per-profile",
                "20",
                "--seed",
                "5",
                "--format",
                format,
                "--now",
                NOW,
                "--out",
            ])
            .arg(&dir)
            .status()
            .expect("shopgen runs");
        assert!(status.success());
    }
    dir
}

/// The demo's `entries` over the shop in `data` (in `format`), loaded and checked, and the
/// benchmark's clock: the folder holding the workspace (kept while it is read), the checked
/// workspace, and [`NOW`].
pub fn checked_demo(
    data: &Path,
    format: &str,
    entries: &[&str],
) -> (tempfile::TempDir, CheckedWorkspace, DateTime<Utc>) {
    let ws = workspace(data, format, entries);
    let now = DateTime::parse_from_rfc3339(NOW).expect("now").to_utc();
    let loaded = load_workspace(ws.path()).expect("load");
    let checked = check_workspace(&loaded).workspace.expect("the demo checks");
    (ws, checked, now)
}

/// A workspace of the demo's `entries` (documents, or folders whose files are all copied) and
/// its data schema, reading the shop in `data` in `format`.
pub fn workspace(data: &Path, format: &str, entries: &[&str]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    let demo = Path::new(env!("CARGO_MANIFEST_DIR")).join("campaigns");
    let copy = |relative: &Path| {
        let target = dir.path().join(relative);
        fs::create_dir_all(target.parent().expect("parent")).expect("mkdir");
        fs::copy(demo.join(relative), target).expect("copy");
    };
    for entry in entries {
        let path = demo.join(entry);
        if !path.is_dir() {
            copy(Path::new(entry));
            continue;
        }
        for file in fs::read_dir(&path).expect("folder") {
            let file = file.expect("entry");
            if file.file_type().expect("type").is_file() {
                copy(file.path().strip_prefix(&demo).expect("inside"));
            }
        }
    }
    let schema = fs::read_to_string(demo.join("data.yaml"))
        .expect("data.yaml")
        .replace(
            "../datasets/shop/profiles.csv",
            &data.join(format!("profiles.{format}")).to_string_lossy(),
        )
        .replace(
            "../datasets/shop/events.ndjson",
            &data.join(format!("events.{format}")).to_string_lossy(),
        )
        .replace(
            "../datasets/shop/products.csv",
            &data.join("products.csv").to_string_lossy(),
        );
    fs::write(dir.path().join("data.yaml"), schema).expect("write");
    dir
}
