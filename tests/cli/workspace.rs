//! Whole workspaces: the demo, `tailor init`, discovery, output formats, and the committed
//! JSON Schemas.

use std::fs;

use crate::support::{repo, tailor, StarterWorkspace};

#[test]
fn the_demo_workspace_checks_clean() {
    let output = tailor(&repo(), &["check", "campaigns", "--deny-warnings"]);
    assert_eq!(output.code, 0, "{}", output.stderr);
    assert!(output.stderr.contains("0 errors, 0 warnings"), "{}", output.stderr);
}

#[test]
fn init_creates_a_workspace_that_checks_and_refuses_to_overwrite() {
    let workspace = StarterWorkspace::new();
    let output = workspace.check(&["--deny-warnings"]);
    assert_eq!(output.code, 0, "{}", output.stderr);
    assert!(workspace.path("schemas/campaign.schema.json").is_file());
    let again = tailor(workspace.dir.path(), &["init", "ws"]);
    assert_eq!(again.code, 2);
    assert!(again.stderr.contains("init::exists"), "{}", again.stderr);
}

#[test]
fn check_finds_the_workspace_from_a_subfolder_and_fails_outside_one() {
    let workspace = StarterWorkspace::new();
    let inside = tailor(&workspace.path("templates/partials"), &["check"]);
    assert_eq!(inside.code, 0, "{}", inside.stderr);
    let outside = tailor(workspace.dir.path(), &["check"]);
    assert_eq!(outside.code, 2);
    assert!(outside.stderr.contains("workspace::not-found"), "{}", outside.stderr);
    let usage = tailor(workspace.dir.path(), &["check", "ws", "--format", "yaml"]);
    assert_eq!(usage.code, 2);
}

#[test]
fn every_output_format_reports_the_same_diagnostic() {
    let workspace = StarterWorkspace::new();
    workspace.replace("campaigns/welcome.yaml", "orders_90d == 0", "ordrs_90d == 0");
    let json = workspace.check(&["--format", "json"]);
    let diagnostics: serde_json::Value = serde_json::from_str(&json.stdout).expect("json");
    assert_eq!(diagnostics[0]["code"], "expr::unknown-field");
    assert_eq!(
        (diagnostics[0]["line"].as_u64(), diagnostics[0]["column"].as_u64()),
        (Some(5), Some(11))
    );
    assert_eq!(diagnostics[0]["end_column"].as_u64(), Some(20));
    assert_eq!(diagnostics[0]["hints"][0], "did you mean `orders_90d`?");

    let github = workspace.check(&["--format", "github"]);
    assert_eq!(
        github.stdout.trim(),
        "::error file=ws/campaigns/welcome.yaml,line=5,col=11,endLine=5,endColumn=20,title=expr%3A%3Aunknown-field::unknown field `ordrs_90d`%0Ahelp: did you mean `orders_90d`?"
    );

    let sarif = workspace.check(&["--format", "sarif"]);
    let log: serde_json::Value = serde_json::from_str(&sarif.stdout).expect("sarif");
    assert_eq!(log["version"], "2.1.0");
    let run = &log["runs"][0];
    assert_eq!(run["columnKind"], "unicodeCodePoints");
    assert_eq!(run["tool"]["driver"]["name"], "tailor");
    let result = &run["results"][0];
    assert_eq!(result["ruleId"], "expr::unknown-field");
    assert_eq!(result["level"], "error");
    let region = &result["locations"][0]["physicalLocation"]["region"];
    assert_eq!(
        (region["startLine"].as_u64(), region["startColumn"].as_u64()),
        (Some(5), Some(11))
    );
    assert_eq!(
        run["tool"]["driver"]["rules"][result["ruleIndex"].as_u64().unwrap_or(99) as usize]["id"],
        "expr::unknown-field"
    );
}

#[test]
fn columns_count_characters_not_bytes() {
    let workspace = StarterWorkspace::new();
    workspace.replace(
        "campaigns/welcome.yaml",
        "audience: orders_90d == 0",
        "audience: '\"🎄é\" == nme'",
    );
    let json = workspace.check(&["--format", "json"]);
    let diagnostics: serde_json::Value = serde_json::from_str(&json.stdout).expect("json");
    assert_eq!(diagnostics[0]["code"], "expr::unknown-field");
    // `audience: '"🎄é" == ` is 19 characters (but 23 bytes): `nme` starts at column 20.
    assert_eq!(diagnostics[0]["column"].as_u64(), Some(20));
}

#[test]
fn all_errors_are_reported_in_one_pass() {
    let workspace = StarterWorkspace::new();
    workspace.replace("campaigns/welcome.yaml", "orders_90d == 0", "ordrs_90d == 0");
    workspace.replace("features.yaml", "ago(30d)", "agoo(30d)");
    workspace.replace("templates/welcome.html.liquid", "user.first_name", "user.frist_name");
    workspace.replace("tailor.yaml", "3 per 7d", "3 per week");
    let json = workspace.check(&["--format", "json"]);
    let diagnostics: Vec<serde_json::Value> = serde_json::from_str(&json.stdout).expect("json");
    let codes: Vec<&str> = diagnostics.iter().filter_map(|d| d["code"].as_str()).collect();
    for code in [
        "expr::unknown-field",
        "expr::unknown-function",
        "template::unknown-variable",
        "manifest::bad-cap",
    ] {
        assert!(codes.contains(&code), "{code} missing from {codes:?}");
    }
}

#[test]
fn the_committed_schemas_are_current() {
    let dir = tempfile::tempdir().expect("tempdir");
    let output = tailor(dir.path(), &["schema", "--out", "fresh"]);
    assert_eq!(output.code, 0, "{}", output.stderr);
    let mut names: Vec<String> = fs::read_dir(dir.path().join("fresh"))
        .expect("dir")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert!(names.len() >= 8, "{names:?}");
    for name in names {
        let fresh = fs::read_to_string(dir.path().join("fresh").join(&name)).expect("fresh");
        let committed = fs::read_to_string(repo().join("schemas").join(&name)).unwrap_or_default();
        assert!(
            fresh == committed,
            "schemas/{name} is stale: run `cargo run -- schema` and commit"
        );
    }
}

#[test]
fn the_campaign_schema_describes_keys_and_rejects_unknown_ones() {
    let text = fs::read_to_string(repo().join("schemas/campaign.schema.json")).expect("schema");
    let schema: serde_json::Value = serde_json::from_str(&text).expect("json");
    assert_eq!(schema["properties"]["kind"]["const"], "campaign");
    assert_eq!(schema["additionalProperties"], false);
    assert!(schema["properties"]["audience"]["description"]
        .as_str()
        .is_some_and(|d| d.contains("expression")));
}

#[test]
fn looping_over_a_hash_gives_its_entries_in_insertion_order() {
    let ws = StarterWorkspace::new();
    ws.write(
        "templates/partials/fields.liquid",
        "{% for field in user %}{{ field[0] }}{% endfor %}",
    );
    let template = fs::read_to_string(ws.path("templates/welcome.html.liquid")).unwrap();
    ws.write(
        "templates/welcome.html.liquid",
        &format!("{template}{{% render 'fields', user: user %}}"),
    );
    let output = ws.check(&["--deny-warnings"]);
    assert_eq!(
        output.code, 0,
        "hashes keep their order: nothing to warn about\n{}",
        output.stderr
    );
    let engine = tailor::template::Engine::new(&Default::default(), &Default::default(), false);
    let globals = tailor::template::globals_from_json(&serde_json::json!({ "h": { "b": 1, "a": 2, "c": 3 } }));
    let source = "{% for p in h %}{{ p[0] }}={{ p[1] }};{% endfor %}";
    assert_eq!(engine.render_source(source, &globals).unwrap(), "b=1;a=2;c=3;");
}
