//! A fast reading of the NDJSON line most exports are made of: one flat object whose values
//! are plain (strings without escapes, plain numbers, `true`, `false`, `null`) or lists of
//! plain values. Such a line is read in one scan, without serde's machinery; any other line
//! (objects or lists inside, escapes, long or exponent numbers, and every line that is not
//! valid JSON) is left to serde_json, so its values and its error messages are serde_json's
//! own.

use std::borrow::Cow;

use serde_json::Number;

use super::json_cell::JsonCell;

/// The keys and values of `line` when it is a flat object this scan reads, in file order;
/// `None` when serde_json must read it.
pub(super) fn flat_object(line: &str) -> Option<Vec<(Cow<'_, str>, JsonCell<'_>)>> {
    let mut scan = Scan {
        text: line,
        bytes: line.as_bytes(),
        at: 0,
    };
    scan.skip_space();
    let mut fields = Vec::with_capacity(8);
    scan.items(b'{', b'}', |scan| {
        let key = scan.string()?;
        scan.skip_space();
        scan.expect(b':')?;
        scan.skip_space();
        fields.push((Cow::Borrowed(key), scan.value()?));
        Some(())
    })?;
    scan.skip_space();
    (scan.at == scan.bytes.len()).then_some(fields)
}

/// Integer digits at most, for a number read here: any such integer fits an `i64`, and any
/// decimal with this many digits is exact before its one division, so it rounds as
/// serde_json's does.
const MAX_DIGITS: usize = 15;

/// A position in a line being scanned.
struct Scan<'a> {
    text: &'a str,
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Scan<'a> {
    /// The byte at the position, if the line goes on.
    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.at).copied()
    }

    /// Steps over `byte`, or fails.
    fn expect(&mut self, byte: u8) -> Option<()> {
        (self.peek()? == byte).then(|| self.at += 1)
    }

    /// Steps over JSON whitespace.
    fn skip_space(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\r' | b'\n')) {
            self.at += 1;
        }
    }

    /// A string without escapes or control characters, its quotes stepped over.
    fn string(&mut self) -> Option<&'a str> {
        self.expect(b'"')?;
        let start = self.at;
        let length = memchr::memchr2(b'"', b'\\', &self.bytes[start..])?;
        let end = start + length;
        if self.bytes[end] != b'"' || self.bytes[start..end].iter().any(|b| *b < 0x20) {
            return None;
        }
        self.at = end + 1;
        // Both ends are at ASCII quotes, so on character boundaries.
        Some(&self.text[start..end])
    }

    /// A plain value or a list of plain values.
    fn value(&mut self) -> Option<JsonCell<'a>> {
        if self.peek()? != b'[' {
            return self.plain();
        }
        let mut items = Vec::new();
        self.items(b'[', b']', |scan| {
            items.push(scan.plain()?);
            Some(())
        })?;
        Some(JsonCell::List(items))
    }

    /// Steps over `open`, then over items read by `item` separated by commas, then over
    /// `close`; fails where anything else comes.
    fn items(&mut self, open: u8, close: u8, mut item: impl FnMut(&mut Self) -> Option<()>) -> Option<()> {
        self.expect(open)?;
        self.skip_space();
        if self.peek()? == close {
            self.at += 1;
            return Some(());
        }
        loop {
            item(self)?;
            self.skip_space();
            match self.peek()? {
                b',' => {
                    self.at += 1;
                    self.skip_space();
                }
                byte if byte == close => {
                    self.at += 1;
                    return Some(());
                }
                _ => return None,
            }
        }
    }

    /// A value that is not a list or an object.
    fn plain(&mut self) -> Option<JsonCell<'a>> {
        match self.peek()? {
            b'"' => self.string().map(|s| JsonCell::Text(Cow::Borrowed(s))),
            b't' => self.word("true", JsonCell::Bool(true)),
            b'f' => self.word("false", JsonCell::Bool(false)),
            b'n' => self.word("null", JsonCell::Null),
            b'-' | b'0'..=b'9' => self.number(),
            _ => None,
        }
    }

    /// `value` when the line goes on with `word`.
    fn word(&mut self, word: &str, value: JsonCell<'a>) -> Option<JsonCell<'a>> {
        self.bytes[self.at..].starts_with(word.as_bytes()).then(|| {
            self.at += word.len();
            value
        })
    }

    /// A number: an integer (not `-0`) or a decimal without an exponent, of
    /// [`MAX_DIGITS`] digits at most.
    fn number(&mut self) -> Option<JsonCell<'a>> {
        let start = self.at;
        let negative = self.peek() == Some(b'-');
        if negative {
            self.at += 1;
        }
        let whole = self.digits();
        let leading_zero = whole > 1 && self.bytes[self.at - whole] == b'0';
        if whole == 0 || leading_zero {
            return None;
        }
        let fraction = if self.peek() == Some(b'.') {
            self.at += 1;
            match self.digits() {
                0 => return None,
                digits => Some(digits),
            }
        } else {
            None
        };
        if matches!(self.peek(), Some(b'e' | b'E')) || whole + fraction.unwrap_or(0) > MAX_DIGITS {
            return None;
        }
        let text = &self.text[start..self.at];
        let number = match fraction {
            Some(_) => Number::from_f64(text.parse().ok()?)?,
            None if negative => match text.parse::<i64>().ok()? {
                0 => return None,
                n => Number::from(n),
            },
            None => Number::from(text.parse::<u64>().ok()?),
        };
        Some(JsonCell::Number(number))
    }

    /// Steps over ASCII digits and says how many.
    fn digits(&mut self) -> usize {
        let start = self.at;
        while matches!(self.peek(), Some(b'0'..=b'9')) {
            self.at += 1;
        }
        self.at - start
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn serde_object(line: &str) -> Option<JsonCell<'_>> {
        serde_json::from_str::<JsonCell>(line).ok()
    }

    #[test]
    fn reads_the_flat_lines_of_an_export() {
        let line = r#" {"id":"e1", "tags":["a", 2 ,null],"none":[ ], "n":-12,"price":19.99 ,"ok":true,"no":false,"gone":null,"n":0,"big":123456789012345}"#;
        let fields = flat_object(line).expect("a flat line");
        assert_eq!(Some(JsonCell::Object(fields)), serde_object(line));
        assert_eq!(flat_object("{}"), Some(Vec::new()));
        assert_eq!(flat_object("{ }\r"), Some(Vec::new()));
    }

    #[test]
    fn leaves_everything_else_to_serde() {
        for line in [
            r#"{"a":"tab\there"}"#,
            r#"{"a":[[1]]}"#,
            r#"{"a":[1,]}"#,
            r#"{"a":[1}"#,
            r#"{"a":{"b":1}}"#,
            r#"{"a":1e3}"#,
            r#"{"a":-0}"#,
            r#"{"a":01}"#,
            r#"{"a":1234567890123456}"#,
            r#"{"a":1.}"#,
            r#"{"a":.5}"#,
            r#"{"a":tru}"#,
            r#"{"a":1,}"#,
            r#"{"a" 1}"#,
            r#"{"a":1} x"#,
            r#"{"a":1"#,
            "{\"a\":\"x\u{1}\"}",
            "[1]",
            "",
        ] {
            assert_eq!(flat_object(line), None, "{line}");
        }
    }

    /// Pieces of lines, valid and not.
    fn piece() -> impl Strategy<Value = String> {
        prop::sample::select(vec![
            "{",
            "}",
            "\"k\"",
            "\"\"",
            ":",
            ",",
            " ",
            "\t",
            "\r",
            "1",
            "-7",
            "0",
            "-0",
            "0.5",
            "-12.25",
            "3.",
            "1e2",
            "007",
            "123456789012345",
            "9999999999999999999",
            "true",
            "false",
            "null",
            "nul",
            "\"é\"",
            "\"a\\\"b\"",
            "[",
            "]",
            "[1]",
            "[\"s\",true]",
            "[ ]",
            "x",
            "\"",
        ])
        .prop_map(str::to_string)
    }

    /// A value of a flat object that the scan reads.
    fn plain_value() -> impl Strategy<Value = String> {
        let plain = || {
            prop_oneof![
                "[ -!#-\\[\\]-~é]{0,12}".prop_map(|s| format!("\"{s}\"")),
                (-99_999i64..99_999).prop_map(|n| n.to_string()),
                (0u32..100_000, 0u32..1000).prop_map(|(w, f)| format!("{w}.{f}")),
                prop::sample::select(vec!["true", "false", "null"]).prop_map(str::to_string),
            ]
        };
        prop_oneof![
            4 => plain(),
            1 => prop::collection::vec(plain(), 0..4).prop_map(|items| format!("[{}]", items.join(","))),
        ]
    }

    /// The pieces of a flat object of `fields`.
    fn object_pieces(fields: &[(String, String)]) -> Vec<String> {
        let mut pieces = vec!["{".to_string()];
        for (at, (key, value)) in fields.iter().enumerate() {
            if at > 0 {
                pieces.push(",".into());
            }
            pieces.extend([format!("\"{key}\""), ":".into(), value.clone()]);
        }
        pieces.push("}".into());
        pieces
    }

    proptest! {
        /// Every flat object of plain values is read by the scan, as serde_json reads it.
        #[test]
        fn reads_every_plain_flat_object(fields in prop::collection::vec(("[a-z_]{1,8}", plain_value()), 0..10)) {
            let line = object_pieces(&fields).concat();
            let fields = flat_object(&line);
            prop_assert!(fields.is_some(), "{}", line);
            prop_assert_eq!(fields.map(JsonCell::Object), serde_object(&line));
        }

        /// A flat object with a piece put in, taken out or changed (valid or not): the scan
        /// reads it as serde_json does, or leaves it to serde_json.
        #[test]
        fn agrees_with_serde_json(
            fields in prop::collection::vec(("[a-z_]{1,8}", plain_value()), 0..6),
            edits in prop::collection::vec((any::<prop::sample::Index>(), 0..3u8, piece()), 1..3),
        ) {
            let mut pieces = object_pieces(&fields);
            for (at, how, piece) in edits {
                let at = at.index(pieces.len() + 1);
                match how {
                    0 => pieces.insert(at, piece),
                    1 if at < pieces.len() => { pieces.remove(at); }
                    _ if at < pieces.len() => pieces[at] = piece,
                    _ => pieces.push(piece),
                }
            }
            let line = pieces.concat();
            if let Some(fields) = flat_object(&line) {
                prop_assert_eq!(Some(JsonCell::Object(fields)), serde_object(&line), "{}", line);
            }
        }
    }
}
