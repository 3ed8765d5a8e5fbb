//! Campaigns (`kind: campaign`): audience, exactly one of schedule/trigger, variants and
//! holdout, goal, recommendations, and every template in each variant's context.
//!
//! **Why**: a campaign is what sends; each of its references must resolve before data is read.
//!
//! **Example**: both `schedule:` and `trigger:` → `campaign::timing`; a variant with
//! `weight: 0` → `campaign::bad-weight`.

use std::collections::BTreeMap;

use chrono::NaiveDateTime;

use super::context::{Context, Names};
use super::names::{declare, unique_names};
use super::recommend::{recommend, RecommendScope};
use super::templates::{check_file, check_inline, Partials};
use crate::diag::{suggestion_hint, Diagnostic, Span};
use crate::expr::Scope;
use crate::load::raw::{RawCampaign, RawGoal, RawRollout, RawSchedule, RawTrigger, RawVars, RawWeight};
use crate::load::{path_from, relative_path, Document, Located};
use crate::model::*;
use crate::template::{ContextBuilder, TemplateContext, Value};

/// Declares every campaign name in `names`.
pub fn declare_campaigns(cx: &mut Context, names: &mut Names) {
    let documents = cx.campaign_documents();
    names.campaigns = declare(cx, &documents, "campaign", "campaign");
}

/// The shared inputs of campaign checks.
pub struct CampaignInputs<'a> {
    /// The data schema.
    pub schema: &'a DataSchema,
    /// Declared names.
    pub names: &'a Names,
    /// Builds template contexts.
    pub context: &'a ContextBuilder,
}

/// Checks every campaign.
pub fn check_campaigns(cx: &mut Context, inputs: &CampaignInputs) -> Vec<Campaign> {
    let html_partials = Partials::new(cx, true);
    let text_partials = Partials::new(cx, false);
    let mut campaigns = Vec::new();
    // The first of two campaigns with one name is kept (the second is a `names::duplicate`).
    let mut seen = std::collections::HashSet::new();
    for doc in cx.campaign_documents() {
        if let Some(campaign) = check_campaign(cx, &doc, inputs, (&html_partials, &text_partials)) {
            if seen.insert(campaign.name.clone()) {
                campaigns.push(campaign);
            }
        }
    }
    campaigns
}

fn duration<D>(
    cx: &mut Context,
    doc: &Document<D>,
    value: &Option<Located<String>>,
    default: Option<Duration>,
) -> Result<Option<Duration>, ()> {
    match value {
        Some(v) => cx
            .value(doc, v, "campaign::bad-duration", |d| Duration::parse(d))
            .map(Some)
            .ok_or(()),
        None => Ok(default),
    }
}

fn event_type<'s, D>(
    cx: &mut Context,
    doc: &Document<D>,
    schema: &'s DataSchema,
    name: &Located<String>,
) -> Option<&'s EventSchema> {
    let found = schema.event(&name.value);
    if found.is_none() {
        let d = Diagnostic::error(
            "campaign::unknown-event-type",
            format!("unknown event type `{}`", name.value),
        )
        .at_labeled(doc.span(name), "not declared under `events.types`")
        .with_optional_hint(suggestion_hint(&name.value, schema.event_names()));
        cx.report(d);
    }
    found
}

fn schedule<D>(cx: &mut Context, doc: &Document<D>, raw: &RawSchedule) -> Option<Timing> {
    let at = cx.value(doc, &raw.at, "campaign::bad-time", |at| {
        NaiveDateTime::parse_from_str(at, "%Y-%m-%dT%H:%M")
            .or_else(|_| NaiveDateTime::parse_from_str(at, "%Y-%m-%dT%H:%M:%S"))
            .map_err(|_| format!("`{at}` is not a local date and time such as `2026-12-01T09:00`"))
    });
    let zone = match &raw.timezone {
        None => Some(ScheduleZone::Recipient),
        Some(zone) if zone.value == "recipient" => Some(ScheduleZone::Recipient),
        Some(zone) => cx.value(doc, zone, "campaign::bad-timezone", |z| {
            parse_zone(z).map(ScheduleZone::Named)
        }),
    };
    let expire = duration(cx, doc, &raw.expire, Some(Duration { seconds: 2 * 86_400 }))
        .ok()
        .flatten();
    Some(Timing::Schedule(Schedule {
        at: at?,
        zone: zone?,
        expire: expire?,
    }))
}

fn trigger<'s, D>(
    cx: &mut Context,
    doc: &Document<D>,
    raw: &RawTrigger,
    whole: &Located<RawTrigger>,
    inputs: &CampaignInputs<'s>,
    uses: &mut Uses,
) -> (Option<Timing>, Option<&'s EventSchema>) {
    let schema = inputs.schema;
    match (&raw.on, &raw.when) {
        (Some(on), None) => {
            let event = event_type(cx, doc, schema, on);
            uses.events.extend(event.map(|e| e.name.clone()));
            let condition = match (&raw.condition, event) {
                (Some(condition), Some(event)) => {
                    let scope = Scope {
                        event: Some(event),
                        aggregates: false,
                        ..inputs.names.scope(schema)
                    };
                    cx.expression(doc, condition, scope, Some("a trigger's `where`"))
                        .map(|c| {
                            uses.extend(&c.references.uses());
                            Some(c.expr)
                        })
                }
                _ => Some(None),
            };
            let unless: Result<Option<String>, ()> = match &raw.unless {
                None => Ok(None),
                Some(u) => event_type(cx, doc, schema, u).map(|e| Some(e.name.clone())).ok_or(()),
            };
            let after = duration(cx, doc, &raw.after, Some(Duration { seconds: 0 }));
            let expire = duration(cx, doc, &raw.expire, Some(Duration { seconds: 86_400 }));
            let once_per = duration(cx, doc, &raw.once_per, None);
            let timing = (|| {
                Some(Timing::Event(EventTrigger {
                    on: event?.name.clone(),
                    condition: condition?,
                    after: after.ok()??,
                    unless: unless.ok()?,
                    expire: expire.ok()??,
                    once_per: once_per.ok()?,
                }))
            })();
            (timing, event)
        }
        (None, Some(when)) => {
            for (key, value) in [
                ("where", raw.condition.as_ref().map(|v| doc.span(v))),
                ("after", raw.after.as_ref().map(|v| doc.span(v))),
                ("unless", raw.unless.as_ref().map(|v| doc.span(v))),
                ("expire", raw.expire.as_ref().map(|v| doc.span(v))),
            ] {
                if let Some(span) = value {
                    let d = Diagnostic::error(
                        "campaign::bad-trigger",
                        format!("`{key}` applies to event triggers (`on:`), not to `when:`"),
                    )
                    .at(span)
                    .with_hint("remove it, or trigger on an event");
                    cx.report(d);
                }
            }
            let condition = cx.expression(doc, when, inputs.names.scope(schema), Some("a trigger's `when`"));
            if let Some(checked) = &condition {
                uses.extend(&checked.references.uses());
            }
            let once_per = match &raw.once_per {
                Some(once_per) => cx.value(doc, once_per, "campaign::bad-duration", |d| Duration::parse(d)),
                None => {
                    let d = Diagnostic::error("campaign::missing-once-per", "a condition trigger needs `once_per`")
                        .at(doc.span(when))
                        .with_hint("without it the campaign would send on every run while the condition holds: add `once_per: 90d`");
                    cx.report(d);
                    None
                }
            };
            let timing = condition
                .zip(once_per)
                .map(|(c, once_per)| Timing::Condition(ConditionTrigger { when: c.expr, once_per }));
            (timing, None)
        }
        (on, _) => {
            let message = if on.is_some() {
                "a trigger has either `on:` (an event) or `when:` (a condition), not both"
            } else {
                "a trigger needs `on:` (an event type) or `when:` (a condition)"
            };
            cx.report(Diagnostic::error("campaign::bad-trigger", message).at(doc.span(whole)));
            (None, None)
        }
    }
}

fn vars_of(raw: Option<&RawVars>) -> BTreeMap<String, serde_json::Value> {
    raw.map(|v| v.iter().map(|(k, v)| (k.value.clone(), v.value.clone())).collect())
        .unwrap_or_default()
}

fn template_ref<D>(cx: &mut Context, doc: &Document<D>, path: &Located<String>) -> Option<TemplateRef> {
    let folder = cx.loaded.folder_of(doc.file);
    if !path.value.ends_with(".liquid") {
        let d = Diagnostic::error(
            "campaign::bad-template",
            format!("`{}` is not a Liquid template", path.value),
        )
        .at(doc.span(path))
        .with_hint("template files end in `.liquid` (or `.mjml.liquid` for MJML)");
        cx.report(d);
        return None;
    }
    match cx.loaded.template(&folder, &path.value) {
        Some(template) => Some(TemplateRef {
            path: template.relative.clone(),
            file: template.file,
            mjml: path.value.ends_with(".mjml.liquid"),
        }),
        None => {
            // Suggest the templates as this document names them: from its own folder.
            let from = relative_path(&cx.loaded.root, &folder).unwrap_or_default();
            let named: Vec<String> = cx
                .loaded
                .templates
                .iter()
                .map(|t| path_from(&from, &t.relative))
                .collect();
            let known = named.iter().map(String::as_str);
            let d = Diagnostic::error(
                "campaign::missing-template",
                format!("template `{}` does not exist", path.value),
            )
            .at_labeled(doc.span(path), "no such file in the workspace")
            .with_optional_hint(suggestion_hint(&path.value, known))
            .with_hint("paths are relative to the document's own folder");
            cx.report(d);
            None
        }
    }
}

/// The arms of a campaign before their templates are checked.
struct Arm<'r> {
    name: Located<String>,
    weight: u32,
    subject: &'r Located<String>,
    preheader: Option<&'r Located<String>>,
    html: Option<TemplateRef>,
    text: Option<TemplateRef>,
    /// Where the `html:` and `text:` in force are written.
    template_fields: (Span, Option<Span>),
    vars: BTreeMap<String, serde_json::Value>,
    from: Option<&'r Located<String>>,
    schedule: Option<&'r Located<RawSchedule>>,
}

fn check_campaign(
    cx: &mut Context,
    doc: &Document<&RawCampaign>,
    inputs: &CampaignInputs,
    partials: (&Partials, &Partials),
) -> Option<Campaign> {
    let raw = doc.value;
    let schema = inputs.schema;
    let mut uses = Uses::default();
    let audience = raw.audience.as_ref().map(|audience| {
        let scope = inputs.names.scope(schema);
        cx.expression(doc, audience, scope, Some("a campaign's `audience`"))
            .map(|c| {
                uses.extend(&c.references.uses());
                c.expr
            })
    });
    let (timing, trigger_event) = timing(cx, doc, inputs, &mut uses);
    let arms = arms(cx, doc);
    let recommend_scope = RecommendScope {
        schema,
        features: &inputs.names.features,
        event: trigger_event,
    };
    let recommend = raw
        .recommend
        .as_ref()
        .and_then(|r| recommend(cx, doc, r, &recommend_scope));
    let catalog = recommend.as_ref().and(schema.catalog.as_ref());
    let mut variants = Vec::new();
    for arm in arms {
        let mut context = inputs.context.campaign(trigger_event, arm_vars(&arm), catalog);
        // A trigger or `recommend:` already reported as broken does not make each use an error.
        if raw.trigger.as_ref().is_some_and(|t| t.value.on.is_some()) && trigger_event.is_none() {
            context.assume("event");
        }
        if raw.recommend.is_some() && catalog.is_none() {
            context.assume("recommendations");
        }
        let schedule = arm.schedule.and_then(|s| variant_schedule(cx, doc, s, timing.as_ref()));
        let variant = check_arm(cx, doc, arm, &context, partials);
        variants.extend(variant.filter(|_| timing.is_some()).map(|v| Variant { schedule, ..v }));
    }
    let holdout = holdout(cx, doc);
    let goal = raw.goal.as_ref().and_then(|g| goal(cx, doc, schema, &g.value));
    let rollout = match &raw.rollout {
        Some(r) => Some(rollout(cx, doc, r, variants.len(), raw.goal.is_some())?),
        None => None,
    };
    if let Some(salt) = &raw.salt {
        if salt.value.is_empty() {
            cx.report(Diagnostic::error("campaign::bad-salt", "the salt is empty").at(doc.span(salt)));
        }
    }
    // `Some(None)`: there is an audience and it did not check.
    let audience = match audience {
        Some(checked) => Some(checked?),
        None => None,
    };
    Some(Campaign {
        name: raw.name.value.clone(),
        audience,
        timing: timing?,
        variants,
        holdout: holdout?,
        salt: raw.salt.as_ref().map_or(raw.name.value.clone(), |s| s.value.clone()),
        goal,
        recommend,
        priority: raw.priority.as_ref().map_or(0, |p| p.value),
        enabled: raw.enabled.unwrap_or(true),
        ignore_frequency_cap: raw.ignore_frequency_cap.unwrap_or(false),
        rollout,
        uses,
    })
}

/// A variant's own `schedule:` (a send-time test): only a scheduled campaign's variants may
/// have one.
fn variant_schedule(
    cx: &mut Context,
    doc: &Document<&RawCampaign>,
    raw: &Located<RawSchedule>,
    timing: Option<&Timing>,
) -> Option<Schedule> {
    if !matches!(timing, Some(Timing::Schedule(_))) {
        let d = Diagnostic::error(
            "campaign::variant-schedule",
            "only the variants of a scheduled campaign can have their own `schedule:`",
        )
        .at(doc.span(raw))
        .with_hint("a triggered campaign sends when its trigger fires: remove the variant's `schedule:`");
        cx.report(d);
        return None;
    }
    match schedule(cx, doc, &raw.value)? {
        Timing::Schedule(schedule) => Some(schedule),
        _ => None,
    }
}

/// `rollout:`: a test share below 100%, a duration, a metric the campaign can measure (clicks,
/// or conversions of its goal) and a probability in [0.5, 1); it needs two variants to choose
/// from.
fn rollout(
    cx: &mut Context,
    doc: &Document<&RawCampaign>,
    raw: &Located<RawRollout>,
    variants: usize,
    has_goal: bool,
) -> Option<Rollout> {
    let r = &raw.value;
    if variants < 2 {
        let d = Diagnostic::error(
            "campaign::bad-rollout",
            "a rollout chooses between variants, and there is only one",
        )
        .at(doc.span(raw))
        .with_hint("list two or more `variants:`, or remove `rollout:`");
        cx.report(d);
        return None;
    }
    let test_share = cx.value(doc, &r.test_share, "campaign::bad-rollout", |t| {
        Percent::parse(t).and_then(|p| {
            if p.hundredths == 0 || p.hundredths >= 10_000 {
                Err("the test share must be above 0% and below 100%".into())
            } else {
                Ok(p)
            }
        })
    });
    let decide_after = cx.value(doc, &r.decide_after, "campaign::bad-duration", |d| Duration::parse(d));
    let metric = cx.value(doc, &r.metric, "campaign::bad-rollout", |m| match m.as_str() {
        "click" => Ok(Metric::Click),
        "conversion" if has_goal => Ok(Metric::Conversion),
        "conversion" => Err("`metric: conversion` counts the campaign's `goal:`, and it has none".to_string()),
        other => Err(format!(
            "`{other}` is not a rollout metric: use `click` or `conversion`"
        )),
    });
    let min_probability = match &r.min_probability {
        Some(p) => cx.value(doc, p, "campaign::bad-rollout", |p| {
            if (0.5..1.0).contains(p) {
                Ok(*p)
            } else {
                Err(format!("`{p}` is not a probability in [0.5, 1)"))
            }
        }),
        None => Some(0.95),
    };
    Some(Rollout {
        test_share: test_share?,
        decide_after: decide_after?,
        metric: metric?,
        min_probability: min_probability?,
    })
}

/// `schedule:` or `trigger:` (exactly one), and the event type a trigger fires on.
fn timing<'s>(
    cx: &mut Context,
    doc: &Document<&RawCampaign>,
    inputs: &CampaignInputs<'s>,
    uses: &mut Uses,
) -> (Option<Timing>, Option<&'s EventSchema>) {
    let raw = doc.value;
    match (&raw.schedule, &raw.trigger) {
        (Some(s), None) => (schedule(cx, doc, &s.value), None),
        (None, Some(t)) => trigger(cx, doc, &t.value, t, inputs, uses),
        (Some(s), Some(t)) => {
            let d = Diagnostic::error(
                "campaign::timing",
                "a campaign has either `schedule:` or `trigger:`, not both",
            )
            .at_labeled(doc.span(t), "remove this")
            .with_label(doc.span(s), "or this");
            cx.report(d);
            (None, None)
        }
        (None, None) => {
            let d = Diagnostic::error("campaign::timing", "a campaign needs `schedule:` or `trigger:`")
                .at(doc.span(&raw.name))
                .with_hint("add `schedule: { at: \"2026-12-01T09:00\" }` or a `trigger:`");
            cx.report(d);
            (None, None)
        }
    }
}

/// The campaign's arms: its `variants:`, or one `default` variant made of the campaign's own
/// subject and templates; each variant takes what it does not set from the campaign.
fn arms<'r>(cx: &mut Context, doc: &Document<&'r RawCampaign>) -> Vec<Arm<'r>> {
    let raw = doc.value;
    let base_vars = vars_of(raw.vars.as_ref());
    let html = template_ref(cx, doc, &raw.html);
    let text = raw.text.as_ref().and_then(|t| template_ref(cx, doc, t));
    let mut arms = Vec::new();
    match &raw.variants {
        None => arms.push(Arm {
            name: Located {
                value: "default".into(),
                start: raw.name.start,
                end: raw.name.end,
            },
            weight: 1,
            subject: &raw.subject,
            preheader: raw.preheader.as_ref(),
            html: html.clone(),
            text: text.clone(),
            template_fields: (doc.span(&raw.html), raw.text.as_ref().map(|t| doc.span(t))),
            vars: base_vars.clone(),
            from: raw.from.as_ref(),
            schedule: None,
        }),
        Some(variants) => {
            if variants.value.is_empty() {
                cx.report(
                    Diagnostic::error("campaign::no-variants", "`variants:` is empty")
                        .at(doc.span(variants))
                        .with_hint("list at least one variant, or remove `variants:`"),
                );
            }
            let declared = variants
                .value
                .iter()
                .map(|v| (doc.span(&v.value.name), &v.value.name))
                .collect();
            unique_names(cx, "variant", declared);
            for variant in &variants.value {
                let v = &variant.value;
                if Bucket::from_name(&v.name.value).is_some() {
                    let d = Diagnostic::error(
                        "campaign::reserved-variant",
                        format!("`{}` is a bucket name and cannot name a variant", v.name.value),
                    )
                    .at(doc.span(&v.name))
                    .with_hint("plans and reports use bucket names alongside variant names: pick another name");
                    cx.report(d);
                }
                let weight =
                    cx.value(doc, &v.weight, "campaign::bad-weight", |w| match w {
                        RawWeight::Whole(w) => u32::try_from(*w)
                            .ok()
                            .filter(|w| *w >= 1)
                            .ok_or_else(|| format!("weight `{w}` must be a positive whole number")),
                        RawWeight::Fraction(f) => Err(format!(
                        "weight `{f}` is not a whole number: weights are relative whole numbers, such as `1` and `3`"
                    )),
                        RawWeight::Text(t) => Err(format!(
                        "`{t}` is not a weight: weights are relative whole numbers (`50` and `50`, or `1` and `1`){}",
                        if t.trim_end().ends_with('%') { ", not percentages" } else { "" }
                    )),
                    });
                let mut vars = base_vars.clone();
                vars.extend(vars_of(v.vars.as_ref()));
                arms.push(Arm {
                    name: v.name.clone(),
                    weight: weight.unwrap_or(1),
                    subject: v.subject.as_ref().unwrap_or(&raw.subject),
                    preheader: v.preheader.as_ref().or(raw.preheader.as_ref()),
                    html: match &v.html {
                        Some(h) => template_ref(cx, doc, h),
                        None => html.clone(),
                    },
                    text: match &v.text {
                        Some(t) => template_ref(cx, doc, t),
                        None => text.clone(),
                    },
                    template_fields: (
                        doc.span(v.html.as_ref().unwrap_or(&raw.html)),
                        v.text.as_ref().or(raw.text.as_ref()).map(|t| doc.span(t)),
                    ),
                    vars,
                    from: v.from.as_ref().or(raw.from.as_ref()),
                    schedule: v.schedule.as_ref(),
                });
            }
        }
    }
    arms
}

/// An arm's `vars:` as template values.
fn arm_vars(arm: &Arm) -> BTreeMap<String, Value> {
    arm.vars.iter().map(|(k, v)| (k.clone(), Value::from_json(v))).collect()
}

/// Checks one arm's subject, sender and templates in `context`; the variant, when it has its
/// HTML template.
fn check_arm(
    cx: &mut Context,
    doc: &Document<&RawCampaign>,
    arm: Arm,
    context: &TemplateContext,
    partials: (&Partials, &Partials),
) -> Option<Variant> {
    if arm.subject.value.trim().is_empty() {
        cx.report(Diagnostic::error("campaign::empty-subject", "the subject is empty").at(doc.span(arm.subject)));
    }
    if let Some(from) = arm.from {
        cx.value(doc, from, "campaign::bad-address", |f| parse_mailbox(f).map(|_| ()));
    }
    check_inline(cx, doc, arm.subject, context, partials.1);
    if let Some(preheader) = arm.preheader {
        check_inline(cx, doc, preheader, context, partials.1);
    }
    let (html_field, text_field) = arm.template_fields;
    if let Some(html) = &arm.html {
        let errors_before = cx.diagnostics.error_count();
        let read = cx.noting_use(html_field, |cx| check_file(cx, html.file, context, true, partials.0));
        // A template that did not check (a misspelt `unsubscribe_ur`, say) is not blamed twice.
        if !read.contains("unsubscribe_url") && cx.diagnostics.error_count() == errors_before {
            let d = Diagnostic::error(
                "template::missing-unsubscribe-link",
                format!("the HTML template `{}` shows no unsubscribe link", html.path),
            )
            .at_labeled(html_field, "no `{{ unsubscribe_url }}` in it or its partials")
            .with_hint(
                "bulk-sender rules require a visible link besides the List-Unsubscribe header: add \
                 `<a href=\"{{ unsubscribe_url }}\">Unsubscribe</a>`, for example in a footer partial",
            );
            cx.report(d);
        }
    }
    if let (Some(text), Some(text_field)) = (&arm.text, text_field) {
        cx.noting_use(text_field, |cx| check_file(cx, text.file, context, false, partials.1));
    }
    let html = arm.html?;
    Some(Variant {
        name: arm.name.value,
        weight: arm.weight,
        subject: arm.subject.value.clone(),
        preheader: arm.preheader.map(|p| p.value.clone()),
        html,
        text: arm.text,
        vars: arm.vars,
        from: arm.from.map(|f| f.value.clone()),
        schedule: None,
    })
}

/// `holdout:`, below 100%; none by default.
fn holdout(cx: &mut Context, doc: &Document<&RawCampaign>) -> Option<Percent> {
    match &doc.value.holdout {
        Some(h) => cx.value(doc, h, "campaign::bad-holdout", |h| {
            Percent::parse(h).and_then(|p| {
                if p.hundredths < 10_000 {
                    Ok(p)
                } else {
                    Err("a holdout of 100% would send nothing: use less than 100%".into())
                }
            })
        }),
        None => Some(Percent { hundredths: 0 }),
    }
}

/// `goal:`: a declared event type within a duration.
fn goal(cx: &mut Context, doc: &Document<&RawCampaign>, schema: &DataSchema, raw: &RawGoal) -> Option<Goal> {
    let event = event_type(cx, doc, schema, &raw.event);
    let within = cx.value(doc, &raw.within, "campaign::bad-duration", |d| Duration::parse(d));
    let value = match (&raw.value, event) {
        (Some(value), Some(event)) => {
            let numeric = event
                .properties
                .field(&value.value)
                .is_some_and(|f| f.ty.base.is_numeric());
            if !numeric {
                let names = event
                    .properties
                    .fields
                    .iter()
                    .filter(|f| f.ty.base.is_numeric())
                    .map(|f| f.name.as_str());
                let d = Diagnostic::error(
                    "campaign::bad-goal-value",
                    format!("`{}` is not a numeric property of `{}` events", value.value, event.name),
                )
                .at(doc.span(value))
                .with_optional_hint(suggestion_hint(&value.value, names));
                cx.report(d);
                return None;
            }
            Some(value.value.clone())
        }
        _ => None,
    };
    let percent = |cx: &mut Context, raw: &Option<Located<String>>| match raw {
        Some(p) => cx
            .value(doc, p, "campaign::bad-percent", |t| Percent::parse(t))
            .map(Some),
        None => Some(None),
    };
    let baseline = percent(cx, &raw.baseline)?;
    let min_detectable_lift = percent(cx, &raw.min_detectable_lift)?;
    Some(Goal {
        event: event?.name.clone(),
        within: within?,
        value,
        baseline,
        min_detectable_lift,
    })
}
