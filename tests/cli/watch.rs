//! `tailor preview --watch` in a real headless Chromium: the page loads, and editing a template
//! or a campaign's YAML makes it re-render and reload itself. Needs Debian's `chromium` and npm
//! (playwright-core is installed into the target folder on first use).

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::run::NOW;
use crate::support::demo_workspace;

/// A folder with playwright-core installed.
fn playwright() -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("node-playwright");
    if !dir.join("node_modules/playwright-core").exists() {
        let status = Command::new("npm")
            .args(["install", "--silent", "--no-audit", "--no-fund", "--prefix"])
            .arg(&dir)
            .arg("playwright-core@1")
            .status()
            .expect("npm is installed");
        assert!(status.success(), "npm install playwright-core failed");
    }
    dir
}

/// A free port on the loopback interface.
fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// The page's HTML once the server answers.
fn wait_for_page(port: u16) -> String {
    let start = Instant::now();
    loop {
        if let Ok(mut stream) = TcpStream::connect(("127.0.0.1", port)) {
            let _ = stream.write_all(b"GET / HTTP/1.0\r\nHost: localhost\r\n\r\n");
            let mut page = String::new();
            if stream.read_to_string(&mut page).is_ok() && page.starts_with("HTTP/1.") {
                return page;
            }
        }
        assert!(
            start.elapsed() < Duration::from_secs(60),
            "the preview server never answered"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// Runs the browser script `tests/browser/{script}` (node, playwright-core, headless Chromium)
/// with `args`; the JSON it prints.
pub fn browser_script(script: &str, args: &[&std::ffi::OsStr]) -> serde_json::Value {
    let output = Command::new("node")
        .arg(crate::support::repo().join("tests/browser").join(script))
        .args(args)
        .env("NODE_PATH", playwright().join("node_modules"))
        .output()
        .expect("node runs");
    assert!(
        output.status.success(),
        "browser test failed (Debian's chromium installed?): {}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).unwrap()
}

/// Edits `file` in the browser test and returns how long the reload took.
fn edit_in_browser(port: u16, file: &Path, from: &str, to: &str) -> u64 {
    let url = format!("http://127.0.0.1:{port}/");
    let result = browser_script(
        "watch.cjs",
        &[url.as_ref(), file.as_os_str(), from.as_ref(), to.as_ref()],
    );
    result["reloaded_ms"].as_u64().unwrap()
}

/// `tailor preview campaigns --watch` started in `root` on a free port, at the tests' `NOW`.
fn watch(root: &Path) -> (u16, std::process::Child) {
    let port = free_port();
    let server = Command::new(env!("CARGO_BIN_EXE_tailor"))
        .args([
            "preview",
            "campaigns",
            "--watch",
            "--port",
            &port.to_string(),
            "--now",
            NOW,
        ])
        .current_dir(root)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    (port, server)
}

#[test]
fn the_watch_page_reloads_with_each_edit_in_a_real_browser() {
    let dir = demo_workspace();
    let (port, mut server) = watch(dir.path());
    let page = wait_for_page(port);
    // Every campaign, its variants side by side, and the live-reload script.
    for campaign in ["cart_abandonment", "nyc_offer", "sneaker_nudge", "winback"] {
        assert!(page.contains(&format!("<h2 id=\"{campaign}\">")), "{campaign}");
    }
    assert!(page.contains("variant <b>control</b>") && page.contains("variant <b>discount</b>"));
    assert!(page.contains("tower-livereload"));
    let template = dir.path().join("campaigns/templates/nyc_offer.html.liquid");
    let template_ms = edit_in_browser(
        port,
        &template,
        "Exclusive offers for our NYC customers!",
        "Fresh NYC deals!",
    );
    let campaign = dir.path().join("campaigns/campaigns/nyc_offer.yaml");
    let yaml_ms = edit_in_browser(port, &campaign, "this week's offers", "your weekly picks");
    eprintln!("reloaded after a template edit in {template_ms} ms, after a YAML edit in {yaml_ms} ms");
    // A workspace that stops checking shows its diagnostics in the page.
    crate::support::replace_in(&campaign, "priority: 5", "priority: five");
    std::thread::sleep(Duration::from_millis(1500));
    let broken = wait_for_page(port);
    assert!(broken.contains("id=\"diagnostics\""), "{broken}");
    let _ = server.kill();
    let _ = server.wait();
}

#[test]
fn after_a_run_the_watch_page_still_shows_each_variant_and_fits_desktop_and_mobile() {
    let dir = demo_workspace();
    let run = crate::support::tailor_with_env(dir.path(), &["run", "campaigns", "--now", NOW], &[crate::run::SECRET]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    // A text part with a line far longer than a card is wide, and no place to break it.
    crate::support::replace_in(
        &dir.path().join("campaigns/templates/partials/footer.txt.liquid"),
        "Unsubscribe:",
        &format!("Reference: {}\nUnsubscribe:", "x".repeat(300)),
    );
    let (port, mut server) = watch(dir.path());
    let page = wait_for_page(port);
    // Everyone due was sent to: each variant still shows a recipient, marked as sent. Only the
    // campaign nobody was due for (early access, before its launch) has none.
    assert!(
        page.matches("<span class=\"sent\">already sent</span>").count() >= 8,
        "{page}"
    );
    assert_eq!(page.matches("nobody is due for this variant now").count(), 1, "{page}");
    let early_access =
        &page[page.find("<h2 id=\"early_access\">").unwrap()..page.find("<h2 id=\"nyc_offer\">").unwrap()];
    assert!(early_access.contains("nobody is due"), "{early_access}");
    let url = format!("http://127.0.0.1:{port}/");
    let layout = browser_script("watch_layout.cjs", &[url.as_ref()]);
    let _ = server.kill();
    let _ = server.wait();
    assert!(layout["samples"].as_u64().unwrap() >= 8, "{layout}");
    assert!(layout["sent"].as_u64().unwrap() >= 1, "{layout}");
    assert_eq!(layout["overflowing"], 0, "a text part overflows its card: {layout}");
    assert_eq!(layout["wide"], 0, "a long line widens its card: {layout}");
    assert_eq!(layout["reloads"], 0, "the page reloads while nothing changes: {layout}");
    let (mobile, desktop) = (layout["mobile"].as_f64().unwrap(), layout["desktop"].as_f64().unwrap());
    assert!(
        (375.0..=380.0).contains(&mobile) && (600.0..=605.0).contains(&desktop),
        "{layout}"
    );
}
