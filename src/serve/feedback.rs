//! `POST /v1/feedback` (write key): bounces and complaints, as JSON (`{email, kind, permanent}`
//! or a list of them) or as the raw report a mailbox provider sends — a delivery status
//! notification (RFC 3464) or an abuse report (ARF, RFC 5965). A complaint or a permanent
//! bounce suppresses the address; a temporary bounce is counted and changes nothing.

use std::sync::Arc;

use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use chrono::Utc;
use serde_json::{json, Value as Json};

use super::ingestion::{authorized, limited_body, refuse};
use super::metrics::bump;
use super::segment_call::MAX_BATCH_BYTES;
use super::state::ServeState;
use crate::ledger::Ledger;

/// One piece of feedback about an address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Feedback {
    /// The address.
    pub email: String,
    /// `bounce` or `complaint`.
    pub kind: String,
    /// Whether it is final (a complaint always is).
    pub permanent: bool,
}

/// The fields of one block of a report (`Name: value` lines up to a blank line), names
/// lowercased.
fn blocks(text: &str) -> Vec<Vec<(String, String)>> {
    let mut blocks = vec![Vec::new()];
    for line in text.lines() {
        let line = line.trim_end_matches('\r');
        if line.trim().is_empty() {
            if blocks.last().is_some_and(|b| !b.is_empty()) {
                blocks.push(Vec::new());
            }
            continue;
        }
        if let Some((name, value)) = line.split_once(':') {
            if !name.contains(' ') && !name.is_empty() {
                if let Some(block) = blocks.last_mut() {
                    block.push((name.to_ascii_lowercase(), value.trim().to_string()));
                }
            }
        }
    }
    blocks
}

/// The address in a report field such as `rfc822; ana@example.com` or `<ana@example.com>`.
fn address_in(value: &str) -> Option<String> {
    let value = value.split_once(';').map_or(value, |(_, address)| address);
    let address = value.trim().trim_start_matches('<').trim_end_matches('>').trim();
    (address.contains('@') && !address.contains(char::is_whitespace)).then(|| address.to_lowercase())
}

/// The feedback in a raw DSN or ARF message.
pub fn feedback_in_report(text: &str) -> Vec<Feedback> {
    let blocks = blocks(text);
    let field = |block: &[(String, String)], name: &str| block.iter().find(|(n, _)| n == name).map(|(_, v)| v.clone());
    let mut found = Vec::new();
    for (index, block) in blocks.iter().enumerate() {
        if let Some(recipient) = field(block, "final-recipient").and_then(|v| address_in(&v)) {
            let action = field(block, "action").unwrap_or_default().to_ascii_lowercase();
            let status = field(block, "status").unwrap_or_default();
            if action == "failed" || status.starts_with('5') {
                found.push(Feedback {
                    email: recipient,
                    kind: "bounce".into(),
                    permanent: true,
                });
            } else if action == "delayed" || status.starts_with('4') {
                found.push(Feedback {
                    email: recipient,
                    kind: "bounce".into(),
                    permanent: false,
                });
            }
        }
        if field(block, "feedback-type").is_some() {
            // The recipient is named by the report, else by the original message's `To:`.
            let recipient = field(block, "original-rcpt-to")
                .and_then(|v| address_in(&v))
                .or_else(|| {
                    blocks[index + 1..]
                        .iter()
                        .find_map(|b| field(b, "to").and_then(|v| address_in(&v)))
                });
            if let Some(email) = recipient {
                found.push(Feedback {
                    email,
                    kind: "complaint".into(),
                    permanent: true,
                });
            }
        }
    }
    found
}

/// The feedback in a JSON body: one object or a list.
fn feedback_in_json(document: &Json) -> Result<Vec<Feedback>, String> {
    let items = match document {
        Json::Array(items) => items.clone(),
        other => vec![other.clone()],
    };
    items
        .iter()
        .enumerate()
        .map(|(at, item)| {
            let email = item.get("email").and_then(Json::as_str).and_then(address_in);
            let kind = item.get("kind").and_then(Json::as_str);
            match (email, kind) {
                (Some(email), Some(kind @ ("bounce" | "complaint"))) => Ok(Feedback {
                    email,
                    kind: kind.to_string(),
                    permanent: kind == "complaint" || item.get("permanent").and_then(Json::as_bool).unwrap_or(true),
                }),
                _ => Err(format!(
                    "item {at}: feedback is {{\"email\": address, \"kind\": \"bounce\" | \"complaint\", \"permanent\": bool}}"
                )),
            }
        })
        .collect()
}

/// `POST /v1/feedback`.
pub async fn feedback(State(state): State<Arc<ServeState>>, headers: HeaderMap, body: Body) -> Response {
    if !authorized(&state, &headers) {
        return refuse(
            &state,
            StatusCode::UNAUTHORIZED,
            "a known write key is required as the HTTP Basic user name",
        );
    }
    let bytes = match limited_body(body, MAX_BATCH_BYTES).await {
        Ok(bytes) => bytes,
        Err(reason) => return refuse(&state, StatusCode::BAD_REQUEST, reason),
    };
    let text = String::from_utf8_lossy(&bytes).into_owned();
    let items = match serde_json::from_str::<Json>(&text) {
        Ok(document) => match feedback_in_json(&document) {
            Ok(items) => items,
            Err(reason) => return refuse(&state, StatusCode::BAD_REQUEST, reason),
        },
        Err(_) => feedback_in_report(&text),
    };
    if items.is_empty() {
        return refuse(
            &state,
            StatusCode::BAD_REQUEST,
            "no bounce or complaint found: send JSON feedback, a DSN (RFC 3464) or an ARF report (RFC 5965)",
        );
    }
    let suppress: Vec<(String, String)> = items
        .iter()
        .filter(|f| f.permanent)
        .map(|f| (f.email.clone(), format!("{} (feedback)", f.kind)))
        .collect();
    let ledger = state.ledger.clone();
    let added = tokio::task::spawn_blocking(move || {
        Ledger::open(&ledger)?.suppress_all(&suppress, "feedback", Utc::now().timestamp())
    })
    .await;
    match added {
        Ok(Ok(added)) => {
            bump(&state.metrics.feedback, added as u64);
            let temporary = items.iter().filter(|f| !f.permanent).count();
            (
                StatusCode::OK,
                axum::Json(json!({ "success": true, "suppressed": added, "temporary": temporary })),
            )
                .into_response()
        }
        _ => refuse(
            &state,
            StatusCode::SERVICE_UNAVAILABLE,
            "the suppression list cannot be written: retry shortly",
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_dsn_names_its_failed_recipients() {
        let dsn = "Content-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; mx.example.net\r\n\r\n\
                   Final-Recipient: rfc822; Ana@Example.com\r\nAction: failed\r\nStatus: 5.1.1\r\n\r\n\
                   Final-Recipient: rfc822; bo@example.com\r\nAction: delayed\r\nStatus: 4.4.1\r\n";
        let found = feedback_in_report(dsn);
        assert_eq!(found.len(), 2);
        assert_eq!(found[0].email, "ana@example.com");
        assert!(found[0].permanent);
        assert!(!found[1].permanent);
    }

    #[test]
    fn an_arf_report_is_a_complaint_about_the_original_recipient() {
        let arf = "Content-Type: message/feedback-report\n\nFeedback-Type: abuse\nUser-Agent: x/1\nVersion: 1\n\n\
                   Content-Type: message/rfc822\n\nFrom: deals@acme.test\nTo: <cy@example.org>\nSubject: hi\n";
        assert_eq!(
            feedback_in_report(arf),
            vec![Feedback {
                email: "cy@example.org".into(),
                kind: "complaint".into(),
                permanent: true
            }]
        );
    }

    #[test]
    fn json_feedback_is_checked() {
        let good = serde_json::json!([{"email": "a@b.c", "kind": "bounce", "permanent": false}, {"email": "d@e.f", "kind": "complaint"}]);
        let items = feedback_in_json(&good).unwrap();
        assert!(!items[0].permanent && items[1].permanent);
        assert!(feedback_in_json(&serde_json::json!({"email": "a@b.c", "kind": "spam"})).is_err());
    }
}
