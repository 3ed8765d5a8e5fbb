//! Persona models (`kind: personas`): numeric inputs, parameters that fit the algorithm, and
//! prototypes over the model's own features.
//!
//! **Why**: clustering needs numbers; K-Means needs `k`, DBSCAN `eps` and `min_points`; a
//! prototype naming a feature the model does not use could never match.
//!
//! **Example**: `algorithm: kmeans` without `k` → `personas::missing-parameter`.

use super::context::{Context, Names};
use super::names::declare;
use crate::diag::{suggestion_hint, Diagnostic};
use crate::load::raw::RawPersonas;
use crate::load::{Document, Located};
use crate::model::{Algorithm, Impute, Scale, Uses};
use crate::model::{Clustering, DataSchema, PersonaLabels, PersonaModel, Type};

/// Declares every persona model name in `names`.
pub fn declare_personas(cx: &mut Context, names: &mut Names) {
    let documents = cx.persona_documents();
    names.personas = declare(cx, &documents, "personas", "persona model");
    names.persona_labels = documents
        .iter()
        .filter_map(|doc| Some((doc.value.name.value.clone(), labels(doc.value)?)))
        .collect();
}

/// The labels a model can give, when its algorithm's parameters read (they are checked later).
fn labels(raw: &RawPersonas) -> Option<PersonaLabels> {
    let prototypes = raw
        .names
        .as_ref()
        .map(|names| names.0.iter().map(|(name, _)| name.value.clone()).collect())
        .unwrap_or_default();
    match raw.algorithm.value {
        Algorithm::Kmeans => {
            let k = u32::try_from(raw.k.as_ref()?.value).ok()?;
            Some(PersonaLabels::kmeans(k, prototypes))
        }
        Algorithm::Dbscan => Some(PersonaLabels::dbscan(prototypes)),
    }
}

/// Checks every persona model.
pub fn check_personas(cx: &mut Context, schema: &DataSchema, names: &Names) -> Vec<PersonaModel> {
    let mut models = Vec::new();
    for doc in cx.persona_documents() {
        if let Some(model) = check_model(cx, &doc, schema, names) {
            models.push(model);
        }
    }
    models
}

fn positive(cx: &mut Context, doc: &Document<&RawPersonas>, value: &Option<Located<i64>>, name: &str) -> Option<u32> {
    let algorithm = &doc.value.algorithm;
    let algorithm_name = if algorithm.value == Algorithm::Kmeans {
        "kmeans"
    } else {
        "dbscan"
    };
    match value {
        None => {
            let d = Diagnostic::error(
                "personas::missing-parameter",
                format!("`{algorithm_name}` needs `{name}`"),
            )
            .at_labeled(doc.span(algorithm), format!("`{name}` is missing"))
            .with_hint(format!("add `{name}:` with a whole number of at least 1"));
            cx.report(d);
            None
        }
        Some(located) => cx.value(doc, located, "personas::bad-parameter", |v| {
            u32::try_from(*v)
                .ok()
                .filter(|v| *v >= 1)
                .ok_or_else(|| format!("`{name}` must be a whole number of at least 1"))
        }),
    }
}

fn unused<D, V>(cx: &mut Context, doc: &Document<D>, value: &Option<Located<V>>, name: &str, algorithm: &str) {
    if let Some(located) = value {
        let d = Diagnostic::error(
            "personas::bad-parameter",
            format!("`{name}` does not apply to `{algorithm}`"),
        )
        .at(doc.span(located))
        .with_hint("remove it");
        cx.report(d);
    }
}

fn check_model(
    cx: &mut Context,
    doc: &Document<&RawPersonas>,
    schema: &DataSchema,
    names: &Names,
) -> Option<PersonaModel> {
    let raw = doc.value;
    let clustering = clustering(cx, doc);
    let features = inputs(cx, doc, schema, names);
    let mut uses = Uses {
        features: features
            .iter()
            .filter(|name| names.features.contains_key(*name))
            .cloned()
            .collect(),
        ..Uses::default()
    };
    let population = match &raw.population {
        Some(population) => {
            let checked = cx.expression(doc, population, names.scope(schema), Some("a persona `population`"))?;
            uses.extend(&checked.references.uses());
            Some(checked.expr)
        }
        None => None,
    };
    let prototypes = prototypes(cx, doc);
    if let (Some(Clustering::Kmeans { k }), Some(names_map)) = (&clustering, &raw.names) {
        if prototypes.len() > *k as usize {
            let d = Diagnostic::error(
                "personas::too-many-prototypes",
                format!("{} prototypes for {k} clusters", prototypes.len()),
            )
            .at(names_map.0.first().map(|(n, _)| doc.span(n)).unwrap_or(doc.whole))
            .with_hint("each cluster takes one name: use at most `k` prototypes or raise `k`");
            cx.report(d);
        }
    }
    Some(PersonaModel {
        name: raw.name.value.clone(),
        clustering: clustering?,
        features,
        scale: raw.scale.as_ref().map_or(Scale::Standard, |s| s.value),
        impute: raw.impute.as_ref().map_or(Impute::Median, |i| i.value),
        seed: raw.seed.unwrap_or(0),
        population,
        prototypes,
        uses,
    })
}

/// The algorithm and its parameters: `k` for K-Means, `eps` and `min_points` for DBSCAN
/// (a parameter of the other algorithm is an error).
fn clustering(cx: &mut Context, doc: &Document<&RawPersonas>) -> Option<Clustering> {
    let raw = doc.value;
    match raw.algorithm.value {
        Algorithm::Kmeans => {
            unused(cx, doc, &raw.eps, "eps", "kmeans");
            unused(cx, doc, &raw.min_points, "min_points", "kmeans");
            positive(cx, doc, &raw.k, "k").map(|k| Clustering::Kmeans { k })
        }
        Algorithm::Dbscan => {
            unused(cx, doc, &raw.k, "k", "dbscan");
            let min_points = positive(cx, doc, &raw.min_points, "min_points");
            let eps = match &raw.eps {
                None => {
                    cx.report(
                        Diagnostic::error("personas::missing-parameter", "`dbscan` needs `eps`")
                            .at_labeled(doc.span(&raw.algorithm), "`eps` is missing")
                            .with_hint("add `eps:` with a positive radius"),
                    );
                    None
                }
                Some(eps) => cx.value(doc, eps, "personas::bad-parameter", |v| {
                    (v.is_finite() && *v > 0.0)
                        .then_some(*v)
                        .ok_or_else(|| "`eps` must be a positive number".to_string())
                }),
            };
            match (eps, min_points) {
                (Some(eps), Some(min_points)) => Some(Clustering::Dbscan { eps, min_points }),
                _ => None,
            }
        }
    }
}

/// The clustering inputs: numeric profile fields or features, each once.
fn inputs(cx: &mut Context, doc: &Document<&RawPersonas>, schema: &DataSchema, names: &Names) -> Vec<String> {
    let raw = doc.value;
    let mut features = Vec::new();
    if raw.features.value.is_empty() {
        cx.report(
            Diagnostic::error("personas::no-features", "a persona model needs at least one feature")
                .at(doc.span(&raw.features)),
        );
    }
    for feature in &raw.features.value {
        let ty: Option<Type> = schema
            .profiles
            .field(&feature.value)
            .map(|f| f.ty.clone())
            .or_else(|| names.features.get(&feature.value).cloned().flatten());
        let known = schema.profiles.field(&feature.value).is_some() || names.features.contains_key(&feature.value);
        if !known {
            let candidates = names.features.keys().map(String::as_str).chain(schema.profiles.names());
            let d = Diagnostic::error(
                "personas::unknown-feature",
                format!("unknown feature `{}`", feature.value),
            )
            .at(doc.span(feature))
            .with_optional_hint(suggestion_hint(&feature.value, candidates));
            cx.report(d);
        } else if let Some(ty) = ty.filter(|t| !t.base.is_numeric()) {
            let d = Diagnostic::error(
                "personas::not-numeric",
                format!("`{}` is {ty}; clustering needs numbers", feature.value),
            )
            .at(doc.span(feature))
            .with_hint("use a numeric feature, for example a count or a `days_since`");
            cx.report(d);
        } else if features.contains(&feature.value) {
            cx.report(
                Diagnostic::error(
                    "personas::duplicate-feature",
                    format!("`{}` is listed twice", feature.value),
                )
                .at(doc.span(feature)),
            );
        } else {
            features.push(feature.value.clone());
        }
    }
    features
}

/// The named prototypes, each a point in the clustering inputs' raw units.
fn prototypes(cx: &mut Context, doc: &Document<&RawPersonas>) -> Vec<(String, Vec<(String, f64)>)> {
    let raw = doc.value;
    let mut prototypes = Vec::new();
    for (name, values) in raw.names.iter().flat_map(|n| n.iter()) {
        super::names::check_name_shape(cx, doc.span(name), &name.value, "persona");
        let mut point = Vec::new();
        for (feature, value) in values.iter() {
            if !raw.features.value.iter().any(|f| f.value == feature.value) {
                let d = Diagnostic::error(
                    "personas::unknown-feature",
                    format!(
                        "prototype `{}` uses `{}`, which the model does not cluster on",
                        name.value, feature.value
                    ),
                )
                .at(doc.span(feature))
                .with_optional_hint(suggestion_hint(
                    &feature.value,
                    raw.features.value.iter().map(|f| f.value.as_str()),
                ));
                cx.report(d);
            } else if !value.value.is_finite() {
                cx.report(
                    Diagnostic::error("personas::bad-parameter", "prototype values must be finite numbers")
                        .at(doc.span(value)),
                );
            } else {
                point.push((feature.value.clone(), value.value));
            }
        }
        prototypes.push((name.value.clone(), point));
    }
    prototypes
}
