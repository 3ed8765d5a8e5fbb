//! Golden files in a form a reviewer can read: a message as tailor builds it (§6), with its
//! headers decoded and unfolded, one per line, then each part decoded from quoted-printable,
//! one after another. A change to a template shows in a pull request as the lines of the email
//! that changed, not as re-wrapped `=3D` soup.
//!
//! The exact bytes stay available: a golden file named `*.eml` is compared byte for byte.

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;

/// Whether golden files at `path` hold the exact message (`.eml`) rather than the readable form.
pub fn is_exact_golden(path: &std::path::Path) -> bool {
    path.extension().is_some_and(|e| e.eq_ignore_ascii_case("eml"))
}

/// The readable form of `eml`, a message built by tailor: decoded headers, then each part
/// under a `=== <content type> ===` line, decoded. LF line endings.
pub fn readable_message(eml: &str) -> String {
    let eml = eml.replace("\r\n", "\n");
    let (head, body) = eml.split_once("\n\n").unwrap_or((eml.as_str(), ""));
    let mut out = String::with_capacity(eml.len());
    let mut boundary = None;
    for (name, value) in unfolded(head) {
        if name.eq_ignore_ascii_case("Content-Type") {
            boundary = parameter(&value, "boundary");
        }
        out.push_str(&format!("{name}: {}\n", decode_words(&value)));
    }
    let Some(boundary) = boundary else {
        out.push('\n');
        out.push_str(body);
        return out;
    };
    let delimiter = format!("--{boundary}");
    for part in body.split(&delimiter).skip(1) {
        if part.starts_with("--") {
            break;
        }
        let part = part.strip_prefix('\n').unwrap_or(part);
        let (part_head, content) = part.split_once("\n\n").unwrap_or((part, ""));
        let headers = unfolded(part_head);
        let header = |wanted: &str| {
            headers
                .iter()
                .find(|(n, _)| n.eq_ignore_ascii_case(wanted))
                .map(|(_, v)| v.as_str())
        };
        let kind = header("Content-Type").unwrap_or("text/plain");
        let content = content.strip_suffix('\n').unwrap_or(content);
        let decoded = match header("Content-Transfer-Encoding") {
            Some(encoding) if encoding.eq_ignore_ascii_case("quoted-printable") => quoted_printable(content),
            _ => content.to_string(),
        };
        out.push_str(&format!("\n=== {kind} ===\n{decoded}\n"));
    }
    out
}

/// Header lines joined with their continuations: `(name, value)` in order.
fn unfolded(head: &str) -> Vec<(String, String)> {
    let mut headers: Vec<(String, String)> = Vec::new();
    for line in head.lines() {
        if line.starts_with([' ', '\t']) {
            if let Some((_, value)) = headers.last_mut() {
                value.push(' ');
                value.push_str(line.trim_start());
            }
        } else if let Some((name, value)) = line.split_once(':') {
            headers.push((name.to_string(), value.trim_start().to_string()));
        }
    }
    headers
}

/// The value of `name="value"` (or `name=value`) in a header's parameters.
fn parameter(value: &str, name: &str) -> Option<String> {
    value.split(';').find_map(|p| {
        let (key, value) = p.trim().split_once('=')?;
        key.eq_ignore_ascii_case(name)
            .then(|| value.trim_matches('"').to_string())
    })
}

/// RFC 2047 encoded words (`=?UTF-8?B?…?=`) decoded; the space between two of them dropped.
fn decode_words(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    let mut previous_encoded = false;
    for (index, word) in value.split(' ').enumerate() {
        let decoded = encoded_word(word);
        if index > 0 && !(previous_encoded && decoded.is_some()) {
            out.push(' ');
        }
        previous_encoded = decoded.is_some();
        out.push_str(decoded.as_deref().unwrap_or(word));
    }
    out
}

/// One `=?charset?B|Q?text?=` word as UTF-8 text, when it is one.
fn encoded_word(word: &str) -> Option<String> {
    let inner = word.strip_prefix("=?")?.strip_suffix("?=")?;
    let mut pieces = inner.splitn(3, '?');
    let (charset, encoding, text) = (pieces.next()?, pieces.next()?, pieces.next()?);
    if !charset.eq_ignore_ascii_case("utf-8") {
        return None;
    }
    let bytes = match encoding {
        "B" | "b" => STANDARD.decode(text).ok()?,
        "Q" | "q" => quoted_bytes(&text.replace('_', " ")),
        _ => return None,
    };
    String::from_utf8(bytes).ok()
}

/// A quoted-printable body decoded: soft line breaks joined, `=XX` bytes restored.
fn quoted_printable(content: &str) -> String {
    let joined = content.replace("=\n", "");
    String::from_utf8_lossy(&quoted_bytes(&joined)).into_owned()
}

fn quoted_bytes(text: &str) -> Vec<u8> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes.get(i + 1..i + 3).and_then(|h| std::str::from_utf8(h).ok());
        match (bytes[i], hex.and_then(|h| u8::from_str_radix(h, 16).ok())) {
            (b'=', Some(byte)) => {
                out.push(byte);
                i += 3;
            }
            (byte, _) => {
                out.push(byte);
                i += 1;
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::mime::quoted_printable as encode;

    #[test]
    fn headers_are_decoded_and_parts_follow_each_other() {
        let html = format!("<p>Olá {} é</p>", "x".repeat(90));
        let eml = format!(
            "From: =?UTF-8?B?T2zDoQ==?= <a@b.test>\r\nSubject: Hello\r\n there =?UTF-8?B?T2zDoQ==?=\r\n =?UTF-8?B?IQ==?=\r\nContent-Type: multipart/alternative; boundary=\"b1\"\r\n\r\n--b1\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n{}\r\n--b1\r\nContent-Type: text/html; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n{}\r\n--b1--\r\n",
            encode("a=b\nsecond line"),
            encode(&html)
        );
        let readable = readable_message(&eml);
        assert_eq!(
            readable,
            format!("From: Olá <a@b.test>\nSubject: Hello there Olá!\nContent-Type: multipart/alternative; boundary=\"b1\"\n\n=== text/plain; charset=utf-8 ===\na=b\nsecond line\n\n=== text/html; charset=utf-8 ===\n{html}\n")
        );
    }
}
