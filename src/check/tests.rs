//! Tests (`kind: test`): the campaign exists, the profile and events fit the schema, and the
//! expectations name real buckets and variants.
//!
//! **Why**: a test that cannot run is worse than none: it fails in CI for the wrong reason.
//!
//! **Example**: `reason: cap` → `test::bad-expectation` with "did you mean `frequency_cap`?".

use std::collections::BTreeMap;

use super::context::{Context, Names};
use super::names::declare;
use crate::diag::{suggestion_hint, Diagnostic};
use crate::load::raw::{RawRecord, RawTest};
use crate::load::{relative_path, Document, Located};
use crate::model::*;

/// Checks every test.
pub fn check_tests(cx: &mut Context, schema: &DataSchema, names: &Names, campaigns: &[Campaign]) -> Vec<Test> {
    let documents = cx.test_documents();
    declare(cx, &documents, "test", "test");
    let mut tests = Vec::new();
    for doc in documents {
        if let Some(test) = check_test(cx, &doc, schema, names, campaigns) {
            tests.push(test);
        }
    }
    tests
}

fn time<D>(cx: &mut Context, doc: &Document<D>, value: &Located<String>) -> Option<chrono::DateTime<chrono::Utc>> {
    cx.value(doc, value, "test::bad-time", |t| {
        parse_datetime(t).ok_or_else(|| format!("`{t}` is not a time such as `2026-12-01T15:00:00Z`"))
    })
}

fn check_test(
    cx: &mut Context,
    doc: &Document<&RawTest>,
    schema: &DataSchema,
    names: &Names,
    campaigns: &[Campaign],
) -> Option<Test> {
    let raw = doc.value;
    let campaign = campaigns.iter().find(|c| c.name == raw.campaign.value);
    if !names.campaigns.contains(&raw.campaign.value) {
        let d = Diagnostic::error(
            "test::unknown-campaign",
            format!("there is no campaign called `{}`", raw.campaign.value),
        )
        .at(doc.span(&raw.campaign))
        .with_optional_hint(suggestion_hint(&raw.campaign.value, &names.campaigns));
        cx.report(d);
    }
    let now = time(cx, doc, &raw.now);
    let profile = record(cx, doc, &raw.profile, &schema.profiles, "profile field", &[]);
    let mut events = Vec::new();
    for event in raw.events.iter().flatten() {
        events.extend(test_event(cx, doc, event, schema));
    }
    let mut history = Vec::new();
    for entry in raw.history.iter().flatten() {
        let e = &entry.value;
        if !names.campaigns.contains(&e.campaign.value) {
            let d = Diagnostic::error(
                "test::unknown-campaign",
                format!("there is no campaign called `{}`", e.campaign.value),
            )
            .at(doc.span(&e.campaign))
            .with_optional_hint(suggestion_hint(&e.campaign.value, &names.campaigns));
            cx.report(d);
        }
        if let Some(at) = time(cx, doc, &e.at) {
            history.push(HistoryEntry {
                campaign: e.campaign.value.clone(),
                at,
                variant: e.variant.as_ref().map(|v| v.value.clone()),
            });
        }
    }
    let variant_names: Vec<&str> = campaign
        .map(|c| c.variants.iter().map(|v| v.name.as_str()).collect())
        .unwrap_or_default();
    let variant = |cx: &mut Context, located: &Option<Located<String>>| {
        let located = located.as_ref()?;
        if campaign.is_some() && !variant_names.contains(&located.value.as_str()) {
            let d = Diagnostic::error(
                "test::unknown-variant",
                format!("campaign `{}` has no variant `{}`", raw.campaign.value, located.value),
            )
            .at(doc.span(located))
            .with_optional_hint(suggestion_hint(&located.value, &variant_names))
            .with_hint(format!("its variants are: {}", variant_names.join(", ")));
            cx.report(d);
        }
        Some(located.value.clone())
    };
    let force = variant(cx, &raw.force);
    let expected_variant = variant(cx, &raw.expect.variant);
    if let (Some(forced), Some(expected), Some(at)) = (&force, &expected_variant, &raw.expect.variant) {
        if forced != expected {
            let d = Diagnostic::error(
                "test::bad-expectation",
                format!("`force: {forced}` renders `{forced}`, so `variant: {expected}` can never hold"),
            )
            .at(doc.span(at))
            .with_hint("with `force:`, `variant:` names the forced variant; without it, the hash's assignment");
            cx.report(d);
        }
    }
    let expect = &raw.expect;
    let reason = match &expect.reason {
        None => None,
        Some(reason) => {
            if expect.audience.value {
                cx.report(
                    Diagnostic::error(
                        "test::bad-expectation",
                        "`reason` explains `audience: false`; this test expects the message to be sent",
                    )
                    .at(doc.span(reason)),
                );
            }
            let excluded: Vec<&str> = Bucket::ALL
                .iter()
                .filter(|b| **b != Bucket::Due)
                .map(|b| b.name())
                .collect();
            match Bucket::from_name(&reason.value).filter(|b| *b != Bucket::Due) {
                Some(bucket) => Some(bucket),
                None => {
                    let d = Diagnostic::error(
                        "test::bad-expectation",
                        format!("`{}` is not a reason a profile is left out", reason.value),
                    )
                    .at(doc.span(reason))
                    .with_optional_hint(suggestion_hint(&reason.value, &excluded))
                    .with_hint(format!("reasons are: {}", excluded.join(", ")));
                    cx.report(d);
                    None
                }
            }
        }
    };
    let folder = cx.loaded.folder_of(doc.file);
    let golden = expect.golden.as_ref().and_then(|g| {
        let path = folder.join(&g.value);
        if relative_path(&cx.loaded.root, &path).is_some() {
            return Some(path);
        }
        cx.report(
            Diagnostic::error(
                "test::golden-outside",
                format!("golden file `{}` is outside the workspace", g.value),
            )
            .at(doc.span(g))
            .with_hint("keep golden files inside the workspace folder (`tailor test --bless` writes them)"),
        );
        None
    });
    Some(Test {
        name: raw.name.value.clone(),
        campaign: raw.campaign.value.clone(),
        now: now?,
        profile: profile?,
        events,
        history,
        force,
        expect: Expectation {
            audience: expect.audience.value,
            reason,
            variant: expected_variant,
            contains: expect.contains.iter().flatten().map(|c| c.value.clone()).collect(),
            golden,
        },
    })
}

/// Checks a record of values against a table; `reserved` keys are skipped (checked by the caller).
fn record<D>(
    cx: &mut Context,
    doc: &Document<D>,
    record: &Located<RawRecord>,
    table: &Table,
    what: &str,
    reserved: &[&str],
) -> Option<BTreeMap<String, serde_json::Value>> {
    let mut values = BTreeMap::new();
    let mut ok = true;
    for (key, value) in record.value.iter() {
        if reserved.contains(&key.value.as_str()) {
            continue;
        }
        let Some(field) = table.field(&key.value) else {
            let d = Diagnostic::error("test::unknown-field", format!("unknown {what} `{}`", key.value))
                .at(doc.span(key))
                .with_optional_hint(suggestion_hint(&key.value, table.names()));
            cx.report(d);
            ok = false;
            continue;
        };
        if let Some(problem) = json_mismatch(&field.ty, &value.value) {
            cx.report(Diagnostic::error("test::bad-value", format!("`{}`: {problem}", key.value)).at(doc.span(value)));
            ok = false;
            continue;
        }
        values.insert(key.value.clone(), value.value.clone());
    }
    for field in &table.fields {
        if !values.contains_key(&field.name) && !record.value.iter().any(|(k, _)| k.value == field.name) {
            if field.ty.nullable {
                values.insert(field.name.clone(), serde_json::Value::Null);
            } else {
                let d = Diagnostic::error(
                    "test::missing-field",
                    format!("the {what} `{}` ({}) is required", field.name, field.ty),
                )
                .at(doc.span(record))
                .with_hint(format!("add `{}:`; only nullable fields may be left out", field.name));
                cx.report(d);
                ok = false;
            }
        }
    }
    ok.then_some(values)
}

fn test_event<D>(
    cx: &mut Context,
    doc: &Document<D>,
    event: &Located<RawRecord>,
    schema: &DataSchema,
) -> Option<TestEvent> {
    let get = |name: &str| event.value.iter().find(|(k, _)| k.value == name).map(|(_, v)| v);
    let Some(type_value) = get("type") else {
        cx.report(
            Diagnostic::error("test::missing-field", "this event has no `type`")
                .at(doc.span(event))
                .with_hint("add `type:` with an event type"),
        );
        return None;
    };
    let type_name = type_value.value.as_str().unwrap_or_default();
    let Some(event_schema) = schema.event(type_name) else {
        let d = Diagnostic::error("test::unknown-event-type", format!("unknown event type `{type_name}`"))
            .at(doc.span(type_value))
            .with_optional_hint(suggestion_hint(type_name, schema.event_names()));
        cx.report(d);
        return None;
    };
    let ts = match get("ts") {
        Some(ts) => {
            let parsed = ts.value.as_str().and_then(parse_datetime);
            if parsed.is_none() {
                cx.report(
                    Diagnostic::error("test::bad-time", "`ts` is not a time such as `2026-11-29T10:00:00Z`")
                        .at(doc.span(ts)),
                );
            }
            parsed
        }
        None => {
            cx.report(
                Diagnostic::error("test::missing-field", "this event has no `ts`")
                    .at(doc.span(event))
                    .with_hint("add `ts:` with the event's time"),
            );
            None
        }
    };
    let properties = record(
        cx,
        doc,
        event,
        &event_schema.properties,
        &format!("`{type_name}` property"),
        &["type", "ts"],
    );
    Some(TestEvent {
        event_type: type_name.to_string(),
        ts: ts?,
        properties: properties?,
    })
}
