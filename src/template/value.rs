//! Values as a template sees them while rendering, with Liquid's (Shopify's) semantics:
//! truthiness, equality with `empty` and `blank`, ordering, `contains`, and how each kind prints.

use std::borrow::Cow;
use std::cmp::Ordering;
use std::fmt::Write as _;
use std::sync::Arc;

use indexmap::IndexMap;
use serde_json::Value as Json;

/// A hash: keys in insertion order (so loops over a hash are deterministic).
pub type Object = IndexMap<String, LiquidValue>;

/// A value while rendering. Text, lists and hashes are shared, so copying one is cheap.
#[derive(Debug, Clone, Default)]
pub enum LiquidValue {
    /// `nil`, and anything undefined.
    #[default]
    Nil,
    /// `true` / `false`.
    Bool(bool),
    /// A whole number.
    Int(i64),
    /// A floating-point number.
    Float(f64),
    /// Text.
    Str(Arc<str>),
    /// A list.
    Array(Arc<Vec<LiquidValue>>),
    /// A hash.
    Object(Arc<Object>),
    /// `(a..b)`, both ends included.
    Range(i64, i64),
    /// The literal `empty`.
    Empty,
    /// The literal `blank`.
    Blank,
}

/// A number read from a value, as Liquid's arithmetic filters read it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Number {
    /// A whole number.
    Int(i64),
    /// A floating-point number.
    Float(f64),
}

impl Number {
    /// The number as a float.
    pub fn as_f64(self) -> f64 {
        match self {
            Number::Int(i) => i as f64,
            Number::Float(f) => f,
        }
    }

    /// The number as a value.
    pub fn value(self) -> LiquidValue {
        match self {
            Number::Int(i) => LiquidValue::Int(i),
            Number::Float(f) => LiquidValue::Float(f),
        }
    }
}

impl From<&str> for LiquidValue {
    fn from(text: &str) -> LiquidValue {
        LiquidValue::Str(Arc::from(text))
    }
}

impl From<String> for LiquidValue {
    fn from(text: String) -> LiquidValue {
        LiquidValue::Str(Arc::from(text))
    }
}

impl From<Vec<LiquidValue>> for LiquidValue {
    fn from(items: Vec<LiquidValue>) -> LiquidValue {
        LiquidValue::Array(Arc::new(items))
    }
}

impl From<Object> for LiquidValue {
    fn from(object: Object) -> LiquidValue {
        LiquidValue::Object(Arc::new(object))
    }
}

impl LiquidValue {
    /// A JSON value as a template value (whole numbers stay integers).
    pub fn from_json(json: &Json) -> LiquidValue {
        match json {
            Json::Null => LiquidValue::Nil,
            Json::Bool(b) => LiquidValue::Bool(*b),
            Json::Number(n) => match n.as_i64() {
                Some(i) => LiquidValue::Int(i),
                None => LiquidValue::Float(n.as_f64().unwrap_or(f64::NAN)),
            },
            Json::String(s) => LiquidValue::from(s.as_str()),
            Json::Array(items) => items.iter().map(LiquidValue::from_json).collect::<Vec<_>>().into(),
            Json::Object(map) => object_from_json(map).into(),
        }
    }

    /// Whether it is nil.
    pub fn is_nil(&self) -> bool {
        matches!(self, LiquidValue::Nil)
    }

    /// Liquid's truthiness: everything but `nil` and `false` is true.
    pub fn is_truthy(&self) -> bool {
        !matches!(self, LiquidValue::Nil | LiquidValue::Bool(false))
    }

    /// The text, when it is text.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            LiquidValue::Str(s) => Some(s),
            _ => None,
        }
    }

    /// What kind of value it is, for messages.
    pub fn kind(&self) -> &'static str {
        match self {
            LiquidValue::Nil => "nil",
            LiquidValue::Bool(_) => "a bool",
            LiquidValue::Int(_) => "an integer",
            LiquidValue::Float(_) => "a float",
            LiquidValue::Str(_) => "text",
            LiquidValue::Array(_) => "a list",
            LiquidValue::Object(_) => "a hash",
            LiquidValue::Range(..) => "a range",
            LiquidValue::Empty => "empty",
            LiquidValue::Blank => "blank",
        }
    }

    /// The value as printed by `{{ }}`.
    pub fn to_text(&self) -> Cow<'_, str> {
        match self {
            LiquidValue::Str(s) => Cow::Borrowed(s),
            LiquidValue::Nil | LiquidValue::Empty | LiquidValue::Blank => Cow::Borrowed(""),
            _ => {
                let mut out = String::new();
                self.write_to(&mut out);
                Cow::Owned(out)
            }
        }
    }

    /// Appends the value as printed by `{{ }}` to `out`: lists print their items one after
    /// another, a float always has a decimal point (`1.0`), a range prints as `1..3`.
    pub fn write_to(&self, out: &mut String) {
        match self {
            LiquidValue::Nil | LiquidValue::Empty | LiquidValue::Blank => {}
            LiquidValue::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
            LiquidValue::Int(i) => {
                let _ = write!(out, "{i}");
            }
            LiquidValue::Float(f) => write_float(*f, out),
            LiquidValue::Str(s) => out.push_str(s),
            LiquidValue::Array(items) => items.iter().for_each(|item| item.write_to(out)),
            LiquidValue::Object(object) => write_object(object, out),
            LiquidValue::Range(a, b) => {
                let _ = write!(out, "{a}..{b}");
            }
        }
    }

    /// The number it reads as, with Liquid's lax rules: text that is a number reads as that
    /// number, and anything else (other text, nil, lists) as 0.
    pub fn to_number(&self) -> Number {
        match self {
            LiquidValue::Int(i) => Number::Int(*i),
            LiquidValue::Float(f) => Number::Float(*f),
            LiquidValue::Str(s) => parse_number(s).unwrap_or(Number::Int(leading_integer(s))),
            _ => Number::Int(0),
        }
    }

    /// The integer it is, for arguments that must be one (`limit`, `slice`, `truncate`):
    /// integers and text holding one; anything else is an error.
    pub fn to_integer(&self) -> Result<i64, String> {
        match self {
            LiquidValue::Int(i) => Ok(*i),
            LiquidValue::Str(s) => s.trim().parse().map_err(|_| format!("`{s}` is not an integer")),
            other => Err(format!("expected an integer, not {}", other.kind())),
        }
    }

    /// How many items (a list, a hash, a range) or characters (text) it has; `None` for others.
    pub fn size(&self) -> Option<usize> {
        match self {
            LiquidValue::Str(s) => Some(s.chars().count()),
            LiquidValue::Array(items) => Some(items.len()),
            LiquidValue::Object(object) => Some(object.len()),
            LiquidValue::Range(a, b) => Some(range_len(*a, *b)),
            _ => None,
        }
    }

    /// Roughly how many bytes it holds (text, and the items of lists and hashes), counted up to
    /// `limit` only, so that measuring a huge value does not walk all of it.
    pub fn byte_size(&self, limit: usize) -> usize {
        let mut total = 0;
        let items: Box<dyn Iterator<Item = (usize, &LiquidValue)>> = match self {
            LiquidValue::Str(s) => return s.len(),
            LiquidValue::Array(items) => Box::new(items.iter().map(|item| (1, item))),
            LiquidValue::Object(object) => Box::new(object.iter().map(|(k, v)| (k.len() + 1, v))),
            LiquidValue::Range(a, b) => return range_len(*a, *b).saturating_mul(8),
            _ => return 8,
        };
        for (overhead, item) in items {
            total += overhead + item.byte_size(limit.saturating_sub(total));
            if total > limit {
                break;
            }
        }
        total
    }

    /// Whether it equals `empty`: empty text, list or hash.
    pub fn is_empty_value(&self) -> bool {
        match self {
            LiquidValue::Str(s) => s.is_empty(),
            LiquidValue::Array(items) => items.is_empty(),
            LiquidValue::Object(object) => object.is_empty(),
            LiquidValue::Empty => true,
            _ => false,
        }
    }

    /// Whether it equals `blank`: nil, false, whitespace-only text, an empty list or hash.
    pub fn is_blank_value(&self) -> bool {
        match self {
            LiquidValue::Nil | LiquidValue::Bool(false) | LiquidValue::Blank | LiquidValue::Empty => true,
            LiquidValue::Str(s) => s.trim().is_empty(),
            LiquidValue::Array(items) => items.is_empty(),
            LiquidValue::Object(object) => object.is_empty(),
            _ => false,
        }
    }

    /// Liquid's `==`: numbers by value (`1 == 1.0`), `empty` and `blank` by their rules, lists
    /// and hashes item by item.
    pub fn liquid_eq(&self, other: &LiquidValue) -> bool {
        use LiquidValue as V;
        match (self, other) {
            (V::Empty, x) | (x, V::Empty) => x.is_empty_value(),
            (V::Blank, x) | (x, V::Blank) => x.is_blank_value(),
            (V::Nil, V::Nil) => true,
            (V::Bool(a), V::Bool(b)) => a == b,
            (V::Int(a), V::Int(b)) => a == b,
            (V::Int(_) | V::Float(_), V::Int(_) | V::Float(_)) => {
                self.to_number().as_f64() == other.to_number().as_f64()
            }
            (V::Str(a), V::Str(b)) => a == b,
            (V::Array(a), V::Array(b)) => a.len() == b.len() && a.iter().zip(b.iter()).all(|(x, y)| x.liquid_eq(y)),
            (V::Object(a), V::Object(b)) => {
                a.len() == b.len() && a.iter().all(|(k, v)| b.get(k).is_some_and(|w| v.liquid_eq(w)))
            }
            (V::Range(a, b), V::Range(c, d)) => a == c && b == d,
            _ => false,
        }
    }

    /// Liquid's ordering for `<`, `>`, `<=`, `>=`: numbers with numbers, text with text;
    /// `None` when either side is nil or not ordered (the comparison is false); an error for
    /// text against a number (Shopify raises one).
    pub fn liquid_cmp(&self, other: &LiquidValue) -> Result<Option<Ordering>, String> {
        use LiquidValue as V;
        match (self, other) {
            (V::Int(a), V::Int(b)) => Ok(Some(a.cmp(b))),
            (V::Int(_) | V::Float(_), V::Int(_) | V::Float(_)) => {
                Ok(self.to_number().as_f64().partial_cmp(&other.to_number().as_f64()))
            }
            (V::Str(a), V::Str(b)) => Ok(Some(a.cmp(b))),
            (V::Str(_), V::Int(_) | V::Float(_)) | (V::Int(_) | V::Float(_), V::Str(_)) => {
                Err(format!("cannot compare {} with {}", self.kind(), other.kind()))
            }
            _ => Ok(None),
        }
    }

    /// Liquid's `contains`: a substring of text, an item of a list, a key of a hash.
    pub fn contains(&self, needle: &LiquidValue) -> bool {
        match self {
            _ if matches!(needle, LiquidValue::Nil | LiquidValue::Bool(false)) => false,
            LiquidValue::Str(s) => s.contains(needle.to_text().as_ref()),
            LiquidValue::Array(items) => items.iter().any(|item| item.liquid_eq(needle)),
            LiquidValue::Object(object) => needle.as_str().is_some_and(|key| object.contains_key(key)),
            LiquidValue::Range(a, b) => matches!(needle, LiquidValue::Int(i) if a <= i && i <= b),
            _ => false,
        }
    }

    /// The items a filter or loop walks: a list's items, a range's numbers, a hash's
    /// `[key, value]` pairs; nil gives none and any other value is one item.
    pub fn items(&self) -> Vec<LiquidValue> {
        match self {
            LiquidValue::Array(items) => items.as_ref().clone(),
            LiquidValue::Range(a, b) => (*a..=*b).map(LiquidValue::Int).collect(),
            LiquidValue::Object(object) => object
                .iter()
                .map(|(k, v)| vec![LiquidValue::from(k.as_str()), v.clone()].into())
                .collect(),
            LiquidValue::Nil => Vec::new(),
            other => vec![other.clone()],
        }
    }

    /// The value at `key`: a hash's entry, or a list's, text's or range's `size`, `first` and
    /// `last`; nil when there is none.
    pub fn get(&self, key: &str) -> LiquidValue {
        match self {
            LiquidValue::Object(object) => match object.get(key) {
                Some(value) => value.clone(),
                None if key == "size" => LiquidValue::Int(object.len() as i64),
                None if key == "first" => object.first().map_or(LiquidValue::Nil, |(k, v)| {
                    vec![LiquidValue::from(k.as_str()), v.clone()].into()
                }),
                None => LiquidValue::Nil,
            },
            LiquidValue::Array(items) => match key {
                "size" => LiquidValue::Int(items.len() as i64),
                "first" => items.first().cloned().unwrap_or_default(),
                "last" => items.last().cloned().unwrap_or_default(),
                _ => LiquidValue::Nil,
            },
            LiquidValue::Range(a, b) => match key {
                "size" => LiquidValue::Int(range_len(*a, *b) as i64),
                "first" => LiquidValue::Int(*a),
                "last" => LiquidValue::Int(*b),
                _ => LiquidValue::Nil,
            },
            LiquidValue::Str(s) if key == "size" => LiquidValue::Int(s.chars().count() as i64),
            _ => LiquidValue::Nil,
        }
    }

    /// Item `index` of a list or range (negative counts from the end), or the entry of a hash
    /// whose key is the index's text.
    pub fn index(&self, index: &LiquidValue) -> LiquidValue {
        match (self, index) {
            (LiquidValue::Array(items), LiquidValue::Int(i)) => {
                let at = if *i < 0 { items.len() as i64 + i } else { *i };
                usize::try_from(at)
                    .ok()
                    .and_then(|at| items.get(at))
                    .cloned()
                    .unwrap_or_default()
            }
            (LiquidValue::Range(a, b), LiquidValue::Int(i)) => {
                let len = range_len(*a, *b) as i64;
                let at = if *i < 0 { len + i } else { *i };
                if (0..len).contains(&at) {
                    LiquidValue::Int(a + at)
                } else {
                    LiquidValue::Nil
                }
            }
            (_, LiquidValue::Str(key)) => self.get(key),
            (LiquidValue::Object(_), other) => self.get(&other.to_text()),
            _ => LiquidValue::Nil,
        }
    }
}

/// A JSON object as a hash.
pub fn object_from_json(map: &serde_json::Map<String, Json>) -> Object {
    map.iter()
        .map(|(k, v)| (k.clone(), LiquidValue::from_json(v)))
        .collect()
}

/// How many numbers `a..=b` holds.
pub fn range_len(a: i64, b: i64) -> usize {
    if b < a {
        0
    } else {
        usize::try_from(b.abs_diff(a)).map_or(usize::MAX, |n| n.saturating_add(1))
    }
}

/// Text that is a number: `42`, `-3`, `4.5` (surrounding spaces allowed).
pub fn parse_number(text: &str) -> Option<Number> {
    let text = text.trim();
    if let Ok(i) = text.parse::<i64>() {
        return Some(Number::Int(i));
    }
    let digits = text.strip_prefix('-').unwrap_or(text);
    let (whole, fraction) = digits.split_once('.')?;
    let all_digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    (all_digits(whole) && all_digits(fraction))
        .then(|| text.parse().ok().map(Number::Float))
        .flatten()
}

/// The integer text starts with, as Ruby's `to_i` reads it (`"12abc"` is 12, `"abc"` 0).
fn leading_integer(text: &str) -> i64 {
    let text = text.trim_start();
    let (sign, rest) = match text.strip_prefix('-') {
        Some(rest) => (-1, rest),
        None => (1, text.strip_prefix('+').unwrap_or(text)),
    };
    let end = rest.find(|c: char| !c.is_ascii_digit()).unwrap_or(rest.len());
    rest[..end].parse::<i64>().map_or(0, |n| sign * n)
}

/// A float as Ruby prints it: `1.0`, `0.5`, `1.0e+20`, `1.5e-05`.
fn write_float(f: f64, out: &mut String) {
    if f.is_nan() {
        out.push_str("NaN");
    } else if f.is_infinite() {
        out.push_str(if f > 0.0 { "Infinity" } else { "-Infinity" });
    } else if f != 0.0 && (f.abs() >= 1e16 || f.abs() < 1e-4) {
        let text = format!("{f:e}");
        let (mantissa, exponent) = text.split_once('e').unwrap_or((&text, "0"));
        out.push_str(mantissa);
        if !mantissa.contains('.') {
            out.push_str(".0");
        }
        let (sign, digits) = match exponent.strip_prefix('-') {
            Some(digits) => ('-', digits),
            None => ('+', exponent),
        };
        let _ = write!(out, "e{sign}{digits:0>2}");
    } else {
        let start = out.len();
        let _ = write!(out, "{f}");
        if !out[start..].contains('.') {
            out.push_str(".0");
        }
    }
}

/// A hash as Shopify prints one: `{"a"=>1, "b"=>"x"}`.
fn write_object(object: &Object, out: &mut String) {
    out.push('{');
    for (i, (key, value)) in object.iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        let _ = write!(out, "{key:?}=>");
        match value {
            LiquidValue::Str(s) => {
                let _ = write!(out, "{s:?}");
            }
            LiquidValue::Nil => out.push_str("nil"),
            other => other.write_to(out),
        }
    }
    out.push('}');
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prints_as_liquid_does() {
        let text = |v: LiquidValue| v.to_text().into_owned();
        assert_eq!(text(LiquidValue::Float(1.0)), "1.0");
        assert_eq!(text(LiquidValue::Float(0.1 + 0.2)), "0.30000000000000004");
        assert_eq!(text(LiquidValue::Float(1e20)), "1.0e+20");
        assert_eq!(text(LiquidValue::Range(1, 3)), "1..3");
        assert_eq!(
            text(vec![LiquidValue::Int(1), LiquidValue::Nil, "a".into()].into()),
            "1a"
        );
    }

    #[test]
    fn compares_as_liquid_does() {
        assert!(LiquidValue::Int(1).liquid_eq(&LiquidValue::Float(1.0)));
        assert!(LiquidValue::from("  ").liquid_eq(&LiquidValue::Blank));
        assert!(!LiquidValue::from("  ").liquid_eq(&LiquidValue::Empty));
        assert!(LiquidValue::from("").liquid_eq(&LiquidValue::Empty));
        assert!(LiquidValue::from("2").liquid_cmp(&LiquidValue::Int(1)).is_err());
        assert_eq!(LiquidValue::Nil.liquid_cmp(&LiquidValue::Int(1)), Ok(None));
        assert_eq!(LiquidValue::from("12abc").to_number(), Number::Int(12));
        assert_eq!(LiquidValue::from("4.5").to_number(), Number::Float(4.5));
    }

    #[test]
    fn sizes_are_measured_up_to_a_limit() {
        let list: LiquidValue = vec![LiquidValue::from("abc"); 1000].into();
        assert_eq!(list.byte_size(usize::MAX), 4000);
        assert!(list.byte_size(100) <= 104);
        assert!(LiquidValue::Range(1, 1 << 40).byte_size(1 << 20) > 1 << 20);
    }
}
