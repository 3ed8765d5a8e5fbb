//! Killing `tailor run` (SIGKILL) in the middle of sending, then running it again: no due
//! message is lost, and the only duplicates are messages that were in flight at the kill —
//! the ledger's `reserved` rows — carrying the same Message-ID. The check is shown not to be
//! vacuous: every kill lands mid-send, and without the reservation step it catches duplicates.

use std::collections::{BTreeMap, BTreeSet};
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use crate::run::{ledger_rows, run_json, smtp_demo, NOW, SECRET};
use crate::smtp_server::{ScriptedServer, ACCEPT};
use crate::support::demo_workspace;

/// Trials with the ledger as built.
const TRIALS: u64 = 20;

/// The Message-IDs a run that is never interrupted sends (they depend only on campaign,
/// profile and occurrence).
pub fn expected_ids() -> &'static BTreeSet<String> {
    static IDS: OnceLock<BTreeSet<String>> = OnceLock::new();
    IDS.get_or_init(|| {
        let dir = demo_workspace();
        let (output, _) = run_json(dir.path(), &[]);
        assert_eq!(output.code, 0, "{}", output.stderr);
        ledger_rows(dir.path()).into_iter().map(|r| r.message_id).collect()
    })
}

/// What one trial saw.
pub struct Trial {
    /// Messages the server had accepted when the run was killed.
    pub at_kill: usize,
    /// Message-IDs of the rows left `reserved` by the kill.
    pub in_flight: BTreeSet<String>,
    /// How many times each Message-ID arrived, after the second run.
    pub arrivals: BTreeMap<String, usize>,
}

/// How many times each Message-ID reached `server`.
pub fn arrivals(server: &ScriptedServer) -> BTreeMap<String, usize> {
    let mut arrivals = BTreeMap::new();
    for message in server.received() {
        *arrivals.entry(message.message_id()).or_insert(0) += 1;
    }
    arrivals
}

/// A small deterministic generator for the kill points.
pub fn kill_point(seed: u64, total: usize) -> usize {
    let mut x = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ 0xD1B5_4A32_D192_ED03;
    x ^= x >> 29;
    x = x.wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x ^= x >> 32;
    1 + (x as usize) % (total * 4 / 5)
}

/// Runs the demo against a slow server, kills the run after the seeded number of messages,
/// records what was in flight, and runs again to the end.
fn trial(seed: u64, reserve: bool) -> Trial {
    let total = expected_ids().len();
    let server = ScriptedServer::start(&[], ACCEPT, Duration::from_millis(4));
    let dir = smtp_demo(server.port, 4, 3);
    let mut command = Command::new(env!("CARGO_BIN_EXE_tailor"));
    command
        .args(["run", "campaigns", "--now", NOW])
        .current_dir(dir.path())
        .env(SECRET.0, SECRET.1)
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    if !reserve {
        command.env("TAILOR_TEST_UNSAFE_NO_RESERVATION", "1");
    }
    let mut child = command.spawn().expect("tailor runs");
    let target = kill_point(seed, total);
    let started = Instant::now();
    while server.inbox.lock().unwrap().len() < target {
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "the run never reached {target} messages"
        );
        assert!(child.try_wait().unwrap().is_none(), "the run ended before the kill");
        std::thread::sleep(Duration::from_micros(200));
    }
    child.kill().expect("SIGKILL");
    child.wait().unwrap();
    let at_kill = server.inbox.lock().unwrap().len();
    let in_flight = ledger_rows(dir.path())
        .into_iter()
        .filter(|r| r.state == "reserved")
        .map(|r| r.message_id)
        .collect();
    let (output, _) = run_json(dir.path(), &[]);
    assert_eq!(output.code, 0, "{}", output.stderr);
    let arrivals = arrivals(&server);
    Trial {
        at_kill,
        in_flight,
        arrivals,
    }
}

/// What is wrong with a trial's outcome, if anything.
pub fn violations(trial: &Trial) -> Vec<String> {
    let expected = expected_ids();
    let mut problems = Vec::new();
    for id in expected {
        if !trial.arrivals.contains_key(id) {
            problems.push(format!("{id} never arrived"));
        }
    }
    for (id, count) in &trial.arrivals {
        if !expected.contains(id) {
            problems.push(format!("{id} was not due"));
        }
        if *count > 1 && !trial.in_flight.contains(id) {
            problems.push(format!("{id} arrived {count} times but was not in flight at the kill"));
        }
        if *count > 2 {
            problems.push(format!("{id} arrived {count} times"));
        }
    }
    problems
}

#[test]
fn killed_runs_lose_nothing_and_duplicate_only_what_was_in_flight() {
    let total = expected_ids().len();
    assert!(total > 100, "{total}");
    let mut duplicates = 0;
    for seed in 0..TRIALS {
        let trial = trial(seed, true);
        // Not vacuous: the kill came after sending started and before it ended.
        assert!(
            trial.at_kill >= 1 && trial.at_kill < total,
            "seed {seed}: the kill landed after {} of {total}",
            trial.at_kill
        );
        let problems = violations(&trial);
        assert!(problems.is_empty(), "seed {seed}: {problems:#?}");
        duplicates += trial.arrivals.values().filter(|&&n| n > 1).count();
    }
    // At-least-once: some in-flight messages were sent again (same Message-ID).
    eprintln!("{duplicates} in-flight messages were resent over {TRIALS} trials");
}

#[test]
fn without_reservations_a_kill_leads_to_duplicates_the_check_catches() {
    let caught = (100..105)
        .filter(|&seed| !violations(&trial(seed, false)).is_empty())
        .count();
    assert!(caught > 0, "no trial without reservations showed a duplicate");
}

#[test]
fn sigterm_stops_gracefully_and_a_rerun_duplicates_nothing() {
    let total = expected_ids().len();
    let server = ScriptedServer::start(&[], ACCEPT, Duration::from_millis(10));
    let dir = smtp_demo(server.port, 2, 3);
    let child = Command::new(env!("CARGO_BIN_EXE_tailor"))
        .args(["run", "campaigns", "--now", NOW])
        .current_dir(dir.path())
        .env(SECRET.0, SECRET.1)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("tailor runs");
    let started = Instant::now();
    while server.inbox.lock().unwrap().len() < 20 {
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "the run never sent 20 messages"
        );
        std::thread::sleep(Duration::from_millis(1));
    }
    // SAFETY: signalling our own child process.
    assert_eq!(unsafe { libc::kill(child.id() as i32, libc::SIGTERM) }, 0);
    let output = child.wait_with_output().unwrap();
    assert_eq!(output.status.code(), Some(1), "a stopped run exits 1");
    let summary = String::from_utf8_lossy(&output.stdout);
    assert!(summary.contains("interrupted by a signal"), "{summary}");
    // Nothing was left in flight: every delivered message is recorded as sent.
    let rows = ledger_rows(dir.path());
    assert!(rows.iter().all(|r| r.state == "sent"), "{rows:?}");
    let delivered = server.received().len();
    assert!(delivered < total, "the signal came after the end");
    assert_eq!(rows.len(), delivered);
    // The rerun sends the rest, and nothing twice.
    let (rerun, _) = run_json(dir.path(), &[]);
    assert_eq!(rerun.code, 0, "{}", rerun.stderr);
    let arrivals = arrivals(&server);
    assert_eq!(arrivals.len(), total);
    assert!(arrivals.values().all(|&n| n == 1), "{arrivals:?}");
}
