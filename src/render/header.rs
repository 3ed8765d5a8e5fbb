//! Header values built from data, made safe to write (RFC 5322, RFC 2047): nothing from a
//! profile, an event or a rendered template can end a header line, add a header, or decode
//! into a line break in the reader's mail program.
//!
//! - Control characters (CR and LF among them) become spaces, and runs of white space one.
//! - Text that is not printable ASCII, or that holds `=?` (an encoded word already in the
//!   data, which a reader would otherwise decode, line breaks and all), is written as RFC 2047
//!   encoded words, which decode to exactly that text and are never decoded twice.
//! - Lines are folded at 78 characters where the text allows, and a value is capped, so no
//!   line comes near RFC 5322's hard limit of 998.
//! - URLs are percent-encoded outside RFC 3986's characters, so `<`, `>` and white space from
//!   data cannot leave the angle brackets of `List-Unsubscribe`.

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;

/// Where a header line should end (RFC 5322 §2.1.1 "SHOULD").
const LINE_WIDTH: usize = 78;

/// The most characters of unstructured header text (a subject) kept from data.
pub const MAX_TEXT_CHARS: usize = 998;

/// The most characters of a display name kept from data.
pub const MAX_NAME_CHARS: usize = 200;

/// The longest URL written into a header: `List-Unsubscribe: <URL>` stays one line under 998.
pub const MAX_URL_CHARS: usize = 900;

/// Bytes of UTF-8 text per encoded word: 45 bytes are 60 base64 characters, and with
/// `=?UTF-8?B?` and `?=` a word is 72 characters, under RFC 2047's 75.
const ENCODED_WORD_BYTES: usize = 45;

/// `text` on one line: control characters are spaces, white space runs are one space, ends
/// trimmed, at most `max_chars` characters (an ellipsis marks a cut).
pub fn single_line(text: &str, max_chars: usize) -> String {
    let words = text
        .split(|c: char| c.is_control() || c.is_whitespace())
        .filter(|w| !w.is_empty());
    let mut out = String::new();
    let mut count = 0;
    for word in words {
        for ch in (!out.is_empty()).then_some(' ').into_iter().chain(word.chars()) {
            if count == max_chars {
                // Over the cap: the last character kept gives way to an ellipsis.
                out.pop();
                out.push('…');
                return out;
            }
            out.push(ch);
            count += 1;
        }
    }
    out
}

/// Whether `text` may be written as it is: printable ASCII with no encoded-word opener.
fn is_plain(text: &str) -> bool {
    text.bytes().all(|b| (0x20..0x7f).contains(&b)) && !text.contains("=?")
}

/// `text` as RFC 2047 `B` encoded words, each on its own folded line.
fn encoded_words(text: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut chunk = String::new();
    for ch in text.chars() {
        if chunk.len() + ch.len_utf8() > ENCODED_WORD_BYTES {
            words.push(format!("=?UTF-8?B?{}?=", STANDARD.encode(chunk.as_bytes())));
            chunk.clear();
        }
        chunk.push(ch);
    }
    if !chunk.is_empty() {
        words.push(format!("=?UTF-8?B?{}?=", STANDARD.encode(chunk.as_bytes())));
    }
    words
}

/// Joins `pieces` with single spaces, folding (`CRLF` and a space) before a piece that would
/// take the line past [`LINE_WIDTH`]; `first_line_used` characters (`Subject: `) are taken.
fn folded(pieces: &[String], first_line_used: usize) -> String {
    let mut out = String::new();
    let mut width = first_line_used;
    for (index, piece) in pieces.iter().enumerate() {
        if index > 0 {
            if width + 1 + piece.len() > LINE_WIDTH {
                out.push_str("\r\n ");
                width = 1;
            } else {
                out.push(' ');
                width += 1;
            }
        }
        out.push_str(piece);
        width += piece.len();
    }
    out
}

/// An unstructured header's value (RFC 5322 §3.2.5, a `Subject`) for the header `name`: one
/// line of at most [`MAX_TEXT_CHARS`] characters, encoded words when not plain, folded.
pub fn unstructured(name: &str, text: &str) -> String {
    let text = single_line(text, MAX_TEXT_CHARS);
    let used = name.len() + 2;
    let words: Vec<String> = text.split(' ').map(str::to_string).collect();
    // A word too long for any line cannot be folded as it stands: encode it all.
    if is_plain(&text) && words.iter().all(|w| w.len() < LINE_WIDTH) {
        folded(&words, used)
    } else {
        folded(&encoded_words(&text), used)
    }
}

/// A display name as an RFC 5322 phrase: atoms as they are, a quoted string for other plain
/// text, encoded words for the rest.
fn phrase(name: &str) -> String {
    if name.bytes().all(|b| b.is_ascii_alphanumeric() || b" .-'".contains(&b)) {
        name.to_string()
    } else if is_plain(name) {
        let mut quoted = String::with_capacity(name.len() + 2);
        quoted.push('"');
        for ch in name.chars() {
            if ch == '"' || ch == '\\' {
                quoted.push('\\');
            }
            quoted.push(ch);
        }
        quoted.push('"');
        quoted
    } else {
        encoded_words(name).join("\r\n ")
    }
}

/// An address as it may stand in a header: only the characters an address may hold
/// (`model::is_valid_address` lets no others through; this keeps a header whole regardless).
fn address_text(address: &str) -> String {
    address
        .chars()
        .filter(|c| c.is_ascii_graphic() && !"<>()[]\\,;:\"".contains(*c))
        .collect()
}

/// `Name <address>` (or the address alone) with the name as a safe phrase, for `From`,
/// `To` and `Reply-To`.
pub fn mailbox(name: Option<&str>, address: &str) -> String {
    let address = address_text(address);
    match name.map(|n| single_line(n, MAX_NAME_CHARS)).filter(|n| !n.is_empty()) {
        Some(name) => format!("{} <{address}>", phrase(&name)),
        None => address,
    }
}

/// A URL for `<…>` in a header: every character outside RFC 3986's unreserved and reserved
/// sets (and `%`) percent-encoded as UTF-8, so white space, line breaks and angle brackets
/// from data cannot end it. A URL that was valid stays the same.
pub fn uri(url: &str) -> String {
    let mut out = String::with_capacity(url.len());
    for ch in url.chars() {
        if ch.is_ascii_alphanumeric() || "-._~:/?#[]@!$&'()*+,;=%".contains(ch) {
            out.push(ch);
        } else {
            let mut bytes = [0; 4];
            for byte in ch.encode_utf8(&mut bytes).bytes() {
                out.push_str(&format!("%{byte:02X}"));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_breaks_and_controls_become_single_spaces() {
        assert_eq!(single_line(" a\r\nBcc: x\t\x00y ", 100), "a Bcc: x y");
        assert_eq!(single_line("abcdef", 4), "abc…");
    }

    #[test]
    fn plain_text_is_kept_and_folded_at_78() {
        assert_eq!(unstructured("Subject", "Hi there"), "Hi there");
        let long = "word ".repeat(40);
        let value = unstructured("Subject", &long);
        let header = format!("Subject: {value}");
        assert!(header.split("\r\n").count() > 1, "{header}");
        for line in header.split("\r\n") {
            assert!(line.len() <= LINE_WIDTH, "{line:?}");
        }
    }

    #[test]
    fn encoded_words_in_data_are_encoded_again() {
        let value = unstructured("Subject", "=?utf-8?q?x=0D=0ABcc:_a@b.test?=");
        assert!(value.starts_with("=?UTF-8?B?"), "{value}");
        assert!(!value.contains("=?utf-8?q?"));
    }

    #[test]
    fn non_ascii_text_is_encoded() {
        assert_eq!(unstructured("Subject", "Olá"), "=?UTF-8?B?T2zDoQ==?=");
    }

    #[test]
    fn names_cannot_end_the_header() {
        let evil = "x\r\nMIME-Version: 1.0\r\nContent-Type: text/html\r\n\r\n<h1>locked</h1>";
        let header = mailbox(Some(evil), "a@b.test");
        assert!(!header.contains('\r') && !header.contains('\n'), "{header}");
        assert_eq!(
            mailbox(Some("Ana \"A\" \\ B"), "a@b.test"),
            "\"Ana \\\"A\\\" \\\\ B\" <a@b.test>"
        );
        assert_eq!(mailbox(Some("Ana"), "a@b.test"), "Ana <a@b.test>");
        assert_eq!(mailbox(None, "a@b.test\r\nBcc: c@d.test"), "a@b.testBccc@d.test");
    }

    #[test]
    fn urls_keep_their_characters_and_lose_the_rest() {
        assert_eq!(uri("https://a.test/u?x=1&t=ab%20c"), "https://a.test/u?x=1&t=ab%20c");
        assert_eq!(
            uri("https://a.test/u?x=a b>\r\nBcc:é"),
            "https://a.test/u?x=a%20b%3E%0D%0ABcc:%C3%A9"
        );
    }
}
