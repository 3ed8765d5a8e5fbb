//! CSS inlined once per template gives the same HTML as inlining each rendered message.

use tailor::check::check_workspace;
use tailor::data::{evaluate, load_dataset, LoadOptions};
use tailor::load::load_workspace;
use tailor::plan::{build_plan, History};
use tailor::run::{recipient_globals, Recipient, Renderer};

use crate::support::repo;

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

#[test]
fn every_due_demo_message_has_the_html_of_inlining_it_after_rendering() {
    let root = repo().join("campaigns");
    let loaded = load_workspace(&root).expect("load");
    let workspace = check_workspace(&loaded).workspace.expect("the demo checks");
    let now = tailor::model::parse_datetime(NOW).expect("now");
    let dataset = load_dataset(&workspace, LoadOptions::default()).expect("data");
    let evaluation = evaluate(&workspace, &dataset, now).expect("evaluate");
    let plan = build_plan(&workspace, &dataset, &evaluation, &History::default(), None, now).expect("plan");
    let renderer = Renderer::new(&loaded, &workspace).expect("renderer");
    let inliner = css_inline::CSSInliner::options().load_remote_stylesheets(false).build();
    let mut compared = 0;
    let mut inlined_once = Vec::new();
    for (name, sends) in &plan.due {
        let campaign = workspace.campaigns.iter().find(|c| &c.name == name).expect("campaign");
        for send in sends {
            let variant = &campaign.variants[send.variant];
            let recipient = Recipient {
                workspace: &workspace,
                dataset: &dataset,
                evaluation: &evaluation,
                row: send.row,
                now,
                occurrence: Some(&send.occurrence),
            };
            let mut globals = recipient_globals(&recipient, campaign, variant).expect("globals");
            globals.insert("unsubscribe_url".into(), "https://acme.test/u?a=1&b=2".into());
            let globals = liquid::model::to_object(&serde_json::Value::Object(globals)).expect("object");
            let source = &loaded.sources.file(variant.html.file).text;
            let each = inliner
                .inline(&renderer.render(source, true, &globals).expect("renders"))
                .expect("inlines");
            let once = renderer
                .render_html(source, variant.html.mjml, &globals)
                .expect("renders");
            assert_eq!(normalised(&once), normalised(&each), "{name}/{}", variant.name);
            if !renderer.page_source(source).expect("prepared").contains("<style") && source.contains("<style") {
                inlined_once.push(name.clone());
            }
            compared += 1;
        }
    }
    assert!(compared > 100, "{compared}");
    // Not vacuous: the demo's styled template took the once-per-template path.
    assert!(inlined_once.contains(&"sneaker_nudge".to_string()), "{inlined_once:?}");
}
