//! What a template sees for one recipient (SPEC §6): `user` (fields, features, personas),
//! `event` (the due trigger event), taken from the same evaluation that plans the campaign.

use chrono::{DateTime, SecondsFormat, Utc};
use chrono_tz::Tz;
use polars::prelude::AnyValue;
use serde_json::{Map, Value as Json};

use super::{recipient_text, Narrowing};
use crate::check::CheckedWorkspace;
use crate::data::{any_to_json, datetime_micros, Dataset, EVENT_TS, EVENT_TYPE};
use crate::eval::{persona_column, score_column, segment_column, Evaluation};
use crate::model::{BaseType, Campaign, RecipientText, Timing};
use crate::plan::{fired_events, recipient_zone};

/// One recipient: a row of an evaluation.
pub struct Recipient<'a> {
    /// The workspace.
    pub workspace: &'a CheckedWorkspace,
    /// The data evaluated.
    pub dataset: &'a Dataset,
    /// Features and segments of every profile.
    pub evaluation: &'a Evaluation,
    /// This recipient's row.
    pub row: usize,
    /// The run's clock.
    pub now: DateTime<Utc>,
    /// The occurrence being sent, when the plan worked it out (for an event trigger, the
    /// event's id); `None` works it out for this recipient alone.
    pub occurrence: Option<&'a str>,
}

fn rfc3339_micros(micros: i64) -> Json {
    DateTime::from_timestamp_micros(micros).map_or(Json::Null, |t| {
        Json::from(t.to_rfc3339_opts(SecondsFormat::AutoSi, true))
    })
}

/// An instant (microseconds) as RFC 3339 text in `zone`, so that `date` shows the recipient's
/// wall-clock time.
fn in_zone(micros: i64, zone: Tz) -> Json {
    DateTime::from_timestamp_micros(micros).map_or(Json::Null, |t| {
        Json::from(t.with_timezone(&zone).to_rfc3339_opts(SecondsFormat::AutoSi, false))
    })
}

/// A polars value as template JSON, with times in `zone`.
fn template_value(value: AnyValue, zone: Tz) -> Json {
    match datetime_micros(&value) {
        Some(micros) => in_zone(micros, zone),
        None => any_to_json(value).unwrap_or(Json::Null),
    }
}

impl Recipient<'_> {
    /// The recipient's time zone: their own valid IANA zone, else the workspace's.
    pub fn zone(&self) -> Tz {
        let own = self.workspace.schema.timezone.as_deref().and_then(|c| self.text(c));
        recipient_zone(own.as_deref(), self.workspace.manifest.timezone)
    }

    /// A text field of this recipient's row, read directly (without building `user`).
    fn text(&self, column: &str) -> Option<String> {
        let value = self.evaluation.frame.column(column).ok()?.get(self.row).ok()?;
        value.get_str().map(str::to_string)
    }

    /// The profile key.
    pub fn key(&self) -> String {
        self.text(&self.workspace.schema.key).unwrap_or_default()
    }

    /// `user`: profile fields and features (times as RFC 3339 text in the recipient's zone),
    /// `persona`: each model's label, and `score`: each score model's probability (both nil
    /// outside the model's population).
    pub fn user(&self) -> Map<String, Json> {
        let zone = self.zone();
        let mut user = Map::new();
        let frame = &self.evaluation.frame;
        for column in frame.columns() {
            let name = column.name().as_str();
            let namespaced = [segment_column(""), persona_column(""), score_column("")];
            if name.starts_with("__") || namespaced.iter().any(|prefix| name.starts_with(prefix.as_str())) {
                continue;
            }
            let value = column.get(self.row).unwrap_or(AnyValue::Null);
            let feature_type = self
                .workspace
                .features
                .iter()
                .find(|f| f.name == name)
                .map(|f| &f.ty.base);
            let json = match (feature_type, &value) {
                (Some(BaseType::DateTime), &AnyValue::Int64(micros)) => in_zone(micros, zone),
                (Some(BaseType::Date), &AnyValue::Int64(micros)) => rfc3339_micros(micros),
                _ => template_value(value, zone),
            };
            user.insert(name.to_string(), json);
        }
        if !self.workspace.personas.is_empty() {
            let labels = self
                .workspace
                .personas
                .iter()
                .map(|p| {
                    let label = self.text(&persona_column(&p.name)).map_or(Json::Null, Json::from);
                    (p.name.clone(), label)
                })
                .collect();
            user.insert("persona".into(), Json::Object(labels));
        }
        if !self.workspace.models.is_empty() {
            let frame = &self.evaluation.frame;
            let scores = self
                .workspace
                .models
                .iter()
                .map(|m| {
                    let score = frame
                        .column(&score_column(&m.name))
                        .ok()
                        .and_then(|c| c.get(self.row).ok())
                        .and_then(|v| v.extract::<f64>())
                        .map_or(Json::Null, Json::from);
                    (m.name.clone(), score)
                })
                .collect();
            user.insert("score".into(), Json::Object(scores));
        }
        user
    }

    /// `event`: for an event-triggered campaign, the newest due trigger event of this recipient
    /// (`None` when none is due; `Some(Null)` for other campaigns).
    pub fn event(&self, campaign: &Campaign) -> Result<Option<Json>, String> {
        let Timing::Event(trigger) = &campaign.timing else {
            return Ok(Some(Json::Null));
        };
        let Some(id) = self.fired_event(trigger)? else {
            return Ok(None);
        };
        let events = &self.dataset.events;
        let Some(row) = self.dataset.event_index().row_of(&self.key(), &id) else {
            return Ok(None);
        };
        let zone = self.zone();
        let mut event = Map::new();
        let prefix = format!("{}.", trigger.on);
        for column in events.columns() {
            let value = column.get(row).unwrap_or(AnyValue::Null);
            let name = column.name().as_str();
            if let Some(property) = name.strip_prefix(&prefix) {
                event.insert(property.to_string(), template_value(value, zone));
            } else if name == EVENT_TS {
                event.insert("ts".into(), template_value(value, zone));
            } else if name == EVENT_TYPE {
                event.insert("type".into(), any_to_json(value).unwrap_or(Json::Null));
            }
        }
        Ok(Some(Json::Object(event)))
    }
}

impl Recipient<'_> {
    /// The id of the newest due trigger event of this recipient, if any.
    fn fired_event(&self, trigger: &crate::model::EventTrigger) -> Result<Option<String>, String> {
        if let Some(occurrence) = self.occurrence {
            return Ok(Some(occurrence.to_string()));
        }
        let fired = fired_events(self.workspace, self.dataset, self.evaluation, trigger, self.now)
            .map_err(|e| e.to_string())?;
        Ok(fired.get(&self.key()).cloned())
    }

    /// The occurrence id of this recipient's send (SPEC §5): the trigger event's id, the
    /// schedule's `at`, or the run's `now` for a condition trigger.
    pub fn occurrence(&self, campaign: &Campaign) -> Result<String, String> {
        if let Some(occurrence) = self.occurrence {
            return Ok(occurrence.to_string());
        }
        Ok(match &campaign.timing {
            Timing::Schedule(schedule) => schedule.at.format("%Y-%m-%dT%H:%M").to_string(),
            Timing::Event(trigger) => self.fired_event(trigger)?.unwrap_or_default(),
            Timing::Condition(_) => self.now.to_rfc3339_opts(SecondsFormat::Secs, true),
        })
    }

    /// The recipient's email address.
    pub fn email(&self) -> String {
        self.text(&self.workspace.schema.email).unwrap_or_default()
    }

    /// The recipient's display name: the `first_name` and `last_name` fields, when the schema
    /// has them and they are set.
    pub fn display_name(&self) -> Option<String> {
        let parts: Vec<String> = ["first_name", "last_name"]
            .iter()
            .filter_map(|f| self.text(f))
            .filter(|s| !s.is_empty())
            .collect();
        (!parts.is_empty()).then(|| parts.join(" "))
    }
}

/// Every global of a campaign's templates for one recipient, but `unsubscribe_url`.
pub fn recipient_globals(
    recipient: &Recipient,
    campaign: &Campaign,
    variant: &crate::model::Variant,
) -> Result<Map<String, Json>, String> {
    let mut globals = Map::new();
    globals.insert("user".into(), Json::Object(recipient.user()));
    match recipient.event(campaign)? {
        // Outside event-triggered campaigns `event` is nil (the checker forbids using it there).
        Some(event) => {
            globals.insert("event".into(), event);
        }
        None => {
            return Err(format!(
                "no `{}` trigger event is due for `{}` at {}",
                campaign.name,
                recipient.key(),
                recipient.now.to_rfc3339_opts(SecondsFormat::Secs, true)
            ))
        }
    }
    let recommendations = match &campaign.recommend {
        Some(recommend) => {
            let text = |value: &Option<RecipientText>| value.as_ref().and_then(|v| recipient_text(v, &globals));
            let narrowing = Narrowing {
                exclude: text(&recommend.exclude),
                category: text(&recommend.category),
            };
            super::recommendations(
                recipient.dataset,
                &recipient.workspace.schema,
                &recipient.key(),
                recipient.now,
                recommend,
                &narrowing,
            )?
        }
        // Nil without `recommend:` (the checker forbids using it then).
        None => Json::Null,
    };
    globals.insert("recommendations".into(), recommendations);
    globals.insert(
        "vars".into(),
        Json::Object(variant.vars.iter().map(|(k, v)| (k.clone(), v.clone())).collect()),
    );
    let mut about = Map::new();
    about.insert("name".into(), Json::from(campaign.name.clone()));
    about.insert("variant".into(), Json::from(variant.name.clone()));
    globals.insert("campaign".into(), Json::Object(about));
    let now = recipient.now.with_timezone(&recipient.zone());
    globals.insert(
        "now".into(),
        Json::from(now.to_rfc3339_opts(SecondsFormat::Secs, false)),
    );
    Ok(globals)
}
