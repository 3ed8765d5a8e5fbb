//! Open and click tracking in HTML messages (`tracking:` in the manifest). Each `<a href>` to
//! an http(s) page (but the unsubscribe link) is rewritten to `{base}/c/{payload}/{signature}`
//! and an invisible pixel `{base}/o/{payload}/{signature}` is added before `</body>`. The
//! payload names the campaign, variant, message and profile key (and, for a click, the page);
//! the signature is an HMAC under the unsubscribe secret, so `tailor serve` redirects only to
//! links it wrote (no open redirect) and counts only its own pixels. The text part is not
//! rewritten.

use base64::Engine as _;
use hmac::{Hmac, KeyInit, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;

use super::html_tags::{end_tag, Tag};
use super::unsubscribe::constant_time_eq;
use crate::model::Tracking;

/// What a tracking link or pixel stands for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TrackingPayload {
    /// The campaign.
    #[serde(rename = "c")]
    pub campaign: String,
    /// The variant.
    #[serde(rename = "v")]
    pub variant: String,
    /// The message's hash (the local part of its Message-ID).
    #[serde(rename = "m")]
    pub message: String,
    /// The profile key.
    #[serde(rename = "k")]
    pub key: String,
    /// When the message was sent (Unix seconds).
    #[serde(rename = "t")]
    pub sent_at: i64,
    /// The page a click goes to.
    #[serde(rename = "u", default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
}

/// A pixel or a link.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TrackingKind {
    /// The open pixel (`/o/`).
    Open,
    /// A click link (`/c/`).
    Click,
}

impl TrackingKind {
    /// Its path prefix.
    pub fn path(self) -> &'static str {
        match self {
            TrackingKind::Open => "/o/",
            TrackingKind::Click => "/c/",
        }
    }
}

/// The hex HMAC-SHA256 of `encoded` under `secret`, separated by kind from each other and from
/// unsubscribe tokens.
fn signature(secret: &[u8], kind: TrackingKind, encoded: &str) -> String {
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(secret) else {
        return String::new();
    };
    mac.update(kind.path().as_bytes());
    mac.update(encoded.as_bytes());
    mac.finalize().into_bytes().iter().map(|b| format!("{b:02x}")).collect()
}

/// The tracking URL of `payload`.
pub fn tracking_url(base: &str, kind: TrackingKind, payload: &TrackingPayload, secret: &[u8]) -> String {
    let json = serde_json::to_vec(payload).unwrap_or_default();
    let encoded = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(json);
    let signed = signature(secret, kind, &encoded);
    format!("{base}{}{encoded}/{signed}", kind.path())
}

/// The payload of a tracking path's `encoded/signature` tail, when the signature is right.
pub fn verify_tracking(secret: &[u8], kind: TrackingKind, encoded: &str, signed: &str) -> Option<TrackingPayload> {
    if !constant_time_eq(signed, &signature(secret, kind, encoded)) {
        return None;
    }
    let json = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(encoded).ok()?;
    serde_json::from_slice(&json).ok()
}

/// `value` as a double-quoted attribute value.
fn attribute_text(value: &str) -> String {
    value
        .replace('&', "&amp;")
        .replace('"', "&quot;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// The `<a>` tag `tag` with its `href` replaced by `href`.
fn with_href(tag: &Tag, href: &str) -> String {
    let mut text = String::from("<a");
    for (name, value) in &tag.attributes {
        let value = if name == "href" { href } else { value };
        text.push_str(&format!(" {name}=\"{}\"", attribute_text(value)));
    }
    text.push('>');
    text
}

/// Whether `href` is a page to track: http(s), not the unsubscribe link, not already tracked.
fn trackable(href: &str, unsubscribe_url: &str, base: &str) -> bool {
    let lower = href.trim().to_ascii_lowercase();
    (lower.starts_with("https://") || lower.starts_with("http://"))
        && href != unsubscribe_url
        && !href.starts_with(base)
}

/// `html` with its links rewritten and the pixel added, as `tracking` says. `payload` names
/// the message (its `url` is set per link).
pub fn track_html(
    html: &str,
    tracking: &Tracking,
    payload: &TrackingPayload,
    unsubscribe_url: &str,
    secret: &[u8],
) -> String {
    let mut out = String::with_capacity(html.len() + 512);
    let mut at = 0;
    while let Some(offset) = html[at..].find('<') {
        let start = at + offset;
        out.push_str(&html[at..start]);
        let rest = &html[start..];
        if rest.starts_with("<!--") {
            let end = rest.find("-->").map_or(rest.len(), |n| n + 3);
            out.push_str(&rest[..end]);
            at = start + end;
            continue;
        }
        let Some(tag) = Tag::parse(rest) else {
            out.push('<');
            at = start + 1;
            continue;
        };
        let original = &rest[..tag.length];
        at = start + tag.length;
        match tag.attribute("href") {
            Some(href)
                if tracking.clicks
                    && tag.name == "a"
                    && !tag.closing
                    && trackable(href, unsubscribe_url, &tracking.base_url) =>
            {
                let link = TrackingPayload {
                    url: Some(href.trim().to_string()),
                    ..payload.clone()
                };
                out.push_str(&with_href(
                    &tag,
                    &tracking_url(&tracking.base_url, TrackingKind::Click, &link, secret),
                ));
            }
            _ if tag.closing || !matches!(tag.name.as_str(), "style" | "script") => out.push_str(original),
            _ => {
                // Raw text up to the end tag is copied as it is.
                let end = end_tag(&html[at..], &tag.name).map_or(html.len(), |n| at + n);
                out.push_str(original);
                out.push_str(&html[at..end]);
                at = end;
            }
        }
    }
    out.push_str(&html[at..]);
    if tracking.opens {
        let pixel = format!(
            "<img src=\"{}\" width=\"1\" height=\"1\" alt=\"\" style=\"display:block;border:0;width:1px;height:1px\">",
            tracking_url(&tracking.base_url, TrackingKind::Open, payload, secret)
        );
        match out.to_ascii_lowercase().rfind("</body>") {
            Some(body_end) => out.insert_str(body_end, &pixel),
            None => out.push_str(&pixel),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn payload() -> TrackingPayload {
        TrackingPayload {
            campaign: "cart".into(),
            variant: "default".into(),
            message: "abc".into(),
            key: "u1".into(),
            sent_at: 1_700_000_000,
            url: None,
        }
    }

    fn tracking() -> Tracking {
        Tracking {
            base_url: "https://mail.acme.test".into(),
            opens: true,
            clicks: true,
        }
    }

    #[test]
    fn links_are_signed_and_tampering_is_refused() {
        let html = "<html><body><style>a{color:red}</style><!-- <a href=\"https://x.test\"> -->\
                    <a class=\"b\" href=\"https://acme.test/p?a=1&amp;b=2\">Shop</a> \
                    <a href=\"https://acme.test/unsub\">Unsubscribe</a> <a href=\"mailto:x@y.z\">mail</a></body></html>";
        let tracked = track_html(html, &tracking(), &payload(), "https://acme.test/unsub", b"secret");
        assert_eq!(tracked.matches("https://mail.acme.test/c/").count(), 1, "{tracked}");
        assert_eq!(tracked.matches("https://mail.acme.test/o/").count(), 1);
        assert!(tracked.contains("<!-- <a href=\"https://x.test\"> -->"));
        assert!(tracked.contains("href=\"https://acme.test/unsub\""));
        assert!(tracked.contains("class=\"b\""));
        let start = tracked.find("/c/").unwrap() + 3;
        let tail: String = tracked[start..].chars().take_while(|c| *c != '"').collect();
        let (encoded, signed) = tail.split_once('/').unwrap();
        let link = verify_tracking(b"secret", TrackingKind::Click, encoded, signed).unwrap();
        assert_eq!(link.url.as_deref(), Some("https://acme.test/p?a=1&b=2"));
        assert!(verify_tracking(b"other", TrackingKind::Click, encoded, signed).is_none());
        assert!(verify_tracking(b"secret", TrackingKind::Open, encoded, signed).is_none());
        let mut forged = payload();
        forged.url = Some("https://evil.test".into());
        let forged_url = tracking_url("", TrackingKind::Click, &forged, b"guess");
        let (encoded, signed) = forged_url.trim_start_matches("/c/").split_once('/').unwrap();
        assert!(verify_tracking(b"secret", TrackingKind::Click, encoded, signed).is_none());
    }
}
