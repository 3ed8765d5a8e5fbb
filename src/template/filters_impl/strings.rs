//! Text filters with Shopify's semantics: nil reads as empty text, lengths count characters.

use super::FilterResult;
use crate::template::budget::check_growth;
use crate::template::escape::escape_html;
use crate::template::value::LiquidValue;

/// `f` applied to the input's text.
pub fn map_text(input: &LiquidValue, f: impl Fn(&str) -> String) -> LiquidValue {
    f(&input.to_text()).into()
}

/// `append` (and `prepend`, with the two swapped), refused when the result would be too large.
pub fn append(a: &LiquidValue, b: &LiquidValue) -> FilterResult {
    let (a, b) = (a.to_text(), b.to_text());
    check_growth(a.len() + b.len())?;
    Ok(format!("{a}{b}").into())
}

/// The first character upper case, the rest lower case.
pub fn capitalize(input: &LiquidValue) -> LiquidValue {
    map_text(input, |s| {
        let mut chars = s.chars();
        match chars.next() {
            Some(first) => first.to_uppercase().chain(chars.flat_map(char::to_lowercase)).collect(),
            None => String::new(),
        }
    })
}

/// HTML-escaped text; nil stays nil.
pub fn escape(input: &LiquidValue) -> LiquidValue {
    match input {
        LiquidValue::Nil => LiquidValue::Nil,
        other => escape_html(&other.to_text()).into(),
    }
}

/// HTML-escaped text that leaves entities already written (`&amp;`, `&#39;`) alone.
pub fn escape_once(input: &LiquidValue) -> LiquidValue {
    if input.is_nil() {
        return LiquidValue::Nil;
    }
    let text = input.to_text();
    let mut out = String::with_capacity(text.len());
    let mut rest: &str = &text;
    while let Some(at) = rest.find(['&', '<', '>', '"', '\'']) {
        out.push_str(&rest[..at]);
        let ch = rest.as_bytes()[at];
        rest = &rest[at + 1..];
        match ch {
            b'&' if is_entity(rest) => out.push('&'),
            b'&' => out.push_str("&amp;"),
            b'<' => out.push_str("&lt;"),
            b'>' => out.push_str("&gt;"),
            b'"' => out.push_str("&quot;"),
            _ => out.push_str("&#39;"),
        }
    }
    out.push_str(rest);
    out.into()
}

/// Whether `rest` (after a `&`) continues an entity: `name;` or `#digits;`.
fn is_entity(rest: &str) -> bool {
    let Some(end) = rest.find(';') else { return false };
    let body = &rest[..end];
    match body.strip_prefix('#') {
        Some(digits) => !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()),
        None => !body.is_empty() && body.bytes().all(|b| b.is_ascii_alphabetic()),
    }
}

/// Text without HTML tags, comments, scripts and styles.
pub fn strip_html(input: &LiquidValue) -> LiquidValue {
    let text = input.to_text();
    let mut out = String::with_capacity(text.len());
    let mut rest: &str = &text;
    while let Some(at) = rest.find('<') {
        out.push_str(&rest[..at]);
        let tag = &rest[at..];
        let lower = tag.get(..8).unwrap_or(tag).to_ascii_lowercase();
        let end = if lower.starts_with("<!--") {
            tag.find("-->").map(|e| e + 3)
        } else if lower.starts_with("<script") {
            find_ignore_case(tag, "</script>").map(|e| e + 9)
        } else if lower.starts_with("<style") {
            find_ignore_case(tag, "</style>").map(|e| e + 8)
        } else {
            tag.find('>').map(|e| e + 1)
        };
        match end {
            Some(end) => rest = &tag[end..],
            None => {
                out.push_str(tag);
                rest = "";
            }
        }
    }
    out.push_str(rest);
    out.into()
}

fn find_ignore_case(haystack: &str, needle: &str) -> Option<usize> {
    haystack.to_ascii_lowercase().find(needle)
}

/// Which occurrences `replace` and `remove` change.
#[derive(Debug, Clone, Copy)]
pub enum Which {
    /// Every one.
    All,
    /// The first.
    First,
    /// The last.
    Last,
}

/// Replaces occurrences of `from` with `to` (nil: removes them), refused when the result
/// would be too large.
pub fn replace(input: &LiquidValue, from: &LiquidValue, to: &LiquidValue, which: Which) -> FilterResult {
    let (text, from, to) = (input.to_text(), from.to_text(), to.to_text());
    let occurrences = match which {
        Which::All => text.len() / from.len().max(1) + 1,
        _ => 1,
    };
    check_growth(text.len().saturating_add(occurrences.saturating_mul(to.len())))?;
    Ok(match which {
        Which::All if from.is_empty() => {
            let mut out = String::with_capacity(text.len() * (to.len() + 1) + to.len());
            out.push_str(&to);
            for ch in text.chars() {
                out.push(ch);
                out.push_str(&to);
            }
            out
        }
        Which::All => text.replace(from.as_ref(), &to),
        Which::First => text.replacen(from.as_ref(), &to, 1),
        Which::Last => match text.rfind(from.as_ref()) {
            Some(at) => format!("{}{to}{}", &text[..at], &text[at + from.len()..]),
            None => text.into_owned(),
        },
    }
    .into())
}

/// `slice: offset, length`: characters of text or items of a list, from `offset` (negative:
/// from the end), `length` of them (default 1).
pub fn slice(input: &LiquidValue, offset: &LiquidValue, length: Option<LiquidValue>) -> FilterResult {
    let offset = offset.to_integer()?;
    let length = match length.filter(|l| !l.is_nil()) {
        Some(length) => length.to_integer()?,
        None => 1,
    };
    let window = |len: usize| -> Option<std::ops::Range<usize>> {
        let len = len as i64;
        let start = if offset < 0 { len + offset } else { offset };
        if start < 0 || start > len || length < 0 {
            return None;
        }
        let end = start.saturating_add(length).min(len);
        Some(start as usize..end as usize)
    };
    Ok(match input {
        LiquidValue::Array(items) => window(items.len())
            .map(|r| items[r].to_vec())
            .unwrap_or_default()
            .into(),
        other => {
            let text = other.to_text();
            let chars: Vec<char> = text.chars().collect();
            window(chars.len())
                .map(|r| chars[r].iter().collect::<String>())
                .unwrap_or_default()
                .into()
        }
    })
}

/// `split: separator`: a space splits on runs of whitespace (as Ruby does), empty text splits
/// into characters; trailing empty parts are dropped.
pub fn split(input: &LiquidValue, separator: &LiquidValue) -> LiquidValue {
    let (text, separator) = (input.to_text(), separator.to_text());
    let mut parts: Vec<LiquidValue> = if separator == " " {
        text.split_whitespace().map(LiquidValue::from).collect()
    } else if separator.is_empty() {
        text.chars().map(|c| LiquidValue::from(c.to_string())).collect()
    } else {
        text.split(separator.as_ref()).map(LiquidValue::from).collect()
    };
    while parts.last().is_some_and(|p| p.as_str() == Some("")) {
        parts.pop();
    }
    parts.into()
}

/// `truncate: length, ellipsis`: at most `length` characters, ellipsis (default `...`)
/// included.
pub fn truncate(input: &LiquidValue, length: Option<LiquidValue>, ellipsis: Option<LiquidValue>) -> FilterResult {
    let length = match length {
        Some(length) => length.to_integer()?,
        None => 50,
    };
    let ellipsis = ellipsis.map_or_else(|| "...".to_string(), |e| e.to_text().into_owned());
    let text = input.to_text();
    let count = text.chars().count();
    if count as i64 <= length {
        return Ok(text.into_owned().into());
    }
    let keep = (length - ellipsis.chars().count() as i64).max(0) as usize;
    Ok(format!("{}{ellipsis}", text.chars().take(keep).collect::<String>()).into())
}

/// `truncatewords: words, ellipsis`: at most `words` words (at least 1), joined by one space,
/// then the ellipsis (default `...`) when words were dropped.
pub fn truncate_words(input: &LiquidValue, words: Option<LiquidValue>, ellipsis: Option<LiquidValue>) -> FilterResult {
    let words = match words {
        Some(words) => words.to_integer()?,
        None => 15,
    }
    .max(1) as usize;
    let ellipsis = ellipsis.map_or_else(|| "...".to_string(), |e| e.to_text().into_owned());
    let text = input.to_text();
    let all: Vec<&str> = text.split_whitespace().collect();
    if all.len() <= words {
        return Ok(text.into_owned().into());
    }
    Ok(format!("{}{ellipsis}", all[..words].join(" ")).into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn follows_shopify() {
        let text = |v: FilterResult| v.unwrap().to_text().into_owned();
        assert_eq!(
            text(slice(
                &"Liquid".into(),
                &LiquidValue::Int(-3),
                Some(LiquidValue::Int(2))
            )),
            "ui"
        );
        assert_eq!(
            text(truncate(&"Ground control".into(), Some(LiquidValue::Int(8)), None)),
            "Groun..."
        );
        assert_eq!(
            text(truncate_words(
                &"one two  three".into(),
                Some(LiquidValue::Int(2)),
                None
            )),
            "one two..."
        );
        assert_eq!(escape_once(&"&amp; <b> &".into()).to_text(), "&amp; &lt;b&gt; &amp;");
        assert_eq!(
            strip_html(&"<p>a<!-- x --></p><script>y</script>b".into()).to_text(),
            "ab"
        );
        assert_eq!(split(&"  a  b ".into(), &" ".into()).size(), Some(2));
        assert!(replace(
            &"x".repeat(1 << 20).into(),
            &"x".into(),
            &"y".repeat(100).into(),
            Which::All
        )
        .is_err());
    }
}
