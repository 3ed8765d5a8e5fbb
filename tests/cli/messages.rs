//! Complete messages parse as valid email with exactly the intended headers, whatever the
//! profile holds; golden files are stable.

use std::fs;

use mail_parser::MessageParser;

use crate::support::{repo, tailor, tailor_with_env, StarterWorkspace};

#[test]
fn golden_messages_parse_with_the_intended_headers_and_parts() {
    let eml = fs::read_to_string(repo().join("campaigns/golden/nyc_offer/nyc_browser_sees_nyc_offer.eml"))
        .unwrap()
        .replace('\n', "\r\n");
    let message = MessageParser::default().parse(eml.as_bytes()).expect("parses");
    assert_eq!(message.subject(), Some("Ana, this week's offers"));
    assert_eq!(
        message.from().and_then(|a| a.first()).and_then(|a| a.address()),
        Some("hello@acme.test")
    );
    assert_eq!(message.to().and_then(|a| a.first()).and_then(|a| a.name()), Some("Ana"));
    assert!(message
        .body_text(0)
        .unwrap()
        .contains("Exclusive offers for our NYC customers!"));
    let html = message.body_html(0).unwrap();
    assert!(
        html.contains("display:none") && html.contains("Picked for where you live"),
        "{html}"
    );
    assert!(
        message
            .body_text(0)
            .unwrap()
            .contains("1 Main St, Springfield, OR 97477"),
        "the postal address footer"
    );
    assert_eq!(
        message.header_raw("List-Unsubscribe-Post").map(str::trim),
        Some("List-Unsubscribe=One-Click")
    );
    assert!(message
        .header_raw("List-Unsubscribe")
        .unwrap()
        .contains("<https://acme.test/unsubscribe?u=u1&t="));
    assert!(message.message_id().unwrap().ends_with("@acme.test"));
    // The Date is the test's `now`, not the wall clock.
    assert!(eml.contains("Date: Tue, 1 Dec 2026 15:00:00 +0000\r\n"));
}

#[test]
fn profile_data_cannot_inject_headers_or_markup() {
    let ws = StarterWorkspace::new();
    ws.replace(
        "tests/welcome.yaml",
        "first_name: Dee",
        "first_name: \"Dée\\r\\nBcc: evil@example.com\\n<b>x</b>\"",
    );
    ws.replace("tests/welcome.yaml", "contains: [\"Welcome, Dee!\"]", "contains: []");
    let output = tailor_with_env(
        ws.dir.path(),
        &[
            "preview",
            "ws",
            "welcome",
            "--test",
            "new_visitor_is_welcomed",
            "--out",
            "out",
        ],
        &[("TAILOR_UNSUBSCRIBE_SECRET", "s")],
    );
    assert_eq!(output.code, 0, "{}", output.stderr);
    let eml = fs::read_to_string(ws.dir.path().join("out/welcome.default.eml")).unwrap();
    let message = MessageParser::default().parse(eml.as_bytes()).expect("parses");
    let names: Vec<String> = message.headers().iter().map(|h| h.name().to_lowercase()).collect();
    assert_eq!(names, crate::security::HEADERS);
    assert_eq!(message.subject(), Some("Welcome, Dée Bcc: evil@example.com <b>x</b>!"));
    let html = message.body_html(0).unwrap();
    assert!(
        !html.contains("<b>x</b>") && html.contains("&lt;b&gt;x&lt;/b&gt;"),
        "{html}"
    );
    // Every line of the message is CRLF-terminated and short.
    assert!(eml
        .split("\r\n")
        .all(|line| !line.contains('\r') && !line.contains('\n') && line.len() <= 998));
}

#[test]
fn golden_files_catch_changes_and_bless_rewrites_them() {
    let ws = StarterWorkspace::new();
    ws.replace(
        "tests/welcome.yaml",
        "contains: [\"Welcome, Dee!\"]",
        "contains: [\"Welcome, Dee!\"]\n  golden: ../golden/welcome.eml",
    );
    let missing = tailor(ws.dir.path(), &["test", "ws"]);
    assert_eq!(missing.code, 1);
    assert!(
        missing.stdout.contains("does not exist (run `tailor test --bless`)"),
        "{}",
        missing.stdout
    );
    assert_eq!(tailor(ws.dir.path(), &["test", "ws", "--bless"]).code, 0);
    let first = fs::read(ws.path("golden/welcome.eml")).unwrap();
    assert!(!first.contains(&b'\r'), "golden files are stored with LF line endings");
    assert_eq!(tailor(ws.dir.path(), &["test", "ws"]).code, 0);
    ws.replace("templates/welcome.html.liquid", "first order", "next order");
    let changed = tailor(ws.dir.path(), &["test", "ws"]);
    assert_eq!(changed.code, 1);
    assert!(changed.stdout.contains("the message differs"), "{}", changed.stdout);
}

#[test]
fn golden_files_are_readable_unless_named_eml() {
    let ws = StarterWorkspace::new();
    ws.replace(
        "tests/welcome.yaml",
        "contains: [\"Welcome, Dee!\"]",
        "contains: [\"Welcome, Dee!\"]\n  golden: ../golden/welcome.eml.txt",
    );
    assert_eq!(tailor(ws.dir.path(), &["test", "ws", "--bless"]).code, 0);
    let readable = fs::read_to_string(ws.path("golden/welcome.eml.txt")).unwrap();
    // Headers decoded, parts decoded one after the other: no quoted-printable in the file.
    assert!(readable.contains("\nSubject: Welcome, Dee!\n"), "{readable}");
    assert!(readable.contains("\n=== text/html; charset=utf-8 ===\n"), "{readable}");
    assert!(readable.contains("<p>Take 10% off your first order.</p>"), "{readable}");
    let soft_breaks = readable.lines().any(|l| l.ends_with('=') && !l.starts_with("==="));
    assert!(!readable.contains("=3D") && !soft_breaks, "{readable}");
    // A change shows as the changed line of the email, as a reviewer would read it.
    ws.replace("templates/welcome.html.liquid", "first order", "next order");
    let changed = tailor(ws.dir.path(), &["test", "ws"]);
    assert_eq!(changed.code, 1);
    assert!(
        changed.stdout.contains("-<p>Take 10% off your first order.</p>"),
        "{}",
        changed.stdout
    );
    assert!(
        changed.stdout.contains("+<p>Take 10% off your next order.</p>"),
        "{}",
        changed.stdout
    );
}
