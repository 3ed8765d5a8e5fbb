//! Whether a YAML/JSON value (test profiles and events) fits a declared type.

use chrono::{DateTime, NaiveDate};
use serde_json::Value;

use super::{BaseType, Type};

/// Why `value` does not fit `ty`, or `None` when it does.
pub fn json_mismatch(ty: &Type, value: &Value) -> Option<String> {
    if value.is_null() {
        return (!ty.nullable).then(|| format!("this field is {ty} and cannot be null"));
    }
    let fits = match (&ty.base, value) {
        (BaseType::String, Value::String(_)) => true,
        (BaseType::Int, Value::Number(n)) => n.is_i64() || n.is_u64(),
        (BaseType::Float, Value::Number(_)) => true,
        (BaseType::Bool, Value::Bool(_)) => true,
        (BaseType::Date, Value::String(s)) => NaiveDate::parse_from_str(s, "%Y-%m-%d").is_ok(),
        (BaseType::DateTime, Value::String(s)) => parse_datetime(s).is_some(),
        (BaseType::Enum(values), Value::String(s)) => {
            if values.iter().any(|v| v == s) {
                true
            } else {
                return Some(format!("`{s}` is not one of: {}", values.join(", ")));
            }
        }
        (BaseType::List(item), Value::Array(items)) => {
            let item_type = Type::required((**item).clone());
            return items.iter().find_map(|i| json_mismatch(&item_type, i));
        }
        _ => false,
    };
    (!fits).then(|| format!("expected {ty}, found {}", describe(value)))
}

/// A datetime in RFC 3339, or a bare date meaning 00:00 UTC (SPEC §2).
pub fn parse_datetime(text: &str) -> Option<DateTime<chrono::Utc>> {
    if let Ok(datetime) = DateTime::parse_from_rfc3339(text) {
        return Some(datetime.with_timezone(&chrono::Utc));
    }
    let naive = chrono::NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S")
        .or_else(|_| chrono::NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M"))
        .ok()
        .or_else(|| {
            NaiveDate::parse_from_str(text, "%Y-%m-%d")
                .ok()
                .and_then(|d| d.and_hms_opt(0, 0, 0))
        })?;
    Some(naive.and_utc())
}

fn describe(value: &Value) -> String {
    match value {
        Value::Null => "null".into(),
        Value::Bool(b) => format!("the bool `{b}`"),
        Value::Number(n) => format!("the number `{n}`"),
        Value::String(s) => format!("the string `{s}`"),
        Value::Array(_) => "a list".into(),
        Value::Object(_) => "a mapping".into(),
    }
}
