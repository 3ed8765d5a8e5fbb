//! MJML compiled and CSS inlined once per template give the same HTML as doing both for each
//! rendered message.

use std::path::Path;

use tailor::check::check_workspace;
use tailor::data::{load_dataset, LoadOptions};
use tailor::eval::evaluate;
use tailor::load::load_workspace;
use tailor::plan::{build_plan, History};
use tailor::render::{compile_mjml, css_inliner, recipient_globals, PlanInputs, Renderer};

use crate::support::{repo, StarterWorkspace};

const NOW: &str = "2026-12-01T15:00:00Z";

/// `html` parsed and written out again, nothing inlined, so that two documents compare by
/// content rather than by spelling.
fn normalised(html: &str) -> String {
    css_inline::CSSInliner::options()
        .inline_style_tags(false)
        .keep_style_tags(true)
        .load_remote_stylesheets(false)
        .build()
        .inline(html)
        .expect("parses")
}

/// Renders every due message of the workspace at `root` both ways and compares them; the number
/// compared and the campaigns whose template took the once-per-template path.
fn compare_both_ways(root: &Path) -> (usize, Vec<String>) {
    let loaded = load_workspace(root).expect("load");
    let workspace = check_workspace(&loaded).workspace.expect("the workspace checks");
    let now = tailor::model::parse_datetime(NOW).expect("now");
    let dataset = load_dataset(&workspace, LoadOptions::default()).expect("data");
    let evaluation = evaluate(&workspace, &dataset, now).expect("evaluate");
    let inputs = PlanInputs {
        workspace: &workspace,
        dataset: &dataset,
        evaluation: &evaluation,
        now,
    };
    let plan = build_plan(
        &workspace,
        &evaluation,
        &inputs.local_facts(),
        &History::default(),
        None,
        now,
    )
    .expect("plan");
    let renderer = Renderer::new(&loaded, &workspace).expect("renderer");
    renderer.load_catalog(&dataset, &workspace);
    let inliner = css_inliner();
    let (mut compared, mut once) = (0, Vec::new());
    for (name, sends) in &plan.due {
        let campaign = workspace.campaigns.iter().find(|c| &c.name == name).expect("campaign");
        for send in sends {
            let variant = &campaign.variants[send.variant];
            let mut globals = recipient_globals(&inputs.recipient(send), campaign, variant).expect("globals");
            globals.insert("unsubscribe_url".into(), "https://acme.test/u?a=1&b=2".into());
            let globals = tailor::template::object_from_json(&globals);
            let (source, mjml) = (&loaded.sources.file(variant.html.file).text, variant.html.mjml);
            let mut each = renderer.render(source, true, &globals).expect("renders");
            if mjml {
                each = compile_mjml(&each).expect("compiles");
            }
            let each = inliner.inline(&each).expect("inlines");
            let both = renderer.render_html(source, mjml, &globals).expect("renders");
            assert_eq!(normalised(&both), normalised(&each), "{name}/{}", variant.name);
            if renderer.renders_only(source, mjml).expect("prepared") && !once.contains(name) {
                once.push(name.clone());
            }
            compared += 1;
        }
    }
    (compared, once)
}

#[test]
fn every_due_demo_message_has_the_html_of_inlining_it_after_rendering() {
    let (compared, once) = compare_both_ways(&repo().join("campaigns"));
    assert!(compared > 100, "{compared}");
    // Not vacuous: the demo's styled template took the once-per-template path.
    assert!(once.contains(&"sneaker_nudge".to_string()), "{once:?}");
}

#[test]
fn mjml_and_styled_templates_compiled_once_match_each_message_on_awkward_data() {
    let ws = StarterWorkspace::new();
    ws.replace("campaigns/welcome.yaml", "audience: orders_90d == 0", "audience: true");
    let mut csv = String::from("id,email,first_name,tz,email_opt_in,unsubscribed_at,signup_at\n");
    let names = [
        "Ana",
        "<b>Bo</b>",
        "Cy & Dee",
        "\"Quoted\"",
        "O'Neil",
        "",
        "Zoë 🎉",
        "a<style>p{}</style>",
    ];
    for (n, name) in names.iter().enumerate() {
        let name = name.replace('"', "\"\"");
        csv.push_str(&format!(
            "u{n},u{n}@example.com,\"{name}\",,true,,2026-01-01T00:00:00Z\n"
        ));
    }
    ws.write("datasets/profiles.csv", &csv);
    ws.write(
        "templates/welcome.mjml.liquid",
        "<mjml><mj-head><mj-style>.hi { color: #c00 }</mj-style></mj-head><mj-body><mj-section><mj-column>\n\
         <mj-text css-class=\"hi\">Hello {{ user.first_name | default: \"there\" }}, {% if user.first_name %}welcome back{% else %}welcome{% endif %}.\
         <p>Take {{ vars.discount }}% off.</p></mj-text>\n\
         <mj-button href=\"{{ unsubscribe_url }}\">Unsubscribe</mj-button>\n\
         </mj-column></mj-section></mj-body></mjml>\n",
    );
    ws.replace("campaigns/welcome.yaml", "welcome.html.liquid", "welcome.mjml.liquid");
    let (compared, once) = compare_both_ways(&ws.path(""));
    assert_eq!(compared, names.len());
    assert_eq!(once, ["welcome"], "the MJML template was compiled and inlined once");

    ws.write(
        "templates/styled.html.liquid",
        "<html><head><style>h1 { color: red } .box p { margin: 0 } @media (max-width: 600px) { h1 { font-size: 20px } }</style></head>\
         <body><h1>Hi {{ user.first_name }}</h1><div class=\"box\">{% if user.first_name %}<p>{{ user.first_name }}</p>{% endif %}\
         <p><a href=\"{{ unsubscribe_url }}\">Unsubscribe</a></p></div></body></html>\n",
    );
    ws.replace("campaigns/welcome.yaml", "welcome.mjml.liquid", "styled.html.liquid");
    let (compared, once) = compare_both_ways(&ws.path(""));
    assert_eq!(compared, names.len());
    assert_eq!(once, ["welcome"], "the styled template was inlined once");
}
