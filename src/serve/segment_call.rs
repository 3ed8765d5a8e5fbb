//! One call of the Segment HTTP Tracking API (`track`, `identify`, `page`), read from its JSON:
//! `userId` is the profile key, `event` the event type, `properties` its fields, `traits` the
//! profile fields an identify sets, `timestamp` the event's time and `messageId` its id.

use chrono::{DateTime, Utc};
use serde_json::{Map, Value as Json};
use sha2::{Digest, Sha256};

/// Segment's limit on one call, in bytes of JSON.
pub const MAX_CALL_BYTES: usize = 32 * 1024;

/// Segment's limit on one batch request, in bytes of JSON.
pub const MAX_BATCH_BYTES: usize = 500 * 1024;

/// What a call does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CallKind {
    /// An event of this type.
    Event(String),
    /// A `page` call: an event of the schema's `view` role (`page_view` by default).
    Page,
    /// Traits for the profile.
    Identify,
}

/// A call, read.
#[derive(Debug, Clone, PartialEq)]
pub struct SegmentCall {
    /// What it does.
    pub kind: CallKind,
    /// The producer's id for it (a hash of the call when it gave none).
    pub message_id: String,
    /// The profile key.
    pub user_id: String,
    /// The event's time (when it was received, if it gave none).
    pub timestamp: DateTime<Utc>,
    /// The event's properties, or the identify's traits.
    pub fields: Json,
}

/// A call that cannot be read, with the producer's id when it has one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unreadable {
    /// The call's `messageId`, when it has one.
    pub message_id: Option<String>,
    /// Why.
    pub reason: String,
}

/// The `messageId` a call gives, else the first 16 bytes (hex) of SHA-256 over its JSON, so a
/// retried call without one still counts once.
fn message_id(call: &Map<String, Json>) -> String {
    match call.get("messageId") {
        Some(Json::String(id)) if !id.is_empty() => id.clone(),
        _ => {
            let digest = Sha256::digest(Json::Object(call.clone()).to_string().as_bytes());
            digest[..16].iter().map(|b| format!("{b:02x}")).collect()
        }
    }
}

impl SegmentCall {
    /// Reads `call`; `implied` is the type the endpoint gives (`/v1/track`) when the call has no
    /// `type`, and `received` the time it arrived.
    pub fn read(call: &Json, implied: Option<&str>, received: DateTime<Utc>) -> Result<SegmentCall, Unreadable> {
        let Json::Object(call) = call else {
            return Err(Unreadable {
                message_id: None,
                reason: "a call is a JSON object".into(),
            });
        };
        let id = message_id(call);
        let fail = |reason: String| Unreadable {
            message_id: Some(id.clone()),
            reason,
        };
        let text = |name: &str| call.get(name).and_then(Json::as_str).filter(|s| !s.is_empty());
        let call_type = text("type").or(implied).unwrap_or("");
        let kind = match call_type {
            "track" => match text("event") {
                Some(event) => CallKind::Event(event.to_string()),
                None => return Err(fail("/event: a track call names its event".into())),
            },
            "page" => CallKind::Page,
            "identify" => CallKind::Identify,
            "" => return Err(fail("/type: the call has no type".into())),
            other => {
                return Err(fail(format!(
                    "/type: `{other}` calls are not used by tailor (track, page and identify are)"
                )))
            }
        };
        let Some(user_id) = text("userId") else {
            return Err(fail(
                "/userId: a call needs the profile key as `userId`; an anonymous call cannot reach a profile".into(),
            ));
        };
        let timestamp = match call.get("timestamp") {
            None | Some(Json::Null) => received,
            Some(Json::String(at)) => DateTime::parse_from_rfc3339(at)
                .map(|t| t.with_timezone(&Utc))
                .map_err(|e| fail(format!("/timestamp: `{at}` is not an RFC 3339 time ({e})")))?,
            Some(other) => return Err(fail(format!("/timestamp: {other} is not an RFC 3339 time"))),
        };
        let field_key = if kind == CallKind::Identify {
            "traits"
        } else {
            "properties"
        };
        let mut fields = match call.get(field_key) {
            None | Some(Json::Null) => Map::new(),
            Some(Json::Object(fields)) => fields.clone(),
            Some(_) => return Err(fail(format!("/{field_key}: an object"))),
        };
        // RudderStack's clients send identify traits as `context.traits` (the call's own
        // `traits` win where both name a field).
        if kind == CallKind::Identify {
            if let Some(Json::Object(context_traits)) = call.get("context").and_then(|c| c.get("traits")) {
                for (name, value) in context_traits {
                    fields.entry(name.clone()).or_insert_with(|| value.clone());
                }
            }
        }
        let fields = Json::Object(fields);
        Ok(SegmentCall {
            kind,
            message_id: id,
            user_id: user_id.to_string(),
            timestamp,
            fields,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn received() -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2026-12-01T10:00:00Z")
            .unwrap()
            .with_timezone(&Utc)
    }

    #[test]
    fn a_track_call_is_read() {
        let call = json!({"type": "track", "userId": "u1", "event": "add_to_cart", "messageId": "m1",
            "timestamp": "2026-12-01T09:00:00+01:00", "properties": {"price": 20.5}});
        let read = SegmentCall::read(&call, None, received()).unwrap();
        assert_eq!(read.kind, CallKind::Event("add_to_cart".into()));
        assert_eq!(read.message_id, "m1");
        assert_eq!(read.timestamp.to_rfc3339(), "2026-12-01T08:00:00+00:00");
        assert_eq!(read.fields, json!({"price": 20.5}));
    }

    #[test]
    fn the_endpoint_implies_the_type_and_a_missing_id_is_a_stable_hash() {
        let call = json!({"userId": "u1", "event": "purchase"});
        let first = SegmentCall::read(&call, Some("track"), received()).unwrap();
        let again = SegmentCall::read(&call, Some("track"), received()).unwrap();
        assert_eq!(first.message_id, again.message_id);
        assert_eq!(first.message_id.len(), 32);
        assert_eq!(first.timestamp, received());
    }

    #[test]
    fn identify_traits_may_come_in_the_context() {
        let call = json!({"type": "identify", "userId": "u1", "traits": {"city": "Porto"},
            "context": {"traits": {"city": "Lisbon", "tier": "gold"}}});
        let read = SegmentCall::read(&call, None, received()).unwrap();
        assert_eq!(read.fields, json!({"city": "Porto", "tier": "gold"}));
    }

    #[test]
    fn anonymous_and_malformed_calls_say_why() {
        let anonymous = json!({"type": "track", "anonymousId": "a", "event": "x", "messageId": "m"});
        let error = SegmentCall::read(&anonymous, None, received()).unwrap_err();
        assert_eq!(error.message_id.as_deref(), Some("m"));
        assert!(error.reason.starts_with("/userId"), "{}", error.reason);
        let bad_time = json!({"type": "identify", "userId": "u", "timestamp": "yesterday"});
        assert!(SegmentCall::read(&bad_time, None, received())
            .unwrap_err()
            .reason
            .starts_with("/timestamp"));
        let alias = json!({"type": "alias", "userId": "u"});
        assert!(SegmentCall::read(&alias, None, received())
            .unwrap_err()
            .reason
            .contains("alias"));
    }
}
