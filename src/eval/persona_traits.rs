//! What sets each persona apart: the categories (a tier, a city, a favourite category, opt-in,
//! a preferred send hour, a segment) over- or under-represented among its profiles compared
//! with everyone the model labelled, each with its index (100 = as common as in the
//! population). A difference counts only when it is clear: a two-proportion z-test of the
//! persona against the other labelled profiles at |z| ≥ [`MIN_Z`] (so five Jonases among fifty
//! is not a trait). The model's own inputs are left out: they define the persona.

use std::collections::BTreeMap;

use polars::prelude::*;

use super::columns::persona_column;
use super::EvalError;
use crate::model::PersonaModel;

/// Columns with more distinct values than this among the labelled profiles are not categories
/// (names, e-mail addresses, amounts).
const MAX_CATEGORIES: usize = 24;

/// A category counts for a persona only when at least this many of its profiles have it.
const MIN_PROFILES: usize = 3;

/// Over-represented: an index of at least this much.
const OVER: f64 = 125.0;

/// Under-represented: an index of at most this much, for a category at least [`MIN_SHARE`] of
/// the population has.
const UNDER: f64 = 75.0;

/// A category's least share of the population for its absence to be a trait.
const MIN_SHARE: f64 = 0.1;

/// How clear a difference must be: |z| of the persona's share against the other labelled
/// profiles' (3 is about p < 0.003 two-sided; many categories are compared).
const MIN_Z: f64 = 3.0;

/// Traits shown per persona, the most distinctive first.
const MAX_TRAITS: usize = 5;

/// A category over- or under-represented in a persona.
#[derive(Debug, Clone, PartialEq)]
pub struct Trait {
    /// The field or feature.
    pub column: String,
    /// The category, as text.
    pub value: String,
    /// Its share among the persona's profiles.
    pub share: f64,
    /// Its share among every profile the model labelled.
    pub population_share: f64,
    /// `100 × share / population_share`.
    pub index: f64,
}

/// Each label of the persona model `model` with its traits, by label.
pub fn persona_traits(model: &PersonaModel, frame: &DataFrame) -> Result<BTreeMap<String, Vec<Trait>>, EvalError> {
    let labels: Vec<Option<String>> = frame
        .column(&persona_column(&model.name))?
        .str()?
        .iter()
        .map(|l| l.map(str::to_string))
        .collect();
    let labelled: Vec<usize> = (0..labels.len()).filter(|&row| labels[row].is_some()).collect();
    let mut traits: BTreeMap<String, Vec<Trait>> = BTreeMap::new();
    for column in frame.columns() {
        let name = column.name().as_str();
        if name.starts_with("persona.") || model.features.iter().any(|f| f == name) || !is_categorical(column.dtype()) {
            continue;
        }
        let values: Vec<Option<String>> = column
            .cast(&DataType::String)?
            .str()?
            .iter()
            .map(|v| v.map(str::to_string))
            .collect();
        // Profiles per (label, category) and per category, over the labelled profiles.
        let mut by_label: BTreeMap<(&str, &str), usize> = BTreeMap::new();
        let mut overall: BTreeMap<&str, usize> = BTreeMap::new();
        let mut sizes: BTreeMap<&str, usize> = BTreeMap::new();
        for &row in &labelled {
            let label = labels[row].as_deref().unwrap_or_default();
            *sizes.entry(label).or_default() += 1;
            if let Some(value) = values[row].as_deref() {
                *by_label.entry((label, value)).or_default() += 1;
                *overall.entry(value).or_default() += 1;
            }
        }
        if overall.len() > MAX_CATEGORIES || overall.len() < 2 {
            continue;
        }
        let total = labelled.len() as f64;
        // A flag's trait is its being set (its being unset says the same thing again).
        let flag = column.dtype() == &DataType::Boolean;
        for (&label, &size) in &sizes {
            for (&value, &count) in overall.iter().filter(|(v, _)| !flag || **v == "true") {
                let population_share = count as f64 / total;
                let profiles = by_label.get(&(label, value)).copied().unwrap_or(0);
                let share = profiles as f64 / size as f64;
                let index = 100.0 * share / population_share;
                let over = index >= OVER && profiles >= MIN_PROFILES;
                let under = index <= UNDER && population_share >= MIN_SHARE && size >= MIN_PROFILES;
                let clear = z_against_the_rest((profiles, size), (count, labelled.len())).abs() >= MIN_Z;
                if (over || under) && clear {
                    traits.entry(label.to_string()).or_default().push(Trait {
                        column: name.to_string(),
                        value: value.to_string(),
                        share,
                        population_share,
                        index,
                    });
                }
            }
        }
    }
    for list in traits.values_mut() {
        // The most distinctive first: the furthest from 100 on a log scale; ties by name.
        let distance = |t: &Trait| (t.index.max(1.0) / 100.0).ln().abs();
        list.sort_by(|a, b| {
            distance(b)
                .total_cmp(&distance(a))
                .then_with(|| (&a.column, &a.value).cmp(&(&b.column, &b.value)))
        });
        list.truncate(MAX_TRAITS);
    }
    Ok(traits)
}

/// The two-proportion z statistic (pooled) of `part` (count, size) against the rest of
/// `whole` (count, size).
fn z_against_the_rest(part: (usize, usize), whole: (usize, usize)) -> f64 {
    let (k1, n1) = (part.0 as f64, part.1 as f64);
    let (k2, n2) = ((whole.0 - part.0) as f64, (whole.1 - part.1) as f64);
    if n1 == 0.0 || n2 == 0.0 {
        return 0.0;
    }
    let pooled = (k1 + k2) / (n1 + n2);
    let error = (pooled * (1.0 - pooled) * (1.0 / n1 + 1.0 / n2)).sqrt();
    if error == 0.0 {
        0.0
    } else {
        (k1 / n1 - k2 / n2) / error
    }
}

/// Whether a column of this type can hold categories: text, enums, bools and whole numbers
/// (an hour, a count of a few values).
fn is_categorical(dtype: &DataType) -> bool {
    matches!(
        dtype,
        DataType::String
            | DataType::Boolean
            | DataType::Int8
            | DataType::Int16
            | DataType::Int32
            | DataType::Int64
            | DataType::UInt8
            | DataType::UInt16
            | DataType::UInt32
    ) || matches!(dtype, DataType::Enum(..) | DataType::Categorical(..))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_over_and_under_represented_categories() {
        // 10 VIPs (8 gold), 30 others (3 gold); everyone in the same city; the input `orders`
        // is no trait.
        let tiers: Vec<&str> = (0..40)
            .map(|i| match i {
                0..=7 => "gold",
                8..=9 => "silver",
                10..=12 => "gold",
                _ => "silver",
            })
            .collect();
        let labels: Vec<&str> = (0..40).map(|i| if i < 10 { "vip" } else { "other" }).collect();
        let frame = df!(
            "tier" => tiers,
            "city" => vec!["Paris"; 40],
            "orders" => (0..40).map(|i| i64::from(i < 10)).collect::<Vec<_>>(),
            "persona.shopper" => labels,
        )
        .unwrap();
        let model = PersonaModel {
            name: "shopper".into(),
            clustering: crate::model::Clustering::Kmeans { k: 2 },
            features: vec!["orders".into()],
            scale: crate::model::Scale::Standard,
            impute: crate::model::Impute::Median,
            seed: 0,
            population: None,
            prototypes: Vec::new(),
            uses: Default::default(),
        };
        let traits = persona_traits(&model, &frame).unwrap();
        let vip = &traits["vip"];
        // Gold: 80% of VIPs against 27.5% of everyone.
        let gold = vip.iter().find(|t| t.value == "gold").expect("gold");
        assert_eq!(gold.column, "tier");
        assert!((gold.index - 100.0 * 0.8 / 0.275).abs() < 1e-9, "{vip:?}");
        // Silver is under-represented among VIPs; one city is no trait.
        assert!(vip.iter().any(|t| t.value == "silver" && t.index < UNDER));
        assert!(traits
            .values()
            .flatten()
            .all(|t| t.column != "city" && t.column != "orders"));
    }
}
