//! Unsubscribing: `GET /u?u=KEY&t=TOKEN` shows a small confirmation page, and `POST` to the same
//! address — the one-click request of RFC 8058 (`List-Unsubscribe=One-Click`) or the page's
//! button — puts the profile's address on the suppression list at once, so no later run or
//! trigger mails it. The token is the HMAC of the key (SPEC §1); a bad one is 403 and changes
//! nothing. The pages show nothing about the recipient.

use std::collections::HashMap;
use std::sync::Arc;

use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use chrono::Utc;

use super::metrics::bump;
use super::state::ServeState;
use crate::ledger::Ledger;
use crate::render::{constant_time_eq, unsubscribe_token};

/// A page: a title and one paragraph, and optionally the confirmation form.
fn page(status: StatusCode, title: &str, text: &str, form: bool) -> Response {
    let button = if form {
        r#"<form method="post"><input type="hidden" name="List-Unsubscribe" value="One-Click"><button type="submit">Unsubscribe</button></form>"#
    } else {
        ""
    };
    let html = format!(
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width\">\
         <title>{title}</title><style>body{{font-family:system-ui,sans-serif;max-width:32rem;margin:4rem auto;padding:0 1rem}}\
         button{{font-size:1rem;padding:.5rem 1.25rem}}</style></head>\
         <body><main><h1>{title}</h1><p>{text}</p>{button}</main></body></html>\n"
    );
    (status, Html(html)).into_response()
}

/// The profile key of a request whose token is right.
fn verified(state: &ServeState, query: &HashMap<String, String>) -> Option<String> {
    let key = query.get("u")?;
    let token = query.get("t")?;
    (!key.is_empty() && constant_time_eq(token, &unsubscribe_token(state.secret.as_bytes(), key))).then(|| key.clone())
}

fn refused() -> Response {
    page(
        StatusCode::FORBIDDEN,
        "This link is not valid",
        "The unsubscribe link is incomplete or has been changed. Use the link from the email itself.",
        false,
    )
}

/// `GET /u`: the confirmation page.
pub async fn confirm(State(state): State<Arc<ServeState>>, Query(query): Query<HashMap<String, String>>) -> Response {
    if verified(&state, &query).is_none() {
        return refused();
    }
    page(
        StatusCode::OK,
        "Unsubscribe",
        "Stop receiving marketing email from us? You can subscribe again at any time.",
        true,
    )
}

/// `POST /u`: the one-click unsubscribe.
pub async fn unsubscribe(
    State(state): State<Arc<ServeState>>,
    Query(query): Query<HashMap<String, String>>,
) -> Response {
    let Some(key) = verified(&state, &query) else {
        return refused();
    };
    let Some(address) = state.address_of(&key) else {
        eprintln!(
            "{}",
            serde_json::json!({ "event": "unsubscribe", "key": key, "outcome": "unknown profile" })
        );
        return page(
            StatusCode::NOT_FOUND,
            "We could not find this subscription",
            "Please try again later, or reply to the email to be removed.",
            false,
        );
    };
    let ledger = state.ledger.clone();
    let suppressed = tokio::task::spawn_blocking(move || {
        Ledger::open(&ledger)?.suppress(&address, "one-click unsubscribe", "unsubscribe", Utc::now().timestamp())
    })
    .await;
    match suppressed {
        Ok(Ok(added)) => {
            if added {
                bump(&state.metrics.unsubscribed, 1);
            }
            eprintln!(
                "{}",
                serde_json::json!({ "event": "unsubscribe", "key": key, "outcome": "suppressed" })
            );
            page(
                StatusCode::OK,
                "You are unsubscribed",
                "You will not receive marketing email from us any more.",
                false,
            )
        }
        _ => page(
            StatusCode::SERVICE_UNAVAILABLE,
            "Please try again",
            "We could not record your request just now. Please try again in a minute.",
            false,
        ),
    }
}
