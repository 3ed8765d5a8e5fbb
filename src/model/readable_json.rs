//! JSON laid out for review in a pull request: an object or array of a few plain values sits on
//! one line, anything larger is indented one entry per line. A saved model of a hundred trees
//! then reads one tree node per line instead of seven.

use std::fmt::Write as _;

use serde::Serialize;
use serde_json::Value;

/// A container with at most this many entries, all plain values, is written on one line.
const INLINE_ENTRIES: usize = 6;

/// `value` as readable JSON with a final newline.
pub fn readable_json(value: &impl Serialize) -> String {
    // Plain data with string keys: converting cannot fail.
    let value = serde_json::to_value(value).unwrap_or(Value::Null);
    let mut out = String::new();
    write_value(&mut out, &value, 0);
    out.push('\n');
    out
}

fn write_value(out: &mut String, value: &Value, depth: usize) {
    match value {
        Value::Array(items) if items.is_empty() => out.push_str("[]"),
        Value::Object(fields) if fields.is_empty() => out.push_str("{}"),
        Value::Array(items) if fits_a_line(items.iter(), items.len()) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                out.push_str(if i == 0 { "" } else { ", " });
                out.push_str(&item.to_string());
            }
            out.push(']');
        }
        Value::Object(fields) if fits_a_line(fields.values(), fields.len()) => {
            out.push('{');
            for (i, (key, item)) in fields.iter().enumerate() {
                let _ = write!(
                    out,
                    "{}{}: {item}",
                    if i == 0 { "" } else { ", " },
                    Value::from(key.as_str())
                );
            }
            out.push('}');
        }
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                newline(out, depth + 1, i > 0);
                write_value(out, item, depth + 1);
            }
            newline(out, depth, false);
            out.push(']');
        }
        Value::Object(fields) => {
            out.push('{');
            for (i, (key, item)) in fields.iter().enumerate() {
                newline(out, depth + 1, i > 0);
                let _ = write!(out, "{}: ", Value::from(key.as_str()));
                write_value(out, item, depth + 1);
            }
            newline(out, depth, false);
            out.push('}');
        }
        plain => out.push_str(&plain.to_string()),
    }
}

/// Whether a container of `count` `entries` is written on one line.
fn fits_a_line<'a>(mut entries: impl Iterator<Item = &'a Value>, count: usize) -> bool {
    count <= INLINE_ENTRIES && entries.all(|v| !v.is_array() && !v.is_object())
}

/// Ends an entry (with a comma after all but the first) and indents the next line.
fn newline(out: &mut String, depth: usize, after_entry: bool) {
    if after_entry {
        out.push(',');
    }
    out.push('\n');
    out.push_str(&"  ".repeat(depth));
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn small_plain_containers_sit_on_one_line_and_the_rest_is_indented() {
        let value = json!({
            "name": "churn",
            "weights": [1.5, -2, 0.25],
            "nodes": [{"column": 1, "threshold": 0.5, "left": 1, "right": 2}, {"value": 0.1}],
            "long": [1, 2, 3, 4, 5, 6, 7],
            "empty": [],
        });
        let text = readable_json(&value);
        assert_eq!(
            text,
            r#"{
  "name": "churn",
  "weights": [1.5, -2, 0.25],
  "nodes": [
    {"column": 1, "threshold": 0.5, "left": 1, "right": 2},
    {"value": 0.1}
  ],
  "long": [
    1,
    2,
    3,
    4,
    5,
    6,
    7
  ],
  "empty": []
}
"#
        );
        assert_eq!(serde_json::from_str::<Value>(&text).unwrap(), value);
    }

    #[test]
    fn text_is_escaped_as_json() {
        let text = readable_json(&json!({"say \"hi\"": "a\nb"}));
        assert_eq!(text, "{\"say \\\"hi\\\"\": \"a\\nb\"}\n");
    }
}
