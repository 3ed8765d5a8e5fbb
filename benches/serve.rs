//! Benchmark: `tailor serve` on loopback, the demo workspace (its datasets plus the event log).
//!
//! 1. Ingestion: 4 clients on keep-alive connections post `/v1/batch` requests of 100
//!    `page_view` calls as fast as they are answered, for 15 s: events acknowledged per second
//!    (each on the disk, fsync'd, before its answer) and p50/p99 acknowledgement latency.
//!    Beside it, in the same run, the peer: SQLite (Python's `sqlite3`, WAL, `synchronous=FULL`)
//!    inserting the same JSON events in transactions of 100 — a durable store without HTTP.
//! 2. Real-time triggers: 1,000 events/s for 20 s, of which 10/s are carts (`after: 0`) of
//!    users identified beforehand; the time from posting a cart to its message reaching a real
//!    SMTP server (mailin-embedded on TCP): p50/p99.
//! 3. Overload: as many requests as 8 clients can push for 60 s; the service's resident memory
//!    every 10 s, and how many requests were refused with 503 (bounded queue) instead of queued.
//! 4. How a trigger's latency grows with the data: shops of 25,000 and 100,000 generated
//!    profiles (shopgen, ~20 events each); three carts of fresh users, one after another, each
//!    timed from its post to its message at the SMTP server. A trigger's latency is one delivery
//!    pass over the whole workspace.
//!
//! Run with `cargo bench --bench serve` (Python 3 for the peer).

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

#[allow(dead_code)]
#[path = "../tests/cli/support.rs"]
mod support;

#[allow(dead_code)]
#[path = "../tests/cli/smtp_server.rs"]
mod smtp_server;

#[path = "support/mod.rs"]
mod bench_support;

use bench_support::status_mib;
use support::{copy_tree, replace_in, send_by_smtp};

const WRITE_KEY: &str = "bench-key";
const SECRET: &str = "bench-secret-of-at-least-32-bytes-long";

/// The demo workspace at any hour, carts due at once, sending to `smtp_port`.
fn workspace(root: &Path, smtp_port: u16) -> PathBuf {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    copy_tree(&repo.join("campaigns"), &root.join("campaigns"));
    copy_tree(&repo.join("datasets/shop"), &root.join("datasets/shop"));
    let manifest = root.join("campaigns/tailor.yaml");
    replace_in(&manifest, "  quiet_hours: \"21:00-08:00\"\n", "");
    replace_in(&manifest, "  max_data_age: 2d\n", "");
    replace_in(&manifest, "  frequency_cap: 3 per 7d\n", "");
    send_by_smtp(&manifest, smtp_port, 4, 3);
    replace_in(
        &root.join("campaigns/campaigns/cart_abandonment.yaml"),
        "after: 1h",
        "after: 0s",
    );
    root.to_path_buf()
}

/// A keep-alive HTTP/1.1 connection.
struct Client {
    reader: BufReader<TcpStream>,
    writer: TcpStream,
    auth: String,
}

impl Client {
    fn connect(port: u16) -> Client {
        use base64::Engine as _;
        let stream = TcpStream::connect(("127.0.0.1", port)).expect("connect");
        stream.set_nodelay(true).ok();
        Client {
            reader: BufReader::new(stream.try_clone().expect("clone")),
            writer: stream,
            auth: base64::engine::general_purpose::STANDARD.encode(format!("{WRITE_KEY}:")),
        }
    }

    /// Posts `body`; the status.
    fn post(&mut self, path: &str, body: &str) -> u16 {
        let head = format!(
            "POST {path} HTTP/1.1\r\nHost: bench\r\nAuthorization: Basic {}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n",
            self.auth,
            body.len()
        );
        self.writer.write_all(head.as_bytes()).expect("write");
        self.writer.write_all(body.as_bytes()).expect("write");
        let mut status_line = String::new();
        self.reader.read_line(&mut status_line).expect("status");
        let status = status_line.get(9..12).and_then(|s| s.parse().ok()).unwrap_or(0);
        let mut length = 0;
        loop {
            let mut line = String::new();
            self.reader.read_line(&mut line).expect("header");
            if line == "\r\n" || line.is_empty() {
                break;
            }
            if let Some(value) = line.to_ascii_lowercase().strip_prefix("content-length:") {
                length = value.trim().parse().unwrap_or(0);
            }
        }
        let mut body = vec![0; length];
        self.reader.read_exact(&mut body).expect("body");
        status
    }
}

fn page_views(client: usize, batch: u64, users: &[String]) -> String {
    let calls: Vec<serde_json::Value> = (0..100)
        .map(|i| {
            serde_json::json!({"type": "track", "event": "page_view", "userId": users[(batch as usize * 7 + i) % users.len()],
                "messageId": format!("c{client}-b{batch}-{i}"), "properties": {"url": "/p/p1", "category": "sneakers", "product_id": "p1"}})
        })
        .collect();
    serde_json::json!({ "batch": calls }).to_string()
}

/// When the first message to `address` reached the SMTP server, if one did.
fn arrival_of(inbox: &smtp_server::Inbox, address: &str) -> Option<Instant> {
    inbox.lock().unwrap().iter().find(|m| m.to == address).map(|m| m.at)
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
}

fn start_serve(dir: &Path, port: u16) -> Child {
    let child = Command::new(env!("CARGO_BIN_EXE_tailor"))
        .args([
            "serve",
            "campaigns",
            "--listen",
            &format!("127.0.0.1:{port}"),
            "--every",
            "1h",
        ])
        .current_dir(dir)
        .env("TAILOR_WRITE_KEYS", WRITE_KEY)
        .env("TAILOR_UNSUBSCRIBE_SECRET", SECRET)
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(dir.join("serve.log")).expect("log"))
        .spawn()
        .expect("serve starts");
    let start = Instant::now();
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(start.elapsed() < Duration::from_secs(60), "serve did not start");
        std::thread::sleep(Duration::from_millis(50));
    }
    child
}

/// Ingestion for `seconds` with `clients` clients: (events/s, latencies in ms, refused).
fn ingest(port: u16, clients: usize, seconds: u64, users: &Arc<Vec<String>>, tag: &str) -> (f64, Vec<f64>, u64) {
    let stop = Arc::new(AtomicBool::new(false));
    let latencies = Arc::new(Mutex::new(Vec::new()));
    let accepted = Arc::new(AtomicU64::new(0));
    let refused = Arc::new(AtomicU64::new(0));
    let start = Instant::now();
    let threads: Vec<_> = (0..clients)
        .map(|c| {
            let (stop, latencies, accepted, refused, users) = (
                Arc::clone(&stop),
                Arc::clone(&latencies),
                Arc::clone(&accepted),
                Arc::clone(&refused),
                Arc::clone(users),
            );
            let tag = format!("{tag}{c}");
            std::thread::spawn(move || {
                let mut client = Client::connect(port);
                let mut batch = 0;
                while !stop.load(Ordering::Relaxed) {
                    let body = page_views(c, batch, &users).replace("\"c", &format!("\"{tag}"));
                    let sent = Instant::now();
                    match client.post("/v1/batch", &body) {
                        200 => {
                            accepted.fetch_add(100, Ordering::Relaxed);
                            latencies.lock().unwrap().push(sent.elapsed().as_secs_f64() * 1000.0);
                        }
                        _ => {
                            refused.fetch_add(1, Ordering::Relaxed);
                        }
                    }
                    batch += 1;
                }
            })
        })
        .collect();
    std::thread::sleep(Duration::from_secs(seconds));
    stop.store(true, Ordering::Relaxed);
    for thread in threads {
        thread.join().expect("client");
    }
    let elapsed = start.elapsed().as_secs_f64();
    let mut latencies = latencies.lock().unwrap().clone();
    latencies.sort_by(f64::total_cmp);
    (
        accepted.load(Ordering::Relaxed) as f64 / elapsed,
        latencies,
        refused.load(Ordering::Relaxed),
    )
}

/// The peer: SQLite inserting the same JSON events durably in transactions of 100 for
/// `seconds`; events per second.
fn sqlite_peer(dir: &Path, seconds: u64) -> f64 {
    let script = r#"
import json, sqlite3, sys, time
db = sqlite3.connect(sys.argv[1], isolation_level=None)
db.execute("PRAGMA journal_mode=WAL"); db.execute("PRAGMA synchronous=FULL")
db.execute("CREATE TABLE events (message_id TEXT PRIMARY KEY, body TEXT)")
end = time.time() + float(sys.argv[2]); n = 0; b = 0
while time.time() < end:
    rows = [(f"b{b}-{i}", json.dumps({"type": "track", "event": "page_view", "userId": f"u{i}", "messageId": f"b{b}-{i}",
             "properties": {"url": "/p/p1", "category": "sneakers", "product_id": "p1"}})) for i in range(100)]
    db.execute("BEGIN"); db.executemany("INSERT OR IGNORE INTO events VALUES (?, ?)", rows); db.execute("COMMIT")
    n += 100; b += 1
print(n / float(sys.argv[2]))
"#;
    let output = Command::new("python3")
        .args(["-c", script])
        .arg(dir.join("peer.sqlite"))
        .arg(seconds.to_string())
        .output()
        .expect("python3 runs");
    String::from_utf8_lossy(&output.stdout)
        .trim()
        .parse()
        .unwrap_or(f64::NAN)
}

/// `GET path`; the body.
fn get(port: u16, path: &str) -> String {
    let Ok(mut stream) = TcpStream::connect(("127.0.0.1", port)) else {
        return String::new();
    };
    let _ = write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: bench\r\nConnection: close\r\n\r\n"
    );
    let mut text = String::new();
    let _ = stream.read_to_string(&mut text);
    text
}

/// Posts a cart of a freshly identified user and waits for its reminder; milliseconds.
fn one_cart(port: u16, inbox: &smtp_server::Inbox, user: &str) -> f64 {
    let mut client = Client::connect(port);
    let identify = serde_json::json!({"type": "identify", "userId": user, "traits": {"email": format!("{user}@bench.test"),
        "tier": "gold", "interests": [], "signup_at": "2026-01-01T00:00:00Z", "email_opt_in": true}});
    assert_eq!(client.post("/v1/identify", &identify.to_string()), 200);
    let cart = serde_json::json!({"type": "track", "event": "add_to_cart", "userId": user, "messageId": format!("cart-{user}"),
        "properties": {"product_id": "p001", "price": 50.0, "quantity": 1}});
    let sent = Instant::now();
    assert_eq!(client.post("/v1/track", &cart.to_string()), 200);
    let address = format!("{user}@bench.test");
    while sent.elapsed() < Duration::from_secs(300) {
        if let Some(at) = arrival_of(inbox, &address) {
            return at.saturating_duration_since(sent).as_secs_f64() * 1000.0;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    f64::NAN
}

/// Phase 4 on a generated shop of `profiles` profiles.
fn latency_with_data(profiles: usize, smtp_port: u16, inbox: &smtp_server::Inbox) -> Vec<f64> {
    let root = tempfile::tempdir().expect("tempdir");
    let dir = workspace(root.path(), smtp_port);
    let now = chrono::Utc::now().to_rfc3339();
    for (format, out) in [("csv", dir.join("datasets/shop")), ("ndjson", dir.join("ndjson"))] {
        let status = Command::new(env!("CARGO_BIN_EXE_shopgen"))
            .args([
                "--profiles",
                &profiles.to_string(),
                "--seed",
                "3",
                "--now",
                &now,
                "--format",
                format,
                "--out",
            ])
            .arg(&out)
            .stdout(Stdio::null())
            .status()
            .expect("shopgen runs");
        assert!(status.success());
    }
    std::fs::copy(
        dir.join("ndjson/events.ndjson"),
        dir.join("datasets/shop/events.ndjson"),
    )
    .expect("events");
    let port = 29_000 + (std::process::id() % 1000) as u16;
    let mut serve = start_serve(&dir, port);
    // The first full pass (everything due in the generated shop) runs before the carts.
    let start = Instant::now();
    while !get(port, "/metrics").contains("tailor_passes_total 1") && start.elapsed() < Duration::from_secs(600) {
        std::thread::sleep(Duration::from_millis(200));
    }
    let samples = (0..3)
        .map(|i| one_cart(port, inbox, &format!("size{profiles}-{i}")))
        .collect();
    let _ = serve.kill();
    let _ = serve.wait();
    samples
}

fn main() {
    let (smtp_port, inbox) = smtp_server::embedded_server();
    let root = tempfile::tempdir().expect("tempdir");
    let dir = workspace(root.path(), smtp_port);
    let port = 28_000 + (std::process::id() % 1000) as u16;
    let mut serve = start_serve(&dir, port);
    let profiles = std::fs::read_to_string(dir.join("datasets/shop/profiles.csv")).expect("profiles");
    let users: Arc<Vec<String>> = Arc::new(
        profiles
            .lines()
            .skip(1)
            .filter_map(|l| l.split(',').next().map(str::to_string))
            .collect(),
    );
    std::thread::sleep(Duration::from_secs(3));
    let before = status_mib(&serve.id().to_string(), "VmRSS:");

    // 1. Ingestion throughput against the SQLite peer.
    let (rate, latencies, refused) = ingest(port, 4, 15, &users, "t");
    let peer = sqlite_peer(root.path(), 15);
    println!("ingestion (batches of 100, fsync before each answer, 4 clients, 15 s):");
    println!(
        "  tailor serve: {rate:.0} events/s acknowledged; ack latency p50 {:.1} ms, p99 {:.1} ms; {refused} refused",
        percentile(&latencies, 0.5),
        percentile(&latencies, 0.99)
    );
    println!("  peer, SQLite WAL synchronous=FULL, 100 per transaction, no HTTP: {peer:.0} events/s");
    println!("  ratio: tailor {:.2}x the peer's rate", rate / peer);

    // 2. Event-to-SMTP latency at 1,000 events/s with 10 carts/s of fresh users.
    let mut client = Client::connect(port);
    let fresh: Vec<String> = (0..200).map(|i| format!("fresh{i}")).collect();
    for user in &fresh {
        let identify = serde_json::json!({"type": "identify", "userId": user, "traits": {"email": format!("{user}@bench.test"),
            "tier": "gold", "interests": [], "signup_at": "2026-01-01T00:00:00Z", "email_opt_in": true}});
        assert_eq!(client.post("/v1/identify", &identify.to_string()), 200);
    }
    let posted: Arc<Mutex<Vec<(String, Instant)>>> = Arc::default();
    let mut second = 0u64;
    while second < 20 {
        let tick = Instant::now();
        for slice in 0..10 {
            let index = (second * 10 + slice) as usize;
            let user = &fresh[index];
            let mut calls: Vec<serde_json::Value> = (0..99)
                .map(|i| {
                    serde_json::json!({"type": "track", "event": "page_view", "userId": users[i % users.len()],
                    "messageId": format!("l{second}-{slice}-{i}"), "properties": {"url": "/"}})
                })
                .collect();
            calls.push(
                serde_json::json!({"type": "track", "event": "add_to_cart", "userId": user,
                "messageId": format!("cart-{user}"), "properties": {"product_id": "p1", "price": 50.0, "quantity": 1}}),
            );
            let body = serde_json::json!({ "batch": calls }).to_string();
            let sent = Instant::now();
            assert_eq!(client.post("/v1/batch", &body), 200);
            posted.lock().unwrap().push((format!("{user}@bench.test"), sent));
            let next = tick + Duration::from_millis(100 * (slice + 1));
            std::thread::sleep(next.saturating_duration_since(Instant::now()));
        }
        second += 1;
    }
    let waited = Instant::now();
    let mut handoffs = Vec::new();
    let arrived = || {
        inbox
            .lock()
            .unwrap()
            .iter()
            .filter(|m| m.to.ends_with("@bench.test"))
            .count()
    };
    while waited.elapsed() < Duration::from_secs(30) && arrived() < 200 {
        std::thread::sleep(Duration::from_millis(100));
    }
    // The collector stamps each message when its DATA ends: the handoff.
    for (address, sent) in posted.lock().unwrap().iter() {
        if let Some(at) = arrival_of(&inbox, address) {
            handoffs.push(at.saturating_duration_since(*sent).as_secs_f64() * 1000.0);
        }
    }
    handoffs.sort_by(f64::total_cmp);
    println!("real-time triggers (1,000 events/s for 20 s, 10 carts/s, after: 0, SMTP on loopback):");
    println!(
        "  {} of 200 reminders arrived; event-to-SMTP p50 {:.0} ms, p99 {:.0} ms",
        handoffs.len(),
        percentile(&handoffs, 0.5),
        percentile(&handoffs, 0.99)
    );

    // 3. Overload for 60 s: memory every 10 s.
    let mut samples = vec![before];
    let overload = std::thread::spawn({
        let users = Arc::clone(&users);
        move || ingest(port, 8, 60, &users, "o")
    });
    for _ in 0..6 {
        std::thread::sleep(Duration::from_secs(10));
        samples.push(status_mib(&serve.id().to_string(), "VmRSS:"));
    }
    let (rate, latencies, refused) = overload.join().expect("overload");
    println!("overload (8 clients, 60 s):");
    println!(
        "  {rate:.0} events/s; ack p50 {:.1} ms, p99 {:.1} ms; {refused} requests refused with 503",
        percentile(&latencies, 0.5),
        percentile(&latencies, 0.99)
    );
    println!(
        "  resident memory every 10 s (MiB): {}",
        samples.iter().map(|m| format!("{m:.0}")).collect::<Vec<_>>().join(", ")
    );
    let _ = serve.kill();
    let _ = serve.wait();

    // 4. Trigger latency against the size of the data.
    println!("trigger latency with more data (three carts, one after another, after: 0):");
    for profiles in [25_000, 100_000] {
        let samples = latency_with_data(profiles, smtp_port, &inbox);
        println!(
            "  {profiles} profiles: {} ms",
            samples
                .iter()
                .map(|ms| format!("{ms:.0}"))
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
}
