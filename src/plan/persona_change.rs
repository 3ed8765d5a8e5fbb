//! How many profiles changed persona between two fits: `tailor personas --base OLD.json` (an
//! earlier `personas --format json`) and `tailor plan --base OLD.json` (an earlier `plan
//! --format json --members`), both of which list each label's members. Refitting on tomorrow's
//! data keeps the prototype names, and this says how many people moved between them.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use polars::prelude::{DataFrame, DataType, PolarsResult};
use serde_json::{json, Value as Json};

use crate::eval::persona_column;

/// Transitions listed at most, the largest first.
const TRANSITIONS_SHOWN: usize = 5;

/// Each profile's label, by key.
pub type Labels = BTreeMap<String, String>;

/// Each label's profile keys, sorted, by label: how a report lists a model's members.
pub type Members = BTreeMap<String, Vec<String>>;

/// Each labelled profile's label in `model`'s column of an evaluated `frame`, by key.
pub fn labels_in(frame: &DataFrame, key: &str, model: &str) -> PolarsResult<Labels> {
    let keys = frame.column(key)?.cast(&DataType::String)?;
    let column = frame.column(&persona_column(model))?;
    let (keys, column) = (keys.str()?, column.str()?);
    Ok(keys
        .iter()
        .zip(column.iter())
        .filter_map(|(key, label)| Some((key?.to_string(), label?.to_string())))
        .collect())
}

/// The members of each label.
pub fn members(labels: &Labels) -> Members {
    let mut members = Members::new();
    for (key, label) in labels {
        members.entry(label.clone()).or_default().push(key.clone());
    }
    members
}

/// Each member's label.
pub fn labels_of(members: &Members) -> Labels {
    members
        .iter()
        .flat_map(|(label, keys)| keys.iter().map(move |key| (key.clone(), label.clone())))
        .collect()
}

/// How a model's labels moved between two fits.
#[derive(Debug, Clone, PartialEq)]
pub struct PersonaChange {
    /// Profiles labelled by both fits.
    pub compared: usize,
    /// Those whose label differs.
    pub changed: usize,
    /// Labelled now but not before.
    pub new: usize,
    /// Labelled before but not now.
    pub gone: usize,
    /// (before, now) and how many profiles moved so, the largest first.
    pub transitions: Vec<((String, String), usize)>,
}

impl PersonaChange {
    /// Compares the labels `before` and `now`.
    pub fn between(before: &Labels, now: &Labels) -> PersonaChange {
        let mut moved: BTreeMap<(String, String), usize> = BTreeMap::new();
        let mut compared = 0;
        for (key, label) in now {
            if let Some(old) = before.get(key) {
                compared += 1;
                if old != label {
                    *moved.entry((old.clone(), label.clone())).or_default() += 1;
                }
            }
        }
        let mut transitions: Vec<((String, String), usize)> = moved.into_iter().collect();
        transitions.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        PersonaChange {
            compared,
            changed: transitions.iter().map(|(_, n)| n).sum(),
            new: now.keys().filter(|k| !before.contains_key(*k)).count(),
            gone: before.keys().filter(|k| !now.contains_key(*k)).count(),
            transitions,
        }
    }

    /// One line: `12 of 180 profiles changed persona (6.7%): a → b 8, ...; 10 new, 0 gone`.
    pub fn line(&self) -> String {
        let share = 100.0 * self.changed as f64 / self.compared.max(1) as f64;
        let mut out = format!(
            "{} of {} profiles labelled both times changed persona ({share:.1}%)",
            self.changed, self.compared
        );
        let shown: Vec<String> = self
            .transitions
            .iter()
            .take(TRANSITIONS_SHOWN)
            .map(|((from, to), n)| format!("{from} → {to} {n}"))
            .collect();
        if !shown.is_empty() {
            let _ = write!(out, ": {}", shown.join(", "));
        }
        let _ = write!(out, "; {} newly labelled, {} no longer labelled", self.new, self.gone);
        out
    }

    /// The change as data.
    pub fn data(&self) -> Json {
        let transitions: Vec<Json> = self
            .transitions
            .iter()
            .map(|((from, to), n)| json!({ "from": from, "to": to, "profiles": n }))
            .collect();
        json!({ "compared": self.compared, "changed": self.changed, "new": self.new,
                "gone": self.gone, "transitions": transitions })
    }
}

/// Each model's labels by key from an earlier `personas --format json`, by model name; an
/// error says what the file lacks.
pub fn base_labels(text: &str) -> Result<BTreeMap<String, Labels>, String> {
    let json: Json = serde_json::from_str(text).map_err(|e| format!("it is not JSON: {e}"))?;
    let models = json["personas"]
        .as_array()
        .ok_or("it has no `personas` list: write it with `tailor personas --format json`")?;
    let mut labels = BTreeMap::new();
    for model in models {
        let name = model["model"].as_str().ok_or("a model without a `model` name")?;
        let members: Members = serde_json::from_value(model["members"].clone()).map_err(|_| {
            format!("model `{name}` has no `members`: write it with this version's `tailor personas --format json`")
        })?;
        labels.insert(name.to_string(), labels_of(&members));
    }
    Ok(labels)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn labels(pairs: &[(&str, &str)]) -> Labels {
        pairs.iter().map(|(k, l)| (k.to_string(), l.to_string())).collect()
    }

    #[test]
    fn members_and_labels_are_two_views_of_the_same_thing() {
        let each = labels(&[("u1", "a"), ("u2", "b"), ("u3", "a")]);
        let listed = members(&each);
        assert_eq!(listed["a"], vec!["u1".to_string(), "u3".to_string()]);
        assert_eq!(labels_of(&listed), each);
    }

    #[test]
    fn counts_moves_between_labels_and_profiles_that_came_or_went() {
        let before = labels(&[("u1", "a"), ("u2", "a"), ("u3", "b"), ("u4", "b")]);
        let now = labels(&[("u1", "a"), ("u2", "b"), ("u3", "a"), ("u5", "b")]);
        let change = PersonaChange::between(&before, &now);
        assert_eq!((change.compared, change.changed, change.new, change.gone), (3, 2, 1, 1));
        assert_eq!(
            change.line(),
            "2 of 3 profiles labelled both times changed persona (66.7%): a → b 1, b → a 1; 1 newly labelled, 1 no longer labelled"
        );
    }
}
