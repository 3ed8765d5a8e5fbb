//! The Segment-compatible endpoints: `POST /v1/track`, `/v1/identify`, `/v1/page` (one call)
//! and `/v1/batch` (`{"batch": [...]}`). The write key is the HTTP Basic user name (or the
//! body's `writeKey`); bodies may be gzip-compressed. A request is answered once every call in
//! it is on the disk (accepted or quarantined), with what became of each.

use std::io::Read;
use std::sync::Arc;
use std::time::Instant;

use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use base64::Engine as _;
use chrono::Utc;
use serde_json::{json, Value as Json};

use super::intake::Sorted;
use super::journal::Appended;
use super::metrics::bump;
use super::segment_call::{MAX_BATCH_BYTES, MAX_CALL_BYTES};
use super::state::ServeState;

/// A refusal: status and reason, as Segment answers (`{"success": false, "error": ...}`).
pub fn refuse(state: &ServeState, status: StatusCode, reason: impl Into<String>) -> Response {
    bump(&state.metrics.refused, 1);
    let mut response = (status, axum::Json(json!({ "success": false, "error": reason.into() }))).into_response();
    if status == StatusCode::SERVICE_UNAVAILABLE || status == StatusCode::TOO_MANY_REQUESTS {
        response
            .headers_mut()
            .insert(header::RETRY_AFTER, header::HeaderValue::from_static("1"));
    }
    response
}

/// The write key of HTTP Basic authentication (`key:` in base64), if any.
fn basic_user(headers: &HeaderMap) -> Option<String> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let encoded = value.strip_prefix("Basic ").or_else(|| value.strip_prefix("basic "))?;
    let decoded = base64::engine::general_purpose::STANDARD.decode(encoded.trim()).ok()?;
    let text = String::from_utf8(decoded).ok()?;
    Some(text.split_once(':').map_or(text.as_str(), |(user, _)| user).to_string())
}

/// The request body as JSON, and its length: decompressed when gzip, limited to `limit` bytes
/// either way.
fn body_json(headers: &HeaderMap, body: &Bytes, limit: usize) -> Result<(Json, usize), String> {
    let gzip = headers
        .get(header::CONTENT_ENCODING)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.eq_ignore_ascii_case("gzip"));
    let mut inflated = Vec::new();
    let text: &[u8] = if gzip {
        flate2::read::GzDecoder::new(body.as_ref())
            .take(limit as u64 + 1)
            .read_to_end(&mut inflated)
            .map_err(|e| format!("the gzip body cannot be read: {e}"))?;
        &inflated
    } else {
        body
    };
    if text.len() > limit {
        return Err(format!("the request is larger than {} KB", limit / 1024));
    }
    let json = serde_json::from_slice(text).map_err(|e| format!("the body is not JSON: {e}"))?;
    Ok((json, text.len()))
}

/// Reads the body of `request` up to `limit` bytes (refusing before reading more).
pub async fn limited_body(body: Body, limit: usize) -> Result<Bytes, String> {
    axum::body::to_bytes(body, limit)
        .await
        .map_err(|_| format!("the request is larger than {} KB", limit / 1024))
}

/// Handles one ingestion request: `implied` is the call type of a single-call endpoint, `None`
/// for `/v1/batch`.
pub async fn ingest(state: Arc<ServeState>, implied: Option<&'static str>, headers: HeaderMap, body: Body) -> Response {
    let started = Instant::now();
    let limit = if implied.is_some() {
        MAX_CALL_BYTES
    } else {
        MAX_BATCH_BYTES
    };
    let bytes = match limited_body(body, limit).await {
        Ok(bytes) => bytes,
        Err(reason) => return refuse(&state, StatusCode::BAD_REQUEST, reason),
    };
    let (document, length) = match body_json(&headers, &bytes, limit) {
        Ok(read) => read,
        Err(reason) => return refuse(&state, StatusCode::BAD_REQUEST, reason),
    };
    let key = basic_user(&headers).or_else(|| document.get("writeKey").and_then(Json::as_str).map(str::to_string));
    if !key.is_some_and(|key| state.knows_write_key(&key)) {
        return refuse(
            &state,
            StatusCode::UNAUTHORIZED,
            "a known write key is required as the HTTP Basic user name",
        );
    }
    let calls: Vec<Json> = match (implied, document) {
        (Some(_), call) => vec![call],
        (None, Json::Object(mut batch)) => match batch.remove("batch") {
            Some(Json::Array(calls)) => calls,
            _ => return refuse(&state, StatusCode::BAD_REQUEST, "a batch is {\"batch\": [calls]}"),
        },
        (None, _) => return refuse(&state, StatusCode::BAD_REQUEST, "a batch is {\"batch\": [calls]}"),
    };
    // A call can be too large only in a body that is (the common batch is not measured again).
    if length > MAX_CALL_BYTES {
        if let Some(at) = calls.iter().position(|c| c.to_string().len() > MAX_CALL_BYTES) {
            return refuse(
                &state,
                StatusCode::BAD_REQUEST,
                format!("call {at} is larger than {} KB", MAX_CALL_BYTES / 1024),
            );
        }
    }
    match append_calls(&state, &calls, implied).await {
        Ok(tally) => {
            let response = answer(tally);
            state.metrics.observe(started.elapsed());
            response
        }
        Err((status, reason)) => refuse(&state, status, reason),
    }
}

/// What became of a request's calls.
#[derive(Debug, Default)]
pub struct Tally {
    /// Calls written to the log.
    pub accepted: u64,
    /// Calls whose message id the log already held.
    pub duplicates: u64,
    /// Each quarantined call: `{"messageId", "reasons"}`.
    pub quarantined: Vec<Json>,
}

/// Sorts `calls`, appends them to the log and waits until they are on the disk; counts them
/// and tells the scheduler about new events. What became of them, or why nothing was written.
pub async fn append_calls(
    state: &ServeState,
    calls: &[Json],
    implied: Option<&str>,
) -> Result<Tally, (StatusCode, String)> {
    let received = Utc::now();
    let sorted: Vec<Sorted> = calls
        .iter()
        .map(|call| state.intake.sort(call, implied, received))
        .collect();
    let lines = sorted
        .iter()
        .map(|s| match s {
            Sorted::Accepted(line, _) | Sorted::Quarantined(line, ..) => line.clone(),
        })
        .collect();
    let unavailable = |reason: String| (StatusCode::SERVICE_UNAVAILABLE, reason);
    let answered = state.journal.submit(lines).map_err(|e| unavailable(e.to_string()))?;
    let outcomes = match answered.await {
        Ok(outcome) => outcome.map_err(|e| unavailable(e.to_string()))?,
        Err(_) => return Err(unavailable("the event log is not answering".into())),
    };
    let mut tally = Tally::default();
    for (call, outcome) in sorted.into_iter().zip(&outcomes) {
        match (call, outcome) {
            (Sorted::Accepted(..), Appended::Duplicate) => tally.duplicates += 1,
            (Sorted::Accepted(_, arrival), Appended::Written) => {
                tally.accepted += 1;
                let _ = state.arrivals.send(arrival);
            }
            (Sorted::Quarantined(_, id, reasons), _) => {
                tally.quarantined.push(json!({ "messageId": id, "reasons": reasons }));
            }
        }
    }
    bump(&state.metrics.accepted, tally.accepted);
    bump(&state.metrics.duplicates, tally.duplicates);
    bump(&state.metrics.quarantined, tally.quarantined.len() as u64);
    Ok(tally)
}

/// The answer to an ingestion request (Segment's `{"success": true}`, with the tally).
fn answer(tally: Tally) -> Response {
    (
        StatusCode::OK,
        axum::Json(json!({
            "success": true,
            "accepted": tally.accepted,
            "duplicates": tally.duplicates,
            "quarantined": tally.quarantined,
        })),
    )
        .into_response()
}

/// `POST /v1/track`.
pub async fn track(State(state): State<Arc<ServeState>>, headers: HeaderMap, body: Body) -> Response {
    ingest(state, Some("track"), headers, body).await
}

/// `POST /v1/identify`.
pub async fn identify(State(state): State<Arc<ServeState>>, headers: HeaderMap, body: Body) -> Response {
    ingest(state, Some("identify"), headers, body).await
}

/// `POST /v1/page`.
pub async fn page(State(state): State<Arc<ServeState>>, headers: HeaderMap, body: Body) -> Response {
    ingest(state, Some("page"), headers, body).await
}

/// `POST /v1/batch`.
pub async fn batch(State(state): State<Arc<ServeState>>, headers: HeaderMap, body: Body) -> Response {
    ingest(state, None, headers, body).await
}

/// Whether a request carries a known write key (for endpoints other than ingestion).
pub fn authorized(state: &ServeState, headers: &HeaderMap) -> bool {
    basic_user(headers).is_some_and(|key| state.knows_write_key(&key))
}
