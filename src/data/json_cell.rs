//! A JSON value read from an NDJSON line without copying its text: strings borrow from the
//! line unless they hold escapes, and an object is its keys and values in file order. Reading a
//! line this way costs one allocation for the object, not one per key and string.

use std::borrow::Cow;
use std::fmt;

use serde::de::{Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Number, Value as Json};

/// One JSON value, borrowing its strings from the text it was read from.
#[derive(Debug, Clone, PartialEq)]
pub enum JsonCell<'a> {
    /// `null`.
    Null,
    /// `true` or `false`.
    Bool(bool),
    /// A number, as JSON holds it (an integer stays an integer).
    Number(Number),
    /// A string.
    Text(Cow<'a, str>),
    /// An array.
    List(Vec<JsonCell<'a>>),
    /// An object: its keys and values in the order the text gives them.
    Object(Vec<(Cow<'a, str>, JsonCell<'a>)>),
}

impl<'a> JsonCell<'a> {
    /// `json` as a cell borrowing its strings.
    pub fn of(json: &'a Json) -> JsonCell<'a> {
        match json {
            Json::Null => JsonCell::Null,
            Json::Bool(b) => JsonCell::Bool(*b),
            Json::Number(n) => JsonCell::Number(n.clone()),
            Json::String(s) => JsonCell::Text(Cow::Borrowed(s)),
            Json::Array(items) => JsonCell::List(items.iter().map(JsonCell::of).collect()),
            Json::Object(map) => JsonCell::Object(
                map.iter()
                    .map(|(key, value)| (Cow::Borrowed(key.as_str()), JsonCell::of(value)))
                    .collect(),
            ),
        }
    }

    /// The value under `key` when this is an object (the last one when a key repeats, as a
    /// JSON parser that keeps one value per key would).
    pub fn get(&self, key: &str) -> Option<&JsonCell<'a>> {
        match self {
            JsonCell::Object(fields) => fields.iter().rev().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    /// Whether this is `null`.
    pub fn is_null(&self) -> bool {
        matches!(self, JsonCell::Null)
    }

    /// The cell as an owned JSON value.
    pub fn to_json(&self) -> Json {
        match self {
            JsonCell::Null => Json::Null,
            JsonCell::Bool(b) => Json::Bool(*b),
            JsonCell::Number(n) => Json::Number(n.clone()),
            JsonCell::Text(s) => Json::String(s.to_string()),
            JsonCell::List(items) => Json::Array(items.iter().map(JsonCell::to_json).collect()),
            JsonCell::Object(fields) => {
                let mut map = Map::new();
                for (key, value) in fields {
                    map.insert(key.to_string(), value.to_json());
                }
                Json::Object(map)
            }
        }
    }

    /// The cell as text: a string as it is, `null` as nothing, anything else as its JSON.
    pub fn text(&self) -> Cow<'_, str> {
        match self {
            JsonCell::Text(s) => Cow::Borrowed(s),
            JsonCell::Null => Cow::Borrowed(""),
            other => Cow::Owned(other.to_json().to_string()),
        }
    }
}

impl<'de> Deserialize<'de> for JsonCell<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(CellVisitor)
    }
}

/// Builds a [`JsonCell`] from whatever JSON value comes.
struct CellVisitor;

impl<'de> Visitor<'de> for CellVisitor {
    type Value = JsonCell<'de>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_bool<E>(self, b: bool) -> Result<JsonCell<'de>, E> {
        Ok(JsonCell::Bool(b))
    }

    fn visit_i64<E>(self, n: i64) -> Result<JsonCell<'de>, E> {
        Ok(JsonCell::Number(n.into()))
    }

    fn visit_u64<E>(self, n: u64) -> Result<JsonCell<'de>, E> {
        Ok(JsonCell::Number(n.into()))
    }

    fn visit_f64<E>(self, n: f64) -> Result<JsonCell<'de>, E> {
        Ok(Number::from_f64(n).map_or(JsonCell::Null, JsonCell::Number))
    }

    fn visit_borrowed_str<E>(self, s: &'de str) -> Result<JsonCell<'de>, E> {
        Ok(JsonCell::Text(Cow::Borrowed(s)))
    }

    fn visit_str<E>(self, s: &str) -> Result<JsonCell<'de>, E> {
        Ok(JsonCell::Text(Cow::Owned(s.to_string())))
    }

    fn visit_string<E>(self, s: String) -> Result<JsonCell<'de>, E> {
        Ok(JsonCell::Text(Cow::Owned(s)))
    }

    fn visit_unit<E>(self) -> Result<JsonCell<'de>, E> {
        Ok(JsonCell::Null)
    }

    fn visit_none<E>(self) -> Result<JsonCell<'de>, E> {
        Ok(JsonCell::Null)
    }

    fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<JsonCell<'de>, D::Error> {
        JsonCell::deserialize(deserializer)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<JsonCell<'de>, A::Error> {
        let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0));
        while let Some(item) = seq.next_element()? {
            items.push(item);
        }
        Ok(JsonCell::List(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<JsonCell<'de>, A::Error> {
        let mut fields = Vec::with_capacity(map.size_hint().unwrap_or(8));
        // A JSON object's keys are strings: each one comes through this visitor as a `Text`.
        while let Some((key, value)) = map.next_entry::<JsonCell<'de>, JsonCell<'de>>()? {
            if let JsonCell::Text(key) = key {
                fields.push((key, value));
            }
        }
        Ok(JsonCell::Object(fields))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_like_serde_json_and_borrows_plain_strings() {
        let line = r#"{"a":"x","b":1,"c":2.5,"d":[ "p", "q" ],"e":null,"f":true,"g":"tab\there","a":"y","h":{"k":-3}}"#;
        let cell: JsonCell = serde_json::from_str(line).unwrap();
        let json: Json = serde_json::from_str(line).unwrap();
        assert_eq!(cell.to_json(), json);
        assert_eq!(cell.get("a"), Some(&JsonCell::Text(Cow::Borrowed("y"))));
        assert!(matches!(cell.get("g"), Some(JsonCell::Text(Cow::Owned(s))) if s == "tab\there"));
        assert_eq!(cell.get("b").map(JsonCell::text).as_deref(), Some("1"));
        assert_eq!(cell.get("e").map(JsonCell::text).as_deref(), Some(""));
        assert_eq!(cell.get("zz"), None);
        assert_eq!(JsonCell::of(&json).to_json(), json);
    }

    #[test]
    fn bad_json_fails_as_serde_json_does() {
        let mine = serde_json::from_str::<JsonCell>(r#"{"a": }"#).unwrap_err().to_string();
        let theirs = serde_json::from_str::<Json>(r#"{"a": }"#).unwrap_err().to_string();
        assert_eq!(mine, theirs);
    }
}
