//! Every verb reports its failures as diagnostics with a stable code and a hint, printed once
//! in the format asked for: `--diagnostic-format json|github|sarif` (or JSON when the verb's
//! own output is JSON), always on stderr so that stdout stays the verb's output.

use std::fs;

use serde_json::Value as Json;

use crate::support::{demo_workspace, tailor, tailor_with_env, StarterWorkspace};

const NOW: &str = "2026-12-01T15:00:00Z";

/// Runs `tailor ARGS --diagnostic-format json` and returns the exit code and the diagnostics.
fn json_errors(dir: &std::path::Path, args: &[&str], env: &[(&str, &str)]) -> (i32, Vec<Json>) {
    let args = [args, &["--diagnostic-format", "json"]].concat();
    let output = tailor_with_env(dir, &args, env);
    let parsed: Json = serde_json::from_str(&output.stderr).unwrap_or_else(|e| {
        panic!(
            "stderr of `tailor {}` is not JSON ({e}):\n{}",
            args.join(" "),
            output.stderr
        )
    });
    (output.code, parsed.as_array().cloned().unwrap_or_default())
}

/// The diagnostic with `code`, which must be there.
fn find<'d>(diagnostics: &'d [Json], code: &str) -> &'d Json {
    diagnostics
        .iter()
        .find(|d| d["code"] == code)
        .unwrap_or_else(|| panic!("no `{code}` in {diagnostics:#?}"))
}

#[test]
fn plan_errors_come_out_as_json_with_the_place_of_a_check_error() {
    let ws = StarterWorkspace::new();
    let (code, errors) = json_errors(ws.dir.path(), &["plan", "ws", "--now", "yesterday"], &[]);
    assert_eq!(code, 2);
    assert!(find(&errors, "cli::bad-now")["hints"][0]
        .as_str()
        .unwrap()
        .contains("RFC 3339"));
    // A workspace that does not check: each error keeps its file and line.
    ws.replace(
        "campaigns/welcome.yaml",
        "audience: orders_90d == 0",
        "audience: orders_90 == 0",
    );
    let (code, errors) = json_errors(ws.dir.path(), &["plan", "ws", "--now", NOW], &[]);
    assert_eq!(code, 1);
    let unknown = find(&errors, "expr::unknown-field");
    assert_eq!(unknown["file"], "ws/campaigns/welcome.yaml");
    assert!(unknown["line"].as_u64().unwrap() > 1, "{unknown}");
    // `--format json` alone makes errors JSON too.
    let output = tailor(ws.dir.path(), &["plan", "ws", "--now", NOW, "--format", "json"]);
    let errors: Json = serde_json::from_str(&output.stderr).expect("JSON");
    assert_eq!(errors[0]["code"], "expr::unknown-field");
    assert_eq!(
        output.stdout, "",
        "no plan is printed for a workspace that does not check"
    );
}

#[test]
fn run_errors_come_out_as_json_github_annotations_and_sarif() {
    let dir = demo_workspace();
    let args = ["run", "campaigns", "--now", NOW, "--max-sends", "1"];
    let (code, errors) = json_errors(dir.path(), &args, &[]);
    assert_eq!(code, 1);
    let too_many = find(&errors, "run::too-many");
    assert!(too_many["hints"][0].as_str().unwrap().contains("--max-sends"));
    let github = tailor(dir.path(), &[&args[..], &["--diagnostic-format", "github"]].concat());
    assert!(
        github.stderr.starts_with("::error title=run%3A%3Atoo-many::"),
        "{}",
        github.stderr
    );
    let sarif = tailor(dir.path(), &[&args[..], &["--diagnostic-format", "sarif"]].concat());
    let sarif: Json = serde_json::from_str(&sarif.stderr).expect("SARIF is JSON");
    assert_eq!(sarif["runs"][0]["results"][0]["ruleId"], "run::too-many");
    // An unknown campaign is a usage error, with a suggestion.
    let (code, errors) = json_errors(
        dir.path(),
        &["run", "campaigns", "--now", NOW, "--campaign", "cart_abandonmen"],
        &[],
    );
    assert_eq!(code, 2);
    let unknown = find(&errors, "cli::unknown-campaign");
    assert!(
        unknown["hints"][0].as_str().unwrap().contains("cart_abandonment"),
        "{unknown}"
    );
}

#[test]
fn data_errors_name_the_file_line_and_column_as_json() {
    let dir = demo_workspace();
    let profiles = dir.path().join("datasets/shop/profiles.csv");
    let text = fs::read_to_string(&profiles).expect("profiles");
    let mut lines: Vec<String> = text.lines().map(String::from).collect();
    lines[1] = lines[1].replacen("2025-03-03T06:36:00Z", "yesterday", 1);
    fs::write(&profiles, lines.join("\n") + "\n").expect("write");
    let (code, errors) = json_errors(dir.path(), &["plan", "campaigns", "--now", NOW], &[]);
    assert_eq!(code, 1);
    let row = errors
        .iter()
        .find(|d| d["code"].as_str().unwrap_or_default().starts_with("data::"))
        .expect("a data error");
    assert!(row["message"].as_str().unwrap().contains("line 2"), "{row}");
    assert!(errors.last().unwrap()["hints"][0]
        .as_str()
        .unwrap()
        .contains("--skip-bad-rows"));
    // Left out with --skip-bad-rows, the row is a warning, and the plan is printed.
    let output = tailor(
        dir.path(),
        &[
            "plan",
            "campaigns",
            "--now",
            NOW,
            "--skip-bad-rows",
            "--diagnostic-format",
            "json",
        ],
    );
    assert_eq!(output.code, 0, "{}", output.stderr);
    let warnings: Json = serde_json::from_str(&output.stderr).expect("JSON");
    assert_eq!(warnings[0]["code"], "data::skipped-rows");
    assert_eq!(warnings[0]["severity"], "warning");
    assert!(output.stdout.contains("cart_abandonment"));
}

#[test]
fn every_other_verb_reports_its_errors_as_json() {
    let ws = StarterWorkspace::new();
    let dir = ws.dir.path();
    let cases: [(&[&str], i32, &str); 7] = [
        (&["personas", "ws", "--now", "soon"], 2, "cli::bad-now"),
        (
            &["preview", "ws", "nope", "--test", "x"],
            2,
            "preview::unknown-campaign",
        ),
        (
            &["preview", "ws", "welcome", "--test", "nope"],
            2,
            "preview::unknown-test",
        ),
        (&["suppress", "add", "not-an-address", "ws"], 2, "suppress::bad-address"),
        (
            &["suppress", "remove", "nobody@example.com", "ws"],
            1,
            "suppress::not-listed",
        ),
        (&["init", "ws"], 2, "init::exists"),
        (&["check", "nowhere-at-all"], 2, "workspace::not-found"),
    ];
    for (args, exit, code) in cases {
        let (got, errors) = json_errors(dir, args, &[]);
        assert_eq!(got, exit, "tailor {}: {errors:#?}", args.join(" "));
        let found = find(&errors, code);
        assert_eq!(found["severity"], "error");
    }
    // `test` fails with the workspace's check errors, located.
    ws.replace("tests/welcome.yaml", "campaign: welcome", "campaign: welcom");
    let (code, errors) = json_errors(dir, &["test", "ws"], &[]);
    assert_eq!(code, 1);
    assert_eq!(find(&errors, "test::unknown-campaign")["file"], "ws/tests/welcome.yaml");
    // `schema` cannot write into a file.
    fs::write(dir.join("taken"), "").expect("write");
    let (code, errors) = json_errors(dir, &["schema", "--out", "taken"], &[]);
    assert_eq!(code, 2);
    find(&errors, "schema::io");
}

#[test]
fn human_errors_without_a_place_are_one_line_and_their_hints() {
    let dir = demo_workspace();
    let output = tailor_with_env(dir.path(), &["run", "campaigns", "--now", NOW, "--max-sends", "1"], &[]);
    assert_eq!(output.code, 1);
    let lines: Vec<&str> = output.stderr.lines().collect();
    assert!(lines[0].starts_with("error[run::too-many]: "), "{}", output.stderr);
    assert!(
        lines[1].starts_with("  help: review `tailor plan`"),
        "{}",
        output.stderr
    );
}
