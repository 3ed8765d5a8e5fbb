//! The corpus of broken workspaces: each case edits a copy of the starter workspace, checks it
//! in this process exactly as `tailor check` does (the same report function), and pins the
//! exact diagnostics (code, file, line, columns) and the rendered report as a snapshot.

use std::path::Path;
use std::sync::OnceLock;

use tailor::cli::check::check_report;
use tailor::cli::format::Format;
use tailor::cli::ExitCode;
use tailor::load::load_workspace_shown_as;

use crate::support::{copy_tree, replace_in, StarterWorkspace};

/// One change to the starter workspace.
enum Edit {
    /// Replace the first occurrence of a text in a file.
    Replace(&'static str, &'static str, &'static str),
    /// Write a whole file.
    Write(&'static str, String),
    /// Write raw bytes.
    Bytes(&'static str, &'static [u8]),
}

fn r(file: &'static str, from: &'static str, to: &'static str) -> Edit {
    Edit::Replace(file, from, to)
}

fn w(file: &'static str, contents: impl Into<String>) -> Edit {
    Edit::Write(file, contents.into())
}

/// The starter workspace, made once by `tailor init`; each case edits a copy.
fn starter() -> &'static Path {
    static STARTER: OnceLock<tempfile::TempDir> = OnceLock::new();
    STARTER.get_or_init(|| StarterWorkspace::new().dir).path()
}

/// Applies the edits to a copy of the starter workspace, checks it in this process as
/// `tailor check ws` would, and asserts exit 1, the expected code, and the snapshot.
fn run_case(name: &str, expected_code: &str, edits: Vec<Edit>, deny_warnings: bool) {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path().join("ws");
    copy_tree(&starter().join("ws"), &root);
    for edit in edits {
        match edit {
            Edit::Replace(file, from, to) => replace_in(&root.join(file), from, to),
            Edit::Write(file, contents) => std::fs::write(root.join(file), contents).expect("write"),
            Edit::Bytes(file, bytes) => std::fs::write(root.join(file), bytes).expect("write"),
        }
    }
    let loaded = load_workspace_shown_as(&root, Path::new("ws")).expect("the workspace loads");
    let json = check_report(&loaded, Format::Json, deny_warnings, false);
    assert_eq!(
        json.exit,
        ExitCode::Failure,
        "{name}: expected exit 1\n{}",
        json.diagnostics
    );
    let diagnostics: Vec<serde_json::Value> = serde_json::from_str(&json.diagnostics).expect("JSON output");
    let codes: Vec<&str> = diagnostics.iter().filter_map(|d| d["code"].as_str()).collect();
    assert!(
        codes.contains(&expected_code),
        "{name}: expected {expected_code}, got {codes:?}"
    );
    let positions: Vec<String> = diagnostics
        .iter()
        .map(|d| {
            format!(
                "{} {} at {}:{}:{}-{}:{}",
                d["severity"].as_str().unwrap_or(""),
                d["code"].as_str().unwrap_or(""),
                d["file"].as_str().unwrap_or("-"),
                d["line"],
                d["column"],
                d["end_line"],
                d["end_column"],
            )
        })
        .collect();
    let human = check_report(&loaded, Format::Human, deny_warnings, false);
    assert_eq!(human.exit, ExitCode::Failure);
    let snapshot = format!("{}\n\n{}", positions.join("\n"), human.human_stderr());
    insta::assert_snapshot!(name, snapshot);
}

macro_rules! case {
    ($name:ident, $code:literal, [$($edit:expr),* $(,)?]) => {
        #[test]
        fn $name() {
            run_case(stringify!($name), $code, vec![$($edit),*], false);
        }
    };
    ($name:ident, $code:literal, deny_warnings, [$($edit:expr),* $(,)?]) => {
        #[test]
        fn $name() {
            run_case(stringify!($name), $code, vec![$($edit),*], true);
        }
    };
}

const CAMPAIGN: &str = "campaigns/welcome.yaml";
const HTML: &str = "templates/welcome.html.liquid";
const FEATURES: &str = "features.yaml";

// YAML and document structure.
case!(
    yaml_unclosed_flow_mapping,
    "yaml::syntax",
    [r(CAMPAIGN, "vars: { discount: 10 }", "vars: { discount: 10")]
);
case!(
    yaml_tab_indentation,
    "yaml::syntax",
    [r("data.yaml", "    id: string", "\tid: string")]
);
case!(
    yaml_over_indented_key,
    "yaml::syntax",
    [r("data.yaml", "    email: string", "     email: string")]
);
case!(
    yaml_error_in_features_hides_its_consequences,
    "yaml::syntax",
    [r(FEATURES, "  spend_365d:", "   spend_365d:")]
);
case!(
    yaml_duplicate_key,
    "yaml::duplicate-key",
    [r(CAMPAIGN, "preheader:", "subject: \"again\"\npreheader:")]
);
case!(
    yaml_too_deep,
    "yaml::too-complex",
    [r(
        CAMPAIGN,
        "vars: { discount: 10 }",
        Box::leak(format!("vars: {{ deep: {}1{} }}", "[".repeat(200), "]".repeat(200)).into_boxed_str())
    )]
);
case!(
    yaml_alias_bomb,
    "yaml::too-complex",
    [r(
        CAMPAIGN,
        "vars: { discount: 10 }",
        Box::leak(alias_bomb().into_boxed_str())
    )]
);
case!(
    file_not_utf8,
    "load::not-utf8",
    [Edit::Bytes("extra.yaml", b"kind: segment\nname: x\nwhere: \xff\xfe\n")]
);
case!(
    document_without_kind,
    "load::missing-kind",
    [w("extra.yaml", "name: lonely\nwhere: true\n")]
);
case!(
    unknown_document_kind,
    "load::unknown-kind",
    [r(CAMPAIGN, "kind: campaign", "kind: campain")]
);
case!(
    document_not_a_mapping,
    "yaml::wrong-type",
    [w("extra.yaml", "- kind: segment\n- name: x\n")]
);
case!(
    unknown_key_with_suggestion,
    "yaml::unknown-key",
    [r(CAMPAIGN, "preheader:", "preheder:")]
);
case!(
    unknown_key_in_manifest,
    "yaml::unknown-key",
    [r("tailor.yaml", "timezone:", "time_zone:")]
);
case!(
    unknown_key_in_nested_mapping,
    "yaml::unknown-key",
    [r(CAMPAIGN, "timezone: recipient", "tz: recipient")]
);
case!(
    missing_required_key,
    "yaml::missing-key",
    [r(CAMPAIGN, "html: ../templates/welcome.html.liquid\n", "")]
);
case!(
    wrong_type_for_weight,
    "campaign::bad-weight",
    [r(
        CAMPAIGN,
        "vars: { discount: 10 }",
        "variants:\n  - { name: a, weight: heavy }"
    )]
);
case!(
    wrong_type_for_flag,
    "yaml::wrong-type",
    [r(CAMPAIGN, "vars: { discount: 10 }", "enabled: [yes]")]
);

// Values: durations, percentages, caps, zones, addresses.
case!(
    bad_weight_percent,
    "campaign::bad-weight",
    [r(
        CAMPAIGN,
        "vars: { discount: 10 }",
        "vars: { discount: 10 }\nvariants:\n  - { name: plain, weight: 50% }\n  - { name: bold, weight: 50 }"
    )]
);
case!(
    bad_weight_fraction,
    "campaign::bad-weight",
    [r(
        CAMPAIGN,
        "vars: { discount: 10 }",
        "vars: { discount: 10 }\nvariants:\n  - { name: plain, weight: 0.5 }\n  - { name: bold, weight: 1 }"
    )]
);
case!(
    bad_duration,
    "campaign::bad-duration",
    [r(
        CAMPAIGN,
        "timezone: recipient }",
        "timezone: recipient, expire: 2 days }"
    )]
);
case!(
    percentage_without_sign,
    "campaign::bad-holdout",
    [r(CAMPAIGN, "vars: { discount: 10 }", "holdout: \"10\"")]
);
case!(
    holdout_of_everyone,
    "campaign::bad-holdout",
    [r(CAMPAIGN, "vars: { discount: 10 }", "holdout: 100%")]
);
case!(
    bad_frequency_cap,
    "manifest::bad-cap",
    [r("tailor.yaml", "3 per 7d", "3 every 7d")]
);
case!(
    bad_quiet_hours,
    "manifest::bad-time-range",
    [r("tailor.yaml", "\"21:00-08:00\"", "\"21-08\"")]
);
case!(
    misspelt_time_zone,
    "manifest::bad-timezone",
    [r("tailor.yaml", "America/New_York", "America/New_Yrok")]
);
case!(
    missing_consent_rule,
    "manifest::missing-consent",
    [r(
        "tailor.yaml",
        "  consent: email_opt_in and unsubscribed_at is null\n",
        ""
    )]
);
case!(
    bad_sender_address,
    "manifest::bad-address",
    [r("tailor.yaml", "hello@my-shop.test", "hello@")]
);
case!(
    zero_weight,
    "campaign::bad-weight",
    [r(
        CAMPAIGN,
        "vars: { discount: 10 }",
        "variants:\n  - { name: a, weight: 0 }\n  - { name: b, weight: 1 }"
    )]
);
case!(
    bad_schedule_time,
    "campaign::bad-time",
    [r(CAMPAIGN, "2026-12-01T09:00", "2026-12-01 9am")]
);

// Names.
case!(
    duplicate_segment_names,
    "names::duplicate",
    [w("more.yaml", "kind: segment\nname: new_customers\nwhere: true\n")]
);
case!(
    invalid_name,
    "names::invalid",
    [
        r(CAMPAIGN, "name: welcome", "name: Welcome-Mail"),
        r("tests/welcome.yaml", "campaign: welcome", "campaign: Welcome-Mail")
    ]
);
case!(
    variant_named_like_a_bucket,
    "campaign::reserved-variant",
    [r(
        CAMPAIGN,
        "vars: { discount: 10 }",
        "variants:\n  - { name: holdout, weight: 1 }"
    )]
);

// Expressions: every error code.
case!(
    expr_single_equals,
    "expr::syntax",
    [r(CAMPAIGN, "orders_90d == 0", "orders_90d = 0")]
);
case!(
    expr_dangling_operator,
    "expr::syntax",
    [r(CAMPAIGN, "orders_90d == 0", "orders_90d == 0 and")]
);
case!(
    expr_unterminated_string,
    "expr::unterminated-string",
    [r(CAMPAIGN, "orders_90d == 0", "first_name == \"Ana")]
);
case!(
    expr_unknown_field,
    "expr::unknown-field",
    [r(CAMPAIGN, "orders_90d == 0", "ordrs_90d == 0")]
);
case!(
    expr_event_type_as_field,
    "expr::unknown-field",
    [r(CAMPAIGN, "orders_90d == 0", "purchase == 0")]
);
case!(
    expr_unknown_function,
    "expr::unknown-function",
    [r(FEATURES, "ago(30d)", "agoo(30d)")]
);
case!(
    expr_wrong_arity,
    "expr::wrong-arity",
    [r(FEATURES, "ago(30d)", "ago()")]
);
case!(
    expr_type_mismatch,
    "expr::type-mismatch",
    [r(FEATURES, "signup_at > ago(30d)", "signup_at > 3")]
);
case!(
    expr_not_boolean,
    "expr::not-boolean",
    [r(FEATURES, "signup_at > ago(30d)", "orders_90d + 1")]
);
case!(
    expr_unknown_event_type,
    "expr::unknown-event-type",
    [r(FEATURES, "count(purchase within 90d)", "count(purchases within 90d)")]
);
case!(
    expr_unknown_property,
    "expr::unknown-property",
    [r(FEATURES, "sum(purchase.total", "sum(purchase.totl")]
);
case!(
    expr_profile_field_in_event_scope,
    "expr::unknown-property",
    [r(
        FEATURES,
        "count(purchase within 90d)",
        "count(purchase where email_opt_in within 90d)"
    )]
);
case!(
    expr_unknown_segment,
    "expr::unknown-segment",
    [r(CAMPAIGN, "orders_90d == 0", "segment.new_customer")]
);
case!(
    expr_unknown_persona,
    "expr::unknown-persona",
    [r(CAMPAIGN, "orders_90d == 0", "persona.shoper == \"x\"")]
);
case!(
    expr_bad_duration,
    "expr::bad-duration",
    [r(FEATURES, "ago(30d)", "ago(30x)")]
);
case!(
    expr_number_against_quoted_number,
    "expr::type-mismatch",
    [r(CAMPAIGN, "orders_90d == 0", "orders_90d >= \"5\"")]
);
case!(
    expr_bad_number,
    "expr::bad-number",
    [r(CAMPAIGN, "orders_90d == 0", "orders_90d == 99999999999999999999")]
);
case!(
    expr_bad_date_literal,
    "expr::bad-literal",
    [r(FEATURES, "ago(30d)", "date(\"2026-13-01\")")]
);
case!(
    expr_nested_aggregate,
    "expr::nested-aggregate",
    [r(
        FEATURES,
        "count(purchase within 90d)",
        "count(purchase where count(page_view) > 1)"
    )]
);
case!(
    expr_too_deep,
    "expr::too-deep",
    [r(
        FEATURES,
        "signup_at > ago(30d)",
        Box::leak(format!("{}true{}", "(".repeat(100), ")".repeat(100)).into_boxed_str())
    )]
);
case!(
    expr_unknown_enum_value,
    "expr::unknown-enum-value",
    [
        r(
            "data.yaml",
            "    tz: string?\n",
            "    tz: string?\n    tier: { enum: [bronze, silver, gold], nullable: true }\n"
        ),
        r(FEATURES, "signup_at > ago(30d)", "tier == \"platinum\"")
    ]
);
case!(
    expr_in_a_quoted_multiline_string,
    "expr::unknown-field",
    [r(
        CAMPAIGN,
        "audience: orders_90d == 0",
        "audience: \"orders_90d == 0\n  and \\\"x\\\" == nme\""
    )]
);
case!(
    expr_in_a_folded_block,
    "expr::unknown-field",
    [r(
        CAMPAIGN,
        "audience: orders_90d == 0",
        "audience: >\n  orders_90d == 0\n  and spend_356d > 10"
    )]
);

// Reference loops.
case!(segment_cycle, "segments::cycle", [w("loop.yaml", "kind: segment\nname: a\nwhere: segment.b\n---\nkind: segment\nname: b\nwhere: segment.c or true\n---\nkind: segment\nname: c\nwhere: segment.a\n")]);
case!(
    feature_cycle,
    "features::cycle",
    [r(
        FEATURES,
        "  spend_365d: sum(purchase.total within 365d)",
        "  spend_365d: sum(purchase.total within 365d)\n  a: b + 1\n  b: a * 2"
    )]
);

// Templates.
case!(
    template_unknown_variable,
    "template::unknown-variable",
    [r(HTML, "user.first_name", "user.frist_name")]
);
case!(
    template_unknown_filter,
    "template::unknown-filter",
    [r(HTML, "| default: \"there\"", "| defualt: \"there\"")]
);
case!(
    template_filter_arity,
    "template::filter-arity",
    [r(HTML, "| default: \"there\"", "| truncate: 1, 2, 3")]
);
case!(
    template_filter_on_wrong_type,
    "template::filter-type",
    deny_warnings,
    [w(
        HTML,
        "<p>{{ user.signup_at | plus: 1 }}</p>\n{% render 'footer' %}\n"
    )]
);
case!(
    template_unclosed_block,
    "template::unclosed-block",
    [w(HTML, "{% if user.first_name %}<p>Hi</p>\n")]
);
case!(
    template_unknown_tag,
    "template::unknown-tag",
    [w(HTML, "{% iff user.first_name %}x{% endif %}\n")]
);
case!(
    template_stray_end_tag,
    "template::unexpected-tag",
    [w(HTML, "<p>x</p>{% endfor %}\n")]
);
case!(
    template_unknown_partial,
    "template::unknown-partial",
    [r(HTML, "render 'footer'", "render 'foter'")]
);
case!(
    template_event_in_scheduled_campaign,
    "template::unknown-variable",
    [w(HTML, "<p>{{ event.total }}</p>\n")]
);
case!(
    template_error_in_subject,
    "template::unknown-filter",
    [r(CAMPAIGN, "default: 'friend'", "defualt: 'friend'")]
);
case!(
    template_unknown_var_in_partial,
    "template::unknown-variable",
    [w(
        "templates/partials/footer.html.liquid",
        "<a href=\"{{ unsubscribe_ur }}\">x</a>\n"
    )]
);
case!(
    template_raw_output_warning,
    "template::raw-output",
    deny_warnings,
    [w(
        HTML,
        "<p>{{ user.first_name | default: '' | raw }}</p>\n{% render 'footer' %}\n"
    )]
);
case!(
    template_nullable_without_default,
    "template::nullable-without-default",
    deny_warnings,
    [w(HTML, "<p>{{ user.first_name }}</p>\n{% render 'footer' %}\n")]
);
case!(
    unsubscribe_url_without_token,
    "manifest::unsubscribe-without-token",
    deny_warnings,
    [r("tailor.yaml", "&t={{ unsubscribe_token }}", "")]
);

// Files and schema.
case!(
    missing_template_file,
    "campaign::missing-template",
    [r(CAMPAIGN, "welcome.html.liquid", "welcom.html.liquid")]
);
case!(
    missing_template_without_the_documents_folder,
    "campaign::missing-template",
    [r(
        CAMPAIGN,
        "../templates/welcome.html.liquid",
        "templates/welcome.html.liquid"
    )]
);
case!(
    missing_dataset_file,
    "schema::missing-source",
    [r("data.yaml", "datasets/profiles.csv", "datasets/profile.csv")]
);
case!(
    unknown_field_type,
    "schema::bad-type",
    [r("data.yaml", "signup_at: datetime", "signup_at: timestamp")]
);
case!(
    key_column_not_declared,
    "schema::unknown-column",
    [r("data.yaml", "key: id", "key: uid")]
);
case!(
    key_column_not_text,
    "schema::not-text",
    [r("data.yaml", "    id: string", "    id: int")]
);
case!(
    nullable_key_column,
    "schema::nullable-key",
    [r("data.yaml", "    id: string", "    id: string?")]
);
case!(no_data_schema, "schema::missing", [w("data.yaml", "# moved\n")]);

// Campaign structure.
case!(
    schedule_and_trigger,
    "campaign::timing",
    [r(CAMPAIGN, "vars: { discount: 10 }", "trigger: { on: purchase }")]
);
case!(
    trigger_on_unknown_event,
    "campaign::unknown-event-type",
    [r(
        CAMPAIGN,
        "schedule: { at: \"2026-12-01T09:00\", timezone: recipient }",
        "trigger: { on: add_to_cart }"
    )]
);
case!(
    trigger_on_misspelt_event_used_in_template,
    "campaign::unknown-event-type",
    [
        r(
            CAMPAIGN,
            "schedule: { at: \"2026-12-01T09:00\", timezone: recipient }",
            "trigger: { on: page_veiw, after: 1h }"
        ),
        r(
            HTML,
            "<h1>",
            "<p>You looked at {{ event.url }} on {{ event.ts | date: \"%B %-d\" }}.</p><h1>"
        )
    ]
);
case!(
    condition_trigger_without_once_per,
    "campaign::missing-once-per",
    [r(
        CAMPAIGN,
        "schedule: { at: \"2026-12-01T09:00\", timezone: recipient }",
        "trigger: { when: orders_90d == 0 }"
    )]
);
case!(
    recommendations_without_catalog,
    "campaign::recommend-without-catalog",
    [r(
        CAMPAIGN,
        "vars: { discount: 10 }",
        "recommend: { from: recently_viewed }"
    )]
);
case!(
    goal_on_unknown_event,
    "campaign::unknown-event-type",
    [r(
        CAMPAIGN,
        "vars: { discount: 10 }",
        "goal: { event: purchse, within: 7d }"
    )]
);

// Tests and personas.
case!(
    test_of_unknown_campaign,
    "test::unknown-campaign",
    [r("tests/welcome.yaml", "campaign: welcome", "campaign: welcom")]
);
case!(
    test_profile_missing_required_field,
    "test::missing-field",
    [r("tests/welcome.yaml", "  email_opt_in: true\n", "")]
);
case!(
    test_profile_wrong_value,
    "test::bad-value",
    [r("tests/welcome.yaml", "email_opt_in: true", "email_opt_in: \"yes\"")]
);
case!(
    test_unknown_reason,
    "test::bad-expectation",
    [r(
        "tests/welcome.yaml",
        "  audience: true\n  contains: [\"Welcome, Dee!\"]",
        "  audience: false\n  reason: cap"
    )]
);
case!(
    personas_without_k,
    "personas::missing-parameter",
    [w(
        "personas.yaml",
        "kind: personas\nname: shopper\nalgorithm: kmeans\nfeatures: [orders_90d, spend_365d]\n"
    )]
);
case!(
    personas_on_text,
    "personas::not-numeric",
    [w(
        "personas.yaml",
        "kind: personas\nname: shopper\nalgorithm: kmeans\nk: 2\nfeatures: [first_name]\n"
    )]
);

case!(
    persona_label_in_audience,
    "expr::unknown-persona-label",
    [
        w(
            "personas.yaml",
            "kind: personas\nname: shopper\nalgorithm: kmeans\nk: 3\nfeatures: [orders_90d, spend_365d]\nnames:\n  vip: { spend_365d: 900 }\n"
        ),
        r(CAMPAIGN, "audience: orders_90d == 0", "audience: persona.shopper == \"vips\"")
    ]
);
case!(
    persona_label_in_template,
    "template::unknown-persona-label",
    [
        w(
            "personas.yaml",
            "kind: personas\nname: shopper\nalgorithm: kmeans\nk: 3\nfeatures: [orders_90d, spend_365d]\nnames:\n  vip: { spend_365d: 900 }\n"
        ),
        r(
            HTML,
            "<h1>",
            "{% if user.persona.shopper == \"VIP\" or user.persona.shopper == \"cluster_3\" %}VIP{% endif %}<h1>"
        )
    ]
);

// Template comparisons.
case!(
    template_compares_number_with_string,
    "template::compare-types",
    [r(HTML, "<h1>", "{% if vars.discount > \"5\" %}Big{% endif %}<h1>")]
);

case!(
    filter_money_with_a_number,
    "template::filter-argument",
    [r(HTML, "<h1>", "<p>{{ vars.discount | money: 2 }}</p><h1>")]
);
case!(
    filter_money_unknown_currency,
    "template::filter-argument",
    [r(HTML, "<h1>", "<p>{{ vars.discount | money: \"EURO\" }}</p><h1>")]
);
case!(
    filter_date_bad_format_and_zone,
    "template::filter-argument",
    [r(
        HTML,
        "<h1>",
        "<p>{{ now | date: \"%Q\", \"Europe/Pariss\" }}</p><h1>"
    )]
);
case!(
    manifest_unknown_currency,
    "manifest::bad-currency",
    [r("tailor.yaml", "currency: USD", "currency: UKP")]
);

case!(
    html_without_unsubscribe_link,
    "template::missing-unsubscribe-link",
    [r(HTML, "{% render 'footer' %}", "<p>Thanks for reading.</p>")]
);
case!(
    typo_in_a_template_two_variants_share,
    "template::unknown-variable",
    [r(
        CAMPAIGN,
        "vars: { discount: 10 }",
        "vars: { discount: 10 }\nvariants:\n  - { name: plain, weight: 1 }\n  - { name: warm, weight: 1, subject: \"Hi!\", html: ../templates/welcome.html.liquid }"
    ), r(HTML, "{{ user.first_name | default: \"there\" }}", "{{ user.firstname }}")]
);

case!(
    product_filter_without_catalog,
    "template::product-without-catalog",
    [r(HTML, "<h1>", "<p>{{ \"p1\" | product }}</p><h1>")]
);
case!(
    recommend_narrowed_by_unknown_values,
    "campaign::bad-recommend",
    [
        r(
            "data.yaml",
            "events:",
            "catalog:\n  source: datasets/products.csv\n  key: id\n  fields:\n    id: string\n    category: string\nevents:"
        ),
        r(
            CAMPAIGN,
            "vars: { discount: 10 }",
            "vars: { discount: 10 }\nrecommend: { from: recently_viewed, exclude: event.product_id, category: favorite_category }"
        ),
        w("datasets/products.csv", "id,category\np1,sneakers\n")
    ]
);

/// A "billion laughs" `vars:` block: each alias level multiplies the one before by nine.
fn alias_bomb() -> String {
    let mut text = String::from("vars:\n  l0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
    for level in 1..10 {
        let previous = format!("*a{}", level - 1);
        text.push_str(&format!("  l{level}: &a{level} [{}]\n", vec![previous; 9].join(", ")));
    }
    text
}
