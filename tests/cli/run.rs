//! `tailor run` through real SMTP servers on TCP and into the outbox, with a real SQLite
//! ledger: every due message once, nothing twice, retries, suppression, guards, privacy.

use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::smtp_server::{embedded_server, Reply, ScriptedServer, ACCEPT};
use crate::support::{demo_workspace, replace_in, send_by_smtp, tailor, tailor_with_env, Output};

pub const NOW: &str = "2026-12-01T15:00:00Z";
pub const SECRET: (&str, &str) = ("TAILOR_UNSUBSCRIBE_SECRET", "run-tests-secret-of-at-least-32-bytes");

/// The demo workspace sending to the SMTP server on `port` with `pool` connections, no rate
/// limit and `retries` retries.
pub fn smtp_demo(port: u16, pool: u32, retries: u32) -> tempfile::TempDir {
    let dir = demo_workspace();
    let manifest = dir.path().join("campaigns/tailor.yaml");
    send_by_smtp(&manifest, port, pool, retries);
    dir
}

/// `tailor run campaigns --now NOW --format json` plus `extra`.
pub fn run_json(dir: &Path, extra: &[&str]) -> (Output, serde_json::Value) {
    run_json_with_env(dir, extra, &[])
}

/// [`run_json`] with more environment variables.
pub fn run_json_with_env(dir: &Path, extra: &[&str], env: &[(&str, &str)]) -> (Output, serde_json::Value) {
    let mut args = vec!["run", "campaigns", "--now", NOW, "--format", "json"];
    args.extend_from_slice(extra);
    let output = tailor_with_env(dir, &args, &[&[SECRET], env].concat());
    let json = serde_json::from_str(&output.stdout).unwrap_or(serde_json::Value::Null);
    (output, json)
}

fn total(summary: &serde_json::Value, field: &str) -> u64 {
    summary["campaigns"]
        .as_array()
        .unwrap_or(&Vec::new())
        .iter()
        .map(|c| c[field].as_u64().unwrap())
        .sum()
}

/// Messages the plan says are due now.
pub fn due_now(dir: &Path) -> u64 {
    let output = tailor(dir, &["plan", "campaigns", "--now", NOW, "--format", "json"]);
    assert_eq!(output.code, 0, "{}", output.stderr);
    let plan: serde_json::Value = serde_json::from_str(&output.stdout).unwrap();
    plan["campaigns"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["paused"] == false)
        .flat_map(|c| c["variants"].as_array().unwrap().iter())
        .map(|v| v["due"].as_u64().unwrap())
        .sum()
}

/// One ledger row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    pub campaign: String,
    pub key: String,
    pub occurrence: String,
    pub state: String,
    pub variant: String,
    pub message_id: String,
    pub attempts: i64,
}

pub fn ledger_path(dir: &Path) -> PathBuf {
    dir.join("campaigns/.tailor/ledger.sqlite")
}

/// Every row of the workspace's ledger.
pub fn ledger_rows(dir: &Path) -> Vec<Row> {
    let connection = rusqlite::Connection::open(ledger_path(dir)).expect("ledger opens");
    let mut statement = connection
        .prepare("SELECT campaign, profile_key, occurrence, state, variant, message_id, attempts FROM sends ORDER BY 1, 2, 3")
        .unwrap();
    statement
        .query_map([], |r| {
            Ok(Row {
                campaign: r.get(0)?,
                key: r.get(1)?,
                occurrence: r.get(2)?,
                state: r.get(3)?,
                variant: r.get(4)?,
                message_id: r.get(5)?,
                attempts: r.get(6)?,
            })
        })
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap()
}

pub fn suppressed(dir: &Path) -> Vec<String> {
    let connection = rusqlite::Connection::open(ledger_path(dir)).expect("ledger opens");
    let mut statement = connection
        .prepare("SELECT address FROM suppressions ORDER BY 1")
        .unwrap();
    statement
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap()
}

/// The demo profiles' addresses by key.
fn addresses(dir: &Path) -> BTreeMap<String, String> {
    let text = std::fs::read_to_string(dir.join("datasets/shop/profiles.csv")).unwrap();
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let id = header.iter().position(|h| *h == "id").unwrap();
    let email = header.iter().position(|h| *h == "email").unwrap();
    lines
        .map(|l| {
            let cells: Vec<&str> = l.split(',').collect();
            (cells[id].to_string(), cells[email].to_string())
        })
        .collect()
}

/// The keys and addresses `campaign` sends to now, in key order (from a run to the outbox).
pub fn due_recipients(campaign: &str) -> Vec<(String, String)> {
    let addresses = addresses(&crate::support::repo());
    let probe = demo_workspace();
    let (output, _) = run_json(probe.path(), &["--campaign", campaign]);
    assert_eq!(output.code, 0, "{}", output.stderr);
    ledger_rows(probe.path())
        .into_iter()
        .map(|r| {
            let address = addresses[&r.key].clone();
            (r.key, address)
        })
        .collect()
}

#[test]
fn every_due_message_arrives_once_with_its_variant_and_headers_and_a_second_run_sends_none() {
    let (port, inbox) = embedded_server();
    let dir = smtp_demo(port, 4, 3);
    let due = due_now(dir.path());
    assert!(due > 100, "the demo has due messages: {due}");
    let (output, summary) = run_json(dir.path(), &[]);
    assert_eq!(output.code, 0, "{}", output.stderr);
    assert_eq!(total(&summary, "sent"), due);
    assert_eq!(total(&summary, "failed"), 0);
    let received = inbox.lock().unwrap().clone();
    assert_eq!(received.len() as u64, due);
    let rows = ledger_rows(dir.path());
    assert_eq!(rows.len() as u64, due);
    assert!(rows.iter().all(|r| r.state == "sent" && r.attempts == 1), "{rows:?}");
    // One message per ledger row, to that row's profile, under that row's Message-ID.
    let addresses = addresses(dir.path());
    let mut ids = HashSet::new();
    for message in &received {
        assert!(ids.insert(message.message_id()), "sent twice: {}", message.message_id());
        let row = rows
            .iter()
            .find(|r| r.message_id == message.message_id())
            .expect("every message has its ledger row");
        assert_eq!(message.to, addresses[&row.key]);
        assert_eq!(message.from, "hello@acme.test");
        let unsubscribe = message.header("List-Unsubscribe").expect("List-Unsubscribe");
        assert!(
            unsubscribe.contains("https://acme.test/unsubscribe?u="),
            "{unsubscribe}"
        );
        assert_eq!(
            message.header("List-Unsubscribe-Post").as_deref(),
            Some("List-Unsubscribe=One-Click")
        );
        if row.campaign == "sneaker_nudge" {
            let subject = mail_parser::MessageParser::default()
                .parse(&message.data)
                .and_then(|m| m.subject().map(str::to_string))
                .unwrap();
            assert_eq!(subject.contains("15% off"), row.variant == "discount", "{subject}");
        }
    }
    // The JSON names each variant's sends, and they add up to the ledger.
    for campaign in summary["campaigns"].as_array().unwrap() {
        for (variant, sent) in campaign["variants"].as_object().unwrap() {
            let in_ledger = rows
                .iter()
                .filter(|r| r.campaign == campaign["name"] && &r.variant == variant)
                .count();
            assert_eq!(sent.as_u64().unwrap() as usize, in_ledger, "{variant}");
        }
    }
    let (again, second) = run_json(dir.path(), &[]);
    assert_eq!(again.code, 0, "{}", again.stderr);
    assert_eq!(total(&second, "sent"), 0);
    assert_eq!(total(&second, "already_sent"), due);
    assert_eq!(inbox.lock().unwrap().len() as u64, due);
    // The plan reads the ledger too.
    assert_eq!(due_now(dir.path()), 0);
}

#[test]
fn the_outbox_gets_one_file_per_message_and_a_rerun_adds_none() {
    let dir = demo_workspace();
    let due = due_now(dir.path());
    let (output, summary) = run_json(dir.path(), &[]);
    assert_eq!(output.code, 0, "{}", output.stderr);
    assert_eq!(total(&summary, "sent"), due);
    let new = dir.path().join("campaigns/.tailor/outbox/new");
    let files = || std::fs::read_dir(&new).unwrap().count() as u64;
    assert_eq!(files(), due);
    assert_eq!(
        std::fs::read_dir(dir.path().join("campaigns/.tailor/outbox/tmp"))
            .unwrap()
            .count(),
        0
    );
    let (_, again) = run_json(dir.path(), &[]);
    assert_eq!(total(&again, "sent"), 0);
    assert_eq!(files(), due);
}

#[test]
fn temporary_failures_and_dropped_connections_are_retried() {
    let recipients = due_recipients("sneaker_nudge");
    assert_eq!(recipients.len(), 11);
    let keys: Vec<&String> = recipients.iter().map(|(key, _)| key).collect();
    let (a, b, c) = (&recipients[0].1, &recipients[1].1, &recipients[2].1);
    let server = ScriptedServer::start(
        &[
            (
                a,
                vec![Reply::Code(421, "4.3.0 try later"), Reply::Code(450, "4.2.1 busy")],
            ),
            (b, vec![Reply::DropMidData]),
            (c, vec![Reply::Code(451, "4.3.0 again"); 4]),
        ],
        ACCEPT,
        Duration::ZERO,
    );
    let dir = smtp_demo(server.port, 2, 3);
    let (output, summary) = run_json(dir.path(), &["--campaign", "sneaker_nudge"]);
    assert_eq!(output.code, 0, "{}", output.stderr);
    let rows = ledger_rows(dir.path());
    let row = |key: &String| rows.iter().find(|&r| &r.key == key).unwrap().clone();
    assert_eq!((row(&keys[0]).state.as_str(), row(&keys[0]).attempts), ("sent", 3));
    assert_eq!((row(&keys[1]).state.as_str(), row(&keys[1]).attempts), ("sent", 2));
    // Four temporary failures outlast three retries: deferred to the next run.
    assert_eq!((row(&keys[2]).state.as_str(), row(&keys[2]).attempts), ("deferred", 4));
    assert_eq!(total(&summary, "sent"), 10);
    assert_eq!(summary["campaigns"][0]["deferred_by_reason"]["temporary_failure"], 1);
    assert_eq!(server.attempts.lock().unwrap()[c.as_str()], 4);
    // The next run resends the deferred one, under the same Message-ID.
    let (output, summary) = run_json(dir.path(), &["--campaign", "sneaker_nudge"]);
    assert_eq!(output.code, 0, "{}", output.stderr);
    assert_eq!(total(&summary, "sent"), 1);
    let resent = row(&keys[2]).message_id;
    assert_eq!(
        ledger_rows(dir.path())
            .iter()
            .find(|r| &r.key == keys[2])
            .unwrap()
            .state,
        "sent"
    );
    let received: Vec<_> = server.received().into_iter().filter(|m| &m.to == c).collect();
    assert_eq!(received.len(), 1);
    assert_eq!(received[0].message_id(), resent);
}

#[test]
fn a_pooled_connection_the_server_closed_is_replaced_without_a_retry() {
    let first = &due_recipients("sneaker_nudge")[0].1;
    let server = ScriptedServer::start(&[(first, vec![Reply::AcceptThenHangUp])], ACCEPT, Duration::ZERO);
    // One connection: the second message finds the pooled one closed.
    let dir = smtp_demo(server.port, 1, 3);
    let (output, summary) = run_json(dir.path(), &["--campaign", "sneaker_nudge"]);
    assert_eq!(output.code, 0, "{}", output.stderr);
    assert_eq!(total(&summary, "sent"), 11);
    let rows = ledger_rows(dir.path());
    assert!(rows.iter().all(|r| r.state == "sent" && r.attempts == 1), "{rows:?}");
    assert_eq!(server.received().len(), 11);
}

#[test]
fn a_permanent_failure_suppresses_the_address_for_every_later_plan_and_run() {
    let (key, address) = due_recipients("nyc_offer")[0].clone();
    let server = ScriptedServer::start(
        &[(&address, vec![Reply::Code(550, "5.1.1 no such user")])],
        ACCEPT,
        Duration::ZERO,
    );
    let dir = smtp_demo(server.port, 2, 3);
    let (output, summary) = run_json(dir.path(), &["--campaign", "nyc_offer"]);
    // Under the failure-rate threshold: the run succeeds.
    assert_eq!(output.code, 0, "{}", output.stderr);
    assert_eq!(total(&summary, "failed"), 1);
    assert_eq!(suppressed(dir.path()), vec![address.to_lowercase()]);
    let rows = ledger_rows(dir.path());
    let failed: Vec<_> = rows.iter().filter(|r| r.state == "failed").collect();
    assert_eq!(failed.len(), 1);
    assert_eq!((failed[0].key.as_str(), failed[0].attempts), (key.as_str(), 1));
    // The summary names the profile key, never the address (the server's answer had it).
    assert!(output.stdout.contains(&key));
    assert!(!output.stdout.contains(&address), "{}", output.stdout);
    assert!(!output.stderr.contains(&address), "{}", output.stderr);
    let list = tailor(dir.path(), &["suppress", "list", "campaigns"]);
    assert!(list.stdout.contains(&address.to_lowercase()), "{}", list.stdout);
    assert!(list.stdout.contains("smtp"), "{}", list.stdout);
    // Later plans put the address in `suppressed`.
    let plan = tailor(
        dir.path(),
        &["plan", "campaigns", "--now", "2026-12-02T15:00:00Z", "--format", "json"],
    );
    let plan: serde_json::Value = serde_json::from_str(&plan.stdout).unwrap();
    let nyc = plan["campaigns"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "nyc_offer")
        .unwrap();
    assert_eq!(nyc["suppressed"]["suppressed"], 1, "{nyc}");
    assert_eq!(server.attempts.lock().unwrap()[address.as_str()], 1);
}

#[test]
fn show_pii_shows_addresses_in_notes() {
    let (_, address) = due_recipients("post_purchase")[0].clone();
    let server = ScriptedServer::start(
        &[(&address, vec![Reply::Code(554, "5.7.1 rejected")])],
        ACCEPT,
        Duration::ZERO,
    );
    let dir = smtp_demo(server.port, 1, 0);
    let (output, _) = run_json(dir.path(), &["--campaign", "post_purchase", "--show-pii"]);
    assert_eq!(output.code, 0, "{}", output.stderr);
    assert!(output.stdout.contains(&address), "{}", output.stdout);
}

/// Replaces the demo's shop by a generated one of `profiles` profiles (profiles as CSV, events
/// as NDJSON, like the demo's).
pub fn bigger_shop(dir: &Path, profiles: usize) {
    let shop = dir.join("datasets/shop");
    let scratch = tempfile::tempdir().unwrap();
    for (format, out) in [("csv", shop.as_path()), ("ndjson", scratch.path())] {
        let generated = std::process::Command::new(env!("CARGO_BIN_EXE_shopgen"))
            .args([
                "--profiles",
                &profiles.to_string(),
                "--seed",
                "11",
                "--now",
                NOW,
                "--format",
                format,
                "--out",
            ])
            .arg(out)
            .output()
            .unwrap();
        assert!(
            generated.status.success(),
            "{}",
            String::from_utf8_lossy(&generated.stderr)
        );
    }
    std::fs::copy(scratch.path().join("events.ndjson"), shop.join("events.ndjson")).unwrap();
}

#[test]
fn the_failure_rate_guard_stops_the_run_and_releases_what_it_did_not_send() {
    let server = ScriptedServer::start(&[], Reply::Code(550, "5.1.1 unknown"), Duration::ZERO);
    let workspace = smtp_demo(server.port, 2, 0);
    bigger_shop(workspace.path(), 1500);
    let due = due_now(workspace.path());
    assert!(due > 300, "{due}");
    let (output, summary) = run_json(workspace.path(), &[]);
    assert_eq!(output.code, 1, "{}", output.stderr);
    assert!(
        summary["stopped"].as_str().unwrap().contains("max_failure_rate"),
        "{summary}"
    );
    // Every send refused the same way: the server refuses, not the recipients. The run stops
    // after the first few and suppresses no one.
    let failed = total(&summary, "failed");
    assert!(failed >= 20 && failed < 200, "{failed} of {due}");
    assert!(suppressed(workspace.path()).is_empty());
    // Every row is a real attempt: reservations never sent were given back.
    let rows = ledger_rows(workspace.path());
    assert_eq!(rows.len() as u64, failed);
    assert!(rows.iter().all(|r| r.state == "failed"));
    let attempted: u32 = server.attempts.lock().unwrap().values().sum();
    assert_eq!(u64::from(attempted), failed);
}

#[test]
fn guards_refuse_before_anything_is_sent() {
    let dir = demo_workspace();
    // More due than --max-sends.
    let (output, _) = run_json(dir.path(), &["--max-sends", "5"]);
    assert_eq!(output.code, 1, "{}", output.stderr);
    // With `--format json`, errors come out as JSON too.
    let errors: serde_json::Value = serde_json::from_str(&output.stderr).expect("JSON diagnostics");
    assert_eq!(errors[0]["code"], "run::too-many", "{}", output.stderr);
    assert!(!ledger_path(dir.path()).exists() || ledger_rows(dir.path()).is_empty());
    // Stale data: the newest event is older than max_data_age (2d).
    let stale = tailor_with_env(
        dir.path(),
        &["run", "campaigns", "--now", "2027-03-01T00:00:00Z"],
        &[SECRET],
    );
    assert_eq!(stale.code, 1, "{}", stale.stderr);
    assert!(stale.stderr.contains("error[run::stale-data]"), "{}", stale.stderr);
    // Another run holds the ledger.
    let location = tailor::model::LedgerLocation::File(ledger_path(dir.path()));
    let mut holder = tailor::ledger::Ledger::open(&location).unwrap();
    holder.take_lease(tailor::ledger::Sharing::Exclusive).unwrap();
    let (locked, _) = run_json(dir.path(), &[]);
    assert_eq!(locked.code, 1, "{}", locked.stderr);
    assert!(locked.stderr.contains("\"code\": \"run::locked\""), "{}", locked.stderr);
    drop(holder);
    // A workspace that does not check.
    replace_in(
        &dir.path().join("campaigns/tailor.yaml"),
        "frequency_cap: 3 per 7d",
        "frequency_cap: three",
    );
    let (broken, _) = run_json(dir.path(), &[]);
    assert_eq!(broken.code, 1, "{}", broken.stderr);
    assert!(
        !dir.path().join("campaigns/.tailor/outbox/new").exists()
            || std::fs::read_dir(dir.path().join("campaigns/.tailor/outbox/new"))
                .unwrap()
                .count()
                == 0
    );
    // An unreachable server is an exit 2.
    let unreachable = smtp_demo(1, 1, 0);
    let (down, _) = run_json(unreachable.path(), &[]);
    assert_eq!(down.code, 2, "{}", down.stderr);
    assert!(
        down.stderr.contains("\"code\": \"run::smtp-unreachable\""),
        "{}",
        down.stderr
    );
}

#[test]
fn a_dry_run_renders_everything_and_sends_and_records_nothing() {
    let dir = demo_workspace();
    let due = due_now(dir.path());
    let (output, summary) = run_json(dir.path(), &["--dry-run"]);
    assert_eq!(output.code, 0, "{}", output.stderr);
    assert_eq!(summary["dry_run"], true);
    assert_eq!(total(&summary, "sent"), due);
    assert!(!ledger_path(dir.path()).exists());
    assert!(!dir.path().join("campaigns/.tailor/outbox").exists());
}

#[test]
fn limit_sends_the_first_n_and_leaves_the_rest_due() {
    let dir = demo_workspace();
    let due = due_now(dir.path());
    let (output, summary) = run_json(dir.path(), &["--limit", "10"]);
    assert_eq!(output.code, 0, "{}", output.stderr);
    assert_eq!(total(&summary, "sent"), 10);
    assert_eq!(due_now(dir.path()), due - 10);
}

#[test]
fn suppress_add_and_import_feed_the_list_and_bad_files_import_nothing() {
    let dir = demo_workspace();
    let add = tailor(
        dir.path(),
        &[
            "suppress",
            "add",
            "Someone@Example.com",
            "campaigns",
            "--reason",
            "asked by phone",
        ],
    );
    assert_eq!(add.code, 0, "{}", add.stderr);
    std::fs::write(
        dir.path().join("bad.csv"),
        "email,reason\nok@example.com,bounced\nnot-an-address,x\n",
    )
    .unwrap();
    let bad = tailor(dir.path(), &["suppress", "import", "bad.csv", "campaigns"]);
    assert_eq!(bad.code, 1, "{}", bad.stderr);
    assert!(
        bad.stderr.contains("error[suppress::bad-address]") && bad.stderr.contains("line 3"),
        "{}",
        bad.stderr
    );
    std::fs::write(dir.path().join("none.csv"), "address\nx@example.com\n").unwrap();
    let none = tailor(dir.path(), &["suppress", "import", "none.csv", "campaigns"]);
    assert!(
        none.stderr.contains("error[suppress::no-email-column]"),
        "{}",
        none.stderr
    );
    std::fs::write(
        dir.path().join("good.csv"),
        "email,reason\nok@example.com,bounced\nother@example.com,\n",
    )
    .unwrap();
    let good = tailor(dir.path(), &["suppress", "import", "good.csv", "campaigns"]);
    assert_eq!(good.code, 0, "{}", good.stderr);
    assert_eq!(
        suppressed(dir.path()),
        vec!["ok@example.com", "other@example.com", "someone@example.com"]
    );
    let list = tailor(dir.path(), &["suppress", "list", "campaigns"]);
    assert!(
        list.stdout.contains("asked by phone") && list.stdout.contains("imported from good.csv"),
        "{}",
        list.stdout
    );
}

/// The generated profiles' address pool: duplicates that differ in case, an invalid one, an
/// empty one.
const POOL: [&str; 8] = [
    "ana@example.com",
    "ANA@example.com",
    "bo@example.com",
    "cy@example.com",
    "Dee@Example.com",
    "dee@example.com",
    "not-an-address",
    "",
];

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig { cases: 12, ..Default::default() })]

    /// Nobody without consent, on the suppression list, or with a bad address gets mail;
    /// everyone else gets exactly one message per address.
    #[test]
    fn only_consenting_unsuppressed_addresses_receive_mail(
        profiles in proptest::collection::vec((0..POOL.len(), proptest::bool::ANY, proptest::bool::weighted(0.2)), 1..25),
        suppressed in proptest::collection::vec(proptest::bool::weighted(0.25), POOL.len()),
    ) {
        let ws = crate::support::StarterWorkspace::new();
        ws.replace("campaigns/welcome.yaml", "audience: orders_90d == 0", "audience: true");
        ws.replace("data.yaml", "    email: string\n", "    email: string?\n");
        let mut csv = String::from("id,email,first_name,tz,email_opt_in,unsubscribed_at,signup_at\n");
        for (n, (address, opt_in, unsubscribed)) in profiles.iter().enumerate() {
            let unsubscribed = if *unsubscribed { "2026-11-01T00:00:00Z" } else { "" };
            csv.push_str(&format!("u{n:03},{},,,{opt_in},{unsubscribed},2026-01-01T00:00:00Z\n", POOL[*address]));
        }
        ws.write("datasets/profiles.csv", &csv);
        ws.write("datasets/events.ndjson", "{\"user_id\":\"u000\",\"type\":\"page_view\",\"ts\":\"2026-11-30T10:00:00Z\",\"url\":\"/\",\"category\":null}\n");
        let blocked: Vec<&str> = POOL.iter().zip(&suppressed).filter(|(a, s)| **s && !a.is_empty() && a.contains('@')).map(|(a, _)| *a).collect();
        if !blocked.is_empty() {
            ws.write("suppress.csv", &format!("email\n{}\n", blocked.join("\n")));
            let import = tailor(ws.dir.path(), &["suppress", "import", "ws/suppress.csv", "ws"]);
            proptest::prop_assert_eq!(import.code, 0, "{}", import.stderr);
        }
        let run = tailor_with_env(ws.dir.path(), &["run", "ws", "--now", NOW], &[SECRET]);
        proptest::prop_assert_eq!(run.code, 0, "{}", run.stderr);
        let blocked: HashSet<String> = blocked.iter().map(|a| a.to_lowercase()).collect();
        let expected: HashSet<String> = profiles
            .iter()
            .filter(|(address, opt_in, unsubscribed)| {
                *opt_in && !*unsubscribed && tailor::model::is_valid_address(POOL[*address])
            })
            .map(|(address, _, _)| POOL[*address].to_lowercase())
            .filter(|address| !blocked.contains(address))
            .collect();
        let new = ws.path(".tailor/outbox/new");
        let mut received = Vec::new();
        if new.exists() {
            for file in std::fs::read_dir(&new).unwrap() {
                let bytes = std::fs::read(file.unwrap().path()).unwrap();
                let message = mail_parser::MessageParser::default().parse(&bytes).unwrap();
                let to = message.to().and_then(|t| t.first()).and_then(|a| a.address()).unwrap().to_lowercase();
                received.push(to);
            }
        }
        let distinct: HashSet<String> = received.iter().cloned().collect();
        proptest::prop_assert_eq!(distinct.len(), received.len(), "an address got two messages: {:?}", received);
        proptest::prop_assert_eq!(distinct, expected);
    }
}

#[test]
fn dkim_signatures_verify_independently_and_cover_the_unsubscribe_headers() {
    let (port, inbox) = embedded_server();
    let dir = smtp_demo(port, 2, 0);
    let fixtures = crate::support::repo().join("tests/fixtures/dkim");
    std::fs::create_dir_all(dir.path().join("campaigns/keys")).unwrap();
    std::fs::copy(
        fixtures.join("test-only-key.pem"),
        dir.path().join("campaigns/keys/dkim.pem"),
    )
    .unwrap();
    replace_in(
        &dir.path().join("campaigns/tailor.yaml"),
        "  max_data_age: 2d",
        "  max_data_age: 2d\n  dkim: { domain: acme.test, selector: s1, key_file: keys/dkim.pem }",
    );
    let (output, summary) = run_json(dir.path(), &["--campaign", "sneaker_nudge"]);
    assert_eq!(output.code, 0, "{}", output.stderr);
    assert_eq!(total(&summary, "sent"), 11);
    let messages = dir.path().join("received");
    std::fs::create_dir_all(&messages).unwrap();
    let mut files = Vec::new();
    for (index, message) in inbox.lock().unwrap().iter().enumerate() {
        let signed = String::from_utf8(message.data.clone()).unwrap();
        assert!(signed.starts_with("DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed; d=acme.test; s=s1;"));
        assert!(signed.contains("list-unsubscribe:list-unsubscribe-post"), "{signed}");
        let file = messages.join(format!("{index}.eml"));
        std::fs::write(&file, &signed).unwrap();
        files.push(file);
        // The same message with another unsubscribe target must not verify.
        let tampered = signed.replacen(
            "List-Unsubscribe: <https://acme.test/",
            "List-Unsubscribe: <https://evil.test/",
            1,
        );
        assert_ne!(tampered, signed);
        let file = messages.join(format!("{index}.tampered.eml"));
        std::fs::write(&file, tampered).unwrap();
        files.push(file);
    }
    let verified = std::process::Command::new("python3")
        .arg(crate::support::repo().join("tests/cli/verify_dkim.py"))
        .arg(fixtures.join("test-only-key.p.txt"))
        .args(&files)
        .output()
        .unwrap();
    assert!(
        verified.status.success(),
        "dkimpy is needed (python3 -m pip install dkimpy): {}",
        String::from_utf8_lossy(&verified.stderr)
    );
    let verdicts: Vec<String> = String::from_utf8_lossy(&verified.stdout)
        .lines()
        .map(str::to_string)
        .collect();
    let expected: Vec<&str> = (0..11).flat_map(|_| ["ok", "fail"]).collect();
    assert_eq!(verdicts, expected);
}

#[test]
fn preview_send_to_mails_a_proof_through_the_transport_without_the_ledger() {
    let (port, inbox) = embedded_server();
    let dir = smtp_demo(port, 1, 0);
    let args = [
        "preview",
        "campaigns",
        "nyc_offer",
        "--test",
        "nyc_browser_sees_nyc_offer",
        "--send-to",
        "qa@acme.test",
    ];
    let output = tailor_with_env(dir.path(), &args, &[SECRET]);
    assert_eq!(output.code, 0, "{}", output.stderr);
    let received = inbox.lock().unwrap().clone();
    assert_eq!(received.len(), 1);
    assert_eq!(received[0].to, "qa@acme.test");
    let message = mail_parser::MessageParser::default().parse(&received[0].data).unwrap();
    assert!(
        message.subject().unwrap().starts_with("[PROOF] "),
        "{:?}",
        message.subject()
    );
    assert_eq!(
        message.to().and_then(|t| t.first()).and_then(|a| a.address()),
        Some("qa@acme.test")
    );
    assert!(!ledger_path(dir.path()).exists(), "a proof must not touch the ledger");
    // Without the unsubscribe secret, a proof is refused (its links would be forgeable).
    let unsigned = tailor(dir.path(), &args);
    assert_eq!(unsigned.code, 2, "{}", unsigned.stderr);
    assert!(unsigned.stderr.contains("error[run::no-secret]"), "{}", unsigned.stderr);
    let mut bad_args = args;
    bad_args[6] = "nobody";
    let bad = tailor_with_env(dir.path(), &bad_args, &[SECRET]);
    assert_eq!(bad.code, 2, "{}", bad.stderr);
    // To the outbox, by default.
    let outbox = demo_workspace();
    let sent = tailor(outbox.path(), &args);
    assert_eq!(sent.code, 0, "{}", sent.stderr);
    assert_eq!(
        std::fs::read_dir(outbox.path().join("campaigns/.tailor/outbox/new"))
            .unwrap()
            .count(),
        1
    );
}

/// A CA and a certificate it signed for `localhost`, made with the openssl command: (CA
/// certificate, server certificate, server key).
fn test_certificates(dir: &Path) -> (PathBuf, PathBuf, PathBuf) {
    let openssl = |args: &[&str]| {
        let done = std::process::Command::new("openssl")
            .args(args)
            .current_dir(dir)
            .output()
            .expect("the openssl command is installed");
        assert!(
            done.status.success(),
            "openssl {args:?}: {}",
            String::from_utf8_lossy(&done.stderr)
        );
    };
    openssl(&[
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-keyout",
        "ca.key",
        "-out",
        "ca.pem",
        "-days",
        "2",
        "-subj",
        "/CN=tailor test CA",
    ]);
    openssl(&[
        "req",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-keyout",
        "server.key",
        "-out",
        "server.csr",
        "-subj",
        "/CN=localhost",
    ]);
    std::fs::write(
        dir.join("san.ext"),
        "subjectAltName=DNS:localhost\nbasicConstraints=CA:FALSE\n",
    )
    .unwrap();
    openssl(&[
        "x509",
        "-req",
        "-in",
        "server.csr",
        "-CA",
        "ca.pem",
        "-CAkey",
        "ca.key",
        "-CAcreateserial",
        "-out",
        "server.pem",
        "-days",
        "2",
        "-extfile",
        "san.ext",
    ]);
    (dir.join("ca.pem"), dir.join("server.pem"), dir.join("server.key"))
}

#[test]
fn starttls_and_login_with_a_private_ca() {
    let certificates = tempfile::tempdir().unwrap();
    let (ca, cert, key) = test_certificates(certificates.path());
    let (port, inbox) = crate::smtp_server::embedded_tls_server(&cert, &key, "s3cret");
    let dir = smtp_demo(port, 2, 0);
    // Opportunistic STARTTLS (the server offers it), a login, the private CA trusted.
    replace_in(
        &dir.path().join("campaigns/tailor.yaml"),
        &format!("smtp://127.0.0.1:{port}?tls=none"),
        &format!("smtp://mailer@localhost:{port}"),
    );
    let ca = ca.display().to_string();
    let run = |password: &str, ca: &str| {
        let env = [("TAILOR_SMTP_PASSWORD", password), ("TAILOR_SMTP_CA_FILE", ca)];
        run_json_with_env(dir.path(), &["--campaign", "sneaker_nudge"], &env).0
    };
    let wrong = run("wrong", &ca);
    assert_eq!(wrong.code, 2, "{}", wrong.stderr);
    assert!(wrong.stderr.contains("login refused"), "{}", wrong.stderr);
    let untrusted = run("s3cret", "/dev/null");
    assert_eq!(untrusted.code, 2, "{}", untrusted.stderr);
    assert!(untrusted.stderr.contains("TLS"), "{}", untrusted.stderr);
    assert!(inbox.lock().unwrap().is_empty());
    let good = run("s3cret", &ca);
    assert_eq!(good.code, 0, "{}", good.stderr);
    assert_eq!(inbox.lock().unwrap().len(), 11);
}

#[test]
fn credentials_never_travel_in_clear_unless_the_url_says_so() {
    let server = ScriptedServer::start(&[], ACCEPT, Duration::ZERO);
    let dir = smtp_demo(server.port, 1, 0);
    let manifest = dir.path().join("campaigns/tailor.yaml");
    // The scripted server offers no STARTTLS: a password would go in clear.
    replace_in(
        &manifest,
        &format!("smtp://127.0.0.1:{}?tls=none", server.port),
        &format!("smtp://mailer@127.0.0.1:{}", server.port),
    );
    let args = ["run", "campaigns", "--now", NOW, "--campaign", "sneaker_nudge"];
    let refused = tailor_with_env(dir.path(), &args, &[SECRET, ("TAILOR_SMTP_PASSWORD", "pw")]);
    assert_eq!(refused.code, 2, "{}", refused.stderr);
    assert!(
        refused.stderr.contains("refusing to send credentials in clear"),
        "{}",
        refused.stderr
    );
    assert!(server.logins.lock().unwrap().is_empty());
    // A user name without any secret is a setup error too.
    let no_secret = tailor_with_env(dir.path(), &args, &[SECRET]);
    assert_eq!(no_secret.code, 2, "{}", no_secret.stderr);
    assert!(
        no_secret.stderr.contains("TAILOR_SMTP_PASSWORD"),
        "{}",
        no_secret.stderr
    );
    // On a trusted network the URL may allow it; XOAUTH2 carries the token.
    replace_in(
        &manifest,
        &format!("smtp://mailer@127.0.0.1:{}", server.port),
        &format!("smtp://mailer@127.0.0.1:{}?tls=none", server.port),
    );
    let sent = tailor_with_env(dir.path(), &args, &[SECRET, ("TAILOR_SMTP_OAUTH_TOKEN", "tok")]);
    assert_eq!(sent.code, 0, "{}", sent.stderr);
    assert_eq!(server.received().len(), 11);
    let logins = server.logins.lock().unwrap().clone();
    assert!(!logins.is_empty());
    use base64::Engine as _;
    let encoded = logins[0].strip_prefix("AUTH XOAUTH2 ").expect("XOAUTH2");
    let decoded = base64::engine::general_purpose::STANDARD.decode(encoded).unwrap();
    assert_eq!(decoded, b"user=mailer\x01auth=Bearer tok\x01\x01");
}
