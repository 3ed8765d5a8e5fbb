//! Benchmark: complete messages per second per core for the demo's richest template
//! (`sneaker_nudge`: recommendations, `money` and `url_param`, a partial, a `<style>` block to
//! inline), and the Liquid step alone beside `liquidjs` (npm) and `python-liquid` (PyPI)
//! rendering the same prepared source with the same data in the same run.
//!
//! Run with `cargo bench --bench render` (peers: `python3 -m pip install python-liquid`; liquidjs
//! is installed with npm into the target folder on first run).

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use serde_json::{Map, Value as Json};
use tailor::check::check_workspace;
use tailor::data::{load_dataset, LoadOptions};
use tailor::eval::evaluate;
use tailor::load::load_workspace;
use tailor::plan::{build_plan, History, LocalFacts};
use tailor::render::{compile_mjml, css_inliner, recipient_globals, render_message, PlanInputs, Recipient, Renderer};
use tailor::template::{object_from_json, partial_files, visit, Engine, Node, Object, OutputEscape};

const NOW: &str = "2026-12-01T15:00:00Z";
const CAMPAIGN: &str = "sneaker_nudge";
const SECONDS: u64 = 3;

/// The campaign's template written in MJML (Liquid inside `mj-text` and `href` only).
const MJML: &str = r#"<mjml><mj-head><mj-style>.cta { background: #111; }</mj-style></mj-head><mj-body>
<mj-section><mj-column>
<mj-text><h1>{{ user.first_name | default: "Hey" }}, your sneakers are waiting</h1>
<p>Take {{ vars.discount }}% off with code <strong>SNEAKS{{ vars.discount }}</strong>.</p>
{% if recommendations.size > 0 %}<h2>You looked at</h2><ul>{% for product in recommendations %}
<li><a href="{{ product.url | url_param: 'utm_campaign', campaign.name }}">{{ product.name }}</a> &mdash; {{ product.price | money }}</li>
{% endfor %}</ul>{% endif %}</mj-text>
<mj-button css-class="cta" href="https://acme.test/sneakers">Shop sneakers</mj-button>
<mj-text><p>You receive this because you subscribed at acme.test. <a href="{{ unsubscribe_url }}">Unsubscribe</a>.</p></mj-text>
</mj-column></mj-section></mj-body></mjml>"#;

/// The globals every message template gets, passed explicitly to the peers' `render`ed
/// partials (tailor's partials see them without it).
const GLOBALS: [&str; 7] = [
    "user",
    "vars",
    "campaign",
    "unsubscribe_url",
    "now",
    "event",
    "recommendations",
];

/// `source` (an HTML template) written out for the peers so that they do tailor's work: the
/// escaping tailor applies to each output node written as filters (`| escape`, `safe_url`), and
/// the globals passed to `render`ed partials.
fn peer_source(source: &str) -> String {
    let engine = Engine::new(&Default::default(), &Default::default(), true);
    let template = engine.parse(source).expect("parses");
    let mut insertions: Vec<(usize, String)> = Vec::new();
    visit(template.nodes(), &mut |node| match node {
        Node::Output(chain) | Node::Echo(chain) => match chain.escape {
            OutputEscape::AsIs => {}
            OutputEscape::Html => insertions.push((chain.span.end, " | escape".into())),
            OutputEscape::Url => insertions.push((chain.span.end, " | safe_url".into())),
            OutputEscape::UrlThenHtml => insertions.push((chain.span.end, " | safe_url | escape".into())),
            OutputEscape::UrlBeforeLastFilter => {
                let last = chain.filters.last().expect("a last filter");
                insertions.push((last.span.start, "safe_url | ".into()));
            }
        },
        Node::Partial {
            include: false, span, ..
        } => {
            let tag = source[span.clone()].trim_end_matches("%}");
            let end = span.start + tag.strip_suffix('-').unwrap_or(tag).trim_end().len();
            insertions.push((end, GLOBALS.iter().map(|g| format!(", {g}: {g}")).collect()));
        }
        _ => {}
    });
    insertions.sort();
    let (mut out, mut last) = (String::new(), 0);
    for (at, text) in insertions {
        out.push_str(&source[last..at]);
        out.push_str(&text);
        last = at;
    }
    out.push_str(&source[last..]);
    out
}

/// Runs `step` over and over for [`SECONDS`]; its calls per second.
fn per_second(mut step: impl FnMut()) -> f64 {
    let start = Instant::now();
    let mut count = 0u64;
    while start.elapsed() < Duration::from_secs(SECONDS) {
        step();
        count += 1;
    }
    count as f64 / start.elapsed().as_secs_f64()
}

/// A folder with liquidjs installed (npm), installed on first use.
fn liquidjs_modules() -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("npm");
    if !dir.join("node_modules/liquidjs").exists() {
        let status = Command::new("npm")
            .args(["install", "--silent", "--no-save", "--prefix"])
            .arg(&dir)
            .arg("liquidjs@10")
            .status()
            .expect("npm runs");
        assert!(status.success(), "npm install liquidjs failed");
    }
    dir.join("node_modules")
}

/// Runs a peer script on the shared folder; its messages per second.
fn peer(program: &str, script: &str, shared: &Path, env: &[(&str, &Path)]) -> f64 {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("benches/peers").join(script);
    let mut command = Command::new(program);
    command.arg(script).arg(shared).arg(SECONDS.to_string());
    for (key, value) in env {
        command.env(key, value);
    }
    let output = command.output().expect("the peer runs");
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    String::from_utf8_lossy(&output.stdout).trim().parse().expect("a rate")
}

fn main() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("campaigns");
    let loaded = load_workspace(&root).expect("load");
    let workspace = check_workspace(&loaded).workspace.expect("the demo checks");
    let now = tailor::model::parse_datetime(NOW).expect("now");
    let dataset = load_dataset(&workspace, LoadOptions::default()).expect("data");
    let evaluation = evaluate(&workspace, &dataset, now).expect("evaluate");
    let facts = LocalFacts {
        workspace: &workspace,
        dataset: &dataset,
        evaluation: &evaluation,
        now,
    };
    let plan = build_plan(&workspace, &evaluation, &facts, &History::default(), None, now).expect("plan");
    let campaign = workspace
        .campaigns
        .iter()
        .find(|c| c.name == CAMPAIGN)
        .expect("campaign");
    let sends = &plan.due.iter().find(|(name, _)| name == CAMPAIGN).expect("due").1;
    let renderer = Renderer::new(&loaded, &workspace).expect("renderer");
    let inputs = PlanInputs {
        workspace: &workspace,
        dataset: &dataset,
        evaluation: &evaluation,
        now,
    };
    let recipients: Vec<Recipient> = sends.iter().map(|send| inputs.recipient(send)).collect();

    // Complete messages: context, subject, HTML, CSS inlining, text part, MIME.
    let complete_messages = |renderer: &Renderer| {
        let mut next = 0;
        per_second(|| {
            let send = &sends[next % sends.len()];
            let variant = &campaign.variants[send.variant];
            render_message(
                renderer,
                &workspace,
                &recipients[next % sends.len()],
                campaign,
                variant,
                b"bench",
            )
            .expect("renders");
            next += 1;
        })
    };
    let complete = complete_messages(&renderer);
    // The same on every core at once, a renderer per thread.
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let all_cores: f64 = std::thread::scope(|scope| {
        let threads: Vec<_> = (0..cores)
            .map(|_| scope.spawn(|| complete_messages(&Renderer::new(&loaded, &workspace).expect("renderer"))))
            .collect();
        threads.into_iter().map(|t| t.join().expect("thread")).sum()
    });

    // The Liquid step alone, on the same globals the peers get.
    let globals: Vec<Map<String, Json>> = sends
        .iter()
        .zip(&recipients)
        .map(|(send, recipient)| {
            let mut globals =
                recipient_globals(recipient, campaign, &campaign.variants[send.variant]).expect("globals");
            globals.insert(
                "unsubscribe_url".into(),
                Json::from("https://acme.test/unsubscribe?u=x&t=y"),
            );
            globals
        })
        .collect();
    let objects: Vec<Object> = globals.iter().map(object_from_json).collect();
    let html_source = &loaded.sources.file(campaign.variants[0].html.file).text;
    // The source messages render from (CSS inlined once); rendering it is the Liquid step alone.
    let page_source = renderer.page_source(html_source, false).expect("prepared");
    assert!(!page_source.contains("<style"), "the CSS is inlined once per template");
    let mut next = 0;
    let liquid_only = per_second(|| {
        renderer
            .render_html(html_source, false, &objects[next % objects.len()])
            .expect("renders");
        next += 1;
    });

    // The peers render the same prepared source.
    let shared = tempfile::tempdir().expect("tempdir");
    fs::write(shared.path().join("template.liquid"), peer_source(&page_source)).expect("write");
    for (name, file) in partial_files(&loaded.templates, true) {
        let text = peer_source(&loaded.sources.file(file).text);
        fs::write(shared.path().join(format!("{name}.liquid")), text).expect("write");
    }
    // An MJML version of the template: its HTML part compiled and inlined once per template
    // against compiling and inlining each message, on the same globals.
    assert!(
        renderer.renders_only(MJML, true).expect("prepared"),
        "the MJML is compiled once"
    );
    let inliner = css_inliner();
    let mut next = 0;
    let mjml_once = per_second(|| {
        renderer
            .render_html(MJML, true, &objects[next % objects.len()])
            .expect("renders");
        next += 1;
    });
    let mut next = 0;
    let mjml_each = per_second(|| {
        let markup = renderer
            .render(MJML, true, &objects[next % objects.len()])
            .expect("renders");
        inliner
            .inline(&compile_mjml(&markup).expect("compiles"))
            .expect("inlines");
        next += 1;
    });

    let data = Json::Array(globals.into_iter().map(Json::Object).collect());
    fs::write(shared.path().join("data.json"), data.to_string()).expect("write");
    let liquidjs = peer(
        "node",
        "render_liquidjs.cjs",
        shared.path(),
        &[("NODE_PATH", &liquidjs_modules())],
    );
    let python = peer("python3", "render_python_liquid.py", shared.path(), &[]);

    println!(
        "render benchmark: `{CAMPAIGN}` for its {} due recipients, one core, {SECONDS} s each",
        sends.len()
    );
    println!("  tailor complete messages (MIME, CSS inlined, text part) {complete:>10.0} /s");
    println!("  the same on all {cores} cores at once                       {all_cores:>10.0} /s");
    println!("  tailor Liquid only                                      {liquid_only:>10.0} /s");
    println!(
        "  liquidjs Liquid only                                    {liquidjs:>10.0} /s   tailor is {:.2}x",
        liquid_only / liquidjs
    );
    println!(
        "  python-liquid Liquid only                               {python:>10.0} /s   tailor is {:.2}x",
        liquid_only / python
    );
    println!("  MJML HTML part, compiled and inlined once per template  {mjml_once:>10.0} /s");
    println!(
        "  MJML HTML part, compiled and inlined per message        {mjml_each:>10.0} /s   once is {:.1}x",
        mjml_once / mjml_each
    );
}
