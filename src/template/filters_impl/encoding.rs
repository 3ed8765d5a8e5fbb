//! URL and Base64 encoding filters.

use base64::engine::general_purpose::{STANDARD, URL_SAFE};
use base64::Engine as _;

use super::FilterResult;
use crate::template::value::LiquidValue;

/// Form-encodes text as Ruby's `CGI.escape` does (space as `+`); nil stays nil.
pub fn url_encode(input: &LiquidValue) -> LiquidValue {
    if input.is_nil() {
        return LiquidValue::Nil;
    }
    let text = input.to_text();
    let mut out = String::with_capacity(text.len() * 3 / 2);
    for byte in text.bytes() {
        match byte {
            b' ' => out.push('+'),
            b if b.is_ascii_alphanumeric() || b"_.-~".contains(&b) => out.push(b as char),
            b => out.push_str(&format!("%{b:02X}")),
        }
    }
    out.into()
}

/// Decodes form-encoded text (`+` as space, `%XX` escapes); nil stays nil.
pub fn url_decode(input: &LiquidValue) -> LiquidValue {
    if input.is_nil() {
        return LiquidValue::Nil;
    }
    let text = input.to_text();
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' => match (
                bytes.get(i + 1).and_then(|b| hex(*b)),
                bytes.get(i + 2).and_then(|b| hex(*b)),
            ) {
                (Some(high), Some(low)) => {
                    out.push((high * 16 + low) as u8);
                    i += 2;
                }
                _ => out.push(b'%'),
            },
            other => out.push(other),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned().into()
}

/// Base64 (URL-safe alphabet when `url_safe`) of the input's text.
pub fn base64_encode(input: &LiquidValue, url_safe: bool) -> LiquidValue {
    let text = input.to_text();
    let engine = if url_safe { &URL_SAFE } else { &STANDARD };
    engine.encode(text.as_bytes()).into()
}

/// The text Base64 (URL-safe alphabet when `url_safe`) encodes; invalid Base64 is an error.
pub fn base64_decode(input: &LiquidValue, url_safe: bool) -> FilterResult {
    let text = input.to_text();
    let engine = if url_safe { &URL_SAFE } else { &STANDARD };
    let bytes = engine
        .decode(text.as_bytes())
        .map_err(|e| format!("`{text}` is not valid Base64: {e}"))?;
    Ok(String::from_utf8_lossy(&bytes).into_owned().into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips() {
        let encoded = url_encode(&"a b&c=é".into());
        assert_eq!(encoded.to_text(), "a+b%26c%3D%C3%A9");
        assert_eq!(url_decode(&encoded).to_text(), "a b&c=é");
        assert_eq!(url_decode(&"100%".into()).to_text(), "100%");
        let b64 = base64_encode(&"_#/.".into(), true);
        assert_eq!(b64.to_text(), "XyMvLg==");
        assert_eq!(base64_decode(&b64, true).unwrap().to_text(), "_#/.");
        assert!(base64_decode(&"5".into(), false).is_err());
    }
}
