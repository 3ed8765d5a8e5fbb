//! `--engine postgres` and `--engine spark`: the demo workspace evaluated inside a real
//! PostgreSQL server, and on a real Spark Connect server, over generated shops gives exactly
//! the plan of the polars engine over the same shop's Parquet files — buckets, segment sizes,
//! persona labels and their members, score summaries, sample subjects, every rendered message —
//! and so do `run` (the messages, the ledger, a rollout's decision) and `report`; and each says
//! clearly when it cannot run. The PostgreSQL tests run when `TAILOR_TEST_POSTGRES` is set, the
//! Spark tests in a build with the `spark` feature when `TAILOR_TEST_SPARK_CONNECT` names a
//! server (`.ci/run` starts both); otherwise they say they were skipped.

use std::path::Path;

use tempfile::TempDir;

use crate::postgres_server::{postgres_available, says, Schema};
use crate::postgres_sources::{load_into_postgres, read_from_tables};
use crate::run::SECRET;
#[cfg(feature = "spark")]
use crate::spark_tables::{spark_url, SparkDatabase};
use crate::support::{copy_tree, generated_shop, replace_in, tailor, tailor_with_env, Output};

const NOW: &str = "2026-12-01T15:00:00Z";

/// `tailor plan` over the workspace in `dir` at `NOW` with `args`.
fn plan(dir: &Path, args: &[&str]) -> Output {
    let mut all = vec!["plan", "campaigns", "--now", NOW];
    all.extend(args);
    tailor(dir, &all)
}

/// A database engine the tests compare with polars.
#[derive(Debug, Clone, Copy)]
enum Engine {
    Postgres,
    #[cfg(feature = "spark")]
    Spark,
}

/// A shop's `profiles` and `events` as tables of one engine, dropped with it.
enum Tables {
    Postgres(Schema),
    #[cfg(feature = "spark")]
    Spark(SparkDatabase),
}

impl Engine {
    /// Its name for `--engine`.
    fn name(self) -> &'static str {
        match self {
            Engine::Postgres => "postgres",
            #[cfg(feature = "spark")]
            Engine::Spark => "spark",
        }
    }

    /// Whether its server is there for the tests (saying why not when it is not).
    fn available(self) -> bool {
        match self {
            Engine::Postgres => postgres_available(),
            #[cfg(feature = "spark")]
            Engine::Spark => spark_url().is_some(),
        }
    }

    /// The shop's Parquet files in the workspace `dir`, loaded into the engine's database.
    fn load(self, dir: &Path, prefix: &str) -> Tables {
        let shop = dir.join("datasets/shop");
        match self {
            Engine::Postgres => Tables::Postgres(load_into_postgres(&shop, prefix)),
            #[cfg(feature = "spark")]
            Engine::Spark => Tables::Spark(SparkDatabase::load(
                &spark_url().expect("a Spark server"),
                &shop,
                prefix,
            )),
        }
    }
}

impl Tables {
    /// Points the workspace in `dir` at these tables instead of the shop's Parquet files.
    fn read_from(&self, dir: &Path) {
        match self {
            Tables::Postgres(schema) => read_from_tables(dir, schema),
            #[cfg(feature = "spark")]
            Tables::Spark(database) => {
                let data_yaml = dir.join("campaigns/data.yaml");
                for table in ["profiles", "events"] {
                    let file = format!("../datasets/shop/{table}.parquet");
                    replace_in(&data_yaml, &file, &database.table_url(table));
                }
            }
        }
    }
}

#[test]
fn the_demo_planned_inside_postgres_equals_the_polars_plan_of_the_same_files() {
    planned_inside_equals_the_polars_plan(Engine::Postgres);
}

#[cfg(feature = "spark")]
#[test]
fn the_demo_planned_on_spark_equals_the_polars_plan_of_the_same_files() {
    planned_inside_equals_the_polars_plan(Engine::Spark);
}

/// On two generated shops, every view of the plan `engine` makes equals polars' over the files;
/// and polars reading the engine's tables as sources plans as over the files.
fn planned_inside_equals_the_polars_plan(kind: Engine) {
    if !kind.available() {
        return;
    }
    for (profiles, seed) in [("300", "5"), ("1500", "11")] {
        let args = ["--profiles", profiles, "--events-per-profile", "12", "--seed", seed];
        let dir = generated_shop("parquet", &args);
        let tables = kind.load(dir.path(), "tailor_engine");
        // Every view of the plan from the files, by the polars engine.
        let polars = |args: &[&str]| {
            let out = plan(dir.path(), args);
            assert_eq!(out.code, 0, "{}", out.stderr);
            out.stdout
        };
        let from_files = polars(&["--format", "json"]);
        let text = polars(&[]);
        let members = polars(&["--format", "json", "--members"]);
        let rendered = polars(&["--render-all"]);
        tables.read_from(dir.path());
        // `check --online` holds the schema to the tables' columns: they fit (the generated
        // events have no `message_id`, an optional property: a warning at each declaration).
        let online = tailor(dir.path(), &["check", "campaigns", "--online"]);
        assert_eq!(online.code, 0, "{}", online.stderr);
        says(&online.stderr, &[": 0 errors, 2 warnings", "schema::absent-column"]);
        assert_eq!(
            polars(&["--format", "json"]),
            from_files,
            "polars reading the tables on {}",
            kind.name()
        );

        let engine = |args: &[&str]| {
            let mut all = vec!["--engine", kind.name()];
            all.extend(args);
            let out = plan(dir.path(), &all);
            assert_eq!(out.code, 0, "{}", out.stderr);
            out.stdout
        };
        let json = engine(&["--format", "json"]);
        assert_eq!(json, from_files, "the JSON plan of {profiles} profiles, seed {seed}");
        assert_eq!(engine(&[]), text, "the text plan");
        assert_eq!(engine(&["--format", "json", "--members"]), members, "persona members");
        assert_eq!(engine(&["--render-all"]), rendered, "every due message rendered");

        // The plan is not empty: every kind of timing has due sends, personas have labels and
        // due variants show a sample subject.
        let report: serde_json::Value = serde_json::from_str(&json).unwrap();
        let campaign = |name: &str| {
            report["campaigns"]
                .as_array()
                .unwrap()
                .iter()
                .find(|c| c["name"] == name)
                .unwrap_or_else(|| panic!("no campaign {name} in {json}"))
                .clone()
        };
        let due = |name: &str| -> u64 {
            campaign(name)["variants"]
                .as_array()
                .unwrap()
                .iter()
                .map(|v| v["due"].as_u64().unwrap())
                .sum()
        };
        for name in ["cart_abandonment", "winback", "nyc_offer"] {
            assert!(due(name) > 0, "{name} has nobody due in {json}");
        }
        let subjects = report["campaigns"]
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|c| c["variants"].as_array().unwrap().iter())
            .filter(|v| v["subject"].is_object())
            .count();
        assert!(subjects > 0, "no sample subject in {json}");
        let labels = report["personas"][0]["labels"].as_array().unwrap();
        assert!(labels.len() >= 2, "persona labels: {labels:?}");
        assert!(report["segments"]
            .as_array()
            .unwrap()
            .iter()
            .any(|s| s["size"].as_u64() > Some(0)));
    }
}

#[test]
fn an_engine_plan_says_why_it_cannot_run() {
    if !postgres_available() {
        return;
    }
    let dir = generated_shop(
        "parquet",
        &["--profiles", "50", "--events-per-profile", "4", "--seed", "3"],
    );
    let schema = load_into_postgres(&dir.path().join("datasets/shop"), "tailor_engine_errors");
    // Datasets in files are not in the engine.
    let files = plan(dir.path(), &["--engine", "postgres"]);
    assert_eq!(files.code, 1, "{}", files.stderr);
    says(
        &files.stderr,
        &[
            "plan::engine-unsupported",
            "the profiles are not a table in PostgreSQL",
            "--engine polars",
        ],
    );
    read_from_tables(dir.path(), &schema);
    // What `tailor serve` logged on this host is not in the tables: said, not silently left out.
    let log = dir.path().join("campaigns/.tailor/events");
    std::fs::create_dir_all(&log).unwrap();
    std::fs::write(log.join("events.ndjson"), "").unwrap();
    let logged = plan(dir.path(), &["--engine", "postgres"]);
    assert_eq!(logged.code, 0, "{}", logged.stderr);
    says(
        &logged.stderr,
        &["warning[plan::engine-event-log]", "not in the engine's tables"],
    );
    // A server that does not answer.
    let unreachable = tailor_with_env(
        dir.path(),
        &["plan", "campaigns", "--now", NOW, "--engine", "postgres"],
        &[("PGPORT", "1")],
    );
    assert_eq!(unreachable.code, 2, "{}", unreachable.stderr);
    says(&unreachable.stderr, &["plan::engine", "cannot connect to PostgreSQL"]);
    assert!(unreachable.stdout.is_empty(), "{}", unreachable.stdout);
    // `--emit-sql` writes the query; it does not run it.
    let both = plan(dir.path(), &["--engine", "postgres", "--emit-sql"]);
    assert_eq!(both.code, 2, "{}", both.stderr);
    says(&both.stderr, &["--emit-sql"]);
}

#[cfg(feature = "spark")]
#[test]
fn a_spark_plan_says_why_it_cannot_run() {
    let dir = generated_shop(
        "parquet",
        &["--profiles", "50", "--events-per-profile", "4", "--seed", "3"],
    );
    // Datasets in files are not on the cluster.
    let files = plan(dir.path(), &["--engine", "spark"]);
    assert_eq!(files.code, 1, "{}", files.stderr);
    says(
        &files.stderr,
        &[
            "plan::engine-unsupported",
            "the profiles are not a table in Spark",
            "--engine polars",
        ],
    );
    // A server that does not answer: the engine and polars reading its tables both say so.
    let data_yaml = dir.path().join("campaigns/data.yaml");
    for table in ["profiles", "events"] {
        let file = format!("../datasets/shop/{table}.parquet");
        replace_in(&data_yaml, &file, &format!("sc://127.0.0.1:1?table=shop.{table}"));
    }
    let unreachable = plan(dir.path(), &["--engine", "spark"]);
    assert_eq!(unreachable.code, 2, "{}", unreachable.stderr);
    says(
        &unreachable.stderr,
        &["plan::engine", "cannot connect to Spark Connect"],
    );
    assert!(unreachable.stdout.is_empty(), "{}", unreachable.stdout);
    let loaded = plan(dir.path(), &[]);
    assert_ne!(loaded.code, 0, "{}", loaded.stderr);
    says(
        &loaded.stderr,
        &["data::io", "cannot connect to Spark Connect", "TAILOR_SPARK_TOKEN"],
    );
    // Tables in Spark are not in PostgreSQL.
    let elsewhere = plan(dir.path(), &["--engine", "postgres"]);
    assert_eq!(elsewhere.code, 1, "{}", elsewhere.stderr);
    says(&elsewhere.stderr, &["the profiles are not a table in PostgreSQL"]);
}

/// The messages in a workspace's outbox, each file's text, in name order.
fn outbox(dir: &Path) -> Vec<(String, String)> {
    let new = dir.join("campaigns/.tailor/outbox/new");
    let mut files: Vec<(String, String)> = std::fs::read_dir(&new)
        .map(|entries| {
            entries
                .map(|e| {
                    let path = e.expect("entry").path();
                    let name = path.file_name().unwrap().to_string_lossy().into_owned();
                    (name, std::fs::read_to_string(&path).expect("a message"))
                })
                .collect()
        })
        .unwrap_or_default();
    files.sort();
    files
}

/// A generated shop (`shopgen` with `args`) twice: read from its Parquet files, and read from
/// the same rows in `kind`'s tables; `edit` changes the workspace before it is copied.
fn files_and_tables(kind: Engine, args: &[&str], prefix: &str, edit: impl Fn(&Path)) -> (TempDir, TempDir, Tables) {
    let files = generated_shop("parquet", args);
    let loaded = kind.load(files.path(), prefix);
    edit(files.path());
    let tables = tempfile::tempdir().expect("tempdir");
    copy_tree(files.path(), tables.path());
    loaded.read_from(tables.path());
    (files, tables, loaded)
}

/// `tailor ARGS --engine ENGINE` in `dir` (with the unsubscribe secret), which must succeed.
fn on_engine(dir: &Path, args: &[&str], engine: &str) -> Output {
    let mut all = args.to_vec();
    all.extend(["--engine", engine]);
    let out = tailor_with_env(dir, &all, &[SECRET]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    out
}

#[test]
fn a_run_and_a_report_inside_postgres_send_and_find_exactly_what_polars_does() {
    runs_and_reports_as_polars(Engine::Postgres);
}

#[cfg(feature = "spark")]
#[test]
fn a_run_and_a_report_on_spark_send_and_find_exactly_what_polars_does() {
    runs_and_reports_as_polars(Engine::Spark);
}

/// Two runs and the reports after them on `kind` send and find what polars does.
fn runs_and_reports_as_polars(kind: Engine) {
    if !kind.available() {
        return;
    }
    let (files, tables, _loaded) = files_and_tables(
        kind,
        &["--profiles", "600", "--events-per-profile", "12", "--seed", "9"],
        "tailor_engine_run",
        |_| {},
    );
    // Two runs a day apart, a week before the shop's last events: the second meets the
    // first's sends in the ledger (already sent, the frequency cap) on both engines, and the
    // purchases after them are the outcomes the reports find.
    let mut sent = Vec::new();
    for now in ["2026-11-23T15:00:00Z", "2026-11-24T15:00:00Z"] {
        let run = |dir: &Path, engine: &str| {
            on_engine(dir, &["run", "campaigns", "--now", now, "--format", "json"], engine).stdout
        };
        let by_polars = run(files.path(), "polars");
        let in_engine = run(tables.path(), kind.name());
        assert_eq!(in_engine, by_polars, "the run's summary at {now}");
        let summary: serde_json::Value = serde_json::from_str(&in_engine).unwrap();
        let total = |field: &str| -> u64 {
            summary["campaigns"]
                .as_array()
                .unwrap()
                .iter()
                .map(|c| c[field].as_u64().unwrap())
                .sum()
        };
        sent.push((total("sent"), total("already_sent")));
    }
    assert!(sent[0].0 > 20 && sent[1].1 > 0, "sent, already sent per run: {sent:?}");
    let messages = outbox(tables.path());
    assert!(messages.len() > 20, "{} messages", messages.len());
    assert_eq!(messages, outbox(files.path()), "every message, byte for byte");
    // The ledgers agree: the plans read from them do.
    let after: Vec<String> = [files.path(), tables.path()]
        .iter()
        .map(|dir| {
            let out = plan(dir, &["--format", "json"]);
            assert_eq!(out.code, 0, "{}", out.stderr);
            out.stdout
        })
        .collect();
    assert_eq!(after[0], after[1]);
    says(&after[1], &["\"already_sent\": "]);

    // Reports: the summary of every campaign, and one campaign's comparison.
    let report = |dir: &Path, engine: &str, args: &[&str]| {
        let mut all = vec!["report", "campaigns"];
        all.extend(args);
        all.extend(["--now", NOW, "--format", "json"]);
        on_engine(dir, &all, engine).stdout
    };
    let summary = report(tables.path(), kind.name(), &[]);
    assert_eq!(
        summary,
        report(files.path(), "polars", &[]),
        "the summary of every campaign"
    );
    let (mut units, mut converted) = (0, 0);
    for campaign in [
        "cart_abandonment",
        "early_access",
        "nyc_offer",
        "post_purchase",
        "sneaker_nudge",
        "winback",
    ] {
        let detail = report(tables.path(), kind.name(), &[campaign]);
        assert_eq!(
            detail,
            report(files.path(), "polars", &[campaign]),
            "{campaign}'s comparison"
        );
        let detail: serde_json::Value = serde_json::from_str(&detail).unwrap();
        for arm in detail["arms"].as_array().unwrap() {
            units += arm["units"].as_u64().unwrap();
            converted += arm["conversion"]["count"]["successes"].as_u64().unwrap();
        }
    }
    assert!(units > 20 && converted > 0, "units {units}, converted {converted}");
}

#[test]
fn a_rollout_is_decided_from_the_same_units_in_postgres_as_by_polars() {
    rollout_decided_as_by_polars(Engine::Postgres);
}

#[cfg(feature = "spark")]
#[test]
fn a_rollout_is_decided_from_the_same_units_on_spark_as_by_polars() {
    rollout_decided_as_by_polars(Engine::Spark);
}

/// A staged rollout run on `kind` tests, decides and sends as by polars.
fn rollout_decided_as_by_polars(kind: Engine) {
    if !kind.available() {
        return;
    }
    // nyc_offer tests on half its audience from 20 November; six days on, a run decides on
    // the test's conversions and sends the winner to the rest.
    let (files, tables, _loaded) = files_and_tables(
        kind,
        &["--profiles", "800", "--events-per-profile", "12", "--seed", "13"],
        "tailor_engine_rollout",
        |dir| {
            let campaign = dir.join("campaigns/campaigns/nyc_offer.yaml");
            replace_in(
                &campaign,
                "{ at: \"2026-12-01T09:00\", timezone: recipient }",
                "{ at: \"2026-11-20T09:00\", timezone: recipient, expire: 10d }",
            );
            replace_in(
                &campaign,
                "priority: 5",
                "rollout: { test_share: 50%, decide_after: 6d, metric: conversion, min_probability: 0.5 }\npriority: 5",
            );
        },
    );
    let mut said = Vec::new();
    for now in ["2026-11-20T15:00:00Z", "2026-11-27T15:00:00Z"] {
        let run = |dir: &Path, engine: &str| {
            let args = [
                "run",
                "campaigns",
                "--now",
                now,
                "--format",
                "json",
                "--campaign",
                "nyc_offer",
            ];
            let out = on_engine(dir, &args, engine);
            let rollout: Vec<String> = out
                .stderr
                .lines()
                .filter(|l| l.starts_with("rollout of"))
                .map(str::to_string)
                .collect();
            (out.stdout, rollout)
        };
        let by_polars = run(files.path(), "polars");
        let in_engine = run(tables.path(), kind.name());
        assert_eq!(in_engine, by_polars, "the run at {now} and what it said of the rollout");
        said.extend(in_engine.1);
    }
    assert_eq!(
        outbox(tables.path()),
        outbox(files.path()),
        "every message, byte for byte"
    );
    // The second run took the decision from the test's units and their conversions.
    assert!(
        said.iter().any(|l| l.starts_with("rollout of nyc_offer: `")),
        "no rollout decision: {said:?}"
    );
    let decisions = |dir: &Path| {
        let ledger = rusqlite::Connection::open(dir.join("campaigns/.tailor/ledger.sqlite")).unwrap();
        let mut statement = ledger.prepare("SELECT campaign, winner, reason FROM rollouts").unwrap();
        let rows = statement
            .query_map([], |r| {
                Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?, r.get::<_, String>(2)?))
            })
            .unwrap();
        rows.collect::<Result<Vec<_>, _>>().unwrap()
    };
    let decided = decisions(tables.path());
    assert_eq!(decided.len(), 1, "{said:?}");
    assert_eq!(decided, decisions(files.path()), "the same winner for the same reason");
}
