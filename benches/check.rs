//! Benchmark: `check` on a generated workspace of 1,000 campaigns, 1,000 segments and 1,000
//! templates (the issue's target: under 1 second on a 2-core machine), beside a peer measured in
//! the same run: a Python script that only parses the same YAML (PyYAML with libyaml) and the
//! same templates (python-liquid), checking nothing.
//!
//! Run with `cargo bench --bench check`. Set `TAILOR_BENCH_SIZE` to change the 1,000.

use std::fmt::Write as _;
use std::fs;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use tailor::check::check_workspace;
use tailor::load::load_workspace;

const RUNS: usize = 7;

fn main() {
    let size: usize = std::env::var("TAILOR_BENCH_SIZE")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(1_000);
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path().join("ws");
    generate(&root, size);

    let mut times = Vec::new();
    let mut summary = String::new();
    for _ in 0..RUNS {
        let start = Instant::now();
        let loaded = load_workspace(&root).expect("load");
        let outcome = check_workspace(&loaded);
        times.push(start.elapsed());
        assert!(
            !outcome.diagnostics.has_errors(),
            "the generated workspace must check clean: {:?}",
            outcome.diagnostics.iter().next()
        );
        summary = format!(
            "{} documents, {} templates",
            loaded.documents.len() + 1,
            loaded.templates.len()
        );
    }
    let tailor = median(&mut times);
    println!(
        "check: {summary}: median {:.1} ms over {RUNS} runs (best {:.1} ms)",
        ms(tailor),
        ms(times[0])
    );

    match peer(&root) {
        Some(peer) => println!(
            "peer (PyYAML/libyaml + python-liquid, parse only): median {:.1} ms; tailor checks in {:.2}x the peer's time",
            ms(peer),
            tailor.as_secs_f64() / peer.as_secs_f64()
        ),
        None => println!("peer skipped: `python3 -m pip install pyyaml python-liquid` to compare"),
    }
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1_000.0
}

fn median(times: &mut [Duration]) -> Duration {
    times.sort();
    times[times.len() / 2]
}

/// Runs the Python peer `RUNS` times in one process and returns its median.
fn peer(root: &Path) -> Option<Duration> {
    let script = r#"
import sys, time, glob, os, yaml, liquid
root, runs = sys.argv[1], int(sys.argv[2])
yamls = sorted(glob.glob(os.path.join(root, "**/*.yaml"), recursive=True))
templates = sorted(glob.glob(os.path.join(root, "**/*.liquid"), recursive=True))
times = []
for _ in range(runs):
    start = time.perf_counter()
    for path in yamls:
        with open(path) as f:
            list(yaml.load_all(f, Loader=yaml.CSafeLoader))
    env = liquid.Environment()
    for path in templates:
        with open(path) as f:
            env.from_string(f.read())
    times.append(time.perf_counter() - start)
times.sort()
print(times[len(times) // 2])
"#;
    let output = Command::new("python3")
        .args(["-c", script])
        .arg(root)
        .arg(RUNS.to_string())
        .output()
        .ok()?;
    if !output.status.success() {
        return None;
    }
    let seconds: f64 = String::from_utf8_lossy(&output.stdout).trim().parse().ok()?;
    Some(Duration::from_secs_f64(seconds))
}

/// Writes a workspace with `size` segments, campaigns and templates.
fn generate(root: &Path, size: usize) {
    let demo = Path::new(env!("CARGO_MANIFEST_DIR")).join("campaigns");
    fs::create_dir_all(root.join("templates/partials")).expect("mkdir");
    fs::create_dir_all(root.join("campaigns")).expect("mkdir");
    for file in [
        "tailor.yaml",
        "features.yaml",
        "personas.yaml",
        "templates/partials/footer.html.liquid",
    ] {
        fs::copy(demo.join(file), root.join(file)).expect("copy");
    }
    let data = fs::read_to_string(demo.join("data.yaml"))
        .expect("data")
        .replace("../datasets/", "../../datasets/");
    let datasets = root
        .parent()
        .expect("parent")
        .parent()
        .expect("grandparent")
        .join("datasets/shop");
    fs::create_dir_all(&datasets).expect("mkdir");
    for file in ["profiles.csv", "events.ndjson", "products.csv"] {
        fs::copy(
            Path::new(env!("CARGO_MANIFEST_DIR")).join("datasets/shop").join(file),
            datasets.join(file),
        )
        .expect("copy");
    }
    fs::write(root.join("data.yaml"), data).expect("data");

    let conditions = [
        "days_since_seen <= 30",
        "sneaker_views_7d >= 1 and count(purchase within 7d) == 0",
        "orders_90d >= 3 or (tier == \"gold\" and orders_90d >= 1)",
        "city in [\"New York\", \"Boston\"] and email_opt_in",
        "avg_basket > 50 and lifetime_spend >= 200",
        "count(page_view where category == \"boots\" within 14d) > 2",
        "contains(interests, \"running\") and not segment.s0",
        "coalesce(first_name, \"\") != \"\" and days_since(signup_at) < 365",
    ];
    let mut segments = String::from("kind: segment\nname: active\nwhere: days_since_seen <= 30\n---\n");
    for i in 0..size {
        let mut condition = conditions[i % conditions.len()].to_string();
        if i > 10 && i % 5 == 0 {
            write!(condition, " or segment.s{}", i - 3).ok();
        }
        writeln!(segments, "kind: segment\nname: s{i}\nwhere: {condition}\n---").ok();
    }
    fs::write(root.join("segments.yaml"), segments).expect("segments");

    for chunk in 0..size.div_ceil(100) {
        let mut campaigns = String::new();
        for i in chunk * 100..((chunk + 1) * 100).min(size) {
            let timing = match i % 3 {
                0 => "schedule: { at: \"2026-12-01T09:00\", timezone: recipient }".to_string(),
                1 => "trigger: { on: add_to_cart, where: price >= 20, after: 1h, unless: purchase, expire: 2d, once_per: 7d }".to_string(),
                _ => "trigger: { when: days_since_seen >= 60, once_per: 90d }".to_string(),
            };
            let event_line = if i % 3 == 1 {
                "<p>{{ event.quantity }} x {{ event.price | money }}</p>"
            } else {
                ""
            };
            writeln!(
                campaigns,
                "kind: campaign\nname: c{i}\naudience: segment.s{} and not segment.s{}\n{timing}\nsubject: \"{{{{ user.first_name | default: 'Hi' }}}}, offer {i}\"\nhtml: ../templates/c{i}.html.liquid\nvars: {{ discount: {} }}\nvariants:\n  - {{ name: a, weight: 1 }}\n  - {{ name: b, weight: 1, vars: {{ discount: 20 }} }}\nholdout: 5%\nrecommend: {{ from: recently_viewed, limit: 3 }}\n---",
                i % size,
                (i + 1) % size,
                i % 30
            )
            .ok();
            let template = format!(
                "<html><body>\n<h1>Hi {{{{ user.first_name | default: \"there\" }}}}</h1>\n{{% if user.city == \"New York\" %}}<p>NYC deal {i}</p>{{% else %}}<p>Deal {i}</p>{{% endif %}}\n{event_line}\n<p>{{{{ vars.discount }}}}% off, {{{{ user.tier | capitalize }}}} member since {{{{ user.signup_at | date: \"%Y\" }}}}.</p>\n{{% for product in recommendations limit: 3 %}}<a href=\"{{{{ product.url | url_param: 'utm_campaign', campaign.name }}}}\">{{{{ product.name | escape }}}}</a> {{{{ product.price | money }}}}{{% endfor %}}\n{{% case user.tier %}}{{% when \"gold\" %}}Free shipping{{% else %}}Shipping from $5{{% endcase %}}\n{{% render 'footer' %}}\n</body></html>\n"
            );
            fs::write(root.join(format!("templates/c{i}.html.liquid")), template).expect("template");
        }
        fs::write(root.join(format!("campaigns/batch{chunk}.yaml")), campaigns).expect("campaigns");
    }
}
