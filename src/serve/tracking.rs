//! Opens and clicks: `GET /o/{payload}/{signature}` (the pixel) and `GET /c/{payload}/{signature}`
//! (a rewritten link) record `email_open` / `email_click` events in the log, like any call (the
//! tracking plan checks them; a schema without those types quarantines them, nothing is lost).
//! A click redirects to its page only when the signature is right: no open redirect. An open
//! within [`MACHINE_OPEN_SECONDS`] of the send from a known mail-privacy proxy is marked as a
//! machine open (`machine: true`, when the schema declares it).

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use chrono::Utc;
use serde_json::{json, Map, Value as Json};
use sha2::{Digest, Sha256};

use super::ingestion::append_calls;
use super::state::ServeState;
use crate::render::{verify_tracking, TrackingKind, TrackingPayload};

/// An open this soon after the send, from a privacy proxy, is the proxy's prefetch.
pub const MACHINE_OPEN_SECONDS: i64 = 60;

/// A transparent 1×1 GIF.
const PIXEL: [u8; 43] = [
    0x47, 0x49, 0x46, 0x38, 0x39, 0x61, 0x01, 0x00, 0x01, 0x00, 0x80, 0x00, 0x00, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff,
    0x21, 0xf9, 0x04, 0x01, 0x00, 0x00, 0x00, 0x00, 0x2c, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00, 0x02,
    0x02, 0x44, 0x01, 0x00, 0x3b,
];

/// Whether `user_agent` is a mail-privacy proxy that fetches images on its own: Apple Mail
/// Privacy Protection (a bare `Mozilla/5.0`), Google's and Yahoo's image proxies.
pub fn is_privacy_proxy(user_agent: &str) -> bool {
    let agent = user_agent.trim();
    agent == "Mozilla/5.0" || agent.contains("GoogleImageProxy") || agent.contains("YahooMailProxy")
}

/// The `email_open` / `email_click` call for `payload`, with the optional properties the
/// schema declares.
fn tracking_call(state: &ServeState, kind: TrackingKind, payload: &TrackingPayload, machine: bool) -> Json {
    let event = match kind {
        TrackingKind::Open => "email_open",
        TrackingKind::Click => "email_click",
    };
    let mut properties = Map::new();
    properties.insert("campaign".into(), json!(payload.campaign));
    properties.insert("variant".into(), json!(payload.variant));
    if let Some(url) = &payload.url {
        properties.insert("url".into(), json!(url));
    }
    let plan = state.intake.plan();
    for (name, value) in [("message_id", json!(payload.message)), ("machine", json!(machine))] {
        if plan.declares(event, name) {
            properties.insert(name.into(), value);
        }
    }
    let now = Utc::now();
    let id = Sha256::digest(format!(
        "{event}:{}:{}",
        payload.message,
        now.timestamp_nanos_opt().unwrap_or_default()
    ));
    json!({
        "type": "track",
        "event": event,
        "userId": payload.key,
        "messageId": id[..16].iter().map(|b| format!("{b:02x}")).collect::<String>(),
        "timestamp": now.to_rfc3339(),
        "properties": properties,
    })
}

/// Records the open or click; a log that cannot take it now loses the count, never the page.
async fn record(state: &ServeState, kind: TrackingKind, payload: &TrackingPayload, machine: bool) {
    let call = tracking_call(state, kind, payload, machine);
    if let Err((_, reason)) = append_calls(state, &[call], None).await {
        eprintln!(
            "{}",
            json!({ "event": "tracking", "key": payload.key, "outcome": "not recorded", "problem": reason })
        );
    }
}

fn not_valid() -> Response {
    (StatusCode::NOT_FOUND, "This link is not valid.\n").into_response()
}

/// `GET /c/{payload}/{signature}`.
pub async fn click(State(state): State<Arc<ServeState>>, Path((encoded, signed)): Path<(String, String)>) -> Response {
    let Some(payload) = verify_tracking(state.secret.as_bytes(), TrackingKind::Click, &encoded, &signed) else {
        return not_valid();
    };
    let Some(url) = payload
        .url
        .clone()
        .filter(|u| u.starts_with("https://") || u.starts_with("http://"))
    else {
        return not_valid();
    };
    record(&state, TrackingKind::Click, &payload, false).await;
    let mut response = (StatusCode::FOUND, [(header::LOCATION, url)]).into_response();
    response
        .headers_mut()
        .insert(header::REFERRER_POLICY, header::HeaderValue::from_static("no-referrer"));
    response
}

/// `GET /o/{payload}/{signature}`.
pub async fn open(
    State(state): State<Arc<ServeState>>,
    Path((encoded, signed)): Path<(String, String)>,
    headers: HeaderMap,
) -> Response {
    if let Some(payload) = verify_tracking(state.secret.as_bytes(), TrackingKind::Open, &encoded, &signed) {
        let agent = headers
            .get(header::USER_AGENT)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        let soon = Utc::now().timestamp() - payload.sent_at <= MACHINE_OPEN_SECONDS;
        record(&state, TrackingKind::Open, &payload, soon && is_privacy_proxy(agent)).await;
    }
    // The pixel is served either way: a mail client shows no broken image.
    (
        StatusCode::OK,
        [
            (header::CONTENT_TYPE, "image/gif"),
            (header::CACHE_CONTROL, "no-store, no-cache, must-revalidate"),
        ],
        PIXEL.to_vec(),
    )
        .into_response()
}
