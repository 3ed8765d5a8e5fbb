//! `recommend:`: where a campaign's product recommendations come from, and the per-recipient
//! `exclude:` and `category:` that narrow them.
//!
//! **Why**: recommendations read the catalog and events of known types; a product to leave out
//! or a category to pin must be text the renderer has for each recipient, or every email would
//! recommend the carted product itself, or bags in a sneaker email.
//!
//! **Example**: `exclude: event.product_id` in a scheduled campaign → `campaign::bad-recommend`
//! ("there is no trigger event").

use std::collections::BTreeMap;

use super::context::Context;
use crate::diag::{suggestion_hint, Diagnostic};
use crate::expr::parse;
use crate::load::raw::{RawCampaign, RawRecommend};
use crate::load::{Document, Located};
use crate::model::{DataSchema, EventSchema, ExprKind, Literal, RecipientText, Recommend, RecommendSource, Type};

/// What a campaign's recommendations may refer to.
pub struct RecommendScope<'s> {
    /// The data schema.
    pub schema: &'s DataSchema,
    /// Feature types (`None` while unknown).
    pub features: &'s BTreeMap<String, Option<Type>>,
    /// The trigger's event type, for an event-triggered campaign.
    pub event: Option<&'s EventSchema>,
}

/// Checks `recommend:`: a catalog, the events its source reads, a positive `limit`, and
/// `exclude:` and `category:` as text known per recipient.
pub fn recommend(
    cx: &mut Context,
    doc: &Document<&RawCampaign>,
    raw: &Located<RawRecommend>,
    scope: &RecommendScope,
) -> Option<Recommend> {
    let schema = scope.schema;
    let Some(catalog) = &schema.catalog else {
        let d = Diagnostic::error(
            "campaign::recommend-without-catalog",
            "recommendations need a `catalog` in the data schema",
        )
        .at(doc.span(raw))
        .with_hint("declare `catalog:` (products with at least `id`) in the `kind: data` document");
        cx.report(d);
        return None;
    };
    let source = raw.value.from.value;
    let roles = &schema.roles;
    let needs: Vec<(&str, &str)> = match source {
        RecommendSource::RecentlyViewed => vec![(&roles.view, &roles.product)],
        RecommendSource::PopularInCategory => vec![(&roles.purchase, &roles.product), (&roles.view, &roles.category)],
    }
    .into_iter()
    .map(|(e, p)| (e.as_str(), p.as_str()))
    .collect();
    let mut ok = true;
    for (event, property) in needs {
        if schema.event(event).and_then(|e| e.properties.field(property)).is_none() {
            let d = Diagnostic::error(
                "campaign::recommend-needs-events",
                format!(
                    "`{}` needs events `{event}` with a `{property}` property",
                    source_name(source)
                ),
            )
            .at(doc.span(&raw.value.from))
            .with_hint("name your own event types and properties in the data schema's `events.roles`");
            cx.report(d);
            ok = false;
        }
    }
    let needs_category = source == RecommendSource::PopularInCategory || raw.value.category.is_some();
    if needs_category && catalog.field("category").is_none() {
        cx.report(
            Diagnostic::error(
                "campaign::recommend-needs-events",
                "recommending by category needs a `category` field in the catalog",
            )
            .at(doc.span(&raw.value.from)),
        );
        ok = false;
    }
    let limit = match &raw.value.limit {
        Some(l) => cx.value(doc, l, "campaign::bad-limit", |l| {
            u32::try_from(*l)
                .ok()
                .filter(|l| *l >= 1)
                .ok_or_else(|| "`limit` must be a whole number of at least 1".to_string())
        })?,
        None => 3,
    };
    let exclude = raw
        .value
        .exclude
        .as_ref()
        .map(|e| recipient_text(cx, doc, e, scope, "exclude"));
    let category = raw
        .value
        .category
        .as_ref()
        .map(|c| recipient_text(cx, doc, c, scope, "category"));
    let (exclude, category) = (exclude.transpose(), category.transpose());
    Some(Recommend {
        source,
        exclude_purchased: raw.value.exclude_purchased.unwrap_or(false),
        limit,
        exclude: exclude.ok()?,
        category: category.ok()?,
    })
    .filter(|_| ok)
}

/// `exclude:` or `category:` read as text known per recipient; `Err` once reported.
fn recipient_text(
    cx: &mut Context,
    doc: &Document<&RawCampaign>,
    located: &Located<String>,
    scope: &RecommendScope,
    field: &str,
) -> Result<RecipientText, ()> {
    let fail = |cx: &mut Context, message: String, hint: Option<String>| {
        let d = Diagnostic::error("campaign::bad-recommend", message)
            .at(doc.span(located))
            .with_optional_hint(hint);
        cx.report(d);
        Err(())
    };
    let usage = format!(
        "`{field}` takes a quoted text, `event.<property>` of the trigger event, or a profile field or feature"
    );
    let Ok(expr) = parse(&located.value) else {
        return fail(cx, format!("`{}` is not an expression", located.value), Some(usage));
    };
    let parts: Vec<&str> = match &expr.kind {
        ExprKind::Literal(Literal::String(text)) => return Ok(RecipientText::Literal(text.clone())),
        ExprKind::Path(parts) => parts.iter().map(|p| p.name.as_str()).collect(),
        _ => {
            return fail(
                cx,
                format!("`{}` is not a text known per recipient", located.value),
                Some(usage),
            )
        }
    };
    let (text, ty) = match parts.as_slice() {
        ["event", property] => {
            let Some(event) = scope.event else {
                let message = format!("`{}` needs a trigger event, and this campaign has none", located.value);
                return fail(cx, message, Some(usage));
            };
            match event.properties.field(property) {
                Some(f) => (RecipientText::EventProperty(property.to_string()), Some(f.ty.clone())),
                None => {
                    let message = format!("`{}` events have no property `{property}`", event.name);
                    return fail(cx, message, suggestion_hint(property, event.properties.names()));
                }
            }
        }
        ["user", name] | [name] => {
            let field = scope.schema.profiles.field(name).map(|f| Some(f.ty.clone()));
            match field.or_else(|| scope.features.get(*name).cloned()) {
                Some(ty) => (RecipientText::Profile(name.to_string()), ty),
                None => {
                    let names = scope
                        .schema
                        .profiles
                        .names()
                        .chain(scope.features.keys().map(String::as_str));
                    let message = format!("there is no profile field or feature `{name}`");
                    return fail(cx, message, suggestion_hint(name, names));
                }
            }
        }
        _ => {
            return fail(
                cx,
                format!("`{}` is not a text known per recipient", located.value),
                Some(usage),
            )
        }
    };
    match ty {
        Some(ty) if !ty.base.is_textual() => fail(
            cx,
            format!("`{field}` needs text, and `{}` is {ty}", located.value),
            Some(usage),
        ),
        _ => Ok(text),
    }
}

fn source_name(source: RecommendSource) -> &'static str {
    match source {
        RecommendSource::RecentlyViewed => "recently_viewed",
        RecommendSource::PopularInCategory => "popular_in_category",
    }
}
