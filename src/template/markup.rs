//! Tokens and expressions inside `{{ }}` and `{% %}` markup.

use std::ops::Range;

use super::ast::*;
use super::error::TemplateError;

/// A markup token.
#[derive(Debug, Clone, PartialEq)]
pub enum Tok {
    /// A name (may contain `-` and end in `?`).
    Ident(String),
    /// A quoted string.
    Str(String),
    /// An integer.
    Int(i64),
    /// A float.
    Float(f64),
    /// `== != <> < > <= >= =`.
    Op(&'static str),
    /// `. [ ] | : , ( )`.
    Punct(char),
    /// `..`.
    DotDot,
}

/// Tokenises markup that starts at byte `base` of the template.
pub fn tokenize(markup: &str, base: usize) -> Result<Vec<(Tok, Range<usize>)>, TemplateError> {
    let bytes = markup.as_bytes();
    let mut tokens = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let c = bytes[i];
        let start = i;
        let tok = match c {
            b' ' | b'\t' | b'\n' | b'\r' => {
                i += 1;
                continue;
            }
            b'\'' | b'"' => {
                let close = markup[i + 1..].find(c as char).ok_or_else(|| {
                    TemplateError::new(
                        "template::syntax",
                        "this string has no closing quote",
                        base + i..base + markup.len(),
                    )
                })?;
                i += close + 2;
                Tok::Str(markup[start + 1..i - 1].to_string())
            }
            b'0'..=b'9' => number(markup, &mut i, base)?,
            b'-' if bytes.get(i + 1).is_some_and(u8::is_ascii_digit) => number(markup, &mut i, base)?,
            b'a'..=b'z' | b'A'..=b'Z' | b'_' => {
                while i < bytes.len() && (bytes[i].is_ascii_alphanumeric() || bytes[i] == b'_' || bytes[i] == b'-') {
                    i += 1;
                }
                if i < bytes.len() && bytes[i] == b'?' {
                    i += 1;
                }
                Tok::Ident(markup[start..i].to_string())
            }
            b'.' if bytes.get(i + 1) == Some(&b'.') => {
                i += 2;
                Tok::DotDot
            }
            b'.' | b'[' | b']' | b'|' | b':' | b',' | b'(' | b')' => {
                i += 1;
                Tok::Punct(c as char)
            }
            _ => {
                let two = markup.get(i..i + 2).unwrap_or("");
                let op = ["==", "!=", "<>", "<=", ">="].into_iter().find(|o| *o == two);
                if let Some(op) = op {
                    i += 2;
                    Tok::Op(op)
                } else if let Some(op) = ["<", ">", "="].into_iter().find(|o| o.as_bytes()[0] == c) {
                    i += 1;
                    Tok::Op(op)
                } else {
                    let ch = markup[i..].chars().next().unwrap_or('?');
                    return Err(TemplateError::new(
                        "template::syntax",
                        format!("unexpected character `{ch}`"),
                        base + i..base + i + ch.len_utf8(),
                    ));
                }
            }
        };
        tokens.push((tok, base + start..base + i));
    }
    Ok(tokens)
}

fn number(markup: &str, i: &mut usize, base: usize) -> Result<Tok, TemplateError> {
    let bytes = markup.as_bytes();
    let start = *i;
    if bytes[*i] == b'-' {
        *i += 1;
    }
    while *i < bytes.len() && bytes[*i].is_ascii_digit() {
        *i += 1;
    }
    let is_float = *i + 1 < bytes.len() && bytes[*i] == b'.' && bytes[*i + 1].is_ascii_digit();
    if is_float {
        *i += 1;
        while *i < bytes.len() && bytes[*i].is_ascii_digit() {
            *i += 1;
        }
    }
    let text = &markup[start..*i];
    let bad = || {
        TemplateError::new(
            "template::syntax",
            format!("`{text}` is not a number"),
            base + start..base + *i,
        )
    };
    if is_float {
        text.parse().map(Tok::Float).map_err(|_| bad())
    } else {
        text.parse()
            .map(Tok::Int)
            .or_else(|_| text.parse().map(Tok::Float))
            .map_err(|_| bad())
    }
}

/// A cursor over markup tokens with the parsing of values, filters and conditions.
pub struct Markup {
    tokens: Vec<(Tok, Range<usize>)>,
    position: usize,
    /// The end of the markup, for errors at the end.
    end: usize,
}

impl Markup {
    /// Tokenises `markup` (at byte `base`).
    pub fn new(markup: &str, base: usize) -> Result<Markup, TemplateError> {
        Ok(Markup {
            tokens: tokenize(markup, base)?,
            position: 0,
            end: base + markup.len(),
        })
    }

    /// Whether every token was consumed.
    pub fn at_end(&self) -> bool {
        self.position >= self.tokens.len()
    }

    /// The next token without consuming it.
    pub fn peek(&self) -> Option<&Tok> {
        self.tokens.get(self.position).map(|(t, _)| t)
    }

    /// The span of the next token (or the end).
    pub fn peek_span(&self) -> Range<usize> {
        self.tokens
            .get(self.position)
            .map_or(self.end..self.end, |(_, s)| s.clone())
    }

    /// Consumes a token.
    pub fn next(&mut self) -> Option<(Tok, Range<usize>)> {
        let token = self.tokens.get(self.position).cloned();
        self.position += 1;
        token
    }

    /// Consumes the punctuation `p` if it is next.
    pub fn eat_punct(&mut self, p: char) -> bool {
        if self.peek() == Some(&Tok::Punct(p)) {
            self.position += 1;
            true
        } else {
            false
        }
    }

    /// Consumes the word `w` if it is next.
    pub fn eat_word(&mut self, w: &str) -> bool {
        if matches!(self.peek(), Some(Tok::Ident(x)) if x == w) {
            self.position += 1;
            true
        } else {
            false
        }
    }

    /// An error at the next token.
    pub fn error(&self, message: impl Into<String>) -> TemplateError {
        TemplateError::new("template::syntax", message, self.peek_span())
    }

    /// Fails unless every token was consumed.
    pub fn finish(&self) -> Result<(), TemplateError> {
        if self.at_end() {
            Ok(())
        } else {
            Err(self.error("unexpected text here"))
        }
    }

    /// A plain name.
    pub fn name(&mut self, what: &str) -> Result<Name, TemplateError> {
        match self.next() {
            Some((Tok::Ident(text), span)) => Ok(Name { text, span }),
            Some((Tok::Str(text), span)) => Ok(Name { text, span }),
            Some((Tok::Int(n), span)) => Ok(Name {
                text: n.to_string(),
                span,
            }),
            _ => {
                self.position -= 1;
                Err(self.error(format!("expected {what}")))
            }
        }
    }

    /// A value: literal, variable path or range.
    pub fn expression(&mut self) -> Result<Expression, TemplateError> {
        let Some((tok, span)) = self.next() else {
            return Err(self.error("expected a value"));
        };
        let literal = |l| {
            Ok(Expression {
                kind: ExpressionKind::Literal(l),
                span: span.clone(),
            })
        };
        match tok {
            Tok::Str(s) => literal(Literal::String(s)),
            Tok::Int(n) => literal(Literal::Int(n)),
            Tok::Float(f) => literal(Literal::Float(f)),
            Tok::Punct('(') => {
                let from = self.expression()?;
                if self.next().map(|(t, _)| t) != Some(Tok::DotDot) {
                    self.position -= 1;
                    return Err(self.error("expected `..` in a range `(a..b)`"));
                }
                let to = self.expression()?;
                let close = self.peek_span();
                if !self.eat_punct(')') {
                    return Err(self.error("expected `)` to close the range"));
                }
                Ok(Expression {
                    kind: ExpressionKind::Range(Box::new(from), Box::new(to)),
                    span: span.start..close.end,
                })
            }
            Tok::Punct('[') => {
                let key = self.expression()?;
                let close = self.peek_span();
                if !self.eat_punct(']') {
                    return Err(self.error("expected `]`"));
                }
                match key.kind {
                    ExpressionKind::Literal(Literal::String(text)) => self.path_rest(Name {
                        text,
                        span: span.start..close.end,
                    }),
                    // `[expr]` at the root looks a variable up by a computed name.
                    _ => {
                        let mut path = self.path_rest(Name {
                            text: String::new(),
                            span: span.start..span.start,
                        })?;
                        if let ExpressionKind::Path(p) = &mut path.kind {
                            p.segments.insert(0, Segment::Index(Box::new(key)));
                            p.span.start = span.start;
                        }
                        path.span.start = span.start;
                        Ok(path)
                    }
                }
            }
            Tok::Ident(word) => {
                let follows_path = matches!(self.peek(), Some(Tok::Punct('.' | '[')));
                match word.as_str() {
                    "true" if !follows_path => literal(Literal::Bool(true)),
                    "false" if !follows_path => literal(Literal::Bool(false)),
                    "nil" | "null" if !follows_path => literal(Literal::Nil),
                    "empty" if !follows_path => literal(Literal::Empty),
                    "blank" if !follows_path => literal(Literal::Blank),
                    _ => self.path_rest(Name { text: word, span }),
                }
            }
            _ => {
                self.position -= 1;
                Err(self.error("expected a value"))
            }
        }
    }

    fn path_rest(&mut self, root: Name) -> Result<Expression, TemplateError> {
        let start = root.span.start;
        let mut end = root.span.end;
        let mut segments = Vec::new();
        loop {
            if self.eat_punct('.') {
                if !matches!(self.peek(), Some(Tok::Ident(_))) {
                    return Err(self.error("expected a name after `.` (an index goes in brackets: `items[0]`)"));
                }
                let name = self.name("a name after `.`")?;
                end = name.span.end;
                segments.push(Segment::Key(name));
            } else if self.eat_punct('[') {
                let index = self.expression()?;
                let close = self.peek_span();
                if !self.eat_punct(']') {
                    return Err(self.error("expected `]`"));
                }
                end = close.end;
                segments.push(match index.kind {
                    ExpressionKind::Literal(Literal::String(text)) => Segment::Key(Name { text, span: index.span }),
                    _ => Segment::Index(Box::new(index)),
                });
            } else {
                break;
            }
        }
        let path = Path {
            root,
            segments,
            span: start..end,
        };
        Ok(Expression {
            kind: ExpressionKind::Path(path),
            span: start..end,
        })
    }

    /// A value and its filters.
    pub fn filter_chain(&mut self) -> Result<FilterChain, TemplateError> {
        let value = self.expression()?;
        let start = value.span.start;
        let mut end = value.span.end;
        let mut filters = Vec::new();
        while self.eat_punct('|') {
            let name = self.name("a filter name after `|`")?;
            let mut args = Vec::new();
            let mut filter_end = name.span.end;
            if self.eat_punct(':') {
                loop {
                    let keyword = matches!(
                        (self.tokens.get(self.position), self.tokens.get(self.position + 1)),
                        (Some((Tok::Ident(_), _)), Some((Tok::Punct(':'), _)))
                    );
                    let key = if keyword {
                        let key = self.name("an argument name")?;
                        self.next();
                        Some(key)
                    } else {
                        None
                    };
                    let value = self.expression()?;
                    filter_end = value.span.end;
                    args.push(FilterArg { key, value });
                    if !self.eat_punct(',') {
                        break;
                    }
                }
            }
            end = filter_end;
            filters.push(Filter {
                span: name.span.start..filter_end,
                name,
                args,
            });
        }
        Ok(FilterChain {
            value,
            filters,
            span: start..end,
            escape: OutputEscape::AsIs,
        })
    }

    /// A condition: comparisons joined by `and` / `or`.
    pub fn condition(&mut self) -> Result<Condition, TemplateError> {
        let lhs = self.expression()?;
        let comparison = match self.peek() {
            Some(Tok::Op("==")) => Some(Comparison::Eq),
            Some(Tok::Op("!=" | "<>")) => Some(Comparison::Ne),
            Some(Tok::Op("<")) => Some(Comparison::Lt),
            Some(Tok::Op(">")) => Some(Comparison::Gt),
            Some(Tok::Op("<=")) => Some(Comparison::Le),
            Some(Tok::Op(">=")) => Some(Comparison::Ge),
            Some(Tok::Ident(w)) if w == "contains" => Some(Comparison::Contains),
            Some(Tok::Op("=")) => return Err(self.error("compare with `==`, not `=`")),
            _ => None,
        };
        let left = match comparison {
            Some(op) => {
                self.next();
                Condition::Compare(lhs, op, self.expression()?)
            }
            None => Condition::Truthy(lhs),
        };
        if self.eat_word("and") {
            Ok(Condition::And(Box::new(left), Box::new(self.condition()?)))
        } else if self.eat_word("or") {
            Ok(Condition::Or(Box::new(left), Box::new(self.condition()?)))
        } else {
            Ok(left)
        }
    }
}
