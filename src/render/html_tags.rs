//! Reading HTML as tags, text and character references without building a document: what the
//! derived text part and the once-per-template checks need.

use markup5ever::data::NAMED_ENTITIES;

/// Elements that cannot have content.
pub const VOID: [&str; 14] = [
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source", "track", "wbr",
];

/// Elements whose content is text up to their end tag.
const RAW_TEXT: [&str; 5] = ["style", "script", "title", "textarea", "xmp"];

/// A piece of HTML.
pub enum Token<'h> {
    /// A start or end tag.
    Tag(Tag),
    /// Text (entities not decoded), or the content of a raw-text element; a `<` that starts no
    /// tag is text.
    Text(&'h str),
}

/// The tags and text of `html`, in order; comments and declarations left out.
pub fn tokens(html: &str) -> Tokens<'_> {
    Tokens {
        html,
        at: 0,
        raw_text_of: None,
    }
}

/// The iterator [`tokens`] returns.
pub struct Tokens<'h> {
    html: &'h str,
    at: usize,
    /// The raw-text element just opened: its content comes next, as one text.
    raw_text_of: Option<String>,
}

impl<'h> Iterator for Tokens<'h> {
    type Item = Token<'h>;

    fn next(&mut self) -> Option<Token<'h>> {
        loop {
            let rest = &self.html[self.at..];
            if rest.is_empty() {
                return None;
            }
            if let Some(name) = self.raw_text_of.take() {
                let end = end_tag(rest, &name).unwrap_or(rest.len());
                self.at += end;
                if end > 0 {
                    return Some(Token::Text(&rest[..end]));
                }
                continue;
            }
            let text_end = |from: usize| rest[from..].find('<').map_or(rest.len(), |n| from + n);
            if !rest.starts_with('<') {
                let end = text_end(0);
                self.at += end;
                return Some(Token::Text(&rest[..end]));
            }
            if rest.starts_with("<!--") {
                self.at += rest.find("-->").map_or(rest.len(), |n| n + 3);
            } else if rest.starts_with("<!") || rest.starts_with("<?") {
                self.at += rest.find('>').map_or(rest.len(), |n| n + 1);
            } else if let Some(tag) = Tag::parse(rest) {
                self.at += tag.length;
                if !tag.closing && !tag.self_closing && RAW_TEXT.contains(&tag.name.as_str()) {
                    self.raw_text_of = Some(tag.name.clone());
                }
                return Some(Token::Tag(tag));
            } else {
                let end = text_end(1);
                self.at += end;
                return Some(Token::Text(&rest[..end]));
            }
        }
    }
}

/// Where the end tag of `name` starts in `text`, compared without case.
pub fn end_tag(text: &str, name: &str) -> Option<usize> {
    text.match_indices("</").map(|(at, _)| at).find(|&at| {
        text.get(at + 2..at + 2 + name.len())
            .is_some_and(|candidate| candidate.eq_ignore_ascii_case(name))
    })
}

/// A start or end tag.
pub struct Tag {
    /// Lower-case name.
    pub name: String,
    /// `</name>`.
    pub closing: bool,
    /// `<name/>`.
    pub self_closing: bool,
    /// Attributes, names in lower case, values with entities decoded.
    pub attributes: Vec<(String, String)>,
    /// Bytes from `<` to `>` inclusive.
    pub length: usize,
}

impl Tag {
    /// The tag at the start of `text` (which starts with `<`), if it is one.
    pub fn parse(text: &str) -> Option<Tag> {
        let bytes = text.as_bytes();
        let mut i = 1;
        let closing = bytes.get(i) == Some(&b'/');
        if closing {
            i += 1;
        }
        let start = i;
        while i < bytes.len() && (bytes[i].is_ascii_alphanumeric() || bytes[i] == b'-' || bytes[i] == b':') {
            i += 1;
        }
        if i == start || !bytes[start].is_ascii_alphabetic() {
            return None;
        }
        let name = text[start..i].to_ascii_lowercase();
        let mut attributes = Vec::new();
        let mut self_closing = false;
        loop {
            while i < bytes.len() && bytes[i].is_ascii_whitespace() {
                i += 1;
            }
            match bytes.get(i) {
                None => return None,
                Some(b'>') => break,
                Some(b'/') => {
                    self_closing = bytes.get(i + 1) == Some(&b'>');
                    i += 1;
                    continue;
                }
                _ => {}
            }
            let name_start = i;
            while i < bytes.len() && !matches!(bytes[i], b'=' | b'>' | b'/') && !bytes[i].is_ascii_whitespace() {
                i += 1;
            }
            let attribute = text[name_start..i].to_ascii_lowercase();
            while i < bytes.len() && bytes[i].is_ascii_whitespace() {
                i += 1;
            }
            let mut value = String::new();
            if bytes.get(i) == Some(&b'=') {
                i += 1;
                while i < bytes.len() && bytes[i].is_ascii_whitespace() {
                    i += 1;
                }
                let (raw, next) = match bytes.get(i) {
                    Some(&quote @ (b'"' | b'\'')) => {
                        let end = text[i + 1..].find(quote as char)? + i + 1;
                        (&text[i + 1..end], end + 1)
                    }
                    _ => {
                        let end = text[i..]
                            .find(|c: char| c.is_ascii_whitespace() || c == '>')
                            .map_or(text.len(), |n| i + n);
                        (&text[i..end], end)
                    }
                };
                value = decode_entities(raw).into_owned();
                i = next;
            }
            attributes.push((attribute, value));
        }
        Some(Tag {
            name,
            closing,
            self_closing,
            attributes,
            length: i + 1,
        })
    }

    /// The value of attribute `name`.
    pub fn attribute(&self, name: &str) -> Option<&str> {
        self.attributes.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str())
    }

    /// Whether the element is not shown: `hidden`, or `display: none` in its style.
    pub fn is_hidden(&self) -> bool {
        self.attribute("hidden").is_some()
            || self.attribute("style").is_some_and(|style| {
                let style: String = style
                    .chars()
                    .filter(|c| !c.is_whitespace())
                    .collect::<String>()
                    .to_ascii_lowercase();
                style
                    .split(';')
                    .any(|declaration| declaration.starts_with("display:none"))
            })
    }
}

/// `text` with character references (`&amp;`, `&#8212;`, `&#x2014;`) decoded; an `&` that starts
/// none stays.
pub fn decode_entities(text: &str) -> std::borrow::Cow<'_, str> {
    if !text.contains('&') {
        return text.into();
    }
    let mut decoded = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find('&') {
        decoded.push_str(&rest[..at]);
        rest = &rest[at..];
        match character_reference(rest) {
            Some((characters, length)) => {
                decoded.extend(characters);
                rest = &rest[length..];
            }
            None => {
                decoded.push('&');
                rest = &rest[1..];
            }
        }
    }
    decoded.push_str(rest);
    decoded.into()
}

/// The characters of the reference at the start of `text` (which starts with `&`) and its length.
fn character_reference(text: &str) -> Option<(impl Iterator<Item = char>, usize)> {
    let end = text.get(1..33).unwrap_or(&text[1..]).find(';')? + 1;
    let name = &text[1..end];
    let code_points = if let Some(number) = name.strip_prefix('#') {
        let value = match number.strip_prefix(['x', 'X']) {
            Some(hex) => u32::from_str_radix(hex, 16).ok()?,
            None => number.parse().ok()?,
        };
        (value, 0)
    } else {
        *NAMED_ENTITIES.get(&text[1..=end])?
    };
    if code_points.0 == 0 {
        return None;
    }
    let characters = [code_points.0, code_points.1]
        .into_iter()
        .filter(|&c| c != 0)
        .map(|c| char::from_u32(c).unwrap_or(char::REPLACEMENT_CHARACTER));
    Some((characters, end + 1))
}
