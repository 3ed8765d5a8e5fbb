//! `tailor test`: the demo's tests pass; failures say what was expected; JUnit output.

use std::fs;

use crate::support::{repo, tailor, StarterWorkspace};

#[test]
fn the_demo_tests_pass() {
    let output = tailor(&repo(), &["test", "campaigns"]);
    assert_eq!(output.code, 0, "{}{}", output.stdout, output.stderr);
    assert!(
        output.stdout.contains("ok     nyc_browser_sees_nyc_offer (nyc_offer)"),
        "{}",
        output.stdout
    );
    assert!(
        output.stdout.ends_with("tailor test: 14 passed, 0 failed\n"),
        "{}",
        output.stdout
    );
}

#[test]
fn failed_expectations_are_explained_and_reported_as_junit() {
    let ws = StarterWorkspace::new();
    ws.replace(
        "tests/welcome.yaml",
        "contains: [\"Welcome, Dee!\"]",
        "contains: [\"Welcome, Dee!\", \"Goodbye\"]",
    );
    let more = "kind: test\nname: opted_out\ncampaign: welcome\nnow: 2026-12-01T15:00:00Z\nprofile:\n  id: u8\n  email: e@example.com\n  email_opt_in: false\n  signup_at: 2026-11-30T12:00:00Z\nexpect:\n  audience: false\n  reason: holdout\n";
    ws.write("tests/opted_out.yaml", more);
    let output = tailor(ws.dir.path(), &["test", "ws", "--junit", "report.xml"]);
    assert_eq!(output.code, 1, "{}", output.stdout);
    assert!(
        output.stdout.contains("FAILED new_visitor_is_welcomed (welcome)"),
        "{}",
        output.stdout
    );
    assert!(
        output.stdout.contains("the message does not contain \"Goodbye\""),
        "{}",
        output.stdout
    );
    assert!(
        output
            .stdout
            .contains("expected reason `holdout`, but the profile is consent"),
        "{}",
        output.stdout
    );
    assert!(
        output.stdout.ends_with("tailor test: 0 passed, 2 failed\n"),
        "{}",
        output.stdout
    );
    let report = fs::read_to_string(ws.dir.path().join("report.xml")).unwrap();
    assert!(
        report.contains("<testsuite name=\"tailor\" tests=\"2\" failures=\"2\">"),
        "{report}"
    );
    assert!(
        report.contains("<testcase classname=\"welcome\" name=\"opted_out\">"),
        "{report}"
    );
}

/// The HTML part `tailor preview CAMPAIGN --test TEST --out` writes for the workspace `campaigns`
/// below `root`, as variant `variant`.
fn preview_html(root: &std::path::Path, campaign: &str, test: &str, variant: &str) -> String {
    let out = tempfile::tempdir().expect("tempdir");
    let out_dir = out.path().to_string_lossy().into_owned();
    let output = crate::support::tailor_with_env(
        root,
        &["preview", "campaigns", campaign, "--test", test, "--out", &out_dir],
        &[("TAILOR_UNSUBSCRIBE_SECRET", "secret")],
    );
    assert_eq!(output.code, 0, "{}", output.stderr);
    fs::read_to_string(out.path().join(format!("{campaign}.{variant}.html"))).unwrap()
}

#[test]
fn recommendations_are_the_recently_viewed_products_newest_first() {
    let html = preview_html(
        &repo(),
        "sneaker_nudge",
        "sneaker_browser_gets_discount_variant",
        "discount",
    );
    let (newest, older) = (
        html.find("Ridge Runner 3").expect("p002"),
        html.find("City Runner 2").expect("p001"),
    );
    assert!(newest < older, "{html}");
    assert!(
        html.contains("href=\"https://acme.test/p/p002?utm_campaign=sneaker_nudge\""),
        "{html}"
    );
    assert!(html.contains("$89.00"), "{html}");
    // `category: "sneakers"` keeps the boots viewed last out of a sneaker email.
    assert!(!html.contains("Trail Boot 1"), "{html}");
}

#[test]
fn the_carted_product_is_looked_up_in_the_catalog_and_not_recommended_back() {
    let html = preview_html(&repo(), "cart_abandonment", "abandoned_cart_reminder", "default");
    // `event.product_id | product` is the catalog row of p004.
    assert!(html.contains("1 &times; Summit Runner 5 ($129.00 each)"), "{html}");
    // `exclude: event.product_id`: the only product viewed was the carted one.
    assert!(!html.contains("You might also like"), "{html}");
}

/// Replaces `from` by `to` in every YAML and Liquid file below `dir`.
fn rename_everywhere(dir: &std::path::Path, from: &str, to: &str) {
    for entry in fs::read_dir(dir).expect("read dir").flatten() {
        let path = entry.path();
        if path.is_dir() {
            rename_everywhere(&path, from, to);
        } else if path.extension().is_some_and(|e| e == "yaml" || e == "liquid") {
            let text = fs::read_to_string(&path).expect("read");
            fs::write(&path, text.replace(from, to)).expect("write");
        }
    }
}

#[test]
fn event_roles_let_a_shop_name_its_own_events() {
    let dir = crate::support::demo_workspace();
    let campaigns = dir.path().join("campaigns");
    rename_everywhere(&campaigns, "page_view", "product_viewed");
    // Without roles, recommendations do not know which events are views.
    let check = tailor(dir.path(), &["check", "campaigns"]);
    assert_eq!(check.code, 1, "{}", check.stderr);
    assert!(
        check.stderr.contains("campaign::recommend-needs-events"),
        "{}",
        check.stderr
    );
    assert!(check.stderr.contains("events.roles"), "{}", check.stderr);
    // With them, every demo test passes as before: same recipients, same golden files.
    crate::support::replace_in(
        &campaigns.join("data.yaml"),
        "  time: ts\n",
        "  time: ts\n  roles: { view: product_viewed }\n",
    );
    let test = tailor(dir.path(), &["test", "campaigns"]);
    assert_eq!(test.code, 0, "{}{}", test.stdout, test.stderr);
    assert!(test.stdout.ends_with("14 passed, 0 failed\n"), "{}", test.stdout);
    // The product property too (event ids hash property names, so compare a preview).
    rename_everywhere(&campaigns, "product_id", "sku");
    crate::support::replace_in(
        &campaigns.join("data.yaml"),
        "view: product_viewed",
        "view: product_viewed, product: sku",
    );
    let html = preview_html(
        dir.path(),
        "sneaker_nudge",
        "sneaker_browser_gets_discount_variant",
        "discount",
    );
    assert!(
        html.contains("Ridge Runner 3") && html.contains("City Runner 2"),
        "{html}"
    );
    // A role naming an undeclared type is an error at its place.
    crate::support::replace_in(
        &campaigns.join("data.yaml"),
        "view: product_viewed",
        "view: product_view",
    );
    let check = tailor(dir.path(), &["check", "campaigns"]);
    assert!(check.stderr.contains("schema::bad-role"), "{}", check.stderr);
    assert!(
        check.stderr.contains("did you mean `product_viewed`?"),
        "{}",
        check.stderr
    );
}

#[test]
fn a_forced_variant_is_the_variant_the_test_expects() {
    let dir = crate::support::demo_workspace();
    let tests = dir.path().join("campaigns/tests/sneaker_nudge.yaml");
    for (profile, variant) in [("u7", "discount"), ("u11", "control")] {
        let text = fs::read_to_string(&tests).unwrap();
        let at = text.find(&format!("id: {profile}")).expect("profile");
        let expect = at + text[at..].find("  audience: true\n").expect("expect");
        let edited = format!(
            "{}  audience: true\n  variant: {variant}\n{}",
            &text[..expect],
            &text[expect + 17..]
        );
        fs::write(&tests, edited).unwrap();
    }
    // The hash assigns one of the two profiles the other variant; `force:` decides.
    let test = tailor(dir.path(), &["test", "campaigns"]);
    assert_eq!(test.code, 0, "{}{}", test.stdout, test.stderr);
    // A `variant:` other than the forced one can never hold: an error of the document.
    crate::support::replace_in(&tests, "variant: control", "variant: discount");
    let check = tailor(dir.path(), &["check", "campaigns"]);
    assert_eq!(check.code, 1, "{}", check.stderr);
    assert!(
        check
            .stderr
            .contains("`force: control` renders `control`, so `variant: discount` can never hold"),
        "{}",
        check.stderr
    );
}
