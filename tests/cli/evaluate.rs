//! Features and segments evaluated on the small fixture shop, against values worked out by hand.

use chrono::{DateTime, Utc};
use polars::prelude::*;
use tailor::check::check_workspace;
use tailor::data::{load_dataset, LoadOptions};
use tailor::eval::{evaluate, segment_column, Evaluation};
use tailor::load::load_workspace;

use crate::support::small_demo;

fn demo_at(now: &str) -> Evaluation {
    let demo = small_demo();
    let loaded = load_workspace(&demo.path().join("campaigns")).expect("load");
    let workspace = check_workspace(&loaded).workspace.expect("the demo checks");
    let dataset = load_dataset(&workspace, LoadOptions::default()).expect("data");
    let now: DateTime<Utc> = DateTime::parse_from_rfc3339(now).expect("time").to_utc();
    evaluate(&workspace, &dataset, now).expect("evaluate")
}

fn value(evaluation: &Evaluation, key: &str, column: &str) -> AnyValue<'static> {
    let frame = &evaluation.frame;
    let keys = frame.column("id").unwrap().str().unwrap();
    let row = keys
        .iter()
        .position(|k| k == Some(key))
        .unwrap_or_else(|| panic!("no profile {key}"));
    frame
        .column(column)
        .unwrap_or_else(|_| panic!("no column {column}"))
        .get(row)
        .unwrap()
        .into_static()
}

#[test]
fn features_match_hand_computed_values() {
    let e = demo_at("2026-12-01T15:00:00Z");
    // u1 viewed sneakers p1 (11-29) and p2 (11-30 09:10), opened an email 11-20, never bought.
    assert_eq!(value(&e, "u1", "orders_90d"), AnyValue::Int64(0));
    assert_eq!(value(&e, "u1", "lifetime_spend"), AnyValue::Float64(0.0));
    assert_eq!(value(&e, "u1", "avg_basket"), AnyValue::Null);
    assert_eq!(value(&e, "u1", "sneaker_views_7d"), AnyValue::Int64(2));
    assert_eq!(value(&e, "u1", "opened_email_30d"), AnyValue::Boolean(true));
    assert_eq!(
        value(&e, "u1", "favourite_category"),
        AnyValue::String("sneakers").into_static()
    );
    let AnyValue::Float64(days) = value(&e, "u1", "days_since_seen") else {
        panic!("float expected")
    };
    // 11-30 09:10 to 12-01 15:00 is 29 h 50 min.
    assert!((days - (29.0 * 60.0 + 50.0) / 1440.0).abs() < 1e-9, "{days}");
    let AnyValue::List(recent) = value(&e, "u1", "recent_products") else {
        panic!("list expected")
    };
    assert_eq!(recent.str().unwrap().iter().flatten().collect::<Vec<_>>(), ["p2", "p1"]);
    // u4 bought for 210 (10-02) and 149 (11-05): both within 90 days.
    assert_eq!(value(&e, "u4", "orders_90d"), AnyValue::Int64(2));
    assert_eq!(value(&e, "u4", "lifetime_spend"), AnyValue::Float64(359.0));
    assert_eq!(value(&e, "u4", "avg_basket"), AnyValue::Float64(179.5));
    // u2's only page view has no category; u3 has no events at all.
    assert_eq!(value(&e, "u2", "favourite_category"), AnyValue::Null);
    assert_eq!(value(&e, "u3", "sneaker_views_7d"), AnyValue::Int64(0));
    let AnyValue::List(none) = value(&e, "u3", "recent_products") else {
        panic!("list expected")
    };
    assert_eq!(none.len(), 0);
    assert_eq!(value(&e, "u3", "last_seen_at"), AnyValue::Null);
}

#[test]
fn segments_match_hand_computed_membership() {
    let e = demo_at("2026-12-01T15:00:00Z");
    let members = |segment: &str| -> Vec<String> {
        let frame = &e.frame;
        let flags = frame.column(&segment_column(segment)).unwrap().bool().unwrap().clone();
        let keys = frame.column("id").unwrap().str().unwrap().clone();
        keys.iter()
            .zip(flags.iter())
            .filter(|(_, f)| *f == Some(true))
            .map(|(k, _)| k.unwrap().to_string())
            .collect()
    };
    assert_eq!(members("recent_sneaker_browsers"), ["u1"]);
    assert_eq!(members("loyal"), ["u4"]); // gold with an order in 90 days
    assert_eq!(members("new_yorkers"), ["u1", "u3"]);
    // u6 only carted and bought: with no page view, `days_since_seen` counts from signup.
    assert_eq!(members("active"), ["u1", "u2", "u4", "u5"]);
    // u6 bought this year and, never having viewed a page, counts as unseen since signup.
    assert_eq!(members("churn_risk"), ["u6"]);
    let sizes: Vec<(String, usize)> = e.segment_sizes.clone();
    assert!(sizes.contains(&("active".to_string(), 4)), "{sizes:?}");
}

#[test]
fn events_after_now_never_count() {
    // Before u4's second purchase (11-05), only the first one counts.
    let e = demo_at("2026-11-01T00:00:00Z");
    assert_eq!(value(&e, "u4", "orders_90d"), AnyValue::Int64(1));
    assert_eq!(value(&e, "u4", "lifetime_spend"), AnyValue::Float64(210.0));
    assert_eq!(value(&e, "u1", "sneaker_views_7d"), AnyValue::Int64(0));
}
