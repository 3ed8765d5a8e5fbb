//! Score models (`kind: model`): a label over the events after the cut-off, a horizon, a
//! population and inputs a model can read.
//!
//! **Why**: training evaluates the label over the horizon that follows the cut-off, so it may
//! read only events and profile fields (a feature is computed as of the cut-off, not after it);
//! a model reads numbers, flags and categories, never lists or instants.
//!
//! **Example**: `label: orders_90d == 0` → `model::label-reads-feature`, with the aggregate to
//! write instead.

use super::context::{Context, Names};
use super::names::declare;
use crate::diag::{suggestion_hint, Diagnostic};
use crate::load::raw::RawModel;
use crate::load::{Document, Located};
use crate::model::{BaseType, DataSchema, Duration, ScoreAlgorithm, ScoreInput, ScoreModel, TrainedModel, Type, Uses};
use std::path::Path;

/// The folder of the workspace where `tailor train` saves fitted models.
pub const MODELS_FOLDER: &str = "models";

/// Declares every score model name in `names`.
pub fn declare_models(cx: &mut Context, names: &mut Names) {
    let documents = cx.model_documents();
    names.models = declare(cx, &documents, "model", "model");
}

/// Checks every score model.
pub fn check_models(cx: &mut Context, schema: &DataSchema, names: &Names) -> Vec<ScoreModel> {
    let mut models = Vec::new();
    for doc in cx.model_documents() {
        if let Some(model) = check_model(cx, &doc, schema, names) {
            models.push(model);
        }
    }
    models
}

fn check_model(cx: &mut Context, doc: &Document<&RawModel>, schema: &DataSchema, names: &Names) -> Option<ScoreModel> {
    let raw = doc.value;
    let inputs = inputs(cx, doc, schema, names);
    let mut uses = Uses {
        features: inputs
            .iter()
            .filter(|input| names.features.contains_key(&input.name))
            .map(|input| input.name.clone())
            .collect(),
        ..Uses::default()
    };
    let label = label(cx, doc, schema, names);
    let population = match &raw.population {
        Some(population) => {
            let checked = cx.expression(doc, population, names.scope(schema), Some("a model's `population`"))?;
            uses.extend(&checked.references.uses());
            Some(checked.expr)
        }
        None => None,
    };
    let horizon = duration(cx, doc, &raw.horizon, "horizon");
    let max_age = match &raw.max_age {
        Some(max_age) => Some(duration(cx, doc, max_age, "max_age")?),
        None => None,
    };
    let file = std::path::Path::new(MODELS_FOLDER).join(format!("{}.json", raw.name.value));
    let algorithm = raw.algorithm.as_ref().map_or(ScoreAlgorithm::Logistic, |a| a.value);
    let saved = saved_fit(cx, doc, &file, &inputs, algorithm);
    let (label, label_events) = label?;
    Some(ScoreModel {
        name: raw.name.value.clone(),
        description: raw.description.clone(),
        label,
        label_events,
        horizon: horizon?,
        population,
        inputs,
        algorithm,
        max_age,
        file,
        saved,
        uses,
    })
}

/// The fit `tailor train` saved for the model, if there is one and it reads what the model
/// declares. A missing fit (`score.<name>` cannot be computed until `tailor train`), one that
/// does not read, one trained on other inputs and one of another algorithm are warnings:
/// `tailor train` must still run to replace them. A fit of another algorithm on the same inputs
/// still scores.
fn saved_fit(
    cx: &mut Context,
    doc: &Document<&RawModel>,
    file: &Path,
    inputs: &[ScoreInput],
    algorithm: ScoreAlgorithm,
) -> Option<TrainedModel> {
    let raw = doc.value;
    let path = cx.loaded.root.join(file);
    let Ok(text) = std::fs::read_to_string(&path) else {
        cx.report(
            Diagnostic::warning(
                "model::untrained",
                format!("model `{}` has no saved fit (`{}`)", raw.name.value, file.display()),
            )
            .at_labeled(doc.span(&raw.name), "not trained yet")
            .with_hint("run `tailor train` and commit the file: until then `score.<name>` cannot be computed"),
        );
        return None;
    };
    let saved = match serde_json::from_str::<TrainedModel>(&text) {
        Ok(saved) if saved.model == raw.name.value => saved,
        Ok(saved) => {
            cx.report(
                Diagnostic::warning(
                    "model::bad-saved",
                    format!(
                        "`{}` holds model `{}`, not `{}`",
                        file.display(),
                        saved.model,
                        raw.name.value
                    ),
                )
                .at(doc.span(&raw.name))
                .with_hint("run `tailor train` to write it again"),
            );
            return None;
        }
        Err(error) => {
            cx.report(
                Diagnostic::warning(
                    "model::bad-saved",
                    format!("`{}` does not read: {error}", file.display()),
                )
                .at(doc.span(&raw.name))
                .with_hint("run `tailor train` to write it again"),
            );
            return None;
        }
    };
    // What the fit is, not what the file's `algorithm` says (a hand edit could differ).
    if saved.fit.algorithm() != algorithm {
        let declared_at = raw.algorithm.as_ref().map_or(doc.span(&raw.name), |a| doc.span(a));
        cx.report(
            Diagnostic::warning(
                "model::stale",
                format!(
                    "the saved fit of `{}` is {}, but the model declares {}",
                    raw.name.value,
                    saved.fit.algorithm().name(),
                    algorithm.name()
                ),
            )
            .at_labeled(declared_at, "changed since `tailor train`")
            .with_hint("run `tailor train` again and commit the new fit; until then the saved fit scores"),
        );
    }
    let declared: Vec<&str> = inputs.iter().map(|input| input.name.as_str()).collect();
    let trained = saved.inputs();
    if trained != declared {
        cx.report(
            Diagnostic::warning(
                "model::stale",
                format!(
                    "the saved fit of `{}` reads [{}], but the model declares [{}]",
                    raw.name.value,
                    trained.join(", "),
                    declared.join(", ")
                ),
            )
            .at_labeled(doc.span(&raw.features), "changed since `tailor train`")
            .with_hint("run `tailor train` again and commit the new fit"),
        );
        // A fit that reads an input the model no longer declares cannot be applied.
        if trained.iter().any(|input| !declared.contains(input)) {
            return None;
        }
    }
    Some(saved)
}

/// The label, a condition over events and profile fields only, and the event types it
/// aggregates over.
fn label(
    cx: &mut Context,
    doc: &Document<&RawModel>,
    schema: &DataSchema,
    names: &Names,
) -> Option<(crate::model::Expr, Vec<String>)> {
    let raw = doc.value;
    let checked = cx.expression(doc, &raw.label, names.scope(schema), Some("a model's `label`"))?;
    let references = &checked.references;
    let derived = references
        .features
        .iter()
        .map(|(name, _)| format!("feature `{name}`"))
        .chain(references.segments.iter().map(|(name, _)| format!("segment `{name}`")))
        .chain(references.personas.iter().map(|(name, _)| format!("persona `{name}`")))
        .next();
    if let Some(what) = derived {
        cx.report(
            Diagnostic::error("model::label-reads-feature", format!("the label reads {what}"))
                .at_labeled(doc.span(&raw.label), "computed as of the cut-off, not after it")
                .with_hint(
                    "write the event aggregate itself, for example `count(purchase) == 0`: the label counts the events in the `horizon` after the cut-off",
                ),
        );
        return None;
    }
    if references.events.is_empty() {
        cx.report(
            Diagnostic::error("model::label-without-events", "the label reads no events")
                .at_labeled(doc.span(&raw.label), "the same before and after the cut-off")
                .with_hint(
                    "say what happens in the horizon with an event aggregate, for example `count(purchase) == 0`",
                ),
        );
        return None;
    }
    Some((checked.expr, checked.references.events))
}

/// A positive duration such as `60d`.
fn duration(cx: &mut Context, doc: &Document<&RawModel>, located: &Located<String>, name: &str) -> Option<Duration> {
    cx.value(doc, located, "model::bad-duration", |text| {
        Duration::parse(text)
            .and_then(|d| {
                (d.seconds > 0)
                    .then_some(d)
                    .ok_or_else(|| "a duration of zero".to_string())
            })
            .map_err(|error| format!("`{name}`: {error}"))
    })
}

/// The inputs: features or profile fields that are numbers, flags, text or enums, each once.
fn inputs(cx: &mut Context, doc: &Document<&RawModel>, schema: &DataSchema, names: &Names) -> Vec<ScoreInput> {
    let raw = doc.value;
    let mut inputs: Vec<ScoreInput> = Vec::new();
    if raw.features.value.is_empty() {
        cx.report(
            Diagnostic::error("model::no-features", "a model needs at least one input").at(doc.span(&raw.features)),
        );
    }
    for feature in &raw.features.value {
        let field = schema.profiles.field(&feature.value).map(|f| Some(f.ty.clone()));
        let ty: Option<Option<Type>> = field.or_else(|| names.features.get(&feature.value).cloned());
        let Some(ty) = ty else {
            let candidates = names.features.keys().map(String::as_str).chain(schema.profiles.names());
            cx.report(
                Diagnostic::error("model::unknown-feature", format!("unknown feature `{}`", feature.value))
                    .at(doc.span(feature))
                    .with_optional_hint(suggestion_hint(&feature.value, candidates)),
            );
            continue;
        };
        // A feature whose own expression failed was reported there.
        let Some(ty) = ty else { continue };
        let readable = matches!(
            ty.base,
            BaseType::Int | BaseType::Float | BaseType::Bool | BaseType::String | BaseType::Enum(_)
        );
        if !readable {
            cx.report(
                Diagnostic::error(
                    "model::bad-input",
                    format!(
                        "`{}` is {ty}; a model reads numbers, flags, text and enums",
                        feature.value
                    ),
                )
                .at(doc.span(feature))
                .with_hint("turn it into a number first, for example `days_since(...)` or `size(...)`"),
            );
        } else if inputs.iter().any(|input| input.name == feature.value) {
            cx.report(
                Diagnostic::error(
                    "model::duplicate-feature",
                    format!("`{}` is listed twice", feature.value),
                )
                .at(doc.span(feature)),
            );
        } else {
            inputs.push(ScoreInput {
                name: feature.value.clone(),
                ty,
            });
        }
    }
    inputs
}
