//! The differential test: random well-typed expressions over the demo schema, evaluated on a
//! generated shop by the polars engine and by the row-by-row reference evaluator, must agree
//! on every profile (same null logic).

use std::collections::BTreeMap;
use std::process::Command;

use chrono::{DateTime, Utc};
use tailor::check::{check_workspace, CheckedWorkspace};
use tailor::data::{load_dataset, Dataset, LoadOptions, SeededRng};
use tailor::diag::{Diagnostics, FileId};
use tailor::eval::{evaluate, expression_values};
use tailor::expr::{parse, Scope, TypeChecker};
use tailor::load::{load_workspace, StringMap};
use tailor::model::Expr;

use crate::reference::{eval, rows, value_of, Value};
use crate::support::small_demo;

/// The seeded generator, with the two draws the expression generator needs.
pub struct Rng(pub SeededRng);

impl Rng {
    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        let picked: &&'a str = self.0.pick(items);
        picked
    }
    fn below(&mut self, n: u64) -> u64 {
        self.0.below(n)
    }
}

/// Aggregates whose `where` reads features of the event's profile (the random expressions
/// read only declared fields there); `first` and `last` among them read the events in time
/// order after the join with the profiles.
pub const COMPUTED_WHERE: [&str; 5] = [
    "count(purchase where total > user.avg_basket)",
    "sum(add_to_cart.quantity where price > user.avg_basket within 30d)",
    "last(page_view.category where user.orders_90d >= 1)",
    "len(last_n(page_view.product_id, 2 where user.sneaker_views_7d > 0))",
    "exists(page_view where user.days_since_seen < 10 and ts > ago(7d))",
];

const WITHIN: [&str; 5] = ["", " within 7d", " within 30d", " within 90d", " within 365d"];

fn within(rng: &mut Rng) -> &'static str {
    rng.pick(&WITHIN)
}

fn number(rng: &mut Rng, depth: u32) -> String {
    if depth == 0 || rng.below(3) == 0 {
        let w = within(rng);
        return match rng.below(16) {
            0 => format!("count(page_view{w})"),
            1 => format!("count(add_to_cart where price >= {}{w})", 20 + rng.below(200)),
            2 => format!("sum(purchase.total{w})"),
            3 => format!("sum(add_to_cart.quantity{w})"),
            4 => format!("avg(add_to_cart.price{w})"),
            5 => format!("max(purchase.total where user.tier == 'gold'{w})"),
            6 => format!("min(add_to_cart.quantity{w})"),
            7 => "len(interests)".into(),
            8 => "len(coalesce(first_name, ''))".into(),
            9 => "days_since(signup_at)".into(),
            10 => format!("days_since(last(page_view.ts{w}))"),
            11 => format!("len(last_n(page_view.product_id, {}{w}))", 1 + rng.below(4)),
            12 => format!("{}", rng.below(12)),
            13 => format!("{}.5", rng.below(100)),
            14 => format!(
                "count(page_view where category == '{}' and ts > ago({}d))",
                rng.pick(&["boots", "sneakers", "hiking"]),
                1 + rng.below(60)
            ),
            _ => format!("count(email_open where campaign != 'winback'{w})"),
        };
    }
    let (a, b) = (number(rng, depth - 1), number(rng, depth - 1));
    match rng.below(5) {
        0 => format!("({a} + {b})"),
        1 => format!("({a} - {b})"),
        2 => format!("({a} * {b})"),
        3 => format!("({a} / {b})"),
        _ => format!("-({a})"),
    }
}

fn text(rng: &mut Rng) -> String {
    let w = within(rng);
    match rng.below(10) {
        0 => "first_name".into(),
        1 => "city".into(),
        2 => "lower(city)".into(),
        3 => "upper(coalesce(first_name, 'anon'))".into(),
        4 => format!("last(page_view.category{w})"),
        5 => format!("first(purchase.product_id{w})"),
        6 => format!("last(email_open.campaign{w})"),
        7 => "tz".into(),
        _ => format!(
            "'{}'",
            rng.pick(&["New York", "boots", "Ana", "", "NEW YORK", "winback"])
        ),
    }
}

fn time(rng: &mut Rng) -> String {
    let w = within(rng);
    match rng.below(9) {
        0 => "signup_at".into(),
        1 => "unsubscribed_at".into(),
        2 => "birthday".into(),
        3 => format!("last(page_view.ts{w})"),
        4 => format!("min(purchase.ts{w})"),
        5 => "now()".into(),
        6 => format!("ago({}d)", rng.below(400)),
        7 if rng.below(2) == 0 => format!("date(\"2026-0{}-01\")", 1 + rng.below(9)),
        7 => format!(
            "datetime(\"2026-0{}-15T{:02}:30:00Z\")",
            1 + rng.below(9),
            rng.below(24)
        ),
        _ => format!("(signup_at + {}h)", rng.below(5000)),
    }
}

fn condition(rng: &mut Rng, depth: u32) -> String {
    if depth == 0 || rng.below(3) == 0 {
        let op = rng.pick(&["<", "<=", ">", ">=", "==", "!="]);
        return match rng.below(14) {
            0 | 1 => format!("({} {op} {})", number(rng, 2), number(rng, 1)),
            2 => format!("({} {} {})", text(rng), rng.pick(&["==", "!="]), text(rng)),
            3 => format!("({} {op} {})", time(rng), time(rng)),
            4 => format!("({} is null)", text(rng)),
            5 => format!("({} is not null)", time(rng)),
            6 => "email_opt_in".into(),
            7 => format!("contains(interests, '{}')", rng.pick(&["hiking", "boots", "running"])),
            8 => format!(
                "{}(email, '{}')",
                rng.pick(&["contains", "starts_with", "ends_with"]),
                rng.pick(&["a", "h", ".test", "lena"])
            ),
            9 => format!("exists(purchase{})", within(rng)),
            10 => format!("(tier {}in ['gold', 'silver'])", rng.pick(&["", "not "])),
            11 => format!(
                "({} {}in ['Boston', 'New York', null])",
                text(rng),
                rng.pick(&["", "not "])
            ),
            12 => format!("(tier == '{}')", rng.pick(&["gold", "bronze"])),
            13 if rng.below(2) == 0 => format!("((now() - {}) {op} {}d)", time(rng), rng.below(500)),
            _ => format!("contains(last_n(page_view.category, 3{}), 'boots')", within(rng)),
        };
    }
    match rng.below(3) {
        0 => format!("not {}", condition(rng, depth - 1)),
        1 => format!("({} and {})", condition(rng, depth - 1), condition(rng, depth - 1)),
        _ => format!("({} or {})", condition(rng, depth - 1), condition(rng, depth - 1)),
    }
}

pub fn well_typed(workspace: &CheckedWorkspace, source: &str) -> Option<Expr> {
    let expr = parse(source).ok()?;
    let features = workspace
        .features
        .iter()
        .map(|f| (f.name.clone(), Some(f.ty.clone())))
        .collect::<BTreeMap<_, _>>();
    let segments: Vec<String> = Vec::new();
    let scope = Scope {
        schema: &workspace.schema,
        features: &features,
        segments: &segments,
        personas: &segments,
        persona_labels: &BTreeMap::new(),
        scores: &segments,
        event: None,
        aggregates: true,
    };
    let map = StringMap::identity(FileId(0), source.len());
    let mut diagnostics = Diagnostics::new();
    TypeChecker::new(scope, source, &map, &mut diagnostics).check(&expr)?;
    (!diagnostics.has_errors()).then_some(expr)
}

pub fn agree(engine: &Value, reference: &Value) -> bool {
    match (engine, reference) {
        (Value::Float(a), Value::Float(b)) => (a - b).abs() <= 1e-9 * a.abs().max(b.abs()).max(1.0),
        (Value::Float(a), Value::Int(b)) | (Value::Int(b), Value::Float(a)) => {
            (a - *b as f64).abs() <= 1e-9 * a.abs().max(1.0)
        }
        (a, b) => a == b,
    }
}

/// The demo workspace over a shop `shopgen` generates as Parquet (150 profiles, about 12
/// events each): the folder holding it, the checked workspace and its loaded data.
pub fn parquet_shop() -> (tempfile::TempDir, CheckedWorkspace, Dataset) {
    let demo = small_demo();
    let data = demo.path().join("datasets/shop");
    let status = Command::new(env!("CARGO_BIN_EXE_shopgen"))
        .args([
            "--profiles",
            "150",
            "--events-per-profile",
            "12",
            "--seed",
            "11",
            "--format",
            "parquet",
            "--out",
        ])
        .arg(&data)
        .output()
        .expect("shopgen runs");
    assert!(status.status.success(), "{}", String::from_utf8_lossy(&status.stderr));
    let data_yaml = demo.path().join("campaigns/data.yaml");
    let schema_text = std::fs::read_to_string(&data_yaml)
        .unwrap()
        .replace("profiles.csv", "profiles.parquet")
        .replace("events.ndjson", "events.parquet");
    std::fs::write(&data_yaml, schema_text).unwrap();
    let loaded = load_workspace(&demo.path().join("campaigns")).unwrap();
    let workspace = check_workspace(&loaded).workspace.expect("checks");
    let dataset = load_dataset(&workspace, LoadOptions::default()).expect("loads");
    (demo, workspace, dataset)
}

/// A random expression of the generators' three kinds (a number, a text, a condition), by
/// case number.
pub fn random_source(rng: &mut Rng, case: usize) -> String {
    match case % 3 {
        0 => number(rng, 2),
        1 => text(rng),
        _ => condition(rng, 3),
    }
}

#[test]
fn polars_agrees_with_the_row_by_row_reference() {
    let (_demo, workspace, dataset) = parquet_shop();
    let (mut compared, mut skipped, mut nulls, mut trues) = (0usize, 0usize, 0usize, 0usize);
    for (round, now) in ["2026-12-01T15:00:00Z", "2026-03-15T08:30:00Z"].into_iter().enumerate() {
        let now: DateTime<Utc> = DateTime::parse_from_rfc3339(now).unwrap().to_utc();
        let evaluation = evaluate(&workspace, &dataset, now).expect("evaluates");
        let reference_rows = rows(&evaluation.frame, &dataset.events, &workspace.schema.key);
        let mut rng = Rng(SeededRng(1_000 + round as u64));
        for case in 0..150 + COMPUTED_WHERE.len() {
            let source = match case.checked_sub(150) {
                Some(fixed) => COMPUTED_WHERE[fixed].to_string(),
                None => random_source(&mut rng, case),
            };
            let Some(expr) = well_typed(&workspace, &source) else {
                skipped += 1;
                continue;
            };
            let column = expression_values(&workspace, &dataset, &evaluation, &expr, now)
                .unwrap_or_else(|e| panic!("{source}: {e:?}"));
            for (i, row) in reference_rows.iter().enumerate() {
                let engine = value_of(column.get(i).unwrap());
                let expected = eval(&expr, row, now.timestamp_micros(), None, &workspace.schema);
                assert!(
                    agree(&engine, &expected),
                    "`{source}` for {:?} at {now}: polars gave {engine:?}, the reference {expected:?}",
                    row.fields["id"]
                );
                nulls += usize::from(expected == Value::Null);
                trues += usize::from(expected == Value::Bool(true));
            }
            compared += 1;
        }
    }
    eprintln!("differential: {compared} expressions agree on every profile ({skipped} ill-typed skipped; {nulls} null and {trues} true results)");
    assert!(
        compared >= 250 && skipped * 10 <= compared,
        "too few well-typed expressions: {compared} compared, {skipped} skipped"
    );
    assert!(
        nulls > 0 && trues > 0,
        "the expressions must exercise nulls and true conditions"
    );
}
