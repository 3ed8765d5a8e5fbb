//! A straightforward row-by-row evaluator of the expression language, written from SPEC §3
//! for the differential test: no polars, no cleverness. Temporal values and durations are
//! integers of microseconds, as in the engine.

use std::collections::BTreeMap;

use polars::prelude::*;
use tailor::data::{EVENT_ID, EVENT_TS, EVENT_TYPE, EVENT_USER};
use tailor::model::{AggregateFunction, BinaryOp, Expr, ExprKind, Literal, UnaryOp};
use tailor::model::{BaseType, DataSchema};

const DAY: i64 = 86_400_000_000;

/// A value.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Null,
    Int(i64),
    Float(f64),
    Bool(bool),
    Str(String),
    List(Vec<String>),
}

/// One event, with its type's properties.
pub struct Event {
    pub kind: String,
    pub ts: i64,
    pub id: String,
    pub props: BTreeMap<String, Value>,
}

/// One profile and its events.
pub struct Row {
    pub fields: BTreeMap<String, Value>,
    pub events: Vec<Event>,
}

/// A polars value as a reference value (dates and times as microseconds).
pub fn value_of(any: AnyValue) -> Value {
    match any {
        AnyValue::Null => Value::Null,
        AnyValue::Boolean(b) => Value::Bool(b),
        AnyValue::String(s) => Value::Str(s.to_string()),
        AnyValue::StringOwned(s) => Value::Str(s.to_string()),
        AnyValue::Int32(n) => Value::Int(n.into()),
        AnyValue::Int64(n) => Value::Int(n),
        AnyValue::UInt32(n) => Value::Int(n.into()),
        AnyValue::Float64(f) => Value::Float(f),
        AnyValue::Date(days) => Value::Int(i64::from(days) * DAY),
        AnyValue::Datetime(t, TimeUnit::Microseconds, _) | AnyValue::DatetimeOwned(t, TimeUnit::Microseconds, _) => {
            Value::Int(t)
        }
        AnyValue::List(series) => Value::List(
            series
                .str()
                .map(|s| s.iter().flatten().map(str::to_string).collect())
                .unwrap_or_default(),
        ),
        other => panic!("unexpected value {other:?}"),
    }
}

/// The rows of the evaluated profile frame and the event frame.
pub fn rows(profiles: &DataFrame, events: &DataFrame, key: &str) -> Vec<Row> {
    let names: Vec<String> = profiles.get_column_names().iter().map(|n| n.to_string()).collect();
    let mut rows: Vec<Row> = (0..profiles.height())
        .map(|i| Row {
            fields: names
                .iter()
                .map(|n| (n.clone(), value_of(profiles.column(n).unwrap().get(i).unwrap())))
                .collect(),
            events: Vec::new(),
        })
        .collect();
    let index: BTreeMap<String, usize> = rows
        .iter()
        .enumerate()
        .map(|(i, r)| {
            (
                match &r.fields[key] {
                    Value::Str(k) => k.clone(),
                    _ => String::new(),
                },
                i,
            )
        })
        .collect();
    let columns: Vec<String> = events.get_column_names().iter().map(|n| n.to_string()).collect();
    for i in 0..events.height() {
        let text = |c: &str| match value_of(events.column(c).unwrap().get(i).unwrap()) {
            Value::Str(s) => s,
            _ => String::new(),
        };
        let kind = text(EVENT_TYPE);
        let Value::Int(ts) = value_of(events.column(EVENT_TS).unwrap().get(i).unwrap()) else {
            panic!("ts")
        };
        let prefix = format!("{kind}.");
        let props = columns
            .iter()
            .filter_map(|c| {
                c.strip_prefix(&prefix)
                    .map(|p| (p.to_string(), value_of(events.column(c).unwrap().get(i).unwrap())))
            })
            .collect();
        if let Some(&row) = index.get(&text(EVENT_USER)) {
            rows[row].events.push(Event {
                kind,
                ts,
                id: text(EVENT_ID),
                props,
            });
        }
    }
    rows
}

fn truth(v: &Value) -> Option<bool> {
    match v {
        Value::Bool(b) => Some(*b),
        _ => None,
    }
}

fn number(v: &Value) -> Option<f64> {
    match v {
        Value::Int(n) => Some(*n as f64),
        Value::Float(f) => Some(*f),
        _ => None,
    }
}

fn compare(a: &Value, b: &Value) -> Option<std::cmp::Ordering> {
    match (a, b) {
        (Value::Null, _) | (_, Value::Null) => None,
        (Value::Int(x), Value::Int(y)) => Some(x.cmp(y)),
        (Value::Str(x), Value::Str(y)) => Some(x.as_bytes().cmp(y.as_bytes())),
        (Value::Bool(x), Value::Bool(y)) => Some(x.cmp(y)),
        (x, y) => number(x)?.partial_cmp(&number(y)?),
    }
}

/// Evaluates `expr` for `row` at `now`; `event` is set inside an aggregate's `where`.
pub fn eval(expr: &Expr, row: &Row, now: i64, event: Option<&Event>, schema: &DataSchema) -> Value {
    match &expr.kind {
        ExprKind::Literal(Literal::Int(n)) => Value::Int(*n),
        ExprKind::Literal(Literal::Float(f)) => Value::Float(*f),
        ExprKind::Literal(Literal::String(s)) => Value::Str(s.clone()),
        ExprKind::Literal(Literal::Bool(b)) => Value::Bool(*b),
        ExprKind::Literal(Literal::Null) => Value::Null,
        ExprKind::Literal(Literal::Duration(d)) => Value::Int(d.seconds * 1_000_000),
        ExprKind::List(_) => panic!("bare list"),
        ExprKind::Path(parts) => {
            let (scope_user, name) = if parts[0].name == "user" {
                (true, &parts[1].name)
            } else {
                (false, &parts[0].name)
            };
            match event.filter(|_| !scope_user) {
                Some(e) if name == "ts" => Value::Int(e.ts),
                Some(e) => e.props.get(name).cloned().unwrap_or(Value::Null),
                None => row
                    .fields
                    .get(name)
                    .cloned()
                    .unwrap_or_else(|| panic!("no field {name}")),
            }
        }
        ExprKind::Unary { op: UnaryOp::Not, expr } => {
            truth(&eval(expr, row, now, event, schema)).map_or(Value::Null, |b| Value::Bool(!b))
        }
        ExprKind::Unary { op: UnaryOp::Neg, expr } => match eval(expr, row, now, event, schema) {
            Value::Int(n) => Value::Int(-n),
            Value::Float(f) => Value::Float(-f),
            _ => Value::Null,
        },
        ExprKind::Binary { op, lhs, rhs } => {
            let (a, b) = (eval(lhs, row, now, event, schema), eval(rhs, row, now, event, schema));
            match op {
                BinaryOp::And => match (truth(&a), truth(&b)) {
                    (Some(false), _) | (_, Some(false)) => Value::Bool(false),
                    (Some(true), Some(true)) => Value::Bool(true),
                    _ => Value::Null,
                },
                BinaryOp::Or => match (truth(&a), truth(&b)) {
                    (Some(true), _) | (_, Some(true)) => Value::Bool(true),
                    (Some(false), Some(false)) => Value::Bool(false),
                    _ => Value::Null,
                },
                BinaryOp::Eq => compare(&a, &b).map_or(Value::Null, |o| Value::Bool(o.is_eq())),
                BinaryOp::Ne => compare(&a, &b).map_or(Value::Null, |o| Value::Bool(o.is_ne())),
                BinaryOp::Lt => compare(&a, &b).map_or(Value::Null, |o| Value::Bool(o.is_lt())),
                BinaryOp::Le => compare(&a, &b).map_or(Value::Null, |o| Value::Bool(o.is_le())),
                BinaryOp::Gt => compare(&a, &b).map_or(Value::Null, |o| Value::Bool(o.is_gt())),
                BinaryOp::Ge => compare(&a, &b).map_or(Value::Null, |o| Value::Bool(o.is_ge())),
                BinaryOp::Div => match (number(&a), number(&b)) {
                    (Some(_), Some(0.0)) => Value::Null,
                    (Some(x), Some(y)) => Value::Float(x / y),
                    _ => Value::Null,
                },
                _ => match (&a, &b) {
                    (Value::Int(x), Value::Int(y)) => Value::Int(match op {
                        BinaryOp::Add => x + y,
                        BinaryOp::Sub => x - y,
                        _ => x * y,
                    }),
                    _ => match (number(&a), number(&b)) {
                        (Some(x), Some(y)) => Value::Float(match op {
                            BinaryOp::Add => x + y,
                            BinaryOp::Sub => x - y,
                            _ => x * y,
                        }),
                        _ => Value::Null,
                    },
                },
            }
        }
        ExprKind::In { expr, list, negated } => {
            let value = eval(expr, row, now, event, schema);
            let mut result = Some(false);
            for item in list {
                match compare(&value, &eval(item, row, now, event, schema)) {
                    Some(o) if o.is_eq() => {
                        result = Some(true);
                        break;
                    }
                    Some(_) => {}
                    None => result = None,
                }
            }
            result.map_or(Value::Null, |r| Value::Bool(r != *negated))
        }
        ExprKind::IsNull { expr, negated } => {
            Value::Bool((eval(expr, row, now, event, schema) == Value::Null) != *negated)
        }
        ExprKind::Call { name, args } => {
            if let (Some("date" | "datetime"), Some(ExprKind::Literal(Literal::String(text)))) =
                (Some(name.name.as_str()), args.first().map(|a| &a.kind))
            {
                let micros = match chrono::DateTime::parse_from_rfc3339(text) {
                    Ok(at) => at.timestamp_micros(),
                    Err(_) => chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d")
                        .expect("a date literal")
                        .and_hms_opt(0, 0, 0)
                        .unwrap()
                        .and_utc()
                        .timestamp_micros(),
                };
                return Value::Int(micros);
            }
            let values: Vec<Value> = args.iter().map(|a| eval(a, row, now, event, schema)).collect();
            call(&name.name, &values, now)
        }
        ExprKind::Aggregate(aggregate) => {
            let within = aggregate.within.as_ref().map(|(d, _)| d.seconds * 1_000_000);
            let mut matching: Vec<&Event> = row
                .events
                .iter()
                .filter(|e| {
                    e.kind == aggregate.event_type.name && e.ts <= now && within.is_none_or(|w| e.ts >= now - w)
                })
                .filter(|e| {
                    aggregate
                        .condition
                        .as_ref()
                        .is_none_or(|c| eval(c, row, now, Some(e), schema) == Value::Bool(true))
                })
                .collect();
            matching.sort_by(|a, b| a.ts.cmp(&b.ts).then_with(|| a.id.cmp(&b.id)));
            let property = |e: &Event| match &aggregate.property {
                Some(p) if p.name == "ts" => Value::Int(e.ts),
                Some(p) => e.props.get(&p.name).cloned().unwrap_or(Value::Null),
                None => Value::Null,
            };
            let values: Vec<Value> = matching
                .iter()
                .map(|e| property(e))
                .filter(|v| *v != Value::Null)
                .collect();
            match aggregate.function {
                AggregateFunction::Count => Value::Int(matching.len() as i64),
                AggregateFunction::Exists => Value::Bool(!matching.is_empty()),
                AggregateFunction::Sum => {
                    let declared = aggregate
                        .property
                        .as_ref()
                        .and_then(|p| schema.event(&aggregate.event_type.name)?.properties.field(&p.name));
                    if declared.is_some_and(|f| f.ty.base == BaseType::Int) {
                        Value::Int(values.iter().map(|v| if let Value::Int(n) = v { *n } else { 0 }).sum())
                    } else {
                        Value::Float(values.iter().filter_map(number).sum())
                    }
                }
                AggregateFunction::Avg => {
                    if values.is_empty() {
                        Value::Null
                    } else {
                        Value::Float(values.iter().filter_map(number).sum::<f64>() / values.len() as f64)
                    }
                }
                AggregateFunction::Min => values
                    .iter()
                    .cloned()
                    .min_by(|a, b| compare(a, b).unwrap_or(std::cmp::Ordering::Equal))
                    .unwrap_or(Value::Null),
                AggregateFunction::Max => values
                    .iter()
                    .cloned()
                    .max_by(|a, b| compare(a, b).unwrap_or(std::cmp::Ordering::Equal))
                    .unwrap_or(Value::Null),
                AggregateFunction::First => matching.first().map_or(Value::Null, |e| property(e)),
                AggregateFunction::Last => matching.last().map_or(Value::Null, |e| property(e)),
                AggregateFunction::LastN => {
                    let n = match aggregate.limit.as_deref().map(|l| &l.kind) {
                        Some(ExprKind::Literal(Literal::Int(n))) => *n as usize,
                        _ => 0,
                    };
                    let mut seen = Vec::new();
                    for e in matching.iter().rev() {
                        if let Value::Str(s) = property(e) {
                            if !seen.contains(&s) && seen.len() < n {
                                seen.push(s);
                            }
                        }
                    }
                    Value::List(seen)
                }
            }
        }
    }
}

fn call(name: &str, values: &[Value], now: i64) -> Value {
    let text = |v: &Value| if let Value::Str(s) = v { Some(s.clone()) } else { None };
    match name {
        "now" => Value::Int(now),
        "ago" => number(&values[0]).map_or(Value::Null, |d| Value::Int(now - d as i64)),
        "days_since" => match values[0] {
            Value::Int(t) => Value::Float((now - t) as f64 / DAY as f64),
            _ => Value::Null,
        },
        "lower" => text(&values[0]).map_or(Value::Null, |s| Value::Str(s.to_lowercase())),
        "upper" => text(&values[0]).map_or(Value::Null, |s| Value::Str(s.to_uppercase())),
        "len" => match &values[0] {
            Value::Str(s) => Value::Int(s.chars().count() as i64),
            Value::List(l) => Value::Int(l.len() as i64),
            _ => Value::Null,
        },
        "contains" => match (&values[0], &values[1]) {
            (Value::Str(s), Value::Str(p)) => Value::Bool(s.contains(p.as_str())),
            (Value::List(l), Value::Str(p)) => Value::Bool(l.contains(p)),
            _ => Value::Null,
        },
        "starts_with" => match (text(&values[0]), text(&values[1])) {
            (Some(s), Some(p)) => Value::Bool(s.starts_with(&p)),
            _ => Value::Null,
        },
        "ends_with" => match (text(&values[0]), text(&values[1])) {
            (Some(s), Some(p)) => Value::Bool(s.ends_with(&p)),
            _ => Value::Null,
        },
        "coalesce" => values
            .iter()
            .find(|v| **v != Value::Null)
            .cloned()
            .unwrap_or(Value::Null),
        other => panic!("function {other} is evaluated from its literal"),
    }
}
