//! A ledger in PostgreSQL (`delivery.ledger: postgres://…`), shared by several `tailor run`
//! processes. Three senders on one ledger into one real SMTP server, one of them killed
//! (SIGKILL) mid-run and restarted: every due message arrives, and the only duplicates are
//! the killed run's in-flight messages, with the same Message-ID. A PostgreSQL ledger plans,
//! reports and suppresses as a SQLite one does, and `serve`'s exclusive lease keeps senders
//! out. The tests run when `TAILOR_TEST_POSTGRES` is set (`.ci/run` starts a server), and
//! otherwise say they were skipped.

use std::collections::BTreeSet;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::crash::{arrivals, expected_ids, kill_point, violations, Trial};
use crate::postgres_server::{postgres_available, psql_rows, says, Schema};
use crate::run::{smtp_demo, NOW, SECRET};
use crate::smtp_server::{ScriptedServer, ACCEPT};
use crate::support::{demo_workspace, replace_in, tailor, tailor_with_env};

/// Kill points tried.
const TRIALS: u64 = 5;

/// Senders sharing the ledger.
const SENDERS: usize = 3;

/// Points the workspace in `dir` at a ledger in `schema` of the test server.
fn use_postgres_ledger(dir: &Path, schema: &Schema) {
    let database = std::env::var("PGDATABASE").unwrap_or_else(|_| "postgres".into());
    replace_in(
        &dir.join("campaigns/tailor.yaml"),
        "ledger: .tailor/ledger.sqlite",
        &format!("ledger: postgres:///{database}?schema={}", schema.0),
    );
}

/// A `tailor run` of the workspace in `dir`, its JSON summary on stdout.
fn sender(dir: &Path) -> Child {
    sender_with(dir, &[])
}

/// [`sender`] with more arguments.
fn sender_with(dir: &Path, extra: &[&str]) -> Child {
    Command::new(env!("CARGO_BIN_EXE_tailor"))
        .args(["run", "campaigns", "--now", NOW, "--format", "json"])
        .args(extra)
        .current_dir(dir)
        .env(SECRET.0, SECRET.1)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("tailor runs")
}

/// Messages a finished sender's summary says it sent, and that it found claimed by other runs.
fn sent_and_claimed(child: Child) -> (u64, u64) {
    let output = child.wait_with_output().expect("the sender ends");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(0), "{stderr}");
    let summary: serde_json::Value = serde_json::from_slice(&output.stdout).expect("a JSON summary");
    let total = |field: &str| -> u64 {
        summary["campaigns"]
            .as_array()
            .expect("campaigns")
            .iter()
            .map(|c| c[field].as_u64().expect("a count"))
            .sum()
    };
    (total("sent"), total("other_runs"))
}

/// Messages a finished sender's summary says it sent.
fn sent_by(child: Child) -> u64 {
    sent_and_claimed(child).0
}

/// What psql prints for `sql` in `schema`, a line per row.
fn rows_in(schema: &Schema, sql: &str) -> Vec<String> {
    psql_rows(&format!("SET search_path TO {}; {sql}", schema.0))
        .lines()
        .map(str::to_string)
        .collect()
}

/// A schema named `name` for the ledger; an SMTP server answering each message after 15 ms; the
/// demo sending to it over one connection, its ledger in the schema, laid out already (so that
/// a watch can read it from the start).
fn slow_shared_demo(name: &str) -> (Schema, ScriptedServer, tempfile::TempDir) {
    let schema = Schema(name.to_string());
    let server = ScriptedServer::start(&[], ACCEPT, Duration::from_millis(15));
    let dir = smtp_demo(server.port, 1, 3);
    use_postgres_ledger(dir.path(), &schema);
    let laid_out = tailor_with_env(dir.path(), &["suppress", "list", "campaigns"], &[SECRET]);
    assert_eq!(laid_out.code, 0, "{}", laid_out.stderr);
    (schema, server, dir)
}

/// The lease token of process `pid`, when it holds reserved sends in the ledger in `schema`.
fn reserving(schema: &Schema, pid: u32) -> Option<String> {
    rows_in(
        schema,
        &format!(
            "SELECT l.token FROM lease l JOIN sends s ON s.worker = l.token
             WHERE l.pid = {pid} AND s.state = 'reserved' LIMIT 1"
        ),
    )
    .into_iter()
    .next()
}

/// The lease token of process `pid` once it holds reserved sends (waiting up to a minute).
fn reservations_of(schema: &Schema, pid: u32) -> String {
    let started = Instant::now();
    loop {
        assert!(started.elapsed() < Duration::from_secs(60), "the sender never reserved");
        if let Some(token) = reserving(schema, pid) {
            return token;
        }
        std::thread::sleep(Duration::from_millis(2));
    }
}

/// The Message-IDs of the sends the run holding lease `token` has in flight.
fn in_flight_of(schema: &Schema, token: &str) -> BTreeSet<String> {
    rows_in(
        schema,
        &format!("SELECT message_id FROM sends WHERE state = 'reserved' AND worker = '{token}'"),
    )
    .into_iter()
    .collect()
}

/// The process ids holding a lease on the ledger in `schema`.
fn lease_holders(schema: &Schema) -> Vec<u32> {
    rows_in(schema, "SELECT pid FROM lease")
        .iter()
        .filter_map(|pid| pid.parse().ok())
        .collect()
}

/// How many sends are in each state, as `state|count` lines by state.
fn send_states(schema: &Schema) -> Vec<String> {
    rows_in(
        schema,
        "SELECT state, COUNT(*) FROM sends GROUP BY state ORDER BY state",
    )
}

/// Three senders on one ledger; the second is killed once the server has accepted the seeded
/// number of messages and it holds reservations, then started again after the others end.
/// Returns what the server saw, and what each surviving sender sent.
fn trial(seed: u64) -> (Trial, Vec<u64>) {
    let total = expected_ids().len();
    let (schema, server, dir) = slow_shared_demo(&format!("shared_{}_{seed}", std::process::id()));
    let mut senders: Vec<Child> = (0..SENDERS).map(|_| sender(dir.path())).collect();
    let victim = senders[1].id();
    let target = kill_point(seed, total);
    let started = Instant::now();
    // The survivors hold their leases before the kill: one starting after it would take the
    // killed run's sends over itself (as it should), leaving the restart less to do.
    let mut leased = BTreeSet::new();
    let (token, at_kill) = loop {
        assert!(started.elapsed() < Duration::from_secs(90), "no kill point was reached");
        assert!(
            senders[1].try_wait().unwrap().is_none(),
            "the sender ended before the kill"
        );
        leased.extend(lease_holders(&schema));
        let survivors_leased = senders.iter().all(|s| leased.contains(&s.id()));
        let holding = reserving(&schema, victim);
        let accepted = server.inbox.lock().unwrap().len();
        if let (Some(token), true, true) = (holding, accepted >= target, survivors_leased) {
            senders[1].kill().expect("SIGKILL");
            senders[1].wait().unwrap();
            break (token, server.inbox.lock().unwrap().len());
        }
        std::thread::sleep(Duration::from_millis(2));
    };
    let mut sent = Vec::new();
    for (index, child) in senders.into_iter().enumerate() {
        if index != 1 {
            let (own, claimed) = sent_and_claimed(child);
            // Each survivor found part of the list claimed by the others.
            assert!(claimed > 0, "seed {seed}: sender {index} saw no claim of another run");
            sent.push(own);
        }
    }
    // What the killed run left in flight, read once the others are done: a commit it sent just
    // before it died may reach the server after the kill (and then that send is recorded).
    let in_flight: BTreeSet<String> = in_flight_of(&schema, &token);
    // The killed sender, started again, takes over what it left reserved.
    let restarted = sent_by(sender(dir.path()));
    assert!(
        restarted >= in_flight.len() as u64,
        "the restarted sender resent {restarted} of {} in flight",
        in_flight.len()
    );
    let states = send_states(&schema);
    assert_eq!(states, [format!("sent|{total}")], "seed {seed}");
    assert_eq!(
        rows_in(&schema, "SELECT COUNT(*) FROM lease"),
        ["0"],
        "every lease given back"
    );
    let arrivals = arrivals(&server);
    (
        Trial {
            at_kill,
            in_flight,
            arrivals,
        },
        sent,
    )
}

#[test]
fn three_senders_share_a_postgres_ledger_and_a_killed_one_loses_nothing() {
    if !postgres_available() {
        return;
    }
    let total = expected_ids().len();
    let mut resent = 0;
    for seed in 0..TRIALS {
        let (trial, sent) = trial(seed);
        // Not vacuous: the kill came mid-run, with messages of the victim in flight, and the
        // others shared the work.
        assert!(
            trial.at_kill >= 1 && trial.at_kill < total,
            "seed {seed}: kill after {}",
            trial.at_kill
        );
        assert!(!trial.in_flight.is_empty(), "seed {seed}: nothing was in flight");
        assert!(
            sent.iter().all(|&n| n > 0),
            "seed {seed}: a sender sent nothing: {sent:?}"
        );
        let problems = violations(&trial);
        assert!(problems.is_empty(), "seed {seed}: {problems:#?}");
        resent += trial.arrivals.values().filter(|&&n| n > 1).count();
    }
    eprintln!("{resent} in-flight messages were resent over {TRIALS} trials");
}

#[test]
fn a_sender_taken_for_dead_is_fenced_out_and_its_sends_are_not_lost() {
    if !postgres_available() {
        return;
    }
    let total = expected_ids().len();
    let (schema, server, dir) = slow_shared_demo(&format!("fenced_{}", std::process::id()));
    let victim = sender(dir.path());
    // Once the sender holds reservations, another run takes it for dead: drops its lease and
    // resolves its rows, as `run` does for a holder whose process is gone.
    let token = reservations_of(&schema, victim.id());
    let taken_over: BTreeSet<String> = rows_in(
        &schema,
        &format!(
            "DELETE FROM lease WHERE token = '{token}';
             UPDATE sends SET state = 'deferred', worker = '' WHERE state = 'reserved' AND worker = '{token}'
             RETURNING message_id"
        ),
    )
    .into_iter()
    .collect();
    assert!(!taken_over.is_empty());
    // The sender learns it at its next write and stops, recording nothing it no longer holds.
    let output = victim.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    says(&stderr, &["taken over"]);
    assert!(server.received().len() < total, "the takeover came after the end");
    // The next run sends the rest, the taken-over sends again with their Message-IDs.
    assert!(sent_by(sender(dir.path())) > 0);
    let arrivals = arrivals(&server);
    let trial = Trial {
        at_kill: 0,
        in_flight: taken_over,
        arrivals,
    };
    let problems = violations(&trial);
    assert!(problems.is_empty(), "{problems:#?}");
    let states = send_states(&schema);
    assert_eq!(states, [format!("sent|{total}")]);
}

#[test]
fn at_most_once_a_killed_senders_messages_in_flight_are_never_sent_again() {
    if !postgres_available() {
        return;
    }
    let total = expected_ids().len();
    let (schema, server, dir) = slow_shared_demo(&format!("at_most_once_{}", std::process::id()));
    let mut senders: Vec<Child> = (0..2).map(|_| sender(dir.path())).collect();
    let victim = senders[0].id();
    let token = reservations_of(&schema, victim);
    // The survivor holds its lease before the kill (one starting after it would take the
    // killed run's sends over at-least-once, as it should).
    let started = Instant::now();
    while !lease_holders(&schema).contains(&senders[1].id()) {
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "the survivor never took its lease"
        );
        std::thread::sleep(Duration::from_millis(2));
    }
    senders[0].kill().expect("SIGKILL");
    senders[0].wait().unwrap();
    assert!(sent_by(senders.remove(1)) > 0);
    // Read once the survivor is done: a commit the killed run sent just before it died may
    // reach the server after the kill.
    let in_flight: BTreeSet<String> = in_flight_of(&schema, &token);
    assert!(!in_flight.is_empty());
    // Restarted with --at-most-once: the killed run's in-flight sends become `uncertain`, and
    // nothing is left to send.
    assert_eq!(sent_by(sender_with(dir.path(), &["--at-most-once"])), 0);
    let uncertain: BTreeSet<String> = rows_in(&schema, "SELECT message_id FROM sends WHERE state = 'uncertain'")
        .into_iter()
        .collect();
    assert_eq!(uncertain, in_flight);
    let states = send_states(&schema);
    assert_eq!(
        states,
        [
            format!("sent|{}", total - in_flight.len()),
            format!("uncertain|{}", in_flight.len())
        ]
    );
    // Nothing arrived twice.
    assert!(arrivals(&server).values().all(|&n| n == 1));
}

#[test]
fn a_postgres_ledger_plans_reports_and_suppresses_as_a_sqlite_one() {
    if !postgres_available() {
        return;
    }
    let schema = Schema(format!("alike_{}", std::process::id()));
    let sqlite = demo_workspace();
    let postgres = demo_workspace();
    use_postgres_ledger(postgres.path(), &schema);
    let ledger_line = |text: &str| {
        text.lines()
            .filter(|line| !line.contains("ledger"))
            .collect::<Vec<_>>()
            .join("\n")
    };
    for dir in [&sqlite, &postgres] {
        let run = tailor_with_env(dir.path(), &["run", "campaigns", "--now", NOW], &[SECRET]);
        assert_eq!(run.code, 0, "{}", run.stderr);
        let again = tailor_with_env(dir.path(), &["run", "campaigns", "--now", NOW], &[SECRET]);
        assert!(again.stdout.contains("sent 0 messages"), "{}", again.stdout);
        let added = tailor(dir.path(), &["suppress", "add", "Ada@Example.com", "campaigns"]);
        assert_eq!(added.code, 0, "{}", added.stderr);
    }
    // `suppress list` shows when an address was added (the wall clock): compared without it.
    let without_times = |text: &str| {
        text.lines()
            .map(|line| {
                line.split('\t')
                    .filter(|cell| !cell.starts_with("20"))
                    .collect::<Vec<_>>()
                    .join("\t")
            })
            .collect::<Vec<_>>()
            .join("\n")
    };
    for verb in [
        vec!["plan", "campaigns", "--now", "2026-12-08T15:00:00Z"],
        vec!["report", "campaigns", "--now", "2026-12-08T15:00:00Z"],
        vec!["suppress", "list", "campaigns"],
    ] {
        let (a, b) = (tailor(sqlite.path(), &verb), tailor(postgres.path(), &verb));
        assert_eq!((a.code, b.code), (0, 0), "{verb:?}: {}{}", a.stderr, b.stderr);
        assert_eq!(
            without_times(&ledger_line(&a.stdout)),
            without_times(&ledger_line(&b.stdout)),
            "{verb:?}"
        );
        assert!(!a.stdout.is_empty(), "{verb:?}");
    }
    // The same Message-IDs, states and arms in both ledgers.
    let sqlite_rows: Vec<String> = crate::run::ledger_rows(sqlite.path())
        .into_iter()
        .map(|r| {
            format!(
                "{}|{}|{}|{}|{}|{}",
                r.campaign, r.key, r.occurrence, r.state, r.variant, r.message_id
            )
        })
        .collect();
    let mut postgres_rows = rows_in(
        &schema,
        "SELECT campaign, profile_key, occurrence, state, variant, message_id FROM sends",
    );
    postgres_rows.sort();
    let mut sqlite_sorted = sqlite_rows.clone();
    sqlite_sorted.sort();
    assert_eq!(sqlite_sorted, postgres_rows);
    assert!(postgres_rows.len() > 100, "{}", postgres_rows.len());
}

#[test]
fn serve_holds_a_postgres_ledger_alone_and_senders_share_it() {
    if !postgres_available() {
        return;
    }
    let schema = Schema(format!("leases_{}", std::process::id()));
    let dir = demo_workspace();
    use_postgres_ledger(dir.path(), &schema);
    let database = std::env::var("PGDATABASE").unwrap_or_else(|_| "postgres".into());
    let location =
        tailor::model::LedgerLocation::parse(&format!("postgres:///{database}?schema={}", schema.0), dir.path())
            .expect("a ledger URL");
    // A sender sharing the ledger lets another sender in.
    let mut sharing = tailor::ledger::Ledger::open(&location).expect("the ledger opens");
    sharing
        .take_lease(tailor::ledger::Sharing::Shared)
        .expect("a shared lease");
    let online = tailor(dir.path(), &["check", "campaigns", "--online"]);
    assert_eq!(online.code, 0, "{}", online.stderr);
    let run = tailor_with_env(dir.path(), &["run", "campaigns", "--now", NOW], &[SECRET]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.contains("sent 153 messages"), "{}", run.stdout);
    // An exclusive holder (as `serve` is) is refused while a sender shares it ...
    let mut alone = tailor::ledger::Ledger::open(&location).expect("the ledger opens");
    assert!(matches!(
        alone.take_lease(tailor::ledger::Sharing::Exclusive),
        Err(tailor::ledger::LeaseError::Held(_))
    ));
    drop(sharing);
    // ... and, once it holds the ledger, keeps senders out.
    alone
        .take_lease(tailor::ledger::Sharing::Exclusive)
        .expect("the ledger is free");
    let locked = tailor_with_env(dir.path(), &["run", "campaigns", "--now", NOW], &[SECRET]);
    assert_eq!(locked.code, 1, "{}", locked.stderr);
    says(&locked.stderr, &["run::locked"]);
}

#[test]
fn a_bad_postgres_ledger_is_a_clear_error() {
    let dir = demo_workspace();
    let manifest = dir.path().join("campaigns/tailor.yaml");
    replace_in(
        &manifest,
        "ledger: .tailor/ledger.sqlite",
        "ledger: postgres://me:hunter2@db.internal/crm",
    );
    let check = tailor(dir.path(), &["check", "campaigns"]);
    assert_eq!(check.code, 1, "{}", check.stderr);
    says(&check.stderr, &["manifest::bad-ledger", "TAILOR_PG_PASSWORD"]);
    assert!(!check.stderr.contains("hunter2"), "{}", check.stderr);
    replace_in(
        &manifest,
        "postgres://me:hunter2@db.internal/crm",
        "postgres://127.0.0.1:1/crm?schema=mail",
    );
    // Plain `check` reaches no network; `--online` finds the ledger does not answer.
    assert_eq!(tailor(dir.path(), &["check", "campaigns"]).code, 0);
    let online = tailor(dir.path(), &["check", "campaigns", "--online"]);
    assert_eq!(online.code, 1, "{}", online.stderr);
    says(
        &online.stderr,
        &[
            "manifest::unreachable-ledger",
            "campaigns/tailor.yaml:20:11",
            "cannot connect",
        ],
    );
    let run = tailor_with_env(dir.path(), &["run", "campaigns", "--now", NOW], &[SECRET]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    says(&run.stderr, &["cannot connect to PostgreSQL"]);
    assert!(!dir.path().join("campaigns/.tailor/outbox/new").exists());
}
