//! `tailor preview`: one recipient's message, rendered through the real pipeline.

use std::fs;

use crate::support::{repo, small_demo, tailor_with_env, Output, StarterWorkspace};

fn preview(dir: &std::path::Path, args: &[&str]) -> Output {
    tailor_with_env(
        dir,
        &[&["preview"], args].concat(),
        &[("TAILOR_UNSUBSCRIBE_SECRET", "secret")],
    )
}

#[test]
fn the_seed_template_renders_for_the_nyc_test() {
    let output = preview(
        &repo(),
        &["campaigns", "nyc_offer", "--test", "nyc_browser_sees_nyc_offer"],
    );
    assert_eq!(output.code, 0, "{}", output.stderr);
    assert!(
        output
            .stdout
            .starts_with("Subject: Ana, this week's offers\nPreheader: Picked for where you live\nVariant: standard\n"),
        "{}",
        output.stdout
    );
    assert!(output.stdout.contains("Exclusive offers for our NYC customers!"));
    assert!(!output.stdout.contains("Discover our latest deals!"));
    // The token is HMAC-SHA256("u1") under "secret" (see the unit test's independent value).
    assert!(
        output
            .stdout
            .contains("u=u1&t=8a629605d37d74d6c872140bed892da5f3739914899fdd6171dfe43031786151"),
        "{}",
        output.stdout
    );
    let elsewhere = preview(
        &repo(),
        &["campaigns", "nyc_offer", "--test", "elsewhere_sees_general_deals"],
    );
    assert!(
        elsewhere.stdout.contains("Discover our latest deals!"),
        "{}",
        elsewhere.stdout
    );
}

#[test]
fn html_escapes_profile_data_and_text_is_derived_when_there_is_no_text_template() {
    let ws = StarterWorkspace::new();
    ws.replace(
        "tests/welcome.yaml",
        "first_name: Dee",
        "first_name: \"<script>alert('x')</script>\"",
    );
    ws.replace("tests/welcome.yaml", "contains: [\"Welcome, Dee!\"]", "contains: []");
    let output = preview(
        ws.dir.path(),
        &["ws", "welcome", "--test", "new_visitor_is_welcomed", "--out", "out"],
    );
    assert_eq!(output.code, 0, "{}", output.stderr);
    let html = fs::read_to_string(ws.dir.path().join("out/welcome.default.html")).unwrap();
    assert!(
        // Without a `<style>` the document is not re-serialised: the quotes stay escaped.
        html.contains("<h1>Hello &lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;!</h1>"),
        "{html}"
    );
    assert!(!html.contains("<script>"));
    let text = fs::read_to_string(ws.dir.path().join("out/welcome.default.txt")).unwrap();
    assert!(text.contains("Take 10% off your first order."), "{text}");
}

#[test]
fn refusals_say_why() {
    // u0000007's bucket for `sneaker_nudge` is 90 (SHA-256, SPEC §5): inside the 10% holdout.
    let holdout = preview(
        &repo(),
        &[
            "campaigns",
            "sneaker_nudge",
            "--profile",
            "u0000007",
            "--now",
            "2026-12-01T15:00:00Z",
        ],
    );
    assert_eq!(holdout.code, 1);
    assert!(
        holdout
            .stderr
            .contains("`u0000007` is in `sneaker_nudge`'s holdout and gets nothing"),
        "{}",
        holdout.stderr
    );
    let wrong = preview(
        &repo(),
        &["campaigns", "nyc_offer", "--test", "abandoned_cart_reminder"],
    );
    assert_eq!(wrong.code, 2);
    assert!(
        wrong.stderr.contains("is about campaign `cart_abandonment`"),
        "{}",
        wrong.stderr
    );
    let unknown = preview(&repo(), &["campaigns", "nyc_ofer", "--test", "x"]);
    assert_eq!(unknown.code, 2);
}

#[test]
fn times_are_shown_in_the_recipients_zone() {
    let ws = small_demo();
    let template = ws.path().join("campaigns/templates/cart_abandonment.html.liquid");
    let source = fs::read_to_string(&template).unwrap();
    let stamped = "<p>carted {{ event.ts | date: \"%H:%M %z\" }}, sent {{ now | date: \"%H:%M\" }}, \
                   Paris {{ event.ts | date: \"%H:%M %Z\", \"Europe/Paris\" }}</p>";
    fs::write(&template, format!("{source}{stamped}")).unwrap();
    let args = [
        "campaigns",
        "cart_abandonment",
        "--test",
        "abandoned_cart_reminder",
        "--out",
        "out",
    ];
    let html = |dir: &std::path::Path| {
        let output = preview(dir, &args);
        assert_eq!(output.code, 0, "{}", output.stderr);
        fs::read_to_string(dir.join("out/cart_abandonment.default.html")).unwrap()
    };
    // No `tz` in the test profile: the workspace's America/New_York (EST, UTC−5).
    let new_york = html(ws.path());
    assert!(
        new_york.contains("carted 07:35 -0500, sent 10:00, Paris 13:35 CET"),
        "{new_york}"
    );
    let tests = ws.path().join("campaigns/tests/cart_abandonment.yaml");
    let yaml = fs::read_to_string(&tests).unwrap();
    fs::write(
        &tests,
        yaml.replacen("first_name: Eli", "first_name: Eli\n  tz: Asia/Tokyo", 1),
    )
    .unwrap();
    let tokyo = html(ws.path());
    assert!(
        tokyo.contains("carted 21:35 +0900, sent 00:00, Paris 13:35 CET"),
        "{tokyo}"
    );
}

/// The starter's `welcome` rendered for profile `u2` with `--out`: its HTML part.
fn starter_welcome_html(ws: &StarterWorkspace) -> String {
    let out = ws.dir.path().join("out");
    let args = [
        "ws",
        "welcome",
        "--profile",
        "u2",
        "--now",
        "2026-12-01T15:00:00Z",
        "--out",
    ];
    let output = preview(ws.dir.path(), &[&args[..], &[out.to_str().unwrap()]].concat());
    assert_eq!(output.code, 0, "{}", output.stderr);
    fs::read_to_string(out.join("welcome.default.html")).unwrap()
}

#[test]
fn mjml_templates_are_compiled_to_html_after_liquid() {
    let ws = StarterWorkspace::new();
    ws.write(
        "templates/welcome.mjml.liquid",
        "<mjml><mj-body><mj-section><mj-column>\n<mj-text>Hello {{ user.first_name | default: \"there\" }}, take {{ vars.discount }}% off.</mj-text>\n<mj-button href=\"{{ unsubscribe_url }}\">Unsubscribe</mj-button>\n</mj-column></mj-section></mj-body></mjml>\n",
    );
    ws.replace("campaigns/welcome.yaml", "welcome.html.liquid", "welcome.mjml.liquid");
    let checked = ws.check(&["--deny-warnings"]);
    assert_eq!(checked.code, 0, "{}", checked.stderr);
    let html = starter_welcome_html(&ws);
    assert!(html.contains("<table") && !html.contains("<mj-"), "{html}");
    assert!(html.contains("take 10% off"), "{html}");
    // Markup that is not MJML after rendering is a render error that names the template.
    ws.write(
        "templates/welcome.mjml.liquid",
        "<mjml><mj-body><mj-text>{{ vars.discount }} {{ unsubscribe_url }}</mjml>\n",
    );
    let broken = preview(
        ws.dir.path(),
        &["ws", "welcome", "--profile", "u2", "--now", "2026-12-01T15:00:00Z"],
    );
    assert_eq!(broken.code, 1, "{}", broken.stderr);
    assert!(
        broken.stderr.contains("welcome.mjml.liquid") && broken.stderr.contains("MJML"),
        "{}",
        broken.stderr
    );
}

#[test]
fn money_and_dates_follow_the_workspace_locale_and_currency() {
    let ws = StarterWorkspace::new();
    ws.replace("tailor.yaml", "locale: en-US", "locale: de-DE");
    ws.replace("tailor.yaml", "currency: USD", "currency: EUR");
    ws.write(
        "templates/welcome.html.liquid",
        "<p>{{ 1234.5 | money }} or {{ 20 | money: 'USD' }}, since {{ user.signup_at | date: '%-d. %B %Y' }}</p>\n{% render 'footer' %}\n",
    );
    let html = starter_welcome_html(&ws);
    assert!(
        // The locale's no-break spaces.
        html.contains("1.234,50\u{a0}€ or 20,00\u{a0}US$, since 11. Februar 2026"),
        "{html}"
    );
    ws.replace("tailor.yaml", "locale: de-DE", "locale: tlh-QO");
    let refused = ws.check(&[]);
    assert_eq!(refused.code, 1, "{}", refused.stderr);
    assert!(
        refused.stderr.contains("manifest::bad-locale") && refused.stderr.contains("de-DE"),
        "{}",
        refused.stderr
    );
}
