//! What an attacker (through data, an SMTP server or an HTTP client) or an unlucky operator can
//! do, each reproduced: tailor trusts the workspace's authors, nothing else.

use std::fs;
use std::path::{Path, PathBuf};

use chrono::{TimeZone, Utc};
use mail_parser::MessageParser;
use proptest::prelude::*;
use tailor::render::{build_message, Envelope};

use crate::support::{tailor, tailor_with_env, Output, StarterWorkspace};

/// The headers every message has, in order (no `Reply-To` in the starter).
pub const HEADERS: [&str; 9] = [
    "from",
    "to",
    "subject",
    "date",
    "message-id",
    "list-unsubscribe",
    "list-unsubscribe-post",
    "mime-version",
    "content-type",
];

/// A starter workspace whose profiles are these NDJSON lines.
fn starter_with_profiles(lines: &[serde_json::Value]) -> StarterWorkspace {
    let ws = StarterWorkspace::new();
    ws.replace("data.yaml", "datasets/profiles.csv", "datasets/profiles.ndjson");
    let text: String = lines.iter().map(|l| format!("{l}\n")).collect();
    ws.write("datasets/profiles.ndjson", &text);
    ws
}

/// A consenting profile with this first name.
fn profile(id: &str, first_name: &str) -> serde_json::Value {
    serde_json::json!({
        "id": id, "email": format!("{id}@example.com"), "first_name": first_name,
        "tz": "America/New_York", "email_opt_in": true, "unsubscribed_at": null,
        "signup_at": "2026-01-05T10:00:00Z"
    })
}

/// Runs the workspace into its outbox at the starter's due time.
fn run(ws: &StarterWorkspace, extra: &[&str]) -> Output {
    let mut args = vec!["run", "ws", "--now", "2026-12-01T15:00:00Z"];
    args.extend_from_slice(extra);
    tailor(ws.dir.path(), &args)
}

/// Every message in the outbox, sorted by file name.
fn outbox(ws: &StarterWorkspace) -> Vec<Vec<u8>> {
    let folder = ws.path(".tailor/outbox/new");
    let mut paths: Vec<PathBuf> = fs::read_dir(&folder)
        .map(|entries| entries.map(|e| e.expect("entry").path()).collect())
        .unwrap_or_default();
    paths.sort();
    paths.iter().map(|p| fs::read(p).expect("read")).collect()
}

fn header_names(eml: &[u8]) -> Vec<String> {
    let message = MessageParser::default().parse(eml).expect("parses");
    message.headers().iter().map(|h| h.name().to_lowercase()).collect()
}

#[test]
fn a_name_cannot_add_headers_or_replace_the_body() {
    let replace_body = "x\r\nMIME-Version: 1.0\r\nContent-Type: text/html\r\n\r\n<h1>Your account is locked</h1>";
    let bcc = "a\r\nBcc: bcc@evil.test";
    let encoded = "=?utf-8?q?x=0D=0ABcc:_bcc@evil.test?=";
    let ws = starter_with_profiles(&[profile("u4", replace_body), profile("u5", bcc), profile("u6", encoded)]);
    let output = run(&ws, &[]);
    assert_eq!(output.code, 0, "{}", output.stderr);
    let messages = outbox(&ws);
    assert_eq!(messages.len(), 3);
    for eml in &messages {
        assert_eq!(header_names(eml), HEADERS, "{}", String::from_utf8_lossy(eml));
        let message = MessageParser::default().parse(eml).expect("parses");
        let name = message
            .to()
            .and_then(|a| a.first())
            .and_then(|a| a.name())
            .unwrap_or_default();
        assert!(!name.contains(['\r', '\n']), "{name:?}");
        let subject = message.subject().unwrap_or_default();
        assert!(!subject.contains(['\r', '\n']), "{subject:?}");
        assert!(message.body_html(0).is_some_and(|h| !h.contains("<h1>Your account")));
        let text = String::from_utf8_lossy(eml);
        let head = &text[..text.find("\r\n\r\n").expect("a header block")];
        assert!(
            !head.contains("\r\nBcc:") && !head.contains("\r\nContent-Type: text/html"),
            "{head}"
        );
    }
    // The encoded word in the data reads as written: it is not decoded into a line break.
    let parsed: Vec<_> = messages
        .iter()
        .map(|m| MessageParser::default().parse(m).expect("parses"))
        .collect();
    let third = parsed
        .iter()
        .find(|m| m.to().and_then(|a| a.first()).and_then(|a| a.address()) == Some("u6@example.com"))
        .expect("u6's message");
    assert_eq!(third.to().and_then(|a| a.first()).and_then(|a| a.name()), Some(encoded));
}

#[test]
fn a_huge_name_is_capped_and_folded() {
    let ws = starter_with_profiles(&[profile("u4", &"A".repeat(3000)), profile("u5", &"é ".repeat(2000))]);
    let output = run(&ws, &[]);
    assert_eq!(output.code, 0, "{}", output.stderr);
    let messages = outbox(&ws);
    assert_eq!(messages.len(), 2);
    for eml in messages {
        let text = String::from_utf8_lossy(&eml);
        let head = &text[..text.find("\r\n\r\n").expect("a header block")];
        for line in head.split("\r\n") {
            assert!(line.len() <= 998, "a header line of {} characters", line.len());
        }
        assert_eq!(header_names(&eml), HEADERS);
    }
}

/// A header value from data: anything, control characters and encoded words included.
fn header_value() -> impl Strategy<Value = String> {
    prop_oneof![
        "\\PC{0,120}",
        "[ -~\r\n\t]{0,200}",
        Just("=?utf-8?q?x=0D=0ABcc:_a@b.test?=".to_string()),
        Just("a\r\nBcc: b@evil.test\r\n\r\nbody".to_string()),
        Just("\"quoted\" \\ name <x@y.test>, z@w.test".to_string()),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    /// Whatever the name, subject and unsubscribe URL hold, the message parses with exactly the
    /// intended headers, and the name and subject read back as their one-line form.
    #[test]
    fn every_message_has_exactly_the_intended_headers(
        name in header_value(), subject in header_value(), url in header_value()
    ) {
        let url = format!("https://acme.test/u?x={url}");
        let envelope = Envelope {
            from: "Acme <hello@acme.test>",
            to: "ana@example.com",
            to_name: Some(&name),
            reply_to: Some("support@acme.test"),
            unsubscribe_url: &url,
            unsubscribe_mailto: Some("unsubscribe@acme.test"),
            postal_address: "1 Main St",
            now: Utc.with_ymd_and_hms(2026, 12, 1, 15, 0, 0).unwrap(),
        };
        let eml = build_message(&envelope, "00ff", &subject, None, "text", "<p>html</p>");
        let message = MessageParser::default().parse(eml.as_bytes()).expect("parses");
        let names: Vec<String> = message.headers().iter().map(|h| h.name().to_lowercase()).collect();
        let mut expected: Vec<&str> = HEADERS.to_vec();
        expected.insert(2, "reply-to");
        prop_assert_eq!(names, expected);
        for line in eml[..eml.find("\r\n\r\n").unwrap()].split("\r\n") {
            prop_assert!(line.len() <= 998);
        }
        let one_line = |text: &str| text.split(|c: char| c.is_control() || c.is_whitespace())
            .filter(|w| !w.is_empty()).collect::<Vec<_>>().join(" ");
        prop_assert_eq!(message.subject().unwrap_or_default(), one_line(&subject));
        let shown = message.to().and_then(|a| a.first()).and_then(|a| a.name()).unwrap_or_default().to_string();
        prop_assert_eq!(shown, one_line(&name));
        prop_assert_eq!(message.to().and_then(|a| a.first()).and_then(|a| a.address()), Some("ana@example.com"));
        prop_assert_eq!(message.text_body_count() + message.html_body_count(), 2);
    }
}

/// The starter workspace delivering over SMTP to a port nobody listens on (the secret is
/// refused before any connection).
fn smtp_starter() -> StarterWorkspace {
    let ws = StarterWorkspace::new();
    let manifest = fs::read_to_string(ws.path("tailor.yaml")).expect("manifest");
    ws.write(
        "tailor.yaml",
        &format!("{manifest}delivery:\n  transport: smtp\n  smtp: {{ url: \"smtp://127.0.0.1:9?tls=none\" }}\n"),
    );
    ws
}

#[test]
fn an_empty_or_short_unsubscribe_secret_is_refused() {
    let ws = smtp_starter();
    let args = ["run", "ws", "--now", "2026-12-01T15:00:00Z"];
    let empty = tailor_with_env(ws.dir.path(), &args, &[("TAILOR_UNSUBSCRIBE_SECRET", "")]);
    assert_eq!(empty.code, 2, "{}", empty.stderr);
    assert!(empty.stderr.contains("error[run::no-secret]"), "{}", empty.stderr);
    let short = tailor_with_env(
        ws.dir.path(),
        &args,
        &[("TAILOR_UNSUBSCRIBE_SECRET", "0123456789abcdef")],
    );
    assert_eq!(short.code, 2, "{}", short.stderr);
    assert!(short.stderr.contains("error[run::weak-secret]"), "{}", short.stderr);
    assert!(short.stderr.contains("help:"), "{}", short.stderr);
    // A strong secret passes this guard: the run goes on to the (absent) server.
    let strong = tailor_with_env(ws.dir.path(), &args, &[("TAILOR_UNSUBSCRIBE_SECRET", &"k".repeat(32))]);
    assert!(strong.stderr.contains("run::smtp-unreachable"), "{}", strong.stderr);
    // The outbox, where nothing leaves the machine, keeps its development default.
    let outbox = StarterWorkspace::new();
    let dev = tailor_with_env(outbox.dir.path(), &args, &[("TAILOR_UNSUBSCRIBE_SECRET", "")]);
    assert_eq!(dev.code, 0, "{}", dev.stderr);
}

/// A file outside the workspace holding a secret, as `/proc/self/environ` would.
fn outside_secret(ws: &StarterWorkspace) -> PathBuf {
    let path = ws.dir.path().join("outside-secret.txt");
    fs::write(&path, "TAILOR_SMTP_PASSWORD=TOPSECRET\n").expect("write");
    path
}

fn symlink(target: &Path, link: &Path) {
    fs::create_dir_all(link.parent().expect("a parent")).expect("mkdir");
    std::os::unix::fs::symlink(target, link).expect("symlink");
}

#[test]
fn a_partial_linked_outside_the_workspace_is_refused_and_not_echoed() {
    let ws = StarterWorkspace::new();
    let secret = outside_secret(&ws);
    let footer = ws.path("templates/partials/footer.html.liquid");
    fs::remove_file(&footer).expect("rm");
    symlink(&secret, &footer);
    let check = ws.check(&[]);
    assert_eq!(check.code, 1, "{}", check.stderr);
    assert!(check.stderr.contains("load::outside-workspace"), "{}", check.stderr);
    assert!(check.stderr.contains("footer.html.liquid"), "{}", check.stderr);
    assert!(!check.stderr.contains("TOPSECRET") && !check.stdout.contains("TOPSECRET"));
    let run = run(&ws, &[]);
    assert_ne!(run.code, 0);
    assert!(outbox(&ws).is_empty());
}

#[test]
fn a_yaml_link_fifo_or_device_is_refused_without_reading_it() {
    let ws = StarterWorkspace::new();
    let secret = outside_secret(&ws);
    symlink(&secret, &ws.path("leak.yaml"));
    symlink(Path::new("/dev/zero"), &ws.path("zero.yaml"));
    let fifo = ws.path("pipe.yaml");
    let name = std::ffi::CString::new(fifo.to_str().expect("utf-8")).expect("c string");
    assert_eq!(unsafe { libc::mkfifo(name.as_ptr(), 0o644) }, 0);
    let check = ws.check(&["--format", "json"]);
    assert_eq!(check.code, 1, "{}", check.stderr);
    assert!(!check.stdout.contains("TOPSECRET") && !check.stderr.contains("TOPSECRET"));
    let json: serde_json::Value = serde_json::from_str(&check.stdout).expect("json");
    let codes: Vec<String> = json
        .as_array()
        .expect("diagnostics")
        .iter()
        .map(|d| {
            assert!(d["file"].is_string() && d["line"] == 1, "{d}");
            format!(
                "{} {}",
                d["code"].as_str().unwrap_or(""),
                d["message"].as_str().unwrap_or("")
            )
        })
        .collect();
    assert!(
        codes
            .iter()
            .any(|c| c.starts_with("load::outside-workspace") && c.contains("leak.yaml")),
        "{codes:?}"
    );
    assert!(codes.iter().any(|c| c.contains("zero.yaml")), "{codes:?}");
    assert!(
        codes
            .iter()
            .any(|c| c.starts_with("load::not-a-file") && c.contains("pipe.yaml")),
        "{codes:?}"
    );
}

#[test]
fn a_dataset_linked_outside_the_workspace_is_refused() {
    let ws = StarterWorkspace::new();
    let outside = ws.dir.path().join("elsewhere.csv");
    fs::copy(ws.path("datasets/profiles.csv"), &outside).expect("copy");
    fs::remove_file(ws.path("datasets/profiles.csv")).expect("rm");
    symlink(&outside, &ws.path("datasets/profiles.csv"));
    let plan = tailor(ws.dir.path(), &["plan", "ws", "--now", "2026-12-01T15:00:00Z"]);
    assert_eq!(plan.code, 2, "{}", plan.stderr);
    assert!(plan.stderr.contains("load::outside-workspace"), "{}", plan.stderr);
    assert!(plan.stderr.contains("profiles.csv"), "{}", plan.stderr);
}

#[test]
fn golden_files_stay_inside_the_workspace() {
    let ws = StarterWorkspace::new();
    for outside in ["/tmp/tailor-golden-outside.eml", "../../../x.eml"] {
        ws.write(
            "tests/welcome.yaml",
            &fs::read_to_string(ws.path("tests/welcome.yaml"))
                .expect("read")
                .lines()
                .filter(|l| !l.contains("golden:"))
                .chain([format!("  golden: {outside}").as_str()])
                .map(|l| format!("{l}\n"))
                .collect::<String>(),
        );
        let check = ws.check(&[]);
        assert_eq!(check.code, 1, "{}", check.stderr);
        assert!(check.stderr.contains("test::golden-outside"), "{}", check.stderr);
        let bless = tailor(ws.dir.path(), &["test", "ws", "--bless"]);
        assert_ne!(bless.code, 0, "{}", bless.stderr);
    }
    assert!(!Path::new("/tmp/tailor-golden-outside.eml").exists());
    // A golden path inside the workspace that is a link out of it is neither read nor written.
    let secret = outside_secret(&ws);
    ws.replace(
        "tests/welcome.yaml",
        "golden: ../../../x.eml",
        "golden: ../golden/welcome.eml",
    );
    symlink(&secret, &ws.path("golden/welcome.eml"));
    let test = tailor(ws.dir.path(), &["test", "ws"]);
    assert_ne!(test.code, 0, "{}", test.stdout);
    assert!(
        !test.stdout.contains("TOPSECRET") && !test.stderr.contains("TOPSECRET"),
        "{}",
        test.stdout
    );
    assert!(format!("{}{}", test.stdout, test.stderr).contains("outside the workspace"));
    let bless = tailor(ws.dir.path(), &["test", "ws", "--bless"]);
    assert_ne!(bless.code, 0, "{}", bless.stdout);
    assert_eq!(
        fs::read_to_string(&secret).expect("read"),
        "TAILOR_SMTP_PASSWORD=TOPSECRET\n"
    );
}

/// Starts `tailor run` on the SMTP demo in `dir` and returns once `server` has received
/// `messages` messages.
fn run_in_background(dir: &Path, server: &crate::smtp_server::ScriptedServer, messages: usize) -> std::process::Child {
    use crate::run::{NOW, SECRET};
    use std::process::{Command, Stdio};
    use std::time::{Duration, Instant};

    let child = Command::new(env!("CARGO_BIN_EXE_tailor"))
        .args(["run", "campaigns", "--now", NOW])
        .current_dir(dir)
        .env(SECRET.0, SECRET.1)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("tailor runs");
    let started = Instant::now();
    while server.inbox.lock().unwrap().len() < messages {
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "the run never sent {messages} messages"
        );
        std::thread::sleep(Duration::from_millis(5));
    }
    child
}

#[test]
fn a_second_run_cannot_take_over_a_live_run_whatever_is_deleted_beside_the_ledger() {
    use crate::run::{ledger_path, smtp_demo, NOW, SECRET};
    use crate::smtp_server::{ScriptedServer, ACCEPT};
    use std::time::Duration;

    let server = ScriptedServer::start(&[], ACCEPT, Duration::from_millis(30));
    let dir = smtp_demo(server.port, 1, 0);
    let mut first = run_in_background(dir.path(), &server, 3);
    // Whatever sits beside the ledger but the database itself is removed.
    let ledger = ledger_path(dir.path());
    let folder = ledger.parent().expect("a folder");
    for entry in fs::read_dir(folder).expect("read_dir") {
        let path = entry.expect("entry").path();
        let name = path.file_name().expect("a name").to_string_lossy().into_owned();
        if !name.starts_with("ledger.sqlite") {
            let _ = fs::remove_file(&path).or_else(|_| fs::remove_dir_all(&path));
        }
        assert!(!name.ends_with(".lock"), "a lock file beside the ledger: {name}");
    }
    let second = tailor_with_env(dir.path(), &["run", "campaigns", "--now", NOW], &[SECRET]);
    assert_eq!(second.code, 1, "{}", second.stderr);
    assert!(second.stderr.contains("error[run::locked]"), "{}", second.stderr);
    assert!(second.stderr.contains("process"), "{}", second.stderr);
    assert!(first.wait().expect("waits").success());
    let received = server.received();
    let mut ids: Vec<String> = received.iter().map(|m| m.message_id()).collect();
    let total = ids.len();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), total, "a message was sent twice");
}

#[test]
fn an_empty_or_foreign_ledger_file_is_refused() {
    let ws = StarterWorkspace::new();
    fs::create_dir_all(ws.path(".tailor")).expect("mkdir");
    fs::write(ws.path(".tailor/ledger.sqlite"), "").expect("write");
    let output = run(&ws, &[]);
    assert_eq!(output.code, 2, "{}", output.stderr);
    assert!(output.stderr.contains("not a tailor ledger"), "{}", output.stderr);
    assert!(outbox(&ws).is_empty());
    let plan = tailor(ws.dir.path(), &["plan", "ws", "--now", "2026-12-01T15:00:00Z"]);
    assert_ne!(plan.code, 0, "{}", plan.stderr);
    assert!(plan.stderr.contains("not a tailor ledger"), "{}", plan.stderr);
    // A SQLite database of another program is not taken for a ledger either.
    fs::remove_file(ws.path(".tailor/ledger.sqlite")).expect("rm");
    let other = rusqlite::Connection::open(ws.path(".tailor/ledger.sqlite")).expect("open");
    other.execute_batch("CREATE TABLE notes (x TEXT)").expect("create");
    drop(other);
    let output = run(&ws, &[]);
    assert_eq!(output.code, 2, "{}", output.stderr);
    assert!(output.stderr.contains("not a tailor ledger"), "{}", output.stderr);
}

#[test]
fn a_server_refusing_everything_the_same_way_suppresses_no_one() {
    use crate::run::{run_json, smtp_demo, suppressed};
    use crate::smtp_server::{Reply, ScriptedServer};
    use std::time::Duration;

    for refusal in [
        Reply::Code(550, "5.7.1 relaying denied"),
        Reply::Code(554, "transaction failed"),
    ] {
        let server = ScriptedServer::start(&[], refusal, Duration::ZERO);
        let dir = smtp_demo(server.port, 2, 0);
        let (output, summary) = run_json(dir.path(), &[]);
        assert_eq!(output.code, 1, "{}", output.stderr);
        let stopped = summary["stopped"].as_str().expect("stopped");
        assert!(stopped.contains("the same way"), "{stopped}");
        assert!(suppressed(dir.path()).is_empty(), "good addresses were suppressed");
        let attempted: u32 = server.attempts.lock().unwrap().values().sum();
        assert!((20..60).contains(&attempted), "{attempted} attempts before stopping");
    }
}

#[test]
fn refused_addresses_are_redacted_in_any_case_and_suppressions_are_reviewable() {
    use crate::run::{due_recipients, run_json, smtp_demo, suppressed};
    use crate::smtp_server::{Reply, ScriptedServer, ACCEPT};
    use std::time::Duration;

    let (key, address) = due_recipients("nyc_offer")[0].clone();
    let text: &'static str = Box::leak(format!("5.1.1 <{}>: user unknown", address.to_uppercase()).into_boxed_str());
    let server = ScriptedServer::start(&[(&address, vec![Reply::Code(550, text)])], ACCEPT, Duration::ZERO);
    let dir = smtp_demo(server.port, 1, 0);
    let (output, _) = run_json(dir.path(), &["--campaign", "nyc_offer"]);
    assert_eq!(output.code, 0, "{}", output.stderr);
    let everything = format!("{}{}", output.stdout, output.stderr).to_lowercase();
    assert!(!everything.contains(&address.to_lowercase()), "{everything}");
    assert!(output.stdout.contains(&key));
    assert_eq!(suppressed(dir.path()), vec![address.to_lowercase()]);
    let listed = tailor(
        dir.path(),
        &[
            "suppress",
            "list",
            "campaigns",
            "--reason",
            "run at 2026-12-01T15:00:00",
        ],
    );
    assert!(listed.stdout.contains(&address.to_lowercase()), "{}", listed.stdout);
    let other_run = tailor(
        dir.path(),
        &["suppress", "list", "campaigns", "--reason", "run at 2026-11-01"],
    );
    assert!(other_run.stdout.trim().is_empty(), "{}", other_run.stdout);
    let removed = tailor(dir.path(), &["suppress", "remove", &address, "campaigns"]);
    assert_eq!(removed.code, 0, "{}", removed.stderr);
    assert!(suppressed(dir.path()).is_empty());
}

#[test]
fn a_closed_pipe_ends_a_listing_quietly() {
    use std::io::Read as _;
    use std::process::{Command, Stdio};
    let ws = StarterWorkspace::new();
    for address in ["a@x.test", "b@x.test", "c@x.test"] {
        let added = tailor(ws.dir.path(), &["suppress", "add", address, "ws"]);
        assert_eq!(added.code, 0, "{}", added.stderr);
    }
    let mut child = Command::new(env!("CARGO_BIN_EXE_tailor"))
        .args(["suppress", "list", "ws"])
        .current_dir(ws.dir.path())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("runs");
    drop(child.stdout.take());
    let status = child.wait().expect("waits");
    let mut stderr = String::new();
    child
        .stderr
        .take()
        .expect("stderr")
        .read_to_string(&mut stderr)
        .expect("read");
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert_ne!(status.code(), Some(101), "{stderr}");
}

#[test]
fn decimal_parquet_columns_load_as_floats_and_other_odd_types_are_refused() {
    use polars::prelude::*;
    use tailor::data::{load_dataset, LoadOptions};

    let ws = StarterWorkspace::new();
    let micros: Vec<i64> = ["2026-11-20T14:00:00Z", "2026-11-21T09:12:00Z"]
        .iter()
        .map(|t| {
            chrono::DateTime::parse_from_rfc3339(t)
                .expect("time")
                .timestamp_micros()
        })
        .collect();
    let mut events = df!(
        "user_id" => ["u1", "u1"],
        "type" => ["page_view", "purchase"],
        "url" => [Some("/p/boots"), None],
        "category" => [Some("boots"), None],
        "order_id" => [None, Some("o1")],
        "total" => [None, Some(89.5f64)],
    )
    .expect("frame");
    let ts = Series::new("ts".into(), micros)
        .cast(&DataType::Datetime(TimeUnit::Microseconds, Some(TimeZone::UTC)))
        .expect("ts");
    let total = events
        .column("total")
        .expect("total")
        .cast(&DataType::Decimal(10, 2))
        .expect("decimal");
    events.with_column(ts.into_column()).expect("ts");
    events.with_column(total).expect("total");
    assert!(matches!(
        events.column("total").unwrap().dtype(),
        DataType::Decimal(10, 2)
    ));
    let file = fs::File::create(ws.path("datasets/events.parquet")).expect("create");
    ParquetWriter::new(file).finish(&mut events).expect("write");
    ws.replace("data.yaml", "datasets/events.ndjson", "datasets/events.parquet");
    let plan = tailor(ws.dir.path(), &["plan", "ws", "--now", "2026-12-01T15:00:00Z"]);
    assert_eq!(plan.code, 0, "{}", plan.stderr);
    let dataset = load_dataset(&crate::data::checked(&ws.path("")), LoadOptions::default()).expect("loads");
    let totals: Vec<Option<f64>> = dataset
        .events
        .column("purchase.total")
        .expect("column")
        .f64()
        .expect("f64")
        .iter()
        .collect();
    assert!(totals.contains(&Some(89.5)), "{totals:?}");
    // A decimal where a string is declared is a typed error, not a panic.
    ws.replace(
        "data.yaml",
        "order_id: string",
        "order_id: string\n      total_text: string?",
    );
    let mut odd = events.clone();
    odd.rename("total", "purchase_total".into()).expect("rename");
    let renamed = odd
        .column("purchase_total")
        .expect("c")
        .clone()
        .with_name("total_text".into());
    odd.with_column(renamed).expect("c");
    let file = fs::File::create(ws.path("datasets/events.parquet")).expect("create");
    ParquetWriter::new(file).finish(&mut odd).expect("write");
    let output = tailor(ws.dir.path(), &["plan", "ws", "--now", "2026-12-01T15:00:00Z"]);
    assert_eq!(output.code, 1, "{}", output.stderr);
    assert!(output.stderr.contains("data::wrong-column-type"), "{}", output.stderr);
    assert!(!output.stderr.contains("panicked"), "{}", output.stderr);
}

#[test]
fn the_watch_page_answers_only_loopback_host_names() {
    use std::io::{Read as _, Write as _};
    use std::net::TcpStream;
    use std::process::{Command, Stdio};
    use std::time::{Duration, Instant};

    let ws = StarterWorkspace::new();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .expect("bind")
        .local_addr()
        .expect("addr")
        .port();
    let mut server = Command::new(env!("CARGO_BIN_EXE_tailor"))
        .args([
            "preview",
            "ws",
            "--watch",
            "--port",
            &port.to_string(),
            "--now",
            "2026-12-01T15:00:00Z",
        ])
        .current_dir(ws.dir.path())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("runs");
    let get = |host: &str| -> Option<String> {
        let mut stream = TcpStream::connect(("127.0.0.1", port)).ok()?;
        stream
            .write_all(format!("GET / HTTP/1.0\r\nHost: {host}\r\n\r\n").as_bytes())
            .ok()?;
        let mut answer = String::new();
        stream.read_to_string(&mut answer).ok()?;
        answer.starts_with("HTTP/1.").then_some(answer)
    };
    let started = Instant::now();
    let local = loop {
        if let Some(answer) = get(&format!("localhost:{port}")) {
            break answer;
        }
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "the preview server never answered"
        );
        std::thread::sleep(Duration::from_millis(100));
    };
    assert!(
        local.starts_with("HTTP/1.0 200") || local.starts_with("HTTP/1.1 200"),
        "{local}"
    );
    for host in ["evil.test", &format!("evil.test:{port}"), "localhost.evil.test"] {
        let answer = get(host).expect("an answer");
        assert!(answer.contains(" 403 "), "{host}: {answer}");
        assert!(!answer.contains("welcome"), "{answer}");
    }
    assert!(get(&format!("127.0.0.1:{port}")).expect("an answer").contains(" 200 "));
    server.kill().expect("kill");
    server.wait().expect("wait");
}

#[test]
fn an_smtp_password_in_the_url_is_refused_and_never_echoed_and_no_user_means_no_login() {
    use crate::run::{smtp_demo, NOW, SECRET};
    use crate::smtp_server::{ScriptedServer, ACCEPT};
    use std::time::Duration;

    let server = ScriptedServer::start(&[], ACCEPT, Duration::ZERO);
    let dir = smtp_demo(server.port, 1, 0);
    let manifest = dir.path().join("campaigns/tailor.yaml");
    let plain = format!("smtp://127.0.0.1:{}?tls=none", server.port);
    crate::support::replace_in(
        &manifest,
        &plain,
        &format!("smtp://bob:hunter2secret@127.0.0.1:{}?tls=none", server.port),
    );
    let args = ["run", "campaigns", "--now", NOW, "--campaign", "nyc_offer"];
    let refused = tailor_with_env(dir.path(), &args, &[SECRET]);
    assert_ne!(refused.code, 0, "{}", refused.stderr);
    assert!(refused.stderr.contains("holds a password"), "{}", refused.stderr);
    assert!(refused.stderr.contains("TAILOR_SMTP_PASSWORD"), "{}", refused.stderr);
    assert!(
        !refused.stderr.contains("hunter2secret") && !refused.stdout.contains("hunter2secret"),
        "{}",
        refused.stderr
    );
    assert!(server.received().is_empty());
    // No user in the URL: a password in the environment does not make tailor log in.
    crate::support::replace_in(
        &manifest,
        &format!("smtp://bob:hunter2secret@127.0.0.1:{}?tls=none", server.port),
        &plain,
    );
    let sent = tailor_with_env(dir.path(), &args, &[SECRET, ("TAILOR_SMTP_PASSWORD", "pw")]);
    assert_eq!(sent.code, 0, "{}", sent.stderr);
    assert!(!server.received().is_empty());
    assert!(
        server.logins.lock().unwrap().is_empty(),
        "tailor logged in without a user"
    );
}

/// Renders `source` with `user` as its data, through tailor's engine.
fn render_liquid(source: &str, user: serde_json::Value) -> Result<String, String> {
    let engine = tailor::template::Engine::new(&Default::default(), &Default::default(), false);
    let globals = tailor::template::globals_from_json(&serde_json::json!({ "user": user }));
    Ok(engine.render_source(source, &globals)?)
}

#[test]
fn a_render_has_step_and_size_limits() {
    let started = std::time::Instant::now();
    let huge_range = render_liquid(
        "{% for i in (1..user.n) %}{% endfor %}",
        serde_json::json!({ "n": 1_000_000_000_000i64 }),
    );
    assert!(
        huge_range.as_ref().is_err_and(|e| e.contains("render budget")),
        "{huge_range:?}"
    );
    let nested = render_liquid(
        "{% for a in (1..1000) %}{% for b in (1..1000) %}{% for c in (1..1000) %}{% endfor %}{% endfor %}{% endfor %}",
        serde_json::json!({}),
    );
    assert!(nested.is_err_and(|e| e.contains("loop iterations")));
    let doubling = render_liquid(
        "{% assign s = 'ab' %}{% for i in (1..64) %}{% assign s = s | append: s %}{% endfor %}{{ s | size }}",
        serde_json::json!({}),
    );
    assert!(doubling.is_err_and(|e| e.contains("`s` grew past")));
    let captured = render_liquid(
        "{% assign s = 'ab' %}{% for i in (1..64) %}{% capture s %}{{ s }}{{ s }}{% endcapture %}{% endfor %}",
        serde_json::json!({}),
    );
    assert!(captured.is_err_and(|e| e.contains("render budget")));
    let output = render_liquid(
        "{% for i in (1..900000) %}{{ user.long }}{% endfor %}",
        serde_json::json!({ "long": "x".repeat(100) }),
    );
    assert!(output.is_err_and(|e| e.contains("output grew past")));
    assert!(
        started.elapsed() < std::time::Duration::from_secs(30),
        "{:?}",
        started.elapsed()
    );
    // Within the budget, loops behave as Liquid's: ranges, offset, limit, reversed, else, break.
    let ok = |source: &str| {
        render_liquid(
            source,
            serde_json::json!({ "tags": ["a", "b", "c"], "n": 3, "none": null }),
        )
        .expect("renders")
    };
    assert_eq!(ok("{% for i in (1..user.n) %}{{ i }}{% endfor %}"), "123");
    assert_eq!(
        ok("{{ user.tags | join: '-' | append: '!' | prepend: '<' | replace: 'b', 'B' }}"),
        "<a-B-c!"
    );
    assert_eq!(
        ok("{% for i in (1..5) offset: 1 limit: 2 reversed %}{{ i }}{% endfor %}"),
        "32"
    );
    assert_eq!(
        ok("{% for t in user.tags offset: 2 limit: 5 %}{{ t }}{% endfor %}"),
        "c"
    );
    assert_eq!(ok("{% for t in user.none %}x{% else %}empty{% endfor %}"), "empty");
    assert_eq!(
        ok("{% for t in user.tags %}{% if t == 'b' %}{% break %}{% endif %}{{ forloop.index }}{{ t }}{% endfor %}"),
        "1a"
    );
    assert_eq!(
        ok("{% for t in user.tags %}{{ forloop.rindex }}{% if forloop.last %}!{% endif %}{% endfor %}"),
        "321!"
    );
    assert_eq!(
        ok("{% tablerow t in user.tags cols: 2 %}{{ t }}{% endtablerow %}"),
        "<tr class=\"row1\">\n<td class=\"col1\">a</td><td class=\"col2\">b</td></tr>\n<tr class=\"row2\"><td class=\"col1\">c</td></tr>\n"
    );
}

#[test]
fn a_message_over_the_render_budget_fails_alone_and_the_run_goes_on() {
    let ws = starter_with_profiles(&[profile("u4", "Ana"), profile("u5", "Bo"), profile("u6", "Cy")]);
    ws.replace("data.yaml", "first_name: string?", "first_name: string?\n    n: int?");
    let mut lines: Vec<serde_json::Value> = vec![profile("u4", "Ana"), profile("u5", "Bo"), profile("u6", "Cy")];
    lines[0]["n"] = serde_json::json!(2);
    lines[1]["n"] = serde_json::json!(1_000_000_000_000i64);
    lines[2]["n"] = serde_json::json!(3);
    ws.write(
        "datasets/profiles.ndjson",
        &lines.iter().map(|l| format!("{l}\n")).collect::<String>(),
    );
    ws.write(
        "templates/welcome.html.liquid",
        "<h1>Hello {{ user.first_name | default: 'there' }}</h1>{% for i in (1..user.n) %}<i>{{ i }}</i>{% endfor %}{% render 'footer' %}",
    );
    let output = run(&ws, &["--format", "json"]);
    assert_eq!(output.code, 1, "{}", output.stderr);
    let summary: serde_json::Value = serde_json::from_str(&output.stdout).expect("json");
    assert!(output.stdout.contains("render budget"), "{}", output.stdout);
    assert_eq!(outbox(&ws).len(), 2, "{summary}");
    // Nothing was recorded for the failed message, so a fixed template sends it later.
    let ledger = rusqlite::Connection::open(ws.path(".tailor/ledger.sqlite")).expect("ledger");
    let sent: i64 = ledger
        .query_row("SELECT count(*) FROM sends WHERE state = 'sent'", [], |r| r.get(0))
        .expect("count");
    assert_eq!(sent, 2);
}

#[test]
fn deep_nesting_and_huge_expressions_are_diagnostics_not_stack_overflows() {
    let ws = StarterWorkspace::new();
    let deep = format!("{}x{}", "{% if true %}".repeat(2000), "{% endif %}".repeat(2000));
    ws.write("templates/welcome.html.liquid", &deep);
    let check = ws.check(&[]);
    assert_eq!(check.code, 1, "{}", check.stderr);
    assert!(check.stderr.contains("template::too-deep"), "{}", check.stderr);
    let ws = StarterWorkspace::new();
    let terms = vec!["email_opt_in"; 30_000].join(" and ");
    ws.write("segments.yaml", &format!("kind: segment\nname: many\nwhere: {terms}\n"));
    let check = ws.check(&[]);
    assert_eq!(check.code, 1, "{}", check.stderr);
    assert!(
        check.stderr.contains("expr::too-large"),
        "{}",
        &check.stderr[..check.stderr.len().min(2000)]
    );
    let ws = StarterWorkspace::new();
    let minus = vec!["1"; 100_000].join(" - ");
    ws.write(
        "features2.yaml",
        &format!("kind: features\nfeatures:\n  big: {minus}\n"),
    );
    let check = ws.check(&[]);
    assert_eq!(check.code, 1, "{}", check.stderr);
    assert!(check.stderr.contains("expr::too-large"));
    assert!(
        check.stderr.len() < 20_000,
        "the diagnostic echoes {} bytes",
        check.stderr.len()
    );
    // The largest expression allowed still checks and plans.
    let ws = StarterWorkspace::new();
    let allowed = vec!["email_opt_in"; 500].join(" and ");
    ws.write(
        "segments.yaml",
        &format!("kind: segment\nname: many\nwhere: {allowed}\n"),
    );
    assert_eq!(ws.check(&[]).code, 0);
    let plan = tailor(ws.dir.path(), &["plan", "ws", "--now", "2026-12-01T15:00:00Z"]);
    assert_eq!(plan.code, 0, "{}", plan.stderr);
}

#[test]
fn a_huge_block_scalar_error_is_quoted_briefly() {
    let ws = StarterWorkspace::new();
    let huge = "y".repeat(5_000_000);
    ws.write(
        "campaigns/welcome.yaml",
        &fs::read_to_string(ws.path("campaigns/welcome.yaml"))
            .expect("read")
            .replace(
                "vars: { discount: 10 }",
                &format!("vars: {{ discount: 10 }}\npriority: |\n  {huge}\n"),
            ),
    );
    let check = ws.check(&[]);
    assert_eq!(check.code, 1, "{}", &check.stderr[..check.stderr.len().min(2000)]);
    assert!(
        check.stderr.len() < 10_000,
        "the diagnostic echoes {} bytes",
        check.stderr.len()
    );
    let json = ws.check(&["--format", "json"]);
    assert!(
        json.stdout.len() < 10_000,
        "the JSON echoes {} bytes",
        json.stdout.len()
    );
}

#[test]
fn javascript_urls_from_data_do_not_become_links() {
    let engine = tailor::template::Engine::new(&Default::default(), &Default::default(), true);
    let template = engine
        .parse("<a href=\"{{ user.site }}\">site</a><img src=\"{{ user.pic }}\"><a href=\"https://acme.test/p/{{ user.id }}\">p</a>")
        .expect("parses");
    let render = |site: &str| {
        let globals = tailor::template::globals_from_json(
            &serde_json::json!({ "user": { "site": site, "pic": " JaVa\tScRiPt:alert(1)", "id": "javascript:x" } }),
        );
        engine.render(&template, &globals).expect("renders")
    };
    let html = render("javascript:alert(document.cookie)");
    assert!(!html.to_lowercase().contains("javascript:alert"), "{html}");
    assert!(html.contains("<a href=\"#\">site</a><img src=\"#\">"), "{html}");
    // A fixed scheme written by the author stays, with the data escaped after it.
    assert!(html.contains("href=\"https://acme.test/p/javascript:x\""), "{html}");
    assert!(render("https://ana.example/").contains("<a href=\"https://ana.example/\">"));
}

#[test]
fn rows_that_are_not_utf8_are_reported_by_line_and_can_be_skipped() {
    let ws = StarterWorkspace::new();
    let mut csv = fs::read(ws.path("datasets/profiles.csv")).expect("read");
    csv.extend_from_slice(b"u4,dee@example.com,D\xffe,,true,,2026-01-05T10:00:00Z\n");
    fs::write(ws.path("datasets/profiles.csv"), &csv).expect("write");
    let mut events = fs::read(ws.path("datasets/events.ndjson")).expect("read");
    events.extend_from_slice(
        b"{\"user_id\":\"u2\",\"type\":\"page_view\",\"ts\":\"2026-11-26T10:00:00Z\",\"url\":\"/\xfe\"}\n",
    );
    fs::write(ws.path("datasets/events.ndjson"), &events).expect("write");
    let plan = tailor(ws.dir.path(), &["plan", "ws", "--now", "2026-12-01T15:00:00Z"]);
    assert_eq!(plan.code, 1, "{}", plan.stderr);
    assert!(plan.stderr.contains("profiles.csv: line 5"), "{}", plan.stderr);
    assert!(plan.stderr.contains("UTF-8"), "{}", plan.stderr);
    let event_line = String::from_utf8_lossy(&events).lines().count();
    assert!(
        plan.stderr.contains(&format!("events.ndjson: line {event_line}")),
        "{}",
        plan.stderr
    );
    let skipped = tailor(
        ws.dir.path(),
        &["plan", "ws", "--now", "2026-12-01T15:00:00Z", "--skip-bad-rows"],
    );
    assert_eq!(skipped.code, 0, "{}", skipped.stderr);
    assert!(skipped.stderr.contains("data::skipped-rows"), "{}", skipped.stderr);
}

#[test]
fn a_full_outbox_stops_the_run_at_once_and_leaves_no_empty_files() {
    let ws = starter_with_profiles(&(4..40).map(|i| profile(&format!("u{i}"), "Ana")).collect::<Vec<_>>());
    let outbox_dir = ws.path(".tailor/outbox");
    fs::create_dir_all(&outbox_dir).expect("mkdir");
    // A real full disk: a 12 KiB tmpfs holds a few messages, then every write fails.
    let mounted = std::process::Command::new("mount")
        .args(["-t", "tmpfs", "-o", "size=12k", "tmpfs"])
        .arg(&outbox_dir)
        .status()
        .is_ok_and(|s| s.success());
    if !mounted {
        eprintln!("skipped: mounting a small tmpfs needs root (CI runs as root)");
        return;
    }
    let unmount = || {
        let _ = std::process::Command::new("umount").arg(&outbox_dir).status();
    };
    let started = std::time::Instant::now();
    let output = run(&ws, &["--format", "json"]);
    let elapsed = started.elapsed();
    let files: Vec<(PathBuf, u64)> = ["new", "tmp"]
        .iter()
        .flat_map(|folder| {
            fs::read_dir(outbox_dir.join(folder))
                .map(|d| d.flatten().collect::<Vec<_>>())
                .unwrap_or_default()
        })
        .map(|e| (e.path(), e.metadata().map_or(0, |m| m.len())))
        .collect();
    let delivered = fs::read_dir(outbox_dir.join("new")).map_or(0, |d| d.count());
    unmount();
    assert_eq!(output.code, 2, "{}\n{}", output.stdout, output.stderr);
    assert!(
        output.stdout.contains("cannot write to the outbox"),
        "{}",
        output.stdout
    );
    assert!(elapsed < std::time::Duration::from_secs(20), "{elapsed:?}");
    assert!(files.iter().all(|(_, size)| *size > 0), "empty files left: {files:?}");
    assert!(delivered < 36, "{delivered}");
    let ledger = rusqlite::Connection::open(ws.path(".tailor/ledger.sqlite")).expect("ledger");
    let sent: i64 = ledger
        .query_row("SELECT count(*) FROM sends WHERE state = 'sent'", [], |r| r.get(0))
        .expect("count");
    assert_eq!(sent as usize, delivered);
    // With room again, the next run sends the rest (the full disk's files went with it when it
    // was unmounted), none twice.
    let again = run(&ws, &["--format", "json"]);
    assert_eq!(again.code, 0, "{}", again.stderr);
    assert_eq!(delivered + outbox(&ws).len(), 36);
}

#[test]
fn a_signal_does_not_wait_long_for_a_server_that_hangs_after_data() {
    use crate::run::{ledger_rows, smtp_demo};
    use crate::smtp_server::{Reply, ScriptedServer};
    use std::time::{Duration, Instant};

    let server = ScriptedServer::start(&[], Reply::HangAfterData, Duration::ZERO);
    let dir = smtp_demo(server.port, 2, 0);
    let mut child = run_in_background(dir.path(), &server, 1);
    let signalled = Instant::now();
    assert_eq!(unsafe { libc::kill(child.id() as i32, libc::SIGTERM) }, 0);
    let status = child.wait().expect("waits");
    let took = signalled.elapsed();
    assert!(took < Duration::from_secs(8), "SIGTERM took {took:?}");
    assert_eq!(status.code(), Some(1));
    // The cut-off sends stay reserved: the next run resolves them, never losing one.
    assert!(ledger_rows(dir.path())
        .iter()
        .any(|r| r.state == "reserved" || r.state == "deferred"));
}

/// One entry of a generated workspace: a file, or a link to another entry, to a file outside
/// the workspace, to a device, to nothing, or (a folder) to a folder outside.
#[derive(Debug, Clone)]
enum Entry {
    File,
    LinkInside(usize),
    LinkOutside,
    LinkDevice,
    LinkNowhere,
    FolderLinkOutside,
}

fn entry() -> impl Strategy<Value = Entry> {
    prop_oneof![
        3 => Just(Entry::File),
        2 => (0usize..8).prop_map(Entry::LinkInside),
        2 => Just(Entry::LinkOutside),
        1 => Just(Entry::LinkDevice),
        1 => Just(Entry::LinkNowhere),
        1 => Just(Entry::FolderLinkOutside),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 40, ..ProptestConfig::default() })]

    /// Whatever links a workspace holds, loading it reads no file outside it.
    #[test]
    fn no_file_outside_the_workspace_is_ever_read(entries in prop::collection::vec(entry(), 1..10)) {
        let dir = tempfile::tempdir().expect("tempdir");
        let root = dir.path().join("ws");
        let outside = dir.path().join("outside");
        fs::create_dir_all(root.join("templates/partials")).expect("mkdir");
        fs::create_dir_all(&outside).expect("mkdir");
        fs::write(outside.join("secret.yaml"), "kind: segment\nname: leaked\nwhere: OUTSIDE_SECRET\n").expect("write");
        fs::write(outside.join("secret.liquid"), "OUTSIDE_SECRET").expect("write");
        fs::write(root.join("tailor.yaml"), "name: shop\n").expect("write");
        let path = |i: usize| {
            let folder = ["", "templates/", "templates/partials/"][i % 3];
            let extension = if i % 2 == 0 { "yaml" } else { "liquid" };
            root.join(format!("{folder}e{i}.{extension}"))
        };
        for (i, entry) in entries.iter().enumerate() {
            let at = path(i);
            let extension = at.extension().expect("extension").to_string_lossy().into_owned();
            let linked = |target: &Path| std::os::unix::fs::symlink(target, &at).expect("symlink");
            match entry {
                Entry::File => fs::write(&at, if extension == "yaml" { "kind: segment\nname: s\nwhere: true\n" } else { "hi" }).expect("write"),
                Entry::LinkInside(j) => linked(&path(*j % entries.len())),
                Entry::LinkOutside => linked(&outside.join(format!("secret.{extension}"))),
                Entry::LinkDevice => linked(Path::new("/dev/zero")),
                Entry::LinkNowhere => linked(&dir.path().join("nothing")),
                Entry::FolderLinkOutside => std::os::unix::fs::symlink(&outside, root.join(format!("linked{i}"))).expect("symlink"),
            }
        }
        let loaded = tailor::load::load_workspace(&root).expect("loads");
        let real_root = root.canonicalize().expect("root");
        for (_, file) in loaded.sources.files() {
            prop_assert!(!file.text.contains("OUTSIDE_SECRET"), "{} was read", file.display_path);
            if !file.text.is_empty() {
                let real = file.path.canonicalize().expect("a real file");
                prop_assert!(real.starts_with(&real_root), "{} is outside", real.display());
            }
        }
    }
}
