//! Persona models label profiles: segments, audiences and templates use the labels, `plan`
//! reports them, and the same data gives the same labels.

use std::fs;

use serde_json::Value as Json;

use crate::support::{demo_workspace, replace_in, tailor, StarterWorkspace};

const NOW: &str = "2026-12-01T15:00:00Z";

/// The demo with a segment and a campaign that use the `shopper` persona's labels.
fn demo_with_persona_campaign() -> tempfile::TempDir {
    let dir = demo_workspace();
    let campaigns = dir.path().join("campaigns");
    let segments = fs::read_to_string(campaigns.join("segments.yaml")).unwrap();
    fs::write(
        campaigns.join("segments.yaml"),
        format!(
            "{segments}---\nkind: segment\nname: big_spenders\ndescription: The shopper persona's big spenders\n\
             where: persona.shopper == \"big_spender\"\n"
        ),
    )
    .unwrap();
    fs::write(
        campaigns.join("campaigns/persona_offer.yaml"),
        "kind: campaign\nname: persona_offer\naudience: segment.big_spenders\n\
         schedule: { at: \"2026-12-01T09:00\", timezone: America/New_York }\n\
         subject: \"A {{ user.persona.shopper | default: 'nobody' }} offer for {{ user.first_name | default: 'you' }}\"\n\
         html: ../templates/early_access.html.liquid\nvars: { collection: \"Winter 2026\", code: BIG }\n",
    )
    .unwrap();
    dir
}

fn plan_json(dir: &std::path::Path) -> Json {
    let output = tailor(dir, &["plan", "campaigns", "--now", NOW, "--format", "json"]);
    assert_eq!(output.code, 0, "{}", output.stderr);
    serde_json::from_str(&output.stdout).expect("json")
}

#[test]
fn persona_labels_drive_segments_audiences_and_templates_and_plan_reports_them() {
    let dir = demo_with_persona_campaign();
    let plan = plan_json(dir.path());
    let personas = plan["personas"].as_array().expect("personas");
    assert_eq!(personas.len(), 1);
    assert_eq!(personas[0]["model"], "shopper");
    let labels: Vec<(String, u64)> = personas[0]["labels"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| (l["label"].as_str().unwrap().to_string(), l["size"].as_u64().unwrap()))
        .collect();
    // k = 4 with four prototypes: every cluster takes a prototype's name.
    let names: Vec<&str> = labels.iter().map(|(l, _)| l.as_str()).collect();
    assert_eq!(
        names,
        ["big_spender", "cooling_off", "frequent_buyer", "window_shopper"]
    );
    assert!(labels.iter().all(|(_, size)| *size > 0), "{labels:?}");
    // The segment reads the same labels the report counts.
    let big = labels.iter().find(|(l, _)| l == "big_spender").unwrap().1;
    let segment = plan["segments"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["name"] == "big_spenders")
        .unwrap();
    assert_eq!(segment["size"].as_u64(), Some(big));
    let campaign = plan["campaigns"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "persona_offer")
        .unwrap();
    assert_eq!(campaign["audience"].as_u64(), Some(big));
    let subject = campaign["variants"][0]["subject"]["text"]
        .as_str()
        .expect("a sample subject");
    assert!(subject.starts_with("A big_spender offer for "), "{subject}");
    // Same data, same labels.
    assert_eq!(plan_json(dir.path()), plan);
    let text = tailor(dir.path(), &["plan", "campaigns", "--now", NOW]);
    assert!(
        text.stdout.contains("persona shopper (labels over its population; ") && text.stdout.contains(" unlabelled)"),
        "{}",
        text.stdout
    );
}

#[test]
fn dbscan_labels_outliers_noise_and_every_clustered_profile_gets_a_label() {
    let dir = demo_with_persona_campaign();
    let personas = dir.path().join("campaigns/personas.yaml");
    replace_in(&personas, "algorithm: kmeans", "algorithm: dbscan");
    replace_in(&personas, "k: 4", "eps: 0.3\nmin_points: 5");
    let plan = plan_json(dir.path());
    let labels = plan["personas"][0]["labels"].as_array().unwrap();
    let names: Vec<&str> = labels.iter().map(|l| l["label"].as_str().unwrap()).collect();
    assert!(names.contains(&"noise"), "{names:?}");
    assert!(names.len() >= 2, "{names:?}");
    let kmeans = plan_json(&demo_with_persona_campaign().path().to_path_buf());
    let total = |plan: &Json| -> u64 {
        plan["personas"][0]["labels"]
            .as_array()
            .unwrap()
            .iter()
            .map(|l| l["size"].as_u64().unwrap())
            .sum()
    };
    // Both algorithms label the same population (profiles in it with every input set).
    assert_eq!(total(&plan), total(&kmeans));
}

#[test]
fn a_population_that_uses_persona_labels_is_refused_clearly() {
    let ws = StarterWorkspace::new();
    ws.write(
        "personas.yaml",
        "kind: personas\nname: shopper\nalgorithm: kmeans\nk: 2\nfeatures: [orders_90d, spend_365d]\n\
         ---\nkind: personas\nname: second\nalgorithm: kmeans\nk: 2\nfeatures: [orders_90d]\n\
         population: persona.shopper == 'cluster_1'\n",
    );
    let output = tailor(ws.dir.path(), &["plan", "ws", "--now", NOW]);
    assert_eq!(output.code, 1, "{}", output.stderr);
    assert!(
        output.stderr.contains(
            "error[plan::evaluate]: cannot evaluate this workspace on data yet: the population of persona model `second` uses persona labels"
        ),
        "{}",
        output.stderr
    );
}

#[test]
fn tailor_personas_shows_each_label_with_its_size_share_and_mean_inputs() {
    let dir = demo_workspace();
    let text = tailor(dir.path(), &["personas", "campaigns", "--now", NOW]);
    assert_eq!(text.code, 0, "{}", text.stderr);
    assert!(
        text.stdout
            .starts_with("persona shopper · kmeans k=4 · scale standard · impute median · seed 42\n"),
        "{}",
        text.stdout
    );
    assert!(text.stdout.contains("orders_90d"), "{}", text.stdout);
    // What sets frequent buyers apart: all are in the loyal segment, which few profiles are;
    // big spenders all ordered this year, against 41% of all.
    let traits = |label: &str| {
        text.stdout
            .lines()
            .find(|l| l.starts_with(&format!("  {label}")) && l.contains("index"))
            .unwrap_or_else(|| panic!("{}", text.stdout))
            .to_string()
    };
    assert!(
        traits("frequent_buyer").contains("segment.loyal = true: 100%"),
        "{}",
        text.stdout
    );
    let big_spender = traits("big_spender");
    assert!(big_spender.contains("orders_365d = 0: 0% vs 59%"), "{big_spender}");
    assert!(
        !big_spender.contains("orders_90d ="),
        "the model's inputs are no traits: {big_spender}"
    );
    let json = tailor(dir.path(), &["personas", "campaigns", "--now", NOW, "--format", "json"]);
    assert_eq!(json.code, 0, "{}", json.stderr);
    let json: Json = serde_json::from_str(&json.stdout).unwrap();
    let model = &json["personas"][0];
    let clusters = model["clusters"].as_array().unwrap();
    // Sizes agree with the plan's report, and every centroid gives each input.
    let plan = plan_json(dir.path());
    let planned: Vec<(String, u64)> = plan["personas"][0]["labels"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| (l["label"].as_str().unwrap().to_string(), l["size"].as_u64().unwrap()))
        .collect();
    let fitted: Vec<(String, u64)> = clusters
        .iter()
        .map(|c| (c["label"].as_str().unwrap().to_string(), c["size"].as_u64().unwrap()))
        .collect();
    assert_eq!(fitted, planned);
    for cluster in clusters {
        let centroid = cluster["centroid"].as_object().unwrap();
        let keys: Vec<&str> = centroid.keys().map(String::as_str).collect();
        assert_eq!(keys.len(), 3, "{keys:?}");
        assert!(centroid.values().all(|v| v.as_f64().is_some_and(f64::is_finite)));
    }
    assert!(model["population"].as_u64().unwrap() >= fitted.iter().map(|(_, n)| n).sum::<u64>());
}

#[test]
fn plan_base_shows_how_a_model_change_moves_its_labels() {
    let dir = demo_workspace();
    let base = tailor(dir.path(), &["plan", "campaigns", "--now", NOW, "--format", "json"]);
    assert_eq!(base.code, 0, "{}", base.stderr);
    fs::write(dir.path().join("base.json"), &base.stdout).unwrap();
    replace_in(&dir.path().join("campaigns/personas.yaml"), "k: 4", "k: 5");
    let diff = tailor(dir.path(), &["plan", "campaigns", "--now", NOW, "--base", "base.json"]);
    assert_eq!(diff.code, 0, "{}", diff.stderr);
    let section = diff
        .stdout
        .split("persona shopper\n")
        .nth(1)
        .unwrap_or_else(|| panic!("{}", diff.stdout));
    // A fifth cluster, with no prototype left to name it, appears from nothing.
    let new = section
        .lines()
        .find(|l| l.trim_start().starts_with("cluster_1 "))
        .unwrap_or_else(|| panic!("{section}"));
    assert!(new.contains(" 0 → "), "{new}");
    // The base lists no members: the diff says how to save one that does.
    assert!(
        diff.stdout
            .contains("persona shopper: the base lists no members; save it with `tailor plan --format json --members`"),
        "{}",
        diff.stdout
    );
}

/// How many profile keys a model's `members` (label to keys) lists.
fn listed(members: &Json) -> usize {
    members
        .as_object()
        .unwrap()
        .values()
        .map(|keys| keys.as_array().unwrap().len())
        .sum()
}

#[test]
fn plan_base_with_members_counts_the_profiles_that_changed_persona() {
    let dir = demo_workspace();
    let base = tailor(
        dir.path(),
        &["plan", "campaigns", "--now", NOW, "--format", "json", "--members"],
    );
    assert_eq!(base.code, 0, "{}", base.stderr);
    let saved: Json = serde_json::from_str(&base.stdout).unwrap();
    let members = &saved["personas"][0]["members"];
    assert_eq!(listed(members), 190, "every labelled profile once: {members}");
    fs::write(dir.path().join("base.json"), &base.stdout).unwrap();
    let personas = tailor(dir.path(), &["personas", "campaigns", "--now", NOW, "--format", "json"]);
    assert_eq!(personas.code, 0, "{}", personas.stderr);
    fs::write(dir.path().join("personas.json"), &personas.stdout).unwrap();
    // Without `--members` the plan stays compact.
    let plain = tailor(dir.path(), &["plan", "campaigns", "--now", NOW, "--format", "json"]);
    assert!(!plain.stdout.contains("\"members\""), "{}", plain.stdout);

    let same = tailor(dir.path(), &["plan", "campaigns", "--now", NOW, "--base", "base.json"]);
    assert_eq!(same.code, 0, "{}", same.stderr);
    assert!(
        same.stdout
            .contains("persona shopper: 0 of 190 profiles labelled both times changed persona (0.0%)"),
        "{}",
        same.stdout
    );
    replace_in(&dir.path().join("campaigns/personas.yaml"), "k: 4", "k: 5");
    let moved = tailor(
        dir.path(),
        &[
            "plan",
            "campaigns",
            "--now",
            NOW,
            "--base",
            "base.json",
            "--format",
            "markdown",
        ],
    );
    assert_eq!(moved.code, 0, "{}", moved.stderr);
    let line = moved
        .stdout
        .lines()
        .find(|l| l.starts_with("- persona shopper: "))
        .unwrap_or_else(|| panic!("{}", moved.stdout));
    assert!(line.contains("→ cluster_1"), "{line}");
    assert!(!line.starts_with("- persona shopper: 0 of"), "{line}");
    // The same count `personas --base` gives for the same change.
    let personas = tailor(
        dir.path(),
        &["personas", "campaigns", "--now", NOW, "--base", "personas.json"],
    );
    assert_eq!(personas.code, 0, "{}", personas.stderr);
    let theirs = personas
        .stdout
        .lines()
        .find_map(|l| l.trim().strip_prefix("since the base: "))
        .unwrap_or_else(|| panic!("{}", personas.stdout));
    assert_eq!(line.strip_prefix("- persona shopper: "), Some(theirs));
}

#[test]
fn the_dot_graph_shows_each_persona_model_between_what_it_reads_and_what_reads_it() {
    let dir = demo_with_persona_campaign();
    let output = tailor(dir.path(), &["plan", "campaigns", "--now", NOW, "--format", "dot"]);
    assert_eq!(output.code, 0, "{}", output.stderr);
    let dot = output.stdout;
    let declared = |id: &str| {
        dot.lines()
            .position(|line| line.starts_with(&format!("  \"{id}\" [")))
            .unwrap_or_else(|| panic!("no node {id} in\n{dot}"))
    };
    let persona = dot.lines().nth(declared("persona.shopper")).unwrap();
    assert!(persona.contains("shape=ellipse"), "{persona}");
    assert!(persona.contains("big_spender "), "the label sizes are shown: {persona}");
    for edge in [
        "\"feature.orders_90d\" -> \"persona.shopper\";",
        "\"feature.avg_basket\" -> \"persona.shopper\";",
        "\"segment.active\" -> \"persona.shopper\";",
        "\"persona.shopper\" -> \"segment.big_spenders\";",
        "\"segment.big_spenders\" -> \"persona_offer.audience\";",
    ] {
        assert!(dot.contains(edge), "missing {edge} in\n{dot}");
    }
    // Inputs come first: the population's segment, then the model, then what reads its labels.
    assert!(declared("segment.active") < declared("persona.shopper"));
    assert!(declared("persona.shopper") < declared("segment.big_spenders"));
}

#[test]
fn missing_inputs_are_imputed_by_default_and_left_unlabelled_only_when_asked() {
    let dir = demo_workspace();
    let counts = |dir: &std::path::Path| {
        let plan = plan_json(dir);
        let persona = &plan["personas"][0];
        let labelled: u64 = persona["labels"]
            .as_array()
            .unwrap()
            .iter()
            .map(|l| l["size"].as_u64().unwrap())
            .sum();
        (
            labelled,
            persona["imputed"].as_u64().unwrap(),
            persona["unlabelled"].as_u64().unwrap(),
        )
    };
    // The demo's 112 active profiles without orders have no average basket: the population's
    // median stands in, and every active profile gets a persona.
    assert_eq!(counts(dir.path()), (190, 112, 0));
    replace_in(
        &dir.path().join("campaigns/personas.yaml"),
        "seed: 42",
        "seed: 42\nimpute: none",
    );
    assert_eq!(counts(dir.path()), (78, 0, 112));
    let text = tailor(dir.path(), &["personas", "campaigns", "--now", NOW]);
    assert!(
        text.stdout.contains(
            "78 of 190 profiles in its population labelled (0 with a missing input imputed, 112 left out for a missing input)"
        ),
        "{}",
        text.stdout
    );
    let plan = tailor(dir.path(), &["plan", "campaigns", "--now", NOW]);
    assert!(
        plan.stdout
            .contains("persona shopper (labels over its population; 0 with a missing input imputed, 112 unlabelled)"),
        "{}",
        plan.stdout
    );
}

#[test]
fn the_personas_chart_draws_every_label_without_overlapping_text() {
    let dir = demo_workspace();
    let svg = tailor(dir.path(), &["personas", "campaigns", "--now", NOW, "--format", "svg"]);
    assert_eq!(svg.code, 0, "{}", svg.stderr);
    assert!(svg.stdout.starts_with("<svg") && svg.stdout.trim_end().ends_with("</svg>"));
    let again = tailor(dir.path(), &["personas", "campaigns", "--now", NOW, "--format", "svg"]);
    assert_eq!(again.stdout, svg.stdout, "the chart is deterministic");
    let file = dir.path().join("personas.svg");
    fs::write(&file, &svg.stdout).unwrap();
    let chart = crate::watch::browser_script("persona_chart.cjs", &[file.as_os_str()]);
    // Four labels, each with a share bar and one index bar per input (three).
    assert_eq!(chart["shares"], 4, "{chart}");
    assert_eq!(chart["indexes"], 12, "{chart}");
    let labels: Vec<&str> = chart["labels"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|l| l.as_str())
        .collect();
    for label in ["big_spender", "cooling_off", "frequent_buyer", "window_shopper"] {
        assert!(labels.contains(&label), "{label} is drawn: {chart}");
    }
    assert!(
        labels.iter().any(|l| l.contains("segment.loyal = true")),
        "traits are drawn: {chart}"
    );
    assert_eq!(chart["overlaps"], 0, "texts overlap: {chart}");
}

#[test]
fn personas_base_says_how_many_profiles_changed_persona() {
    let dir = demo_workspace();
    let json = tailor(dir.path(), &["personas", "campaigns", "--now", NOW, "--format", "json"]);
    assert_eq!(json.code, 0, "{}", json.stderr);
    let base = dir.path().join("base.json");
    fs::write(&base, &json.stdout).unwrap();
    let members: Json = serde_json::from_str::<Json>(&json.stdout).unwrap()["personas"][0]["members"].clone();
    assert_eq!(
        listed(&members),
        190,
        "every labelled profile is listed once: {members}"
    );
    let base = base.to_str().unwrap();

    // The same data and settings: nobody moves.
    let same = tailor(dir.path(), &["personas", "campaigns", "--now", NOW, "--base", base]);
    assert_eq!(same.code, 0, "{}", same.stderr);
    assert!(
        same.stdout.contains("since the base: 0 of 190 profiles labelled both times changed persona (0.0%); 0 newly labelled, 0 no longer labelled"),
        "{}",
        same.stdout
    );
    // Another K: the new cluster takes its members from the others, and the JSON says so.
    replace_in(&dir.path().join("campaigns/personas.yaml"), "k: 4", "k: 5");
    let moved = tailor(
        dir.path(),
        &[
            "personas",
            "campaigns",
            "--now",
            NOW,
            "--base",
            base,
            "--format",
            "json",
        ],
    );
    assert_eq!(moved.code, 0, "{}", moved.stderr);
    let change = serde_json::from_str::<Json>(&moved.stdout).unwrap()["personas"][0]["change"].clone();
    assert_eq!(change["compared"], 190, "{change}");
    let changed = change["changed"].as_u64().unwrap();
    assert!(changed > 0, "{change}");
    let by_transition: u64 = change["transitions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["profiles"].as_u64().unwrap())
        .sum();
    assert_eq!(by_transition, changed, "{change}");
    assert!(
        change["transitions"]
            .as_array()
            .unwrap()
            .iter()
            .any(|t| t["to"] == "cluster_1"),
        "{change}"
    );

    fs::write(dir.path().join("bad.json"), "{}").unwrap();
    let bad = tailor(
        dir.path(),
        &["personas", "campaigns", "--now", NOW, "--base", "bad.json"],
    );
    assert_eq!(bad.code, 1);
    assert!(bad.stderr.contains("error[personas::bad-base]"), "{}", bad.stderr);
}
