//! The SQL lowering (`tailor plan --emit-sql`) against real engines: on a generated shop, the
//! demo workspace's features, segments and scores, each campaign's audience and arms (the
//! SHA-256 split of SPEC §5) and when it is due (schedules in the recipient's zone, condition
//! and event triggers), and at least 250 random well-typed expressions
//! (windows, `where` clauses reading the profile, nulls, every aggregate) computed by DuckDB,
//! PostgreSQL and Spark SQL from the query tailor writes must equal what the polars engine
//! computes, profile by profile.
//!
//! DuckDB runs where PyPI's `duckdb` is installed; PostgreSQL runs when
//! `TAILOR_TEST_POSTGRES` is set (the server is reached through the usual `PG*` environment;
//! `.ci/run` starts one) and Spark when `TAILOR_TEST_SPARK` is set (PyPI `pyspark`, local mode,
//! Java 17); otherwise the test says which engines it skipped and why.

use std::collections::BTreeMap;
use std::process::Command;

use chrono::{DateTime, Utc};
use tailor::data::SeededRng;
use tailor::eval::{condition_flags, evaluate, expression_values, expressions_query, Dialect, SqlTables};
use tailor::model::{assign, Assignment, Expr, Timing};
use tailor::plan::{fired_events, recipient_zone, schedule_occurrence, Occurrence};

use crate::differential::{agree, parquet_shop, random_source, well_typed, Rng, COMPUTED_WHERE};
use crate::reference::{value_of, Value};
use crate::support::{python_has, replace_in, repo, tailor};

/// A value an engine printed as JSON, as a reference value.
fn json_value(json: &serde_json::Value) -> Value {
    match json {
        serde_json::Value::Null => Value::Null,
        serde_json::Value::Bool(b) => Value::Bool(*b),
        serde_json::Value::Number(n) => match n.as_i64() {
            Some(i) => Value::Int(i),
            None => Value::Float(n.as_f64().unwrap_or(f64::NAN)),
        },
        serde_json::Value::String(s) => Value::Str(s.clone()),
        serde_json::Value::Array(items) => Value::List(
            items
                .iter()
                .map(|i| i.as_str().map(str::to_string).unwrap_or_else(|| i.to_string()))
                .collect(),
        ),
        serde_json::Value::Object(_) => panic!("an object in a result row: {json}"),
    }
}

/// The rows `engine` computes for `query` over the shop in `data`, by profile key.
fn engine_rows(
    engine: Dialect,
    data: &std::path::Path,
    query: &str,
    key: &str,
) -> BTreeMap<String, serde_json::Map<String, serde_json::Value>> {
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("query.sql");
    std::fs::write(&file, query).expect("query written");
    let output = Command::new("python3")
        .arg(repo().join("tests/cli/sql_engines.py"))
        .arg("run")
        .arg(engine.name())
        .arg(data)
        .arg(&file)
        .output()
        .expect("python3 runs");
    assert!(
        output.status.success(),
        "{engine} failed on the query:\n{}\n{}",
        String::from_utf8_lossy(&output.stderr),
        query.lines().take(80).collect::<Vec<_>>().join("\n")
    );
    let mut rows = BTreeMap::new();
    for line in String::from_utf8_lossy(&output.stdout).lines() {
        let row: serde_json::Map<String, serde_json::Value> = serde_json::from_str(line).expect("a JSON row");
        let id = row[key].as_str().expect("a string key").to_string();
        rows.insert(id, row);
    }
    rows
}

/// The engines to compare against polars, and why the others are skipped.
fn engines() -> Vec<Dialect> {
    let mut engines = Vec::new();
    if python_has("duckdb") {
        engines.push(Dialect::Duckdb);
    } else {
        eprintln!("sql: DuckDB skipped: `pip install duckdb` (.ci/run installs it)");
    }
    if std::env::var_os("TAILOR_TEST_POSTGRES").is_some() {
        engines.push(Dialect::Postgres);
    } else {
        eprintln!("sql: PostgreSQL skipped: set TAILOR_TEST_POSTGRES=1 with a server in the PG* environment (.ci/run starts one)");
    }
    if std::env::var_os("TAILOR_TEST_SPARK").is_some() {
        engines.push(Dialect::Spark);
    } else {
        eprintln!(
            "sql: Spark skipped: set TAILOR_TEST_SPARK=1 with pyspark and Java 17 installed (.ci/run installs them)"
        );
    }
    engines
}

/// When `campaign` is due for each profile, as `plan` finds it: its `due.` column (schedule,
/// condition or event trigger) and each variant's with its own schedule, each occurrence id or
/// null.
fn due_occurrences(
    workspace: &tailor::check::CheckedWorkspace,
    dataset: &tailor::data::Dataset,
    evaluation: &tailor::eval::Evaluation,
    campaign: &tailor::model::Campaign,
    now: DateTime<Utc>,
) -> Vec<(String, Vec<Value>)> {
    let default = workspace.manifest.timezone;
    let zones: Vec<chrono_tz::Tz> = match &workspace.schema.timezone {
        Some(field) => {
            let column = evaluation.frame.column(field).unwrap().str().unwrap().clone();
            column.iter().map(|zone| recipient_zone(zone, default)).collect()
        }
        None => vec![default; evaluation.frame.height()],
    };
    let scheduled = |schedule: &tailor::model::Schedule| -> Vec<Value> {
        zones
            .iter()
            .map(|zone| match schedule_occurrence(schedule, *zone, now) {
                Occurrence::Due(id) => Value::Str(id),
                Occurrence::NotDue => Value::Null,
            })
            .collect()
    };
    let mut columns = Vec::new();
    match &campaign.timing {
        Timing::Schedule(schedule) => columns.push((format!("due.{}", campaign.name), scheduled(schedule))),
        Timing::Condition(trigger) => {
            let fires = condition_flags(workspace, dataset, evaluation, &trigger.when, now).unwrap();
            let id = now.to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
            let due = fires
                .into_iter()
                .map(|f| if f { Value::Str(id.clone()) } else { Value::Null })
                .collect();
            columns.push((format!("due.{}", campaign.name), due));
        }
        Timing::Event(trigger) => {
            let fired = fired_events(workspace, dataset, evaluation, trigger, now).unwrap();
            let keys = evaluation
                .frame
                .column(&workspace.schema.key)
                .unwrap()
                .str()
                .unwrap()
                .clone();
            let due = keys
                .iter()
                .map(|key| fired.get(key.unwrap()).map_or(Value::Null, |id| Value::Str(id.clone())))
                .collect();
            columns.push((format!("due.{}", campaign.name), due));
        }
    }
    for variant in &campaign.variants {
        if let Some(schedule) = &variant.schedule {
            columns.push((format!("due.{}.{}", campaign.name, variant.name), scheduled(schedule)));
        }
    }
    columns
}

#[test]
fn sql_engines_agree_with_polars_on_features_segments_and_random_expressions() {
    let (demo, workspace, dataset) = parquet_shop();
    let data = demo.path().join("datasets/shop");
    let key = workspace.schema.key.clone();
    let engines = engines();
    if engines.is_empty() {
        return;
    }
    let mut compared = 0usize;
    for (round, now) in ["2026-12-01T15:00:00Z", "2026-03-15T08:30:00Z"].into_iter().enumerate() {
        let now: DateTime<Utc> = DateTime::parse_from_rfc3339(now).unwrap().to_utc();
        let evaluation = evaluate(&workspace, &dataset, now).expect("evaluates");
        let frame = &evaluation.frame;
        // Every feature and segment, then the random expressions, as polars computes them.
        let mut expected: Vec<(String, Vec<Value>)> = Vec::new();
        let mut columns: Vec<String> = workspace.features.iter().map(|f| f.name.clone()).collect();
        columns.extend(workspace.segments.iter().map(|s| format!("segment.{}", s.name)));
        columns.extend(workspace.models.iter().map(|m| format!("score.{}", m.name)));
        for column in columns {
            let series = frame.column(&column).expect("evaluated column");
            expected.push((
                column,
                (0..frame.height()).map(|i| value_of(series.get(i).unwrap())).collect(),
            ));
        }
        // Each campaign's audience (with consent) and arms, as `plan` assigns them.
        let consent = condition_flags(&workspace, &dataset, &evaluation, &workspace.manifest.consent, now).unwrap();
        let keys: Vec<String> = frame
            .column(&key)
            .unwrap()
            .str()
            .unwrap()
            .iter()
            .map(|k| k.unwrap().to_string())
            .collect();
        for campaign in &workspace.campaigns {
            let audience: Vec<bool> = match &campaign.audience {
                Some(condition) => condition_flags(&workspace, &dataset, &evaluation, condition, now).unwrap(),
                None => vec![true; frame.height()],
            };
            let members: Vec<bool> = audience.iter().zip(&consent).map(|(a, c)| *a && *c).collect();
            expected.push((
                format!("audience.{}", campaign.name),
                members.iter().map(|m| Value::Bool(*m)).collect(),
            ));
            for (column, due) in due_occurrences(&workspace, &dataset, &evaluation, campaign, now) {
                // Not vacuous: at the first clock, a schedule in the recipient's zone, a
                // condition trigger and an event trigger each find profiles due and not due.
                if round == 0 && ["nyc_offer", "winback", "cart_abandonment"].contains(&campaign.name.as_str()) {
                    let due_now = due.iter().filter(|v| !matches!(v, Value::Null)).count();
                    assert!(
                        due_now > 0 && due_now < due.len(),
                        "{column}: {due_now} of {} due",
                        due.len()
                    );
                }
                expected.push((column, due));
            }
            if campaign.rollout.is_none() {
                let weights: Vec<u32> = campaign.variants.iter().map(|v| v.weight).collect();
                let arms = keys.iter().zip(&members).map(|(profile, member)| match member {
                    false => Value::Null,
                    true => match assign(&campaign.salt, profile, campaign.holdout, &weights) {
                        Assignment::Holdout => Value::Str("holdout".into()),
                        Assignment::Variant(i) => Value::Str(campaign.variants[i].name.clone()),
                    },
                });
                expected.push((format!("arm.{}", campaign.name), arms.collect()));
            }
        }
        let mut rng = Rng(SeededRng(2_000 + round as u64));
        let mut expressions: Vec<(String, Expr)> = Vec::new();
        let mut sources: BTreeMap<String, String> = BTreeMap::new();
        for case in 0..150 {
            let source = random_source(&mut rng, case);
            let Some(expr) = well_typed(&workspace, &source) else {
                continue;
            };
            let values = expression_values(&workspace, &dataset, &evaluation, &expr, now)
                .unwrap_or_else(|e| panic!("{source}: {e:?}"));
            // A short name: PostgreSQL cuts identifiers at 63 bytes.
            let name = format!("x{case}");
            sources.insert(name.clone(), source);
            expected.push((
                name.clone(),
                (0..values.len()).map(|i| value_of(values.get(i).unwrap())).collect(),
            ));
            expressions.push((name, expr));
        }
        // Aggregates whose `where` reads computed columns (features, segments) through the
        // profile: the random expressions read only declared fields there.
        for (case, source) in COMPUTED_WHERE.iter().enumerate() {
            let expr = well_typed(&workspace, source).unwrap_or_else(|| panic!("`{source}` checks"));
            let values = expression_values(&workspace, &dataset, &evaluation, &expr, now)
                .unwrap_or_else(|e| panic!("{source}: {e:?}"));
            let name = format!("w{case}");
            sources.insert(name.clone(), source.to_string());
            expected.push((
                name.clone(),
                (0..values.len()).map(|i| value_of(values.get(i).unwrap())).collect(),
            ));
            expressions.push((name, expr));
        }
        compared += expressions.len();
        for &engine in &engines {
            let query = expressions_query(&workspace, &expressions, now, engine, &SqlTables::default())
                .expect("the workspace lowers to SQL");
            let rows = engine_rows(engine, &data, &query, &key);
            assert_eq!(rows.len(), keys.len(), "{engine}: one row per profile");
            for (column, values) in &expected {
                for (profile, polars) in keys.iter().zip(values) {
                    let got = json_value(&rows[profile][column.as_str()]);
                    let shown = sources.get(column).unwrap_or(column);
                    assert!(
                        agree(&got, polars),
                        "{engine} at {now}: `{shown}` for {profile}: SQL gave {got:?}, polars {polars:?}"
                    );
                }
            }
        }
    }
    eprintln!(
        "sql: {compared} random expressions and every feature and segment agree with polars on {}",
        engines.iter().map(|e| e.name()).collect::<Vec<_>>().join(", ")
    );
    assert!(compared >= 260, "too few well-typed expressions: {compared}");
}

#[test]
fn emit_sql_writes_the_demo_query_for_each_dialect_and_refuses_persona_labels() {
    let demo = crate::support::small_demo();
    let emit = |dialect: Dialect| {
        let args = [
            "plan",
            "campaigns",
            "--now",
            "2026-12-01T15:00:00Z",
            "--emit-sql",
            "--dialect",
            dialect.name(),
        ];
        tailor(demo.path(), &args)
    };
    for dialect in Dialect::ALL {
        let output = emit(dialect);
        assert_eq!(output.code, 0, "{dialect}: {}", output.stderr);
        let text = &output.stdout;
        assert!(
            text.starts_with(&format!(
                "-- tailor plan --emit-sql --dialect {dialect}: features, segments, scores and campaign audiences at 2026-12-01T15:00:00Z\n"
            )),
            "{text}"
        );
        // Every feature, segment and score is a column of the result, and the score applies the
        // saved fit's intercept.
        let last = text.rsplit("SELECT ").next().unwrap();
        for column in [
            "orders_90d",
            "recent_products",
            "segment.loyal",
            "segment.likely_to_lapse",
            "score.churn",
        ] {
            assert!(
                last.contains(&dialect.ident(column)),
                "{dialect}: no `{column}` in {last}"
            );
        }
        assert!(
            text.contains("1.632701291751437"),
            "{dialect}: the churn model's intercept"
        );
        // The same inputs give the same bytes.
        assert_eq!(emit(dialect).stdout, output.stdout, "{dialect}: deterministic");
    }
    // A segment reading a persona label cannot be lowered yet: a clear error, nothing printed.
    let segments = demo.path().join("campaigns/segments.yaml");
    let mut text = std::fs::read_to_string(&segments).unwrap();
    text.push_str("---\nkind: segment\nname: bargain_hunters\nwhere: persona.shopper == \"big_spender\"\n");
    std::fs::write(&segments, text).unwrap();
    let refused = emit(Dialect::Postgres);
    assert_eq!(refused.code, 1, "{}", refused.stderr);
    assert!(refused.stdout.is_empty(), "{}", refused.stdout);
    assert!(refused.stderr.contains("plan::sql-unsupported"), "{}", refused.stderr);
    assert!(
        refused.stderr.contains("`persona.shopper` reads persona labels"),
        "{}",
        refused.stderr
    );
}

#[test]
fn emit_sql_refuses_names_postgres_would_cut_and_reads_no_events_table_when_nothing_aggregates() {
    let demo = crate::support::small_demo();
    let emit = |dir: &std::path::Path, workspace: &str, dialect: Dialect| {
        let args = [
            "plan",
            workspace,
            "--now",
            "2026-12-01T15:00:00Z",
            "--emit-sql",
            "--dialect",
            dialect.name(),
        ];
        tailor(dir, &args)
    };
    // PostgreSQL keeps 63 bytes of a name: `segment.` and 56 more would lose their end.
    let long = "a".repeat(56);
    let segments = demo.path().join("campaigns/segments.yaml");
    let mut text = std::fs::read_to_string(&segments).unwrap();
    text.push_str(&format!("---\nkind: segment\nname: {long}\nwhere: orders_90d > 2\n"));
    std::fs::write(&segments, text).unwrap();
    let refused = emit(demo.path(), "campaigns", Dialect::Postgres);
    assert_eq!(refused.code, 1, "{}", refused.stderr);
    assert!(refused.stderr.contains("plan::sql-unsupported"), "{}", refused.stderr);
    assert!(
        refused
            .stderr
            .contains(&format!("`segment.{long}` is too long a name for postgres")),
        "{}",
        refused.stderr
    );
    assert_eq!(
        emit(demo.path(), "campaigns", Dialect::Duckdb).code,
        0,
        "DuckDB keeps long names"
    );

    // A workspace whose features aggregate nothing reads no events table.
    let starter = tempfile::tempdir().unwrap();
    assert_eq!(tailor(starter.path(), &["init", "shop"]).code, 0);
    replace_in(
        &starter.path().join("shop/features.yaml"),
        "count(purchase within 90d)",
        "0",
    );
    replace_in(
        &starter.path().join("shop/features.yaml"),
        "sum(purchase.total within 365d)",
        "0.5",
    );
    let query = emit(starter.path(), "shop", Dialect::Postgres);
    assert_eq!(query.code, 0, "{}", query.stderr);
    assert!(!query.stdout.contains("__events"), "{}", query.stdout);
    assert!(query.stdout.contains("FROM profiles"), "{}", query.stdout);
}
