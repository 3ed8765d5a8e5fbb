//! Tokens of the expression language.

use std::ops::Range;

use crate::model::Duration;

/// What a token is.
#[derive(Debug, Clone, PartialEq)]
pub enum TokenKind {
    /// An integer literal.
    Int(i64),
    /// A float literal.
    Float(f64),
    /// A duration literal such as `7d`.
    Duration(Duration),
    /// A quoted string (decoded).
    Str(String),
    /// A name or keyword.
    Ident(String),
    /// One of `( ) [ ] , .`.
    Punct(char),
    /// One of `== != < <= > >= + - * /`.
    Op(&'static str),
}

/// A token and its byte range.
#[derive(Debug, Clone, PartialEq)]
pub struct Token {
    /// What it is.
    pub kind: TokenKind,
    /// Where it is.
    pub span: Range<usize>,
}

/// A lexing error: message, span, code.
pub type LexError = (&'static str, String, Range<usize>);

/// Splits an expression into tokens.
pub fn lex(source: &str) -> Result<Vec<Token>, LexError> {
    let bytes = source.as_bytes();
    let mut tokens = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let c = bytes[i];
        let start = i;
        match c {
            b' ' | b'\t' | b'\n' | b'\r' => i += 1,
            b'0'..=b'9' => {
                while i < bytes.len() && bytes[i].is_ascii_digit() {
                    i += 1;
                }
                let is_float = i + 1 < bytes.len() && bytes[i] == b'.' && bytes[i + 1].is_ascii_digit();
                if is_float {
                    i += 1;
                    while i < bytes.len() && bytes[i].is_ascii_digit() {
                        i += 1;
                    }
                }
                let unit_end = {
                    let mut j = i;
                    while j < bytes.len() && (bytes[j].is_ascii_alphanumeric() || bytes[j] == b'_') {
                        j += 1;
                    }
                    j
                };
                let text = &source[start..i];
                let kind = if unit_end > i {
                    let unit = &source[i..unit_end];
                    i = unit_end;
                    let is_unit = matches!(unit, "m" | "h" | "d" | "w");
                    if is_float || !is_unit {
                        return Err((
                            "expr::bad-duration",
                            format!(
                                "`{}` is not a duration: write a whole number and one of m, h, d, w",
                                &source[start..i]
                            ),
                            start..i,
                        ));
                    }
                    let duration =
                        Duration::parse(&source[start..i]).map_err(|m| ("expr::bad-duration", m, start..i))?;
                    TokenKind::Duration(duration)
                } else if is_float {
                    TokenKind::Float(
                        text.parse()
                            .map_err(|_| ("expr::bad-number", format!("`{text}` is not a number"), start..i))?,
                    )
                } else {
                    TokenKind::Int(text.parse().map_err(|_| {
                        (
                            "expr::bad-number",
                            format!("`{text}` is too large for an int"),
                            start..i,
                        )
                    })?)
                };
                tokens.push(Token { kind, span: start..i });
            }
            b'\'' | b'"' => {
                let (value, end) = lex_string(source, start)?;
                i = end;
                tokens.push(Token {
                    kind: TokenKind::Str(value),
                    span: start..i,
                });
            }
            b'a'..=b'z' | b'A'..=b'Z' | b'_' => {
                while i < bytes.len() && (bytes[i].is_ascii_alphanumeric() || bytes[i] == b'_') {
                    i += 1;
                }
                tokens.push(Token {
                    kind: TokenKind::Ident(source[start..i].to_string()),
                    span: start..i,
                });
            }
            b'(' | b')' | b'[' | b']' | b',' | b'.' => {
                i += 1;
                tokens.push(Token {
                    kind: TokenKind::Punct(c as char),
                    span: start..i,
                });
            }
            _ => {
                let two = source.get(i..i + 2).unwrap_or("");
                let op = ["==", "!=", "<=", ">="]
                    .into_iter()
                    .find(|op| *op == two)
                    .map(|op| (op, 2))
                    .or_else(|| {
                        ["<", ">", "+", "-", "*", "/"]
                            .into_iter()
                            .find(|op| op.as_bytes()[0] == c)
                            .map(|op| (op, 1))
                    });
                match op {
                    Some((op, len)) => {
                        i += len;
                        tokens.push(Token {
                            kind: TokenKind::Op(op),
                            span: start..i,
                        });
                    }
                    None => {
                        let ch = source[i..].chars().next().unwrap_or('?');
                        let end = i + ch.len_utf8();
                        let hint = match ch {
                            '=' => "; compare with `==`",
                            '&' | '|' | '!' => "; use `and`, `or`, `not`",
                            _ => "",
                        };
                        return Err(("expr::syntax", format!("unexpected character `{ch}`{hint}"), i..end));
                    }
                }
            }
        }
    }
    Ok(tokens)
}

/// Reads a quoted string starting at `start`; returns the decoded value and the end offset.
fn lex_string(source: &str, start: usize) -> Result<(String, usize), LexError> {
    let mut chars = source[start..].char_indices();
    let quote = chars.next().map(|(_, q)| q).unwrap_or('"');
    let mut value = String::new();
    while let Some((offset, ch)) = chars.next() {
        match ch {
            c if c == quote => return Ok((value, start + offset + 1)),
            '\\' => match chars.next() {
                Some((_, 'n')) => value.push('\n'),
                Some((_, 't')) => value.push('\t'),
                Some((_, other)) => value.push(other),
                None => break,
            },
            other => value.push(other),
        }
    }
    Err((
        "expr::unterminated-string",
        "this string has no closing quote".into(),
        start..source.len(),
    ))
}
