//! `tailor serve` as a real process on a TCP port: Segment-compatible ingestion (with the
//! official Python clients), the tracking plan and its quarantine, durability across kill -9,
//! real-time cart reminders through a real SMTP server, one-click unsubscribes (and the page in
//! headless Chromium), and bounce/complaint feedback.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::run::SECRET;
use crate::smtp_server::{embedded_server, Inbox};
use crate::support::{demo_workspace, replace_in, send_by_smtp, small_demo, tailor, tailor_with_env};
use crate::watch::browser_script;

const WRITE_KEY: &str = "test-write-key";

/// A free port outside the range the system hands out for port 0, so that no other test's
/// `bind(0)` takes it between here and `serve` binding it.
fn quiet_port() -> u16 {
    use std::sync::atomic::{AtomicU16, Ordering};
    static NEXT: AtomicU16 = AtomicU16::new(0);
    let seed = (std::process::id() % 1000) as u16 * 10;
    loop {
        let port = 20_000 + (seed + NEXT.fetch_add(1, Ordering::SeqCst)) % 10_000;
        if std::net::TcpListener::bind(("127.0.0.1", port)).is_ok() {
            return port;
        }
    }
}

/// A `tailor serve` process, killed when dropped.
struct Service {
    child: Child,
    port: u16,
    dir: PathBuf,
}

impl Service {
    /// Starts `tailor serve campaigns` in `dir` and waits until it answers.
    fn start(dir: &Path) -> Service {
        Service::start_on(dir, quiet_port(), "1h")
    }

    /// [`Service::start`] on `port`, with a full pass `every` so long.
    fn start_on(dir: &Path, port: u16, every: &str) -> Service {
        let listen = format!("127.0.0.1:{port}");
        let child = Command::new(env!("CARGO_BIN_EXE_tailor"))
            .args(["serve", "campaigns", "--listen", &listen, "--every", every])
            .current_dir(dir)
            .env("NO_COLOR", "1")
            .env("TAILOR_WRITE_KEYS", format!("other-key,{WRITE_KEY}"))
            .env(SECRET.0, SECRET.1)
            .stdout(Stdio::null())
            .stderr(if std::env::var_os("TAILOR_TEST_SERVE_LOG").is_some() {
                Stdio::inherit()
            } else {
                Stdio::null()
            })
            .spawn()
            .expect("tailor serve starts");
        let service = Service {
            child,
            port,
            dir: dir.to_path_buf(),
        };
        let start = Instant::now();
        while service.request("GET", "/healthz", &[], b"").0 != 200 {
            assert!(start.elapsed() < Duration::from_secs(60), "serve never answered");
            std::thread::sleep(Duration::from_millis(50));
        }
        service
    }

    /// One HTTP/1.1 request; the status and body (status 0 when nothing answers).
    fn request(&self, method: &str, path: &str, headers: &[(&str, &str)], body: &[u8]) -> (u16, String) {
        let Ok(mut stream) = TcpStream::connect(("127.0.0.1", self.port)) else {
            return (0, String::new());
        };
        let mut head = format!(
            "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\nContent-Length: {}\r\n",
            body.len()
        );
        for (name, value) in headers {
            head.push_str(&format!("{name}: {value}\r\n"));
        }
        head.push_str("\r\n");
        if stream
            .write_all(head.as_bytes())
            .and_then(|()| stream.write_all(body))
            .is_err()
        {
            return (0, String::new());
        }
        let mut bytes = Vec::new();
        let _ = stream.read_to_end(&mut bytes);
        let response = String::from_utf8_lossy(&bytes);
        let status = response.get(9..12).and_then(|s| s.parse().ok()).unwrap_or(0);
        let body = response.split_once("\r\n\r\n").map_or("", |(_, b)| b).to_string();
        (status, body)
    }

    /// Posts JSON to a Segment endpoint with the write key; the status and the JSON answer.
    fn post(&self, path: &str, json: &serde_json::Value) -> (u16, serde_json::Value) {
        let auth = format!("Basic {}", base64_of(&format!("{WRITE_KEY}:")));
        let (status, body) = self.request(
            "POST",
            path,
            &[("Authorization", &auth), ("Content-Type", "application/json")],
            json.to_string().as_bytes(),
        );
        (status, serde_json::from_str(&body).unwrap_or(serde_json::Value::Null))
    }

    /// The lines of an event log file.
    fn log(&self, file: &str) -> Vec<serde_json::Value> {
        let path = self.dir.join("campaigns/.tailor/events").join(file);
        std::fs::read_to_string(path)
            .unwrap_or_default()
            .lines()
            .map(|l| serde_json::from_str(l).expect("a JSON line"))
            .collect()
    }

    /// Kills the process at once (SIGKILL), as a crash would.
    fn kill(mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// Stops the process with SIGTERM and waits for it.
    fn terminate(mut self) -> i32 {
        // SAFETY: sending a signal to our own child process.
        unsafe {
            libc::kill(self.child.id() as i32, libc::SIGTERM);
        }
        self.child.wait().map(|s| s.code().unwrap_or(-1)).unwrap_or(-1)
    }
}

impl Drop for Service {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn base64_of(text: &str) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.encode(text)
}

/// The small demo with only the cart campaign, its reminder due `after` after the cart, no
/// quiet hours or data-age guard (serve plans at the wall clock), sending to `smtp_port` when
/// given (else into the outbox).
fn serve_workspace(after: &str, smtp_port: Option<u16>) -> tempfile::TempDir {
    let dir = small_demo();
    let ws = dir.path().join("campaigns");
    for entry in std::fs::read_dir(ws.join("campaigns")).unwrap() {
        let path = entry.unwrap().path();
        if !path.ends_with("cart_abandonment.yaml") {
            std::fs::remove_file(path).unwrap();
        }
    }
    std::fs::remove_dir_all(ws.join("tests")).unwrap();
    // Carts come from the tests' own calls only (the fixture's would fall due on its dates).
    let events = dir.path().join("datasets/shop/events.ndjson");
    let kept: String = std::fs::read_to_string(&events)
        .unwrap()
        .lines()
        .filter(|line| !line.contains("\"add_to_cart\""))
        .map(|line| format!("{line}\n"))
        .collect();
    std::fs::write(&events, kept).unwrap();
    let manifest = ws.join("tailor.yaml");
    replace_in(&manifest, "  quiet_hours: \"21:00-08:00\"\n", "");
    replace_in(&manifest, "  max_data_age: 2d\n", "");
    replace_in(
        &manifest,
        "url: \"https://acme.test/unsubscribe?u={{ user.id }}&t={{ unsubscribe_token }}\"",
        "url: \"https://mail.acme.test/u?u={{ user.id }}&t={{ unsubscribe_token }}\"",
    );
    if let Some(port) = smtp_port {
        send_by_smtp(&manifest, port, 2, 1);
    }
    replace_in(
        &ws.join("campaigns/cart_abandonment.yaml"),
        "after: 1h",
        &format!("after: {after}"),
    );
    dir
}

fn cart(user: &str, id: &str, price: f64) -> serde_json::Value {
    serde_json::json!({"userId": user, "event": "add_to_cart", "messageId": id,
        "properties": {"product_id": "p1", "price": price, "quantity": 1}})
}

fn recipients(inbox: &Inbox) -> Vec<String> {
    inbox.lock().unwrap().iter().map(|m| m.to.clone()).collect()
}

/// Waits up to `limit` for `done`.
fn eventually(limit: Duration, mut done: impl FnMut() -> bool) -> bool {
    let start = Instant::now();
    while start.elapsed() < limit {
        if done() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    done()
}

#[test]
fn serve_refuses_to_start_without_write_keys() {
    let dir = serve_workspace("2s", None);
    let output = tailor_with_env(
        dir.path(),
        &["serve", "campaigns"],
        &[SECRET, ("TAILOR_WRITE_KEYS", " , ")],
    );
    assert_eq!(output.code, 2, "{}", output.stderr);
    assert!(output.stderr.contains("serve::no-write-keys"), "{}", output.stderr);
    assert!(output.stderr.contains("TAILOR_WRITE_KEYS"), "{}", output.stderr);
    let output = tailor_with_env(dir.path(), &["serve", "campaigns"], &[("TAILOR_WRITE_KEYS", "k")]);
    assert!(
        output.stderr.contains("run::no-secret"),
        "an outbox is no reason to sign with a known secret: {}",
        output.stderr
    );
}

#[test]
fn segment_calls_are_logged_once_checked_and_quarantined_with_their_reasons() {
    let dir = serve_workspace("1h", None);
    let service = Service::start(dir.path());
    // A track call is acknowledged once it is in the log, in the events dataset's layout.
    let (status, answer) = service.post("/v1/track", &cart("u1", "m1", 25.0));
    assert_eq!((status, answer["accepted"].as_u64()), (200, Some(1)), "{answer}");
    // The same messageId again is acknowledged and not written twice.
    let (status, answer) = service.post("/v1/track", &cart("u1", "m1", 25.0));
    assert_eq!((status, answer["duplicates"].as_u64()), (200, Some(1)), "{answer}");
    // A call that breaks the tracking plan is quarantined, and the answer names it and why.
    let bad = serde_json::json!({"userId": "u1", "event": "add_to_cart", "messageId": "m2",
        "properties": {"product_id": "p1", "price": "cheap", "quantity": 1}});
    let (_, answer) = service.post("/v1/track", &bad);
    assert_eq!(answer["quarantined"][0]["messageId"], "m2", "{answer}");
    let reason = answer["quarantined"][0]["reasons"][0].as_str().unwrap();
    assert!(
        reason.starts_with("/properties/price") && reason.contains("number"),
        "{reason}"
    );
    // A batch, gzip-compressed as RudderStack's client sends it: identify traits, a page call,
    // and an event type the schema does not declare.
    let batch = serde_json::json!({"batch": [
        {"type": "identify", "userId": "u9", "messageId": "i9", "traits": {"email": "nine@example.com", "tier": "gold",
            "interests": [], "signup_at": "2026-01-01T00:00:00Z", "email_opt_in": true}},
        {"type": "page", "userId": "u9", "messageId": "p9", "properties": {"url": "/p/p1"}},
        {"type": "track", "userId": "u9", "messageId": "w9", "event": "wishlist_add", "properties": {}},
    ]});
    let mut gzip = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gzip.write_all(batch.to_string().as_bytes()).unwrap();
    let auth = format!("Basic {}", base64_of(&format!("{WRITE_KEY}:")));
    let (status, body) = service.request(
        "POST",
        "/v1/batch",
        &[("Authorization", &auth), ("Content-Encoding", "gzip")],
        &gzip.finish().unwrap(),
    );
    let answer: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!((status, answer["accepted"].as_u64()), (200, Some(2)), "{answer}");
    assert_eq!(answer["quarantined"][0]["messageId"], "w9");
    // Refusals: no key, a wrong key, a call over 32 KB, a batch over 500 KB, not JSON.
    assert_eq!(
        service
            .request("POST", "/v1/track", &[], cart("u1", "x", 1.0).to_string().as_bytes())
            .0,
        401
    );
    let wrong = format!("Basic {}", base64_of("nope:"));
    assert_eq!(
        service
            .request("POST", "/v1/track", &[("Authorization", &wrong)], b"{}")
            .0,
        401
    );
    let huge =
        serde_json::json!({"userId": "u1", "event": "add_to_cart", "properties": {"product_id": "x".repeat(40_000)}});
    let (status, answer) = service.post("/v1/track", &huge);
    assert_eq!(status, 400);
    assert!(answer["error"].as_str().unwrap().contains("32 KB"), "{answer}");
    let calls: Vec<_> = (0..40)
        .map(|i| {
            serde_json::json!({"type": "track", "userId": "u1", "event": "page_view",
        "messageId": format!("b{i}"), "properties": {"url": "y".repeat(14_000)}})
        })
        .collect();
    let (status, answer) = service.post("/v1/batch", &serde_json::json!({ "batch": calls }));
    assert_eq!(status, 400);
    assert!(answer["error"].as_str().unwrap().contains("500 KB"), "{answer}");
    let (status, _) = service.request("POST", "/v1/track", &[("Authorization", &auth)], b"{not json");
    assert_eq!(status, 400);
    // What is in the log: two events, one identify, two quarantined calls.
    let events = service.log("events.ndjson");
    assert_eq!(events.len(), 2);
    assert_eq!(events[0]["user_id"], "u1");
    assert_eq!(events[0]["type"], "add_to_cart");
    assert_eq!(events[0]["event_id"], "m1");
    assert_eq!(events[1]["type"], "page_view");
    assert_eq!(service.log("traits.ndjson").len(), 1);
    assert_eq!(service.log("rejected.ndjson").len(), 2);
    let metrics = service.request("GET", "/metrics", &[], b"").1;
    for line in [
        "tailor_accepted_total 3",
        "tailor_duplicates_total 1",
        "tailor_quarantined_total 2",
    ] {
        assert!(metrics.contains(line), "{line} in {metrics}");
    }
    // `plan` reads the log with the dataset files: u9 exists from its identify call alone.
    let preview = tailor(
        dir.path(),
        &["preview", "campaigns", "cart_abandonment", "--profile", "u9"],
    );
    assert!(
        preview.stderr.contains("trigger event is due for `u9`"),
        "{}",
        preview.stderr
    );
    let unknown = tailor(
        dir.path(),
        &["preview", "campaigns", "cart_abandonment", "--profile", "u99"],
    );
    assert!(!unknown.stderr.contains("due for `u99`"), "{}", unknown.stderr);
    // While serve holds the ledger, a run says so and stops.
    let run = tailor_with_env(dir.path(), &["run", "campaigns"], &[SECRET]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(run.stderr.contains("run::locked"), "{}", run.stderr);
    assert_eq!(service.terminate(), 0);
    // The quarantine is listed with its reasons, and replayed once the schema declares the type.
    let listed = tailor(dir.path(), &["events", "rejected", "campaigns"]);
    assert!(
        listed.stdout.contains("m2") && listed.stdout.contains("wishlist_add"),
        "{}",
        listed.stdout
    );
    assert!(listed.stdout.contains("2 calls in quarantine"), "{}", listed.stdout);
    replace_in(
        &dir.path().join("campaigns/data.yaml"),
        "    purchase:",
        "    wishlist_add: {}\n    purchase:",
    );
    let replay = tailor(dir.path(), &["events", "replay", "campaigns"]);
    assert_eq!(replay.code, 0, "{}", replay.stderr);
    assert!(
        replay.stdout.contains("1 calls moved") && replay.stdout.contains("1 still"),
        "{}",
        replay.stdout
    );
    let events = std::fs::read_to_string(dir.path().join("campaigns/.tailor/events/events.ndjson")).unwrap();
    assert!(events.contains("wishlist_add"));
}

#[test]
fn a_cart_event_sends_its_reminder_once_after_the_delay_and_an_order_cancels_it() {
    let (port, inbox) = embedded_server();
    let dir = serve_workspace("3s", Some(port));
    let service = Service::start(dir.path());
    // Ana leaves a cart (posted twice, as a retrying producer would); Ben leaves one and buys.
    for _ in 0..2 {
        let (status, _) = service.post("/v1/track", &cart("u1", "cart-ana", 25.0));
        assert_eq!(status, 200);
    }
    service.post("/v1/track", &cart("u2", "cart-ben", 30.0));
    let order = serde_json::json!({"userId": "u2", "event": "purchase", "messageId": "order-ben",
        "properties": {"order_id": "o9", "total": 30.0, "product_id": "p1"}});
    assert_eq!(service.post("/v1/track", &order).0, 200);
    assert!(recipients(&inbox).is_empty(), "nothing is sent before `after`");
    assert!(
        eventually(Duration::from_secs(30), || !recipients(&inbox).is_empty()),
        "the reminder never came"
    );
    std::thread::sleep(Duration::from_secs(2));
    assert_eq!(recipients(&inbox), vec!["ana@example.com".to_string()]);
    // A crash right after acknowledgements loses nothing, and nothing is sent twice after it.
    let acknowledged: Vec<String> = (0..50).map(|i| format!("view-{i}")).collect();
    for id in &acknowledged {
        let view =
            serde_json::json!({"userId": "u3", "event": "page_view", "messageId": id, "properties": {"url": "/"}});
        assert_eq!(service.post("/v1/track", &view).0, 200);
    }
    service.kill();
    let restarted = Service::start(dir.path());
    let logged: Vec<String> = restarted
        .log("events.ndjson")
        .iter()
        .map(|e| e["__message_id"].as_str().unwrap().to_string())
        .collect();
    for id in &acknowledged {
        assert!(logged.contains(id), "{id} was acknowledged and lost");
    }
    // The restarted service plans again at once: the reminder is already in the ledger.
    std::thread::sleep(Duration::from_secs(3));
    assert_eq!(recipients(&inbox).len(), 1, "sent twice after a restart");
    // A cart acknowledged just before a crash still gets its reminder, once: the deadline
    // comes back from the log.
    assert_eq!(restarted.post("/v1/track", &cart("u4", "cart-dee", 40.0)).0, 200);
    restarted.kill();
    let _again = Service::start(dir.path());
    let dee = |inbox: &Inbox| recipients(inbox).iter().filter(|r| *r == "dee@example.com").count();
    assert!(
        eventually(Duration::from_secs(30), || dee(&inbox) > 0),
        "the reminder was lost in the crash"
    );
    std::thread::sleep(Duration::from_secs(2));
    assert_eq!(dee(&inbox), 1);
    assert_eq!(recipients(&inbox).len(), 2);
}

#[test]
fn a_one_click_unsubscribe_suppresses_at_once_and_a_bad_token_changes_nothing() {
    let dir = serve_workspace("1h", None);
    let service = Service::start(dir.path());
    let token = tailor_token("u1");
    // The first pass fills the directory of addresses; wait until it has run.
    assert!(eventually(Duration::from_secs(30), || service
        .request("GET", "/metrics", &[], b"")
        .1
        .contains("tailor_passes_total 1")));
    let (status, page) = service.request("GET", &format!("/u?u=u1&t={token}"), &[], b"");
    assert_eq!(status, 200);
    assert!(page.contains("<form method=\"post\">"), "{page}");
    let one_click = [("Content-Type", "application/x-www-form-urlencoded")];
    let forged = service.request(
        "POST",
        &format!("/u?u=u1&t={}", "0".repeat(64)),
        &one_click,
        b"List-Unsubscribe=One-Click",
    );
    assert_eq!(forged.0, 403);
    let other = service.request(
        "POST",
        &format!("/u?u=u2&t={token}"),
        &one_click,
        b"List-Unsubscribe=One-Click",
    );
    assert_eq!(other.0, 403, "a token is good for its own key only");
    let listed = tailor(dir.path(), &["suppress", "list", "campaigns"]);
    assert!(
        !listed.stdout.contains("@"),
        "a refused request suppressed someone: {}",
        listed.stdout
    );
    let (status, page) = service.request(
        "POST",
        &format!("/u?u=u1&t={token}"),
        &one_click,
        b"List-Unsubscribe=One-Click",
    );
    assert_eq!(status, 200, "{page}");
    assert!(page.contains("You are unsubscribed"));
    // Feedback: a DSN's permanent failure and a JSON complaint suppress; a delay does not.
    let auth = format!("Basic {}", base64_of(&format!("{WRITE_KEY}:")));
    let dsn =
        "Content-Type: multipart/report; report-type=delivery-status\r\n\r\nReporting-MTA: dns; mx.example.com\r\n\r\n\
               Final-Recipient: rfc822; ben@example.com\r\nAction: failed\r\nStatus: 5.1.1\r\n\r\n\
               Final-Recipient: rfc822; cy@example.com\r\nAction: delayed\r\nStatus: 4.4.1\r\n";
    let (status, body) = service.request("POST", "/v1/feedback", &[("Authorization", &auth)], dsn.as_bytes());
    assert_eq!(status, 200, "{body}");
    let (status, _) = service.post(
        "/v1/feedback",
        &serde_json::json!({"email": "dee@example.com", "kind": "complaint"}),
    );
    assert_eq!(status, 200);
    assert_eq!(service.request("POST", "/v1/feedback", &[], dsn.as_bytes()).0, 401);
    drop(service);
    let listed = tailor(dir.path(), &["suppress", "list", "campaigns"]).stdout;
    for (address, expected) in [
        ("ana@example.com", true),
        ("ben@example.com", true),
        ("dee@example.com", true),
        ("cy@example.com", false),
    ] {
        assert_eq!(listed.contains(address), expected, "{address} in {listed}");
    }
    // A later run mails none of them.
    let run = tailor_with_env(dir.path(), &["run", "campaigns", "--format", "json"], &[SECRET]);
    assert!(run.code == 0 || run.code == 1, "{}", run.stderr);
    let outbox = dir.path().join("campaigns/.tailor/outbox/new");
    for entry in std::fs::read_dir(&outbox).into_iter().flatten() {
        let text = std::fs::read_to_string(entry.unwrap().path()).unwrap();
        assert!(!text.contains("To: ana@example.com") && !text.contains("To: ben@example.com"));
    }
}

/// The unsubscribe token of `key` under the tests' secret (HMAC-SHA256, computed here with
/// the library's own function's independent check in its unit test).
fn tailor_token(key: &str) -> String {
    tailor::render::unsubscribe_token(SECRET.1.as_bytes(), key)
}

#[test]
fn the_unsubscribe_page_works_in_a_real_browser() {
    let dir = serve_workspace("1h", None);
    let service = Service::start(dir.path());
    assert!(eventually(Duration::from_secs(30), || service
        .request("GET", "/metrics", &[], b"")
        .1
        .contains("tailor_passes_total 1")));
    let url = format!("http://127.0.0.1:{}/u?u=u1&t={}", service.port, tailor_token("u1"));
    let result = browser_script("unsubscribe.cjs", &[url.as_ref()]);
    assert_eq!(result["heading"], "Unsubscribe");
    assert_eq!(result["confirmed"], "You are unsubscribed");
    drop(service);
    let listed = tailor(dir.path(), &["suppress", "list", "campaigns"]).stdout;
    assert!(listed.contains("ana@example.com"), "{listed}");
}

#[test]
fn the_official_segment_and_rudderstack_python_clients_talk_to_serve() {
    let has = |module: &str| {
        Command::new("python3")
            .args(["-c", &format!("import {module}")])
            .output()
            .is_ok_and(|o| o.status.success())
    };
    if !has("segment.analytics") || !has("rudderstack.analytics") {
        eprintln!("skipped: pip install segment-analytics-python rudder-sdk-python (.ci/run does)");
        return;
    }
    let dir = serve_workspace("1h", None);
    let service = Service::start(dir.path());
    let host = format!("http://127.0.0.1:{}", service.port);
    for sdk in ["segment", "rudderstack"] {
        let output = Command::new("python3")
            .arg(crate::support::repo().join("tests/cli/segment_sdks.py"))
            .args([&host, WRITE_KEY, sdk, "u1"])
            .output()
            .expect("python3 runs");
        assert!(
            output.status.success(),
            "{sdk}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        let result: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
        assert_eq!(result["errors"], serde_json::json!([]), "{sdk}");
    }
    let events = service.log("events.ndjson");
    let ids: Vec<&str> = events.iter().map(|e| e["__message_id"].as_str().unwrap()).collect();
    assert_eq!(ids, ["segment-cart", "rudderstack-cart"]);
    assert_eq!(events[0]["price"], 20.0);
    let traits = service.log("traits.ndjson");
    assert_eq!(traits.len(), 2);
    assert_eq!(traits[1]["city"], "Lisbon");
    let rejected = service.log("rejected.ndjson");
    assert_eq!(rejected.len(), 2);
    assert!(rejected[0]["reasons"][0].as_str().unwrap().contains("/properties"));
}

#[test]
fn opens_and_clicks_are_recorded_and_only_signed_links_redirect() {
    let dir = serve_workspace("1s", None);
    let port = quiet_port();
    let manifest = dir.path().join("campaigns/tailor.yaml");
    let text = std::fs::read_to_string(&manifest).unwrap();
    std::fs::write(
        &manifest,
        format!("{text}tracking: {{ base_url: \"http://127.0.0.1:{port}\" }}\n"),
    )
    .unwrap();
    let service = Service::start_on(dir.path(), port, "1h");
    assert_eq!(service.post("/v1/track", &cart("u1", "cart-1", 25.0)).0, 200);
    let outbox = dir.path().join("campaigns/.tailor/outbox/new");
    let sent = || std::fs::read_dir(&outbox).map(|d| d.count()).unwrap_or(0);
    assert!(
        eventually(Duration::from_secs(30), || sent() == 1),
        "the reminder never came"
    );
    let file = std::fs::read_dir(&outbox).unwrap().next().unwrap().unwrap().path();
    let eml = std::fs::read(file).unwrap();
    let message = mail_parser::MessageParser::default().parse(&eml).unwrap();
    let html = message.body_html(0).unwrap().into_owned();
    let text = message.body_text(0).unwrap().into_owned();
    assert!(
        text.contains("https://acme.test/cart?product=p1"),
        "the text part keeps the real link: {text}"
    );
    let link = |prefix: &str| {
        let start = html
            .find(&format!("http://127.0.0.1:{port}{prefix}"))
            .unwrap_or_else(|| panic!("{prefix} in {html}"));
        let rest = &html[start..];
        let url = &rest[..rest.find('"').unwrap()];
        url.trim_start_matches(&format!("http://127.0.0.1:{port}")).to_string()
    };
    let (click, pixel) = (link("/c/"), link("/o/"));
    assert!(
        html.contains("href=\"https://mail.acme.test/u?u=u1"),
        "the unsubscribe link is not rewritten"
    );
    // The click redirects to the page; the same link tampered with does not.
    let (status, _) = service.request("GET", &click, &[], b"");
    assert_eq!(status, 302);
    let mut stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
    write!(stream, "GET {click} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").unwrap();
    let mut head = String::new();
    stream.read_to_string(&mut head).unwrap();
    assert!(
        head.contains("location: https://acme.test/cart?product=p1\r\n"),
        "{head}"
    );
    let mut tampered = click.clone();
    let at = tampered.len() - 1;
    tampered.replace_range(at.., if click.ends_with('0') { "1" } else { "0" });
    assert_eq!(service.request("GET", &tampered, &[], b"").0, 404);
    // The pixel is a GIF; an open from Apple's privacy proxy right after the send is a machine's.
    let (status, _) = service.request("GET", &pixel, &[("User-Agent", "Mozilla/5.0")], b"");
    assert_eq!(status, 200);
    let events = service.log("events.ndjson");
    let of = |kind: &str| events.iter().filter(|e| e["type"] == kind).cloned().collect::<Vec<_>>();
    let clicks = of("email_click");
    assert_eq!(clicks.len(), 2, "both redirects are recorded, the tampered link is not");
    assert_eq!(clicks[0]["campaign"], "cart_abandonment");
    assert_eq!(clicks[0]["url"], "https://acme.test/cart?product=p1");
    assert_eq!(clicks[0]["user_id"], "u1");
    let opens = of("email_open");
    assert_eq!(opens.len(), 1);
    assert_eq!(opens[0]["machine"], true);
    assert_eq!(opens[0]["variant"], "default");
    assert_eq!(opens[0]["message_id"], clicks[0]["message_id"]);
}

/// The subjects of the outbox's messages to `address`.
fn subjects_to(dir: &Path, address: &str) -> Vec<String> {
    let outbox = dir.join("campaigns/.tailor/outbox/new");
    let mut subjects = Vec::new();
    for entry in std::fs::read_dir(outbox).into_iter().flatten() {
        let eml = std::fs::read(entry.unwrap().path()).unwrap();
        let message = mail_parser::MessageParser::default().parse(&eml).unwrap();
        let to = message
            .to()
            .and_then(|to| to.first())
            .and_then(|a| a.address())
            .unwrap_or_default()
            .to_string();
        if to == address {
            subjects.push(message.subject().unwrap_or_default().to_string());
        }
    }
    subjects.sort();
    subjects
}

#[test]
fn the_demo_workspace_fires_cart_post_purchase_and_winback_from_posted_events() {
    let dir = demo_workspace();
    // serve plans at the wall clock: no quiet hours, whatever the hour the test runs at.
    replace_in(
        &dir.path().join("campaigns/tailor.yaml"),
        "  quiet_hours: \"21:00-08:00\"\n",
        "",
    );
    let service = Service::start_on(dir.path(), quiet_port(), "3s");
    let now = chrono::Utc::now();
    let ago = |duration: chrono::TimeDelta| (now - duration).to_rfc3339();
    // Three new customers, known only from identify calls; the win-back one outside its holdout.
    let winback_key = (0..)
        .map(|i| format!("quiet{i}"))
        .find(|key| tailor::model::bucket("winback", key) >= 1_500)
        .unwrap();
    for (key, signup) in [
        ("cart1", "2026-06-01T00:00:00Z"),
        ("order1", "2026-06-01T00:00:00Z"),
        (winback_key.as_str(), "2025-01-01T00:00:00Z"),
    ] {
        let identify = serde_json::json!({"type": "identify", "userId": key, "traits": {"email": format!("{key}@example.com"),
            "first_name": "Sam", "tier": "silver", "interests": [], "signup_at": signup, "email_opt_in": true}});
        assert_eq!(service.post("/v1/identify", &identify).0, 200);
    }
    let batch = serde_json::json!({"batch": [
        // Both were on the site just now (no win-back for them).
        {"type": "page", "userId": "cart1", "properties": {"url": "/"}},
        {"type": "page", "userId": "order1", "properties": {"url": "/"}},
        // A cart left 61 minutes ago: the 1h reminder is due.
        {"type": "track", "userId": "cart1", "event": "add_to_cart", "timestamp": ago(chrono::TimeDelta::minutes(61)),
         "properties": {"product_id": "p001", "price": 59.0, "quantity": 1}},
        // An order 3 days and a minute ago: the cross-sell is due.
        {"type": "track", "userId": "order1", "event": "purchase", "timestamp": ago(chrono::TimeDelta::minutes(3 * 24 * 60 + 1)),
         "properties": {"order_id": "o-1", "total": 80.0, "product_id": "p002"}},
        // A customer who bought 100 days ago and has not been seen since: a win-back.
        {"type": "track", "userId": winback_key, "event": "purchase", "timestamp": ago(chrono::TimeDelta::days(100)),
         "properties": {"order_id": "o-2", "total": 20.0, "product_id": "p003"}},
    ]});
    let (status, answer) = service.post("/v1/batch", &batch);
    assert_eq!((status, answer["accepted"].as_u64()), (200, Some(5)), "{answer}");
    let winback_address = format!("{winback_key}@example.com");
    let all_sent = || {
        !subjects_to(dir.path(), "cart1@example.com").is_empty()
            && !subjects_to(dir.path(), "order1@example.com").is_empty()
            && !subjects_to(dir.path(), &winback_address).is_empty()
    };
    assert!(eventually(Duration::from_secs(60), all_sent), "not every trigger fired");
    std::thread::sleep(Duration::from_secs(4));
    assert_eq!(
        subjects_to(dir.path(), "cart1@example.com"),
        ["You left something in your cart"]
    );
    assert_eq!(
        subjects_to(dir.path(), "order1@example.com"),
        ["Goes well with your order"]
    );
    let winback = subjects_to(dir.path(), &winback_address);
    assert_eq!(winback.len(), 1, "{winback:?}");
    assert!(winback[0].contains("Sam"), "{winback:?}");
}

#[test]
fn the_tracking_plan_written_for_producers_agrees_with_an_independent_validator() {
    let dir = serve_workspace("1h", None);
    let written = tailor(
        dir.path(),
        &["schema", "--events", "--workspace", "campaigns", "--out", "plan"],
    );
    assert_eq!(written.code, 0, "{}", written.stderr);
    let schema = dir.path().join("plan/events.schema.json");
    let calls = serde_json::json!([
        {"type": "track", "event": "add_to_cart", "userId": "u1", "properties": {"product_id": "p1", "price": 20.5, "quantity": 1}},
        {"type": "track", "event": "add_to_cart", "userId": "u1", "properties": {"product_id": "p1", "price": "cheap", "quantity": 1}},
        {"type": "track", "event": "add_to_cart", "userId": "u1", "properties": {"product_id": "p1", "price": 1.0, "quantity": 1, "colour": "red"}},
        {"type": "page", "event": "page_view", "userId": "u1", "properties": {"url": "/"}},
        {"type": "track", "event": "wishlist_add", "userId": "u1", "properties": {}},
        {"type": "identify", "userId": "u1", "traits": {"city": "Porto", "signup_at": "2026-01-01T00:00:00Z"}},
        {"type": "identify", "userId": "u1", "traits": {"signup_at": "last week"}},
        {"type": "identify", "userId": "u1", "traits": {"tier": "platinum"}},
    ]);
    // Python's `jsonschema` (draft 2020-12, formats checked) is the independent validator.
    let script = "import json, sys\nfrom jsonschema import Draft202012Validator\n\
                  schema = json.load(open(sys.argv[1]))\n\
                  validator = Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)\n\
                  print(json.dumps([validator.is_valid(call) for call in json.loads(sys.argv[2])]))";
    let output = Command::new("python3")
        .args(["-c", script])
        .arg(&schema)
        .arg(calls.to_string())
        .output()
        .expect("python3 runs");
    if !output.status.success() && String::from_utf8_lossy(&output.stderr).contains("No module named") {
        eprintln!("skipped: pip install jsonschema (.ci/run does)");
        return;
    }
    let verdicts: Vec<bool> = serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|_| panic!("{}", String::from_utf8_lossy(&output.stderr)));
    assert_eq!(verdicts, [true, false, false, true, false, true, false, false]);
    // serve agrees, call by call.
    let service = Service::start(dir.path());
    for (call, valid) in calls.as_array().unwrap().iter().zip(verdicts) {
        let (_, answer) = service.post("/v1/batch", &serde_json::json!({ "batch": [call] }));
        let accepted = answer["accepted"].as_u64() == Some(1);
        assert_eq!(accepted, valid, "{call} -> {answer}");
    }
}

#[test]
fn compacting_the_log_into_parquet_changes_no_plan_and_keeps_ids_deduplicated() {
    let dir = serve_workspace("1h", None);
    let service = Service::start(dir.path());
    let calls: Vec<serde_json::Value> = (0..30)
        .map(|i| {
            serde_json::json!({"type": "track", "event": "page_view", "userId": format!("u{}", i % 5 + 1),
                "messageId": format!("v{i}"), "timestamp": format!("2026-11-28T10:{i:02}:00Z"),
                "properties": {"url": "/p/p1", "category": "sneakers", "product_id": "p1"}})
        })
        .chain(std::iter::once(
            serde_json::json!({"type": "track", "event": "purchase", "userId": "ghost",
            "messageId": "ghost-order", "properties": {"order_id": "g1", "total": 10.0}}),
        ))
        .collect();
    assert_eq!(
        service.post("/v1/batch", &serde_json::json!({ "batch": calls })).1["accepted"],
        31
    );
    assert_eq!(service.terminate(), 0);
    let plan = |dir: &Path| {
        tailor(
            dir,
            &["plan", "campaigns", "--now", "2026-11-29T12:00:00Z", "--format", "json"],
        )
    };
    let before = plan(dir.path());
    assert_eq!(before.code, 0, "{}", before.stderr);
    let compacted = tailor(dir.path(), &["events", "compact", "campaigns"]);
    assert_eq!(compacted.code, 0, "{}", compacted.stderr);
    assert!(compacted.stdout.starts_with("30 events folded"), "{}", compacted.stdout);
    assert!(compacted.stdout.contains("1 log lines kept"), "{}", compacted.stdout);
    let events = dir.path().join("campaigns/.tailor/events");
    assert!(events.join("compacted.parquet").exists());
    assert_eq!(
        std::fs::read_to_string(events.join("events.ndjson"))
            .unwrap()
            .lines()
            .count(),
        1
    );
    let after = plan(dir.path());
    assert_eq!(before.stdout, after.stdout, "compaction changed the plan");
    // A producer's retry of a compacted event is still a duplicate.
    let service = Service::start(dir.path());
    let retry = serde_json::json!({"batch": [calls[3].clone()]});
    assert_eq!(service.post("/v1/batch", &retry).1["duplicates"], 1);
}

#[test]
fn a_tracking_base_url_that_is_not_one_fails_check_at_its_span() {
    let dir = serve_workspace("1h", None);
    let manifest = dir.path().join("campaigns/tailor.yaml");
    let text = std::fs::read_to_string(&manifest).unwrap();
    for bad in ["mail.acme.test", "ftp://mail.acme.test", "https://mail.acme.test/?a=1"] {
        std::fs::write(&manifest, format!("{text}tracking: {{ base_url: \"{bad}\" }}\n")).unwrap();
        let check = tailor(dir.path(), &["check", "campaigns", "--format", "json"]);
        assert_eq!(check.code, 1, "{bad}: {}", check.stderr);
        let found: serde_json::Value = serde_json::from_str(&check.stdout).unwrap();
        let error = &found.as_array().unwrap()[0];
        assert_eq!(error["code"], "manifest::bad-tracking-url", "{bad}");
        assert_eq!(error["file"], "campaigns/tailor.yaml");
        assert_eq!(error["line"].as_u64(), Some(text.lines().count() as u64 + 1));
    }
    std::fs::write(
        &manifest,
        format!("{text}tracking: {{ base_url: \"https://mail.acme.test/\", opens: false }}\n"),
    )
    .unwrap();
    assert_eq!(tailor(dir.path(), &["check", "campaigns"]).code, 0);
}

#[test]
fn a_profile_known_only_from_incomplete_traits_waits_and_is_reported() {
    let dir = serve_workspace("1h", None);
    let service = Service::start(dir.path());
    let partial = serde_json::json!({"userId": "u8", "traits": {"city": "Rome"}});
    assert_eq!(service.post("/v1/identify", &partial).1["accepted"], 1);
    // Traits of a known profile are laid over its row: Ana moves.
    let moved = serde_json::json!({"userId": "u1", "traits": {"city": "Lisbon", "first_name": null}});
    assert_eq!(service.post("/v1/identify", &moved).1["accepted"], 1);
    assert_eq!(service.terminate(), 0);
    let plan = tailor(dir.path(), &["plan", "campaigns", "--now", "2026-11-29T12:00:00Z"]);
    assert_eq!(plan.code, 0, "{}", plan.stderr);
    assert!(plan.stderr.contains("data::incomplete-profile"), "{}", plan.stderr);
    assert!(
        plan.stderr.contains("1 profiles known only from identify calls"),
        "{}",
        plan.stderr
    );
    let dataset = tailor::data::load_dataset(
        &crate::data::checked(&dir.path().join("campaigns")),
        tailor::data::LoadOptions::default(),
    )
    .expect("loads");
    let profiles = &dataset.profiles;
    let keys: Vec<Option<&str>> = profiles.column("id").unwrap().str().unwrap().iter().collect();
    assert!(!keys.contains(&Some("u8")), "u8 is not a profile yet");
    let ana = keys.iter().position(|k| *k == Some("u1")).unwrap();
    assert_eq!(profiles.column("city").unwrap().str().unwrap().get(ana), Some("Lisbon"));
    assert_eq!(profiles.column("first_name").unwrap().str().unwrap().get(ana), None);
    assert_eq!(
        profiles.column("email").unwrap().str().unwrap().get(ana),
        Some("ana@example.com")
    );
}
