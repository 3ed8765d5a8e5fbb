//! What people read, pinned as reviewed snapshots (insta): `plan` in every format, the `run`
//! summary, `preview`, `personas`, and the errors commands other than `check` print. A change
//! to any of them shows up as a snapshot diff in review.

use std::fs;

use crate::run::SECRET;
use crate::support::{small_demo, tailor_with_env};

const NOW: &str = "2026-12-01T15:00:00Z";

/// `tailor ARGS` in `dir` with the unsubscribe secret set; its stdout, after asserting exit 0.
fn stdout_of(dir: &std::path::Path, args: &[&str]) -> String {
    let output = tailor_with_env(dir, args, &[SECRET]);
    assert_eq!(output.code, 0, "tailor {}: {}", args.join(" "), output.stderr);
    output.stdout
}

#[test]
fn plan_in_every_format() {
    let dir = small_demo();
    for format in ["text", "markdown", "json", "dot"] {
        let plan = stdout_of(dir.path(), &["plan", "campaigns", "--now", NOW, "--format", format]);
        insta::assert_snapshot!(format!("plan_{format}"), plan);
    }
}

#[test]
fn the_run_summary_of_a_first_and_a_second_run() {
    let dir = small_demo();
    let first = stdout_of(dir.path(), &["run", "campaigns", "--now", NOW]);
    let second = stdout_of(dir.path(), &["run", "campaigns", "--now", NOW]);
    insta::assert_snapshot!("run_first", first);
    insta::assert_snapshot!("run_second", second);
}

#[test]
fn preview_prints_the_subject_headers_and_text_part() {
    let dir = small_demo();
    let preview = stdout_of(
        dir.path(),
        &[
            "preview",
            "campaigns",
            "cart_abandonment",
            "--test",
            "abandoned_cart_reminder",
        ],
    );
    insta::assert_snapshot!("preview_test", preview);
}

#[test]
fn personas_as_text_markdown_and_json() {
    let dir = small_demo();
    let text = stdout_of(dir.path(), &["personas", "campaigns", "--now", NOW]);
    let markdown = stdout_of(
        dir.path(),
        &["personas", "campaigns", "--now", NOW, "--format", "markdown"],
    );
    let json = stdout_of(dir.path(), &["personas", "campaigns", "--now", NOW, "--format", "json"]);
    insta::assert_snapshot!("personas_text", text);
    insta::assert_snapshot!("personas_markdown", markdown);
    insta::assert_snapshot!("personas_json", json);
}

#[test]
fn errors_after_check_as_people_read_them() {
    let dir = small_demo();
    let mut shown = String::new();
    let mut show = |title: &str, args: &[&str], env: &[(&str, &str)]| {
        let output = tailor_with_env(dir.path(), args, env);
        shown.push_str(&format!(
            "$ tailor {}   # {title}, exit {}\n{}\n",
            args.join(" "),
            output.code,
            output.stderr
        ));
    };
    show("a bad clock", &["plan", "campaigns", "--now", "tomorrow"], &[]);
    show(
        "an unknown campaign",
        &["run", "campaigns", "--now", NOW, "--campaign", "winbak"],
        &[SECRET],
    );
    show(
        "more due than allowed",
        &["run", "campaigns", "--now", NOW, "--max-sends", "1"],
        &[SECRET],
    );
    show(
        "stale data",
        &["run", "campaigns", "--now", "2027-06-01T00:00:00Z"],
        &[SECRET],
    );
    show(
        "a weak secret",
        &["run", "campaigns", "--now", NOW],
        &[("TAILOR_UNSUBSCRIBE_SECRET", "short")],
    );
    show(
        "no such test",
        &["preview", "campaigns", "cart_abandonment", "--test", "abandoned"],
        &[],
    );
    show(
        "not on the list",
        &["suppress", "remove", "nobody@example.com", "campaigns"],
        &[],
    );
    let profiles = dir.path().join("datasets/shop/profiles.csv");
    let text = fs::read_to_string(&profiles).expect("profiles");
    let first_row = text.lines().nth(1).expect("a row").to_string();
    let broken_row = first_row.replacen(",true,", ",maybe,", 1);
    assert_ne!(first_row, broken_row, "the first profile has a `true` to break");
    fs::write(&profiles, text.replacen(&first_row, &broken_row, 1)).expect("write");
    show("a value that does not fit", &["plan", "campaigns", "--now", NOW], &[]);
    fs::write(&profiles, text).expect("write");
    let features = dir.path().join("campaigns/features.yaml");
    let yaml = fs::read_to_string(&features).expect("features");
    fs::write(&features, format!("{yaml}  broken: orders_90d +\n")).expect("write");
    show(
        "a workspace that does not check",
        &["plan", "campaigns", "--now", NOW],
        &[],
    );
    insta::assert_snapshot!("errors_after_check", shown);
}
