//! Complete messages (SPEC §6): `multipart/alternative` with quoted-printable UTF-8 text and
//! HTML parts and deterministic headers — `Message-ID: <H@sender-domain>` and the MIME boundary
//! derive from H, the first 16 bytes (hex) of SHA-256 over campaign, profile key and occurrence,
//! and `Date` is the run's `now` — so the same inputs always give the same bytes.

use chrono::{DateTime, Utc};
use sha2::{Digest, Sha256};

use super::header::{mailbox, unstructured, uri};
use crate::template::escape_html;

/// Everything a message's headers need.
#[derive(Debug, Clone)]
pub struct Envelope<'a> {
    /// `From`, as `Name <address>` or an address.
    pub from: &'a str,
    /// The recipient's address.
    pub to: &'a str,
    /// The recipient's display name, if any.
    pub to_name: Option<&'a str>,
    /// Optional `Reply-To` address.
    pub reply_to: Option<&'a str>,
    /// The one-click unsubscribe URL.
    pub unsubscribe_url: &'a str,
    /// Optional unsubscribe mailbox.
    pub unsubscribe_mailto: Option<&'a str>,
    /// The postal address the footer must show.
    pub postal_address: &'a str,
    /// The run's clock.
    pub now: DateTime<Utc>,
}

/// H: the first 16 bytes (hex) of SHA-256 over campaign, profile key and occurrence id.
pub fn message_hash(campaign: &str, key: &str, occurrence: &str) -> String {
    let digest = Sha256::new()
        .chain_update(campaign)
        .chain_update(b"\n")
        .chain_update(key)
        .chain_update(b"\n")
        .chain_update(occurrence)
        .finalize();
    digest[..16].iter().map(|b| format!("{b:02x}")).collect()
}

/// Quoted-printable (RFC 2045) with CRLF line breaks; bare CR and LF become CRLF.
pub fn quoted_printable(text: &str) -> String {
    let normalized = text.replace("\r\n", "\n").replace('\r', "\n");
    let mut out = String::with_capacity(normalized.len() + normalized.len() / 8);
    for (index, line) in normalized.split('\n').enumerate() {
        if index > 0 {
            out.push_str("\r\n");
        }
        let bytes = line.as_bytes();
        const HEX: &[u8; 16] = b"0123456789ABCDEF";
        let mut width = 0;
        for (i, &byte) in bytes.iter().enumerate() {
            let last = i + 1 == bytes.len();
            let plain = (33..=126).contains(&byte) && byte != b'=' || ((byte == b' ' || byte == b'\t') && !last);
            let size = if plain { 1 } else { 3 };
            if width + size > 75 {
                out.push_str("=\r\n");
                width = 0;
            }
            if plain {
                out.push(char::from(byte));
            } else {
                out.push('=');
                out.push(char::from(HEX[usize::from(byte >> 4)]));
                out.push(char::from(HEX[usize::from(byte & 15)]));
            }
            width += size;
        }
    }
    out
}

/// Puts the preheader as hidden text at the top of the body, and the postal address in a
/// footer when the HTML does not show it already.
fn finished_html(html: &str, preheader: Option<&str>, postal_address: &str) -> String {
    let mut html = html.to_string();
    let escaped_address = escape_html(postal_address);
    if !html.contains(postal_address) && !html.contains(&escaped_address) {
        let footer = format!("<p style=\"font-size:12px;color:#666\">{escaped_address}</p>");
        match html.rfind("</body>") {
            Some(at) => html.insert_str(at, &footer),
            None => html.push_str(&footer),
        }
    }
    if let Some(preheader) = preheader.filter(|p| !p.is_empty()) {
        let escaped = escape_html(preheader);
        let hidden = format!("<div style=\"display:none;max-height:0;overflow:hidden\">{escaped}</div>");
        match html
            .find("<body")
            .and_then(|at| html[at..].find('>').map(|end| at + end + 1))
        {
            Some(at) => html.insert_str(at, &hidden),
            None => html.insert_str(0, &hidden),
        }
    }
    html
}

/// The text part with the postal address when it does not show it already.
fn finished_text(text: &str, postal_address: &str) -> String {
    if text.contains(postal_address) {
        text.to_string()
    } else {
        format!("{}\n\n{postal_address}\n", text.trim_end())
    }
}

/// The Message-ID of a message from `from` (`Name <address>` or an address) with hash `hash`:
/// `<hash@sender-domain>`.
pub fn message_id(from: &str, hash: &str) -> String {
    let domain = from
        .rsplit_once('@')
        .map_or("tailor.invalid", |(_, d)| d.trim_end_matches('>'));
    format!("<{hash}@{domain}>")
}

/// The whole message, CRLF line endings. `hash` is [`message_hash`].
pub fn build_message(
    envelope: &Envelope,
    hash: &str,
    subject: &str,
    preheader: Option<&str>,
    text: &str,
    html: &str,
) -> String {
    let (from_name, from_address) =
        crate::model::parse_mailbox(envelope.from).unwrap_or((None, envelope.from.to_string()));
    let boundary = format!("tailor-{hash}");
    let mut unsubscribe = format!("<{}>", uri(envelope.unsubscribe_url));
    if let Some(mailto) = envelope.unsubscribe_mailto {
        let target = format!("<mailto:{}?subject=unsubscribe>", uri(mailto));
        // One line while it fits RFC 5322's limit, else folded between the two targets.
        let separator = if unsubscribe.len() + target.len() > 950 {
            ",\r\n "
        } else {
            ", "
        };
        unsubscribe.push_str(separator);
        unsubscribe.push_str(&target);
    }
    let mut headers = vec![
        format!("From: {}", mailbox(from_name.as_deref(), &from_address)),
        format!("To: {}", mailbox(envelope.to_name, envelope.to)),
    ];
    if let Some(reply_to) = envelope.reply_to {
        let (name, address) = crate::model::parse_mailbox(reply_to).unwrap_or((None, reply_to.to_string()));
        headers.push(format!("Reply-To: {}", mailbox(name.as_deref(), &address)));
    }
    headers.extend([
        format!("Subject: {}", unstructured("Subject", subject)),
        format!("Date: {}", envelope.now.to_rfc2822()),
        format!("Message-ID: {}", message_id(envelope.from, hash)),
        format!("List-Unsubscribe: {unsubscribe}"),
        "List-Unsubscribe-Post: List-Unsubscribe=One-Click".to_string(),
        "MIME-Version: 1.0".to_string(),
        format!("Content-Type: multipart/alternative; boundary=\"{boundary}\""),
    ]);
    let part = |kind: &str, body: &str| {
        format!("--{boundary}\r\nContent-Type: {kind}; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n{}\r\n", quoted_printable(body))
    };
    format!(
        "{}\r\n\r\n{}{}--{boundary}--\r\n",
        headers.join("\r\n"),
        part("text/plain", &finished_text(text, envelope.postal_address)),
        part("text/html", &finished_html(html, preheader, envelope.postal_address)),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoted_printable_wraps_and_escapes() {
        assert_eq!(quoted_printable("a=b é\nend "), "a=3Db =C3=A9\r\nend=20");
        let long = "x".repeat(80);
        let encoded = quoted_printable(&long);
        assert!(encoded.lines().all(|l| l.len() <= 76), "{encoded}");
        assert_eq!(encoded.replace("=\r\n", ""), long);
    }
}
