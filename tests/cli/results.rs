//! `tailor report`: the demo's outcomes attributed to arms from a real run's ledger, the true
//! effect found and the null one not, every format; attribution by Message-ID with machine opens
//! apart, conversions in the window only, revenue, unsubscribes; late data counted.

use std::fs;
use std::io::Write as _;
use std::path::Path;

use serde_json::Value;

use crate::smtp_server::embedded_server;
use crate::support::{demo_workspace, send_by_smtp, small_demo, tailor, tailor_with_env};

const RUN_AT: &str = "2026-12-01T15:00:00Z";
/// 2026-12-01T15:00:00Z in Unix seconds.
const RUN_SECONDS: i64 = 1_796_137_200;

fn report_json(dir: &Path, args: &[&str]) -> Value {
    let output = tailor(dir, &[&["report", "campaigns"], args, &["--format", "json"]].concat());
    assert_eq!(output.code, 0, "{}", output.stderr);
    serde_json::from_str(&output.stdout).unwrap_or_else(|e| panic!("{e}: {}", output.stdout))
}

fn arm<'a>(results: &'a Value, name: &str) -> &'a Value {
    results["arms"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["name"] == name)
        .unwrap_or_else(|| panic!("no arm {name}: {results}"))
}

fn verdict(results: &Value) -> String {
    results["verdict"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l.as_str().unwrap())
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn the_report_on_the_demo_finds_the_true_effect_and_not_the_null_one() {
    let dir = demo_workspace();
    let (port, inbox) = embedded_server();
    send_by_smtp(&dir.path().join("campaigns/tailor.yaml"), port, 4, 0);
    let run = tailor_with_env(
        dir.path(),
        &["run", "campaigns", "--now", RUN_AT],
        &[crate::run::SECRET],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(!inbox.lock().unwrap().is_empty());

    let week = ["nyc_offer", "--now", "2026-12-09T00:00:00Z"];
    let nyc = report_json(dir.path(), &week);
    let holdout = arm(&nyc, "holdout");
    assert_eq!(nyc["control"], "holdout");
    assert!(holdout["units"].as_u64().unwrap() > 0);
    assert_eq!(holdout["delivered"], 0);
    assert!(
        verdict(&nyc).contains("free_shipping beats holdout on conversion: +"),
        "{nyc}"
    );
    assert!(arm(&nyc, "free_shipping")["revenue"].as_f64().unwrap() > 0.0);
    assert!(!nyc["sample_ratio_mismatch"].as_bool().unwrap());

    // The holdout is recorded in the ledger from the moment it would have been sent.
    let ledger = rusqlite::Connection::open(dir.path().join("campaigns/.tailor/ledger.sqlite")).unwrap();
    let (held, at): (i64, i64) = ledger
        .query_row(
            "SELECT COUNT(*), MAX(assigned_at) FROM assignments WHERE campaign = 'nyc_offer' AND arm = 'holdout'",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert_eq!(held as u64, holdout["units"].as_u64().unwrap());
    assert_eq!(at, RUN_SECONDS);

    let winback = report_json(dir.path(), &["winback", "--now", "2026-12-16T00:00:00Z"]);
    assert!(!verdict(&winback).contains("beats"), "{winback}");
    assert!(verdict(&winback).contains("not enough evidence") || verdict(&winback).contains("no clear difference"));

    // Late data: a day after the send fewer purchases have arrived than a week after.
    let early = report_json(dir.path(), &["nyc_offer", "--now", "2026-12-02T00:00:00Z"]);
    let conversions = |r: &Value| {
        arm(r, "free_shipping")["conversion"]["count"]["successes"]
            .as_u64()
            .unwrap()
    };
    assert!(conversions(&early) < conversions(&nyc));

    // Deterministic: the same inputs and clock give the same bytes, in every format.
    let mut outputs = std::collections::BTreeMap::new();
    for format in ["text", "markdown", "json", "svg"] {
        let args = [
            "report",
            "campaigns",
            "nyc_offer",
            "--now",
            "2026-12-09T00:00:00Z",
            "--format",
            format,
        ];
        let (a, b) = (tailor(dir.path(), &args), tailor(dir.path(), &args));
        assert_eq!(a.code, 0, "{format}: {}", a.stderr);
        assert_eq!(a.stdout, b.stdout, "{format}");
        outputs.insert(format, a.stdout);
    }
    let text = &outputs["text"];
    assert!(
        text.contains("holdout (control)") && text.contains("verdict:"),
        "{text}"
    );
    let markdown = &outputs["markdown"];
    assert!(
        markdown.starts_with("### nyc_offer") && markdown.contains("| arm | units |"),
        "{markdown}"
    );
    let svg = &outputs["svg"];
    assert!(svg.starts_with("<svg") && svg.trim_end().ends_with("</svg>"));
    assert_eq!(svg.matches("<polyline").count(), 3, "one cumulative line per arm");
    assert_eq!(svg.matches("<circle").count(), 3, "one rate with its interval per arm");

    let summary = tailor(dir.path(), &["report", "campaigns", "--now", "2026-12-09T00:00:00Z"]);
    assert_eq!(summary.code, 0, "{}", summary.stderr);
    for campaign in ["cart_abandonment", "nyc_offer", "winback"] {
        assert!(summary.stdout.contains(campaign), "{}", summary.stdout);
    }
    let chart_of_all = tailor(dir.path(), &["report", "campaigns", "--format", "svg"]);
    assert_eq!(chart_of_all.code, 2);
    assert!(
        chart_of_all.stderr.contains("cli::chart-needs-campaign"),
        "{}",
        chart_of_all.stderr
    );
    let unknown = tailor(dir.path(), &["report", "campaigns", "nyc_ofer"]);
    assert!(unknown.stderr.contains("nyc_offer"), "{}", unknown.stderr);
}

/// Appends events to the small shop's events file.
fn append_events(dir: &Path, lines: &[String]) {
    let mut file = fs::OpenOptions::new()
        .append(true)
        .open(dir.join("datasets/shop/events.ndjson"))
        .unwrap();
    for line in lines {
        writeln!(file, "{line}").unwrap();
    }
}

#[test]
fn outcomes_are_attributed_by_message_id_in_the_window_with_machine_opens_apart() {
    let dir = small_demo();
    let run = tailor(
        dir.path(),
        &["run", "campaigns", "--now", RUN_AT, "--campaign", "nyc_offer"],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let ledger = rusqlite::Connection::open(dir.path().join("campaigns/.tailor/ledger.sqlite")).unwrap();
    let sends: Vec<(String, String, String)> = ledger
        .prepare("SELECT profile_key, variant, message_id FROM sends WHERE campaign = 'nyc_offer' AND state = 'sent' ORDER BY profile_key")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert!(sends.len() >= 2, "{sends:?}");
    let local = |id: &str| id.trim_matches(['<', '>']).split('@').next().unwrap().to_string();
    let (first, variant, first_id) = &sends[0];
    let (second, _, second_id) = &sends[1];
    let event = |id: &str, user: &str, kind: &str, ts: &str, extra: &str| {
        format!(r#"{{"event_id":"{id}","user_id":"{user}","type":"{kind}","ts":"{ts}"{extra}}}"#)
    };
    append_events(
        dir.path(),
        &[
            // A proxy's prefetch and a person's open of the first message, matched by Message-ID
            // (the Message-ID decides the message, not the user column).
            event(
                "o1",
                first,
                "email_open",
                "2026-12-01T15:00:05Z",
                &format!(
                    r#","campaign":"nyc_offer","message_id":"{}","machine":true"#,
                    local(first_id)
                ),
            ),
            event(
                "o2",
                first,
                "email_open",
                "2026-12-01T18:00:00Z",
                &format!(r#","campaign":"nyc_offer","message_id":"{}""#, local(first_id)),
            ),
            // Only a machine opened the second one.
            event(
                "o3",
                second,
                "email_open",
                "2026-12-01T15:00:09Z",
                &format!(
                    r#","campaign":"nyc_offer","message_id":"{}","machine":true"#,
                    local(second_id)
                ),
            ),
            // A click on a message nobody was sent: unattributed, although its user is a
            // recipient (the Message-ID wins).
            event(
                "c1",
                "u1",
                "email_click",
                "2026-12-02T10:00:00Z",
                r#","campaign":"nyc_offer","message_id":"0000000000000000""#,
            ),
            // The first recipient buys twice in the window (one conversion, both totals) and
            // once after it; the second buys only after the window.
            event(
                "p1",
                first,
                "purchase",
                "2026-12-02T10:00:00Z",
                r#","order_id":"a","total":40.0"#,
            ),
            event(
                "p2",
                first,
                "purchase",
                "2026-12-05T10:00:00Z",
                r#","order_id":"b","total":10.0"#,
            ),
            event(
                "p3",
                first,
                "purchase",
                "2026-12-20T10:00:00Z",
                r#","order_id":"c","total":99.0"#,
            ),
            event(
                "p4",
                second,
                "purchase",
                "2026-12-10T10:00:00Z",
                r#","order_id":"d","total":99.0"#,
            ),
        ],
    );
    let results = report_json(dir.path(), &["nyc_offer", "--now", "2026-12-31T00:00:00Z"]);
    let ours = arm(&results, variant);
    assert_eq!(ours["open"]["count"]["successes"], 1, "{results}");
    let machine_only: u64 = results["arms"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["machine_opens"].as_u64().unwrap())
        .sum();
    assert_eq!(
        machine_only, 1,
        "the first message's person open outranks its prefetch: {results}"
    );
    let conversions: u64 = results["arms"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["conversion"]["count"]["successes"].as_u64().unwrap())
        .sum();
    assert_eq!(conversions, 1, "{results}");
    assert_eq!(ours["revenue"], 50.0, "{results}");
    assert_eq!(results["unattributed"], 1);

    // An unsubscribe after the send counts for the recipient's arm.
    let email: String = fs::read_to_string(dir.path().join("datasets/shop/profiles.csv"))
        .unwrap()
        .lines()
        .find(|l| l.starts_with(&format!("{first},")))
        .map(|l| l.split(',').nth(1).unwrap().to_string())
        .unwrap();
    // (As `tailor serve`'s unsubscribe page records it, an hour after the send; `suppress add`
    // would stamp the wall clock, which this time-travelling test is before.)
    ledger
        .execute(
            "INSERT INTO suppressions (address, reason, source, added_at) VALUES (?1, 'one-click unsubscribe', 'unsubscribe', ?2)",
            rusqlite::params![email, RUN_SECONDS + 3_600],
        )
        .unwrap();
    let later = report_json(dir.path(), &["nyc_offer", "--now", "2026-12-31T00:00:00Z"]);
    assert_eq!(arm(&later, variant)["unsubscribe"]["count"]["successes"], 1, "{later}");
}

#[test]
fn send_time_arms_go_out_at_their_own_times_and_are_compared() {
    let dir = small_demo();
    let campaign = dir.path().join("campaigns/campaigns/nyc_offer.yaml");
    crate::support::replace_in(
        &campaign,
        "  - { name: free_shipping, weight: 1, subject:",
        "  - { name: free_shipping, weight: 1, schedule: { at: \"2026-12-01T18:00\", timezone: recipient }, subject:",
    );
    let (port, inbox) = embedded_server();
    send_by_smtp(&dir.path().join("campaigns/tailor.yaml"), port, 2, 0);
    let run = |now: &str| {
        let output = tailor_with_env(
            dir.path(),
            &["run", "campaigns", "--now", now, "--campaign", "nyc_offer"],
            &[crate::run::SECRET],
        );
        assert_eq!(output.code, 0, "{}", output.stderr);
        inbox.lock().unwrap().iter().map(|m| m.to.clone()).collect::<Vec<_>>()
    };
    // 10:00 in New York and Chicago's 09:00: the morning arm goes; Berlin's 16:00 is before
    // the evening arm's 18:00.
    let morning = run(RUN_AT);
    assert_eq!(morning.len(), 3, "{morning:?}");
    assert!(!morning.contains(&"dee@example.com".to_string()));
    // 18:30 in Berlin: the evening arm goes, and nobody gets a second message.
    let evening = run("2026-12-01T17:30:00Z");
    assert_eq!(evening.len(), 4, "{evening:?}");
    assert_eq!(evening[3], "dee@example.com");
    let ledger = rusqlite::Connection::open(dir.path().join("campaigns/.tailor/ledger.sqlite")).unwrap();
    let (occurrence, at): (String, i64) = ledger
        .query_row(
            "SELECT occurrence, at FROM sends WHERE campaign = 'nyc_offer' AND variant = 'free_shipping'",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert_eq!(occurrence, "2026-12-01T18:00");
    assert_eq!(at, RUN_SECONDS + 9_000);
    let results = report_json(dir.path(), &["nyc_offer", "--now", "2026-12-09T00:00:00Z"]);
    assert_eq!(arm(&results, "standard")["delivered"], 3);
    assert_eq!(arm(&results, "free_shipping")["delivered"], 1);

    // Power before sending: the plan says what the arms can detect, and warns when that is
    // less than the goal asks for.
    crate::support::replace_in(
        &campaign,
        "value: total }",
        "value: total, baseline: 5%, min_detectable_lift: 20% }",
    );
    let plan = tailor(dir.path(), &["plan", "campaigns", "--now", RUN_AT]);
    assert_eq!(plan.code, 0, "{}", plan.stderr);
    assert!(plan.stdout.contains("  power: 80% to detect "), "{}", plan.stdout);
    assert!(
        plan.stdout.contains("over a 5.0% baseline (goal.baseline)"),
        "{}",
        plan.stdout
    );
    assert!(
        plan.stderr
            .contains("warning[plan::underpowered]: campaign `nyc_offer` wants to detect a 20% lift"),
        "{}",
        plan.stderr
    );

    // A triggered campaign's variants cannot have a send time of their own.
    let winback = dir.path().join("campaigns/campaigns/winback.yaml");
    crate::support::replace_in(
        &winback,
        "{ name: offer, weight: 1,",
        "{ name: offer, weight: 1, schedule: { at: \"2026-12-01T18:00\" },",
    );
    let check = tailor(dir.path(), &["check", "campaigns"]);
    assert_eq!(check.code, 1);
    assert!(check.stderr.contains("campaign::variant-schedule"), "{}", check.stderr);
}

#[test]
fn a_rollout_tests_on_its_share_then_sends_the_winner_to_the_rest() {
    let dir = demo_workspace();
    let campaign = dir.path().join("campaigns/campaigns/nyc_offer.yaml");
    crate::support::replace_in(&campaign, "timezone: recipient }", "timezone: recipient, expire: 10d }");
    crate::support::replace_in(
        &campaign,
        "priority: 5",
        "rollout: { test_share: 50%, decide_after: 6d, metric: conversion, min_probability: 0.95 }\npriority: 5",
    );
    let (port, inbox) = embedded_server();
    send_by_smtp(&dir.path().join("campaigns/tailor.yaml"), port, 4, 0);
    let ledger_path = dir.path().join("campaigns/.tailor/ledger.sqlite");
    let run = |now: &str| {
        let output = tailor_with_env(
            dir.path(),
            &["run", "campaigns", "--now", now, "--campaign", "nyc_offer"],
            &[crate::run::SECRET],
        );
        assert_eq!(output.code, 0, "{}", output.stderr);
        output
    };
    let variants_sent_at = |at: i64| -> Vec<(String, i64)> {
        let ledger = rusqlite::Connection::open(&ledger_path).unwrap();
        let mut statement = ledger
            .prepare("SELECT variant, COUNT(*) FROM sends WHERE campaign = 'nyc_offer' AND state = 'sent' AND at = ?1 GROUP BY variant ORDER BY variant")
            .unwrap();
        let rows = statement.query_map([at], |r| Ok((r.get(0)?, r.get(1)?))).unwrap();
        rows.collect::<Result<_, _>>().unwrap()
    };

    // The first run sends both variants, to the test share only; the rest wait.
    run(RUN_AT);
    let first = variants_sent_at(RUN_SECONDS);
    assert_eq!(first.len(), 2, "{first:?}");
    let plan = tailor(dir.path(), &["plan", "campaigns", "--now", RUN_AT, "--format", "json"]);
    let before: Value = serde_json::from_str(&plan.stdout).unwrap();
    let nyc = before["campaigns"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "nyc_offer")
        .unwrap();
    let pending = nyc["rollout"]["pending"].as_u64().unwrap();
    assert!(pending > 40, "{nyc}");
    assert_eq!(nyc["rollout"]["winner"], Value::Null);
    fs::write(dir.path().join("before.json"), &plan.stdout).unwrap();

    // Before `decide_after`, nothing is decided; only test-share members the first run
    // deferred (quiet hours) are sent, their own variants.
    run("2026-12-03T16:00:00Z");
    let tested = inbox.lock().unwrap().len();
    assert!(
        rusqlite::Connection::open(&ledger_path)
            .unwrap()
            .query_row("SELECT COUNT(*) FROM rollouts", [], |r| r.get::<_, i64>(0))
            .unwrap()
            == 0
    );

    // Six days on, the first run decides on the test's conversions and sends the winner to the
    // rest, through the SMTP server.
    let decided = run("2026-12-07T16:00:00Z");
    assert!(
        decided.stderr.contains("rollout of nyc_offer: `free_shipping` goes to the rest — `free_shipping` beats `standard` on conversion with probability"),
        "{}",
        decided.stderr
    );
    let (winner, reason): (String, String) = rusqlite::Connection::open(&ledger_path)
        .unwrap()
        .query_row(
            "SELECT winner, reason FROM rollouts WHERE campaign = 'nyc_offer'",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert_eq!(winner, "free_shipping");
    assert!(reason.contains("test recipients"), "{reason}");
    let rest = variants_sent_at(RUN_SECONDS + 6 * 86_400 + 3_600);
    let to_winner = rest.iter().find(|(v, _)| v == "free_shipping").map_or(0, |(_, n)| *n);
    assert!(to_winner as u64 >= pending - 10, "{rest:?}, {pending} pending");
    assert_eq!(
        inbox.lock().unwrap().len(),
        tested + rest.iter().map(|(_, n)| *n as usize).sum::<usize>()
    );

    // A later run keeps the decision and sends nothing twice.
    let again = run("2026-12-07T16:30:00Z");
    assert!(!again.stderr.contains("goes to the rest"), "{}", again.stderr);

    // The plan and the plan's diff show the decision; the report compares the test phase only.
    let plan = tailor(dir.path(), &["plan", "campaigns", "--now", "2026-12-07T16:30:00Z"]);
    assert!(
        plan.stdout
            .contains("rollout: `free_shipping` won at 2026-12-07T16:00:00Z"),
        "{}",
        plan.stdout
    );
    let diff = tailor(
        dir.path(),
        &[
            "plan",
            "campaigns",
            "--now",
            "2026-12-07T16:30:00Z",
            "--base",
            "before.json",
        ],
    );
    assert!(diff.stdout.contains("nyc_offer.rollout"), "{}", diff.stdout);
    assert!(diff.stdout.contains("`free_shipping` won"), "{}", diff.stdout);
    let results = report_json(dir.path(), &["nyc_offer", "--now", "2026-12-09T00:00:00Z"]);
    assert!(!results["sample_ratio_mismatch"].as_bool().unwrap(), "{results}");
    assert!(
        results["rollout"]
            .as_str()
            .unwrap()
            .starts_with("rollout: `free_shipping` won"),
        "{results}"
    );
    let compared: u64 = results["arms"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["units"].as_u64().unwrap())
        .sum();
    assert!(compared < 100, "only the test phase is compared: {results}");
}
