//! What becomes of one call: read it, check it against the tracking plan, and turn it into the
//! log line it is kept as — an event in the events dataset's layout, traits in the profiles'
//! layout, or, when it does not fit, the call itself in quarantine with its reasons.

use chrono::{DateTime, SecondsFormat, Utc};
use serde_json::{json, Map, Value as Json};

use super::arrival::Arrival;
use super::journal::{LogFile, LogLine};
use super::segment_call::{CallKind, SegmentCall};
use super::tracking_plan::TrackingPlan;
use crate::data::{MESSAGE_ID, RECEIVED_AT};
use crate::model::DataSchema;

/// The tracking plan and the layouts calls are written in.
#[derive(Debug)]
pub struct Intake {
    plan: TrackingPlan,
    user: String,
    event_type: String,
    time: String,
    id: Option<String>,
    key: String,
    /// The event type a `page` call is kept as.
    page_event: String,
}

/// A call, sorted.
#[derive(Debug, Clone)]
pub enum Sorted {
    /// It fits: its line, and what the scheduler is told (an event's type and time, or traits).
    Accepted(LogLine, Arrival),
    /// It does not: its quarantine line, id and reasons.
    Quarantined(LogLine, Option<String>, Vec<String>),
}

fn time_text(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::AutoSi, true)
}

impl Intake {
    /// The intake for a workspace's data schema, checking with `plan`.
    pub fn new(schema: &DataSchema, plan: TrackingPlan) -> Intake {
        let columns = &schema.event_columns;
        Intake {
            plan,
            user: columns.user.clone(),
            event_type: columns.event_type.clone(),
            time: columns.time.clone(),
            id: columns.id.clone(),
            key: schema.key.clone(),
            page_event: schema.roles.view.clone(),
        }
    }

    /// The tracking plan.
    pub fn plan(&self) -> &TrackingPlan {
        &self.plan
    }

    /// Sorts `call` (`implied`: the endpoint's call type; `received`: when it arrived).
    pub fn sort(&self, call: &Json, implied: Option<&str>, received: DateTime<Utc>) -> Sorted {
        let read = match SegmentCall::read(call, implied, received) {
            Ok(read) => read,
            Err(unreadable) => {
                return quarantined(call, implied, unreadable.message_id, vec![unreadable.reason], received)
            }
        };
        // A `page` call is an event of the schema's `view` role.
        let event = match &read.kind {
            CallKind::Event(event) => Some(event.as_str()),
            CallKind::Page => Some(self.page_event.as_str()),
            CallKind::Identify => None,
        };
        let problems = match event {
            Some(event) => self.plan.check_track(event, &read.fields),
            None => self.plan.check_traits(&read.fields),
        };
        if !problems.is_empty() {
            return quarantined(call, implied, Some(read.message_id), problems, received);
        }
        let mut line: Map<String, Json> = read.fields.as_object().cloned().unwrap_or_default();
        let (file, arrival) = match event {
            Some(event) => {
                line.insert(self.user.clone(), json!(read.user_id));
                line.insert(self.event_type.clone(), json!(event));
                line.insert(self.time.clone(), json!(time_text(read.timestamp)));
                if let Some(id) = &self.id {
                    line.insert(id.clone(), json!(read.message_id));
                }
                (
                    LogFile::Events,
                    Arrival {
                        event_type: Some(event.to_string()),
                        at: read.timestamp,
                    },
                )
            }
            None => {
                line.insert(self.key.clone(), json!(read.user_id));
                (
                    LogFile::Traits,
                    Arrival {
                        event_type: None,
                        at: read.timestamp,
                    },
                )
            }
        };
        line.insert(MESSAGE_ID.into(), json!(read.message_id));
        line.insert(RECEIVED_AT.into(), json!(time_text(received)));
        Sorted::Accepted(
            LogLine {
                file,
                message_id: read.message_id,
                json: Json::Object(line),
            },
            arrival,
        )
    }
}

/// The quarantine line of `call` (with the call type its endpoint implied, for replay).
fn quarantined(
    call: &Json,
    implied: Option<&str>,
    message_id: Option<String>,
    reasons: Vec<String>,
    received: DateTime<Utc>,
) -> Sorted {
    let line = LogLine {
        file: LogFile::Rejected,
        message_id: message_id.clone().unwrap_or_default(),
        json: json!({
            MESSAGE_ID: message_id,
            RECEIVED_AT: time_text(received),
            "reasons": reasons,
            "implied_type": implied,
            "call": call,
        }),
    };
    Sorted::Quarantined(line, message_id, reasons)
}
