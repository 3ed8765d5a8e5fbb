//! `tailor plan`: buckets that add up, every format, the diff, determinism, and each rule
//! (consent, addresses, holdout, quiet hours, caps, schedules, triggers) on crafted data.

use std::fs;

use crate::support::{demo_workspace, small_demo, tailor, StarterWorkspace};

const NOW: &str = "2026-12-01T15:00:00Z";

fn plan_json(dir: &std::path::Path, workspace: &str, now: &str) -> serde_json::Value {
    let output = tailor(dir, &["plan", workspace, "--now", now, "--format", "json"]);
    assert_eq!(output.code, 0, "{}", output.stderr);
    serde_json::from_str(&output.stdout).expect("json")
}

fn campaign<'a>(plan: &'a serde_json::Value, name: &str) -> &'a serde_json::Value {
    plan["campaigns"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == name)
        .unwrap_or_else(|| panic!("no campaign {name}"))
}

fn assert_adds_up(plan: &serde_json::Value) {
    for c in plan["campaigns"].as_array().unwrap() {
        let suppressed: u64 = c["suppressed"]
            .as_object()
            .unwrap()
            .values()
            .map(|v| v.as_u64().unwrap())
            .sum();
        let variants: u64 = c["variants"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v["count"].as_u64().unwrap())
            .sum();
        assert_eq!(
            suppressed + c["holdout"].as_u64().unwrap() + variants,
            c["audience"].as_u64().unwrap(),
            "{}",
            c["name"]
        );
        for v in c["variants"].as_array().unwrap() {
            let held: u64 = v["held"]
                .as_object()
                .unwrap()
                .values()
                .map(|x| x.as_u64().unwrap())
                .sum();
            assert_eq!(
                held + v["due"].as_u64().unwrap(),
                v["count"].as_u64().unwrap(),
                "{} {}",
                c["name"],
                v["name"]
            );
        }
    }
}

#[test]
fn the_demo_plan_adds_up_is_deterministic_and_sorted() {
    // A copy: a local `tailor run` may have left a ledger in the repository's workspace.
    let demo = demo_workspace();
    let first = tailor(demo.path(), &["plan", "campaigns", "--now", NOW, "--format", "json"]);
    let second = tailor(demo.path(), &["plan", "campaigns", "--now", NOW, "--format", "json"]);
    assert_eq!(first.code, 0, "{}", first.stderr);
    assert_eq!(
        first.stdout, second.stdout,
        "same inputs and --now give byte-identical plans"
    );
    let plan: serde_json::Value = serde_json::from_str(&first.stdout).unwrap();
    assert_adds_up(&plan);
    // Keys are sorted at every level.
    fn sorted(value: &serde_json::Value) -> bool {
        match value {
            serde_json::Value::Object(map) => {
                map.keys().zip(map.keys().skip(1)).all(|(a, b)| a < b) && map.values().all(sorted)
            }
            serde_json::Value::Array(items) => items.iter().all(sorted),
            _ => true,
        }
    }
    assert!(sorted(&plan));
    assert!(plan["ledger"].as_str().unwrap().starts_with("no ledger at"));
    // The generated demo data exercises every bucket before the split.
    for bucket in ["consent", "bad_address", "duplicate_address"] {
        let total: u64 = plan["campaigns"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["suppressed"][bucket].as_u64().unwrap())
            .sum();
        assert!(total > 0, "no campaign has a {bucket} bucket");
    }
}

#[test]
fn the_small_shop_plan_matches_hand_computed_buckets() {
    let demo = small_demo();
    let plan = plan_json(demo.path(), "campaigns", NOW);
    assert_adds_up(&plan);
    // u1 browsed sneakers: its SHA-256 bucket (8444, see the unit test) puts it in `discount`.
    assert_eq!(
        campaign(&plan, "sneaker_nudge")["sample"]["discount"],
        serde_json::json!(["u1"])
    );
    // Only u5's cart is due: carted 12:35, due an hour later, nothing bought since.
    let cart = campaign(&plan, "cart_abandonment");
    assert_eq!(cart["variants"][0]["due"], 1);
    assert_eq!(cart["suppressed"]["consent"], 2);
    let segments: Vec<(String, u64)> = plan["segments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| (s["name"].as_str().unwrap().to_string(), s["size"].as_u64().unwrap()))
        .collect();
    assert!(segments.contains(&("active".into(), 4)), "{segments:?}");
}

#[test]
fn every_format_renders() {
    // A copy: a local `tailor run` may have left a ledger in the repository's workspace.
    let demo = demo_workspace();
    let text = tailor(demo.path(), &["plan", "campaigns", "--now", NOW]);
    assert!(
        text.stdout.contains("sneaker_nudge · schedule · priority 10"),
        "{}",
        text.stdout
    );
    assert!(text.stdout.lines().all(|l| !l.ends_with(' ')));
    let markdown = tailor(
        demo.path(),
        &["plan", "campaigns", "--now", NOW, "--format", "markdown"],
    );
    assert!(
        markdown.stdout.contains("| variant | count | due |"),
        "{}",
        markdown.stdout
    );
    let dot = tailor(demo.path(), &["plan", "campaigns", "--now", NOW, "--format", "dot"]);
    assert!(dot.stdout.starts_with("digraph plan {"));
    assert!(
        dot.stdout.contains("\"consent\" -> \"sneaker_nudge.split\";"),
        "consent feeds every split"
    );
    assert!(dot
        .stdout
        .contains("\"feature.sneaker_views_7d\" -> \"segment.recent_sneaker_browsers\";"));
    assert!(
        dot.stdout
            .contains("\"cart_abandonment.caps\" -> \"early_access.caps\";"),
        "caps follow priority order"
    );
}

#[test]
fn base_diff_shows_what_a_change_does() {
    let ws = StarterWorkspace::new();
    let base = tailor(ws.dir.path(), &["plan", "ws", "--now", NOW, "--format", "json"]);
    fs::write(ws.dir.path().join("base.json"), &base.stdout).unwrap();
    let same = tailor(ws.dir.path(), &["plan", "ws", "--now", NOW, "--base", "base.json"]);
    assert!(same.stdout.starts_with("no change"), "{}", same.stdout);
    ws.replace(
        "campaigns/welcome.yaml",
        "audience: orders_90d == 0",
        "audience: orders_90d == 0 and email_opt_in",
    );
    let changed = tailor(
        ws.dir.path(),
        &[
            "plan",
            "ws",
            "--now",
            NOW,
            "--base",
            "base.json",
            "--format",
            "markdown",
        ],
    );
    assert_eq!(changed.code, 0, "{}", changed.stderr);
    assert!(
        changed
            .stdout
            .contains("| **campaign welcome** | audience | 2 | 1 | -1 |"),
        "{}",
        changed.stdout
    );
    // A new subject shows as text, for the same sample recipient.
    ws.replace("campaigns/welcome.yaml", "subject: \"Welcome, ", "subject: \"Hello, ");
    let reworded = tailor(ws.dir.path(), &["plan", "ws", "--now", NOW, "--base", "base.json"]);
    assert_eq!(reworded.code, 0, "{}", reworded.stderr);
    assert!(
        reworded
            .stdout
            .contains("welcome default.subject: \"Welcome, friend!\" → \"Hello, friend!\""),
        "{}",
        reworded.stdout
    );
    // A campaign only one plan has says "new" or "removed", with its subject lines.
    let welcome = fs::read_to_string(ws.path("campaigns/welcome.yaml")).unwrap();
    ws.write("campaigns/hello.yaml", &welcome.replace("name: welcome", "name: hello"));
    let added = tailor(ws.dir.path(), &["plan", "ws", "--now", NOW, "--base", "base.json"]);
    assert_eq!(added.code, 0, "{}", added.stderr);
    assert!(added.stdout.contains("campaign hello (new)\n"), "{}", added.stdout);
    assert!(
        added
            .stdout
            .contains("hello default.subject: (new campaign) → \"Hello, friend!\" (u2)"),
        "{}",
        added.stdout
    );
    let with_hello = tailor(ws.dir.path(), &["plan", "ws", "--now", NOW, "--format", "json"]);
    fs::write(ws.dir.path().join("with_hello.json"), &with_hello.stdout).unwrap();
    fs::remove_file(ws.path("campaigns/hello.yaml")).unwrap();
    let removed = tailor(
        ws.dir.path(),
        &[
            "plan",
            "ws",
            "--now",
            NOW,
            "--base",
            "with_hello.json",
            "--format",
            "markdown",
        ],
    );
    assert!(
        removed.stdout.contains("| **campaign hello** (removed) | audience |"),
        "{}",
        removed.stdout
    );
    assert!(
        removed
            .stdout
            .contains("| hello default.subject | \"Hello, friend!\" (u2) | (removed campaign) |"),
        "{}",
        removed.stdout
    );
}

/// A starter workspace with these profiles (header as the starter's).
fn with_profiles(rows: &str) -> StarterWorkspace {
    let ws = StarterWorkspace::new();
    ws.write(
        "datasets/profiles.csv",
        &format!("id,email,first_name,tz,email_opt_in,unsubscribed_at,signup_at\n{rows}"),
    );
    ws.write("datasets/events.ndjson", "");
    ws
}

#[test]
fn consent_addresses_and_duplicates_are_bucketed_in_order() {
    let ws = with_profiles(
        "a1,Same@Example.com,,,true,,2026-01-01T00:00:00Z\n\
         a0,same@example.com,,,true,,2026-01-01T00:00:00Z\n\
         b1,not-an-address,,,true,,2026-01-01T00:00:00Z\n\
         c1,c@example.com,,,false,,2026-01-01T00:00:00Z\n\
         d1,d@example.com,,,true,2026-02-01T00:00:00Z,2026-01-01T00:00:00Z\n\
         e1,e@example.com,,,true,,2026-01-01T00:00:00Z\n",
    );
    let plan = plan_json(ws.dir.path(), "ws", NOW);
    let welcome = campaign(&plan, "welcome");
    assert_eq!(welcome["audience"], 6);
    assert_eq!(
        welcome["suppressed"],
        serde_json::json!({"bad_address": 1, "consent": 2, "duplicate_address": 1, "suppressed": 0})
    );
    // The byte-order lowest key keeps a shared address.
    assert_eq!(welcome["sample"]["default"], serde_json::json!(["a0", "e1"]));
    assert_adds_up(&plan);
}

#[test]
fn quiet_hours_defer_by_recipient_local_time() {
    let ws = with_profiles(
        "ny,ny@example.com,,America/New_York,true,,2026-01-01T00:00:00Z\n\
         tokyo,tokyo@example.com,,Asia/Tokyo,true,,2026-01-01T00:00:00Z\n",
    );
    // 15:00 UTC: 10:00 in New York (due), 00:00 in Tokyo (quiet, 21:00-08:00).
    let plan = plan_json(ws.dir.path(), "ws", NOW);
    let variant = &campaign(&plan, "welcome")["variants"][0];
    assert_eq!(variant["due"], 1);
    assert_eq!(variant["held"]["quiet_hours"], 1);
}

#[test]
fn frequency_caps_bite_in_priority_order() {
    let ws = with_profiles("u1,u1@example.com,,America/New_York,true,,2026-01-01T00:00:00Z\n");
    ws.replace("tailor.yaml", "3 per 7d", "1 per 7d");
    let second = fs::read_to_string(ws.path("campaigns/welcome.yaml"))
        .unwrap()
        .replace("name: welcome", "name: second")
        .replace("audience: orders_90d == 0", "audience: true\npriority: 5");
    ws.write("campaigns/second.yaml", &second);
    let plan = plan_json(ws.dir.path(), "ws", NOW);
    // `second` has priority 5 > 0: it takes the only slot.
    assert_eq!(campaign(&plan, "second")["variants"][0]["due"], 1);
    assert_eq!(campaign(&plan, "welcome")["variants"][0]["held"]["frequency_cap"], 1);
}

#[test]
fn schedules_fall_due_in_local_time_and_expire() {
    let ws = with_profiles("u1,u1@example.com,,America/New_York,true,,2026-01-01T00:00:00Z\n");
    let early = plan_json(ws.dir.path(), "ws", "2026-12-01T13:00:00Z"); // 08:00 in New York
    assert_eq!(campaign(&early, "welcome")["variants"][0]["held"]["not_due"], 1);
    let expired = plan_json(ws.dir.path(), "ws", "2026-12-04T15:00:00Z"); // past `at` + 2d
    assert_eq!(campaign(&expired, "welcome")["variants"][0]["held"]["not_due"], 1);
}

#[test]
fn bad_rows_stop_the_plan_unless_skipped() {
    let ws = with_profiles(
        "u1,u1@example.com,,,perhaps,,2026-01-01T00:00:00Z\nu2,u2@example.com,,,true,,2026-01-01T00:00:00Z\n",
    );
    let failed = tailor(ws.dir.path(), &["plan", "ws", "--now", NOW]);
    assert_eq!(failed.code, 1);
    assert!(
        failed.stderr.contains("error[data::bad-value]: ")
            && failed
                .stderr
                .contains("line 2: column `email_opt_in`: `perhaps` is not `true` or `false`"),
        "{}",
        failed.stderr
    );
    let skipped = tailor(
        ws.dir.path(),
        &["plan", "ws", "--now", NOW, "--skip-bad-rows", "--format", "json"],
    );
    assert_eq!(skipped.code, 0, "{}", skipped.stderr);
    assert!(
        skipped.stderr.contains("1 of 2 rows did not fit the schema"),
        "{}",
        skipped.stderr
    );
}

#[test]
fn a_workspace_that_does_not_check_is_not_planned() {
    let ws = StarterWorkspace::new();
    ws.replace("campaigns/welcome.yaml", "orders_90d == 0", "ordrs_90d == 0");
    let output = tailor(ws.dir.path(), &["plan", "ws", "--now", NOW]);
    assert_eq!(output.code, 1);
    assert!(output.stderr.contains("expr::unknown-field"), "{}", output.stderr);
    let bad_now = tailor(ws.dir.path(), &["plan", "ws", "--now", "tomorrow"]);
    assert_eq!(bad_now.code, 2);
}

#[test]
fn paused_campaigns_are_listed_and_take_no_cap_room() {
    let ws = with_profiles("u1,u1@example.com,,America/New_York,true,,2026-01-01T00:00:00Z\n");
    ws.replace("tailor.yaml", "3 per 7d", "1 per 7d");
    // `first` outranks `welcome` but is paused: it must not use up the only slot.
    let paused = fs::read_to_string(ws.path("campaigns/welcome.yaml"))
        .unwrap()
        .replace("name: welcome", "name: first")
        .replace(
            "audience: orders_90d == 0",
            "audience: true\npriority: 9\nenabled: false",
        );
    ws.write("campaigns/first.yaml", &paused);
    let plan = plan_json(ws.dir.path(), "ws", NOW);
    assert_eq!(campaign(&plan, "first")["paused"], true);
    assert_eq!(campaign(&plan, "welcome")["variants"][0]["due"], 1);
    let text = tailor(ws.dir.path(), &["plan", "ws", "--now", NOW]);
    assert!(
        text.stdout
            .contains("first · schedule · priority 9 · PAUSED (sends nothing)"),
        "{}",
        text.stdout
    );
}

#[test]
fn event_triggers_wait_expire_and_are_cancelled() {
    let ws = with_profiles(
        "waits,a@example.com,,America/New_York,true,,2026-01-01T00:00:00Z\n\
         due,b@example.com,,America/New_York,true,,2026-01-01T00:00:00Z\n\
         expired,c@example.com,,America/New_York,true,,2026-01-01T00:00:00Z\n\
         bought,d@example.com,,America/New_York,true,,2026-01-01T00:00:00Z\n",
    );
    ws.write(
        "campaigns/welcome.yaml",
        "kind: campaign\nname: welcome\ntrigger: { on: page_view, after: 1h, unless: purchase, expire: 1d }\nsubject: \"Hi\"\nhtml: ../templates/welcome.html.liquid\nvars: { discount: 10 }\n",
    );
    let view = |user: &str, ts: &str| {
        format!("{{\"user_id\":\"{user}\",\"type\":\"page_view\",\"ts\":\"{ts}\",\"url\":\"/\"}}\n")
    };
    let events = [
        view("waits", "2026-12-01T14:30:00Z"),   // due at 15:30: not yet
        view("due", "2026-12-01T13:00:00Z"),     // due at 14:00
        view("expired", "2026-11-29T10:00:00Z"), // due 11-29 11:00, expired a day later
        view("bought", "2026-12-01T12:00:00Z"),
        "{\"user_id\":\"bought\",\"type\":\"purchase\",\"ts\":\"2026-12-01T12:30:00Z\",\"order_id\":\"o1\",\"total\":10.0}\n".to_string(),
    ]
    .concat();
    ws.write("datasets/events.ndjson", &events);
    // 15:00 UTC is 10:00 in New York, outside quiet hours.
    let plan = plan_json(ws.dir.path(), "ws", NOW);
    let variant = &campaign(&plan, "welcome")["variants"][0];
    assert_eq!(variant["due"], 1, "{variant}");
    assert_eq!(variant["held"]["not_due"], 3, "{variant}");
    assert_eq!(campaign(&plan, "welcome")["sample"]["default"][1], "due");
}

#[test]
fn absurd_durations_do_not_overflow() {
    let ws = with_profiles("u1,u1@example.com,,America/New_York,true,,2026-01-01T00:00:00Z\n");
    ws.replace(
        "features.yaml",
        "count(purchase within 90d)",
        "count(purchase within 99999999999w)",
    );
    ws.replace(
        "campaigns/welcome.yaml",
        "timezone: recipient }",
        "timezone: recipient, expire: 99999999999w }",
    );
    let plan = plan_json(ws.dir.path(), "ws", NOW);
    assert_eq!(campaign(&plan, "welcome")["variants"][0]["due"], 1);
}

#[test]
fn render_all_renders_exactly_the_due_messages() {
    // A copy: a local `tailor run` may have left a ledger in the repository's workspace.
    let demo = demo_workspace();
    let plan = plan_json(demo.path(), "campaigns", NOW);
    let output = tailor(demo.path(), &["plan", "campaigns", "--now", NOW, "--render-all"]);
    assert_eq!(output.code, 0, "{}", output.stderr);
    let mut expected = Vec::new();
    for c in plan["campaigns"].as_array().unwrap() {
        let due: u64 = c["variants"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v["due"].as_u64().unwrap())
            .sum();
        if due > 0 && c["paused"] == false {
            expected.push(format!("{} {due}", c["name"].as_str().unwrap()));
        }
    }
    let total: u64 = expected
        .iter()
        .map(|e| e.rsplit(' ').next().unwrap().parse::<u64>().unwrap())
        .sum();
    assert!(total > 100, "the demo has due messages: {expected:?}");
    let summary = format!(
        "rendered {total} due messages without sending ({}); 0 failed",
        expected.join(", ")
    );
    assert!(output.stderr.contains(&summary), "{}", output.stderr);
}

#[test]
fn render_all_names_every_message_that_breaks_on_real_data() {
    let demo = small_demo();
    let template = demo.path().join("campaigns/templates/nyc_offer.html.liquid");
    let source = fs::read_to_string(&template).unwrap();
    // Type-checks, but divides by zero for the profiles without orders in 90 days.
    fs::write(
        &template,
        source.replace("<body>", "<body>{{ 100 | divided_by: user.orders_90d }}"),
    )
    .unwrap();
    let check = tailor(demo.path(), &["check", "campaigns"]);
    assert_eq!(check.code, 0, "{}", check.stderr);
    let output = tailor(demo.path(), &["plan", "campaigns", "--now", NOW, "--render-all"]);
    assert_eq!(output.code, 1, "{}", output.stderr);
    let failures: Vec<&str> = output.stderr.lines().filter(|l| l.starts_with("error[")).collect();
    assert_eq!(failures.len(), 3, "{}", output.stderr);
    for key in ["u1", "u2", "u5"] {
        assert!(
            output.stderr.contains(&format!(
                "error[render::failed]: campaign `nyc_offer`, variant `standard`, profile `{key}`: in `campaigns/templates/nyc_offer.html.liquid`: line 2, column 16: `divided_by`: cannot divide by zero"
            )),
            "{}",
            output.stderr
        );
        assert!(output.stderr.contains(&format!(
            "help: reproduce it with `tailor preview campaigns nyc_offer --profile {key} --variant standard`"
        )));
    }
    assert!(output.stderr.contains("divide by zero"), "{}", output.stderr);
    assert!(output.stderr.contains(
        "rendered 3 due messages without sending (cart_abandonment 1, nyc_offer 1, sneaker_nudge 1); 3 failed"
    ));
    // The plan itself is still printed: the review sees the audiences and the failures.
    assert!(output.stdout.contains("nyc_offer"), "{}", output.stdout);
}

#[test]
fn each_due_variant_shows_the_subject_its_first_recipient_gets() {
    // A copy: a local `tailor run` may have left a ledger in the repository's workspace.
    let demo = demo_workspace();
    let plan = plan_json(demo.path(), "campaigns", NOW);
    let mut shown = 0;
    for c in plan["campaigns"].as_array().unwrap() {
        for v in c["variants"].as_array().unwrap() {
            if v["due"].as_u64().unwrap() == 0 {
                assert!(v["subject"].is_null(), "{v}");
                continue;
            }
            let (key, text) = (
                v["subject"]["key"].as_str().unwrap(),
                v["subject"]["text"].as_str().unwrap(),
            );
            let (campaign, variant) = (c["name"].as_str().unwrap(), v["name"].as_str().unwrap());
            let preview = tailor(
                demo.path(),
                &[
                    "preview",
                    "campaigns",
                    campaign,
                    "--profile",
                    key,
                    "--variant",
                    variant,
                    "--now",
                    NOW,
                ],
            );
            assert_eq!(preview.code, 0, "{}", preview.stderr);
            assert!(
                preview.stdout.starts_with(&format!("Subject: {text}\n")),
                "{}",
                preview.stdout
            );
            shown += 1;
        }
    }
    assert_eq!(shown, 8, "every variant with due sends: {plan}");
    let text = tailor(demo.path(), &["plan", "campaigns", "--now", NOW]);
    assert!(
        text.stdout
            .contains("  discount subject for u0000089: Hey, 15% off sneakers\n"),
        "{}",
        text.stdout
    );
    let markdown = tailor(
        demo.path(),
        &["plan", "campaigns", "--now", NOW, "--format", "markdown"],
    );
    assert!(
        markdown
            .stdout
            .contains("- `discount` subject for `u0000089`: Hey, 15% off sneakers\n"),
        "{}",
        markdown.stdout
    );
}
