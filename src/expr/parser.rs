//! The recursive-descent parser for the grammar of SPEC §3.

use std::ops::Range;

use super::lexer::{lex, Token, TokenKind};
use crate::diag::TextError;
use crate::model::{Aggregate, AggregateFunction, BinaryOp, Expr, ExprKind, Ident, Literal, UnaryOp};

/// Nesting deeper than this is refused instead of overflowing the stack.
const MAX_NESTING: usize = 64;

/// Binary operators in one expression at most: a chain `a and b and …` is a tree as deep as
/// it is long, and every later stage walks it recursively.
const MAX_OPERATORS: usize = 512;

/// A parse error: a code, a message, its byte range in the expression, and a hint.
pub type ParseError = TextError;

/// Parses an expression.
pub fn parse(source: &str) -> Result<Expr, ParseError> {
    let tokens = lex(source).map_err(|(code, message, span)| ParseError::new(code, message, span))?;
    let mut parser = Parser {
        tokens,
        position: 0,
        depth: 0,
        operators: 0,
        end: source.len(),
    };
    if parser.tokens.is_empty() {
        return Err(parser.error("expr::syntax", "the expression is empty", 0..source.len()));
    }
    let expr = parser.expr()?;
    match parser.peek() {
        None => Ok(expr),
        Some(token) => {
            let span = token.span.clone();
            let text = source[span.clone()].to_string();
            Err(parser
                .error(
                    "expr::syntax",
                    format!("unexpected `{text}` after a complete expression"),
                    span,
                )
                .with_hint("join conditions with `and` / `or`"))
        }
    }
}

struct Parser {
    tokens: Vec<Token>,
    position: usize,
    depth: usize,
    /// Binary operators read so far.
    operators: usize,
    end: usize,
}

impl Parser {
    fn error(&self, code: &'static str, message: impl Into<String>, span: Range<usize>) -> ParseError {
        ParseError::new(code, message, span)
    }

    fn peek(&self) -> Option<&Token> {
        self.tokens.get(self.position)
    }

    fn peek_at(&self, ahead: usize) -> Option<&Token> {
        self.tokens.get(self.position + ahead)
    }

    fn next(&mut self) -> Option<Token> {
        let token = self.tokens.get(self.position).cloned();
        self.position += 1;
        token
    }

    fn is_keyword(&self, word: &str) -> bool {
        matches!(self.peek(), Some(Token { kind: TokenKind::Ident(w), .. }) if w == word)
    }

    fn is_punct(&self, p: char) -> bool {
        matches!(self.peek(), Some(Token { kind: TokenKind::Punct(c), .. }) if *c == p)
    }

    fn is_op(&self, op: &str) -> bool {
        matches!(self.peek(), Some(Token { kind: TokenKind::Op(o), .. }) if *o == op)
    }

    fn eof_span(&self) -> Range<usize> {
        self.end..self.end
    }

    fn expect_punct(&mut self, p: char, what: &str) -> Result<Range<usize>, ParseError> {
        if self.is_punct(p) {
            Ok(self.next().map(|t| t.span).unwrap_or_default())
        } else {
            let span = self.peek().map(|t| t.span.clone()).unwrap_or_else(|| self.eof_span());
            Err(self.error("expr::syntax", format!("expected `{p}` {what}"), span))
        }
    }

    fn nested<T>(
        &mut self,
        span: Range<usize>,
        f: impl FnOnce(&mut Parser) -> Result<T, ParseError>,
    ) -> Result<T, ParseError> {
        self.depth += 1;
        if self.depth > MAX_NESTING {
            return Err(self
                .error(
                    "expr::too-deep",
                    format!("the expression nests more than {MAX_NESTING} levels"),
                    span,
                )
                .with_hint("split it into features"));
        }
        let result = f(self);
        self.depth -= 1;
        result
    }

    fn expr(&mut self) -> Result<Expr, ParseError> {
        let span = self.peek().map(|t| t.span.clone()).unwrap_or_else(|| self.eof_span());
        self.nested(span, Parser::or)
    }

    /// One left-associative precedence level: `operand (op operand)*`.
    fn level(
        &mut self,
        operand: fn(&mut Parser) -> Result<Expr, ParseError>,
        operator: fn(&Parser) -> Option<BinaryOp>,
    ) -> Result<Expr, ParseError> {
        let mut lhs = operand(self)?;
        while let Some(op) = operator(self) {
            self.operators += 1;
            if self.operators > MAX_OPERATORS {
                let span = self.peek().map_or_else(|| self.eof_span(), |t| t.span.clone());
                return Err(self
                    .error(
                        "expr::too-large",
                        format!("the expression has more than {MAX_OPERATORS} operators"),
                        span,
                    )
                    .with_hint("split it into features or segments, or use `x in [...]` for long lists of values"));
            }
            self.next();
            let rhs = operand(self)?;
            lhs = binary(op, lhs, rhs);
        }
        Ok(lhs)
    }

    fn or(&mut self) -> Result<Expr, ParseError> {
        self.level(Parser::and, |p| p.is_keyword("or").then_some(BinaryOp::Or))
    }

    fn and(&mut self) -> Result<Expr, ParseError> {
        self.level(Parser::not, |p| p.is_keyword("and").then_some(BinaryOp::And))
    }

    fn not(&mut self) -> Result<Expr, ParseError> {
        if self.is_keyword("not") {
            let start = self.next().map(|t| t.span.start).unwrap_or(0);
            let expr = self.nested(start..start + 3, Parser::not)?;
            let span = start..expr.span.end;
            return Ok(Expr {
                kind: ExprKind::Unary {
                    op: UnaryOp::Not,
                    expr: Box::new(expr),
                },
                span,
            });
        }
        self.comparison()
    }

    fn comparison(&mut self) -> Result<Expr, ParseError> {
        let lhs = self.sum()?;
        let op = match self.peek().map(|t| &t.kind) {
            Some(TokenKind::Op("==")) => Some(BinaryOp::Eq),
            Some(TokenKind::Op("!=")) => Some(BinaryOp::Ne),
            Some(TokenKind::Op("<")) => Some(BinaryOp::Lt),
            Some(TokenKind::Op("<=")) => Some(BinaryOp::Le),
            Some(TokenKind::Op(">")) => Some(BinaryOp::Gt),
            Some(TokenKind::Op(">=")) => Some(BinaryOp::Ge),
            _ => None,
        };
        if let Some(op) = op {
            self.next();
            let rhs = self.sum()?;
            return Ok(binary(op, lhs, rhs));
        }
        if self.is_keyword("in") {
            self.next();
            return self.in_list(lhs, false);
        }
        if self.is_keyword("not")
            && matches!(self.peek_at(1), Some(Token { kind: TokenKind::Ident(w), .. }) if w == "in")
        {
            self.next();
            self.next();
            return self.in_list(lhs, true);
        }
        if self.is_keyword("is") {
            self.next();
            let negated = self.is_keyword("not");
            if negated {
                self.next();
            }
            return match self.next() {
                Some(Token {
                    kind: TokenKind::Ident(w),
                    span,
                }) if w == "null" => {
                    let span = lhs.span.start..span.end;
                    Ok(Expr {
                        kind: ExprKind::IsNull {
                            expr: Box::new(lhs),
                            negated,
                        },
                        span,
                    })
                }
                other => {
                    let span = other.map(|t| t.span).unwrap_or_else(|| self.eof_span());
                    Err(self
                        .error("expr::syntax", "expected `null` after `is`", span)
                        .with_hint("write `x is null` or `x is not null`"))
                }
            };
        }
        Ok(lhs)
    }

    fn in_list(&mut self, lhs: Expr, negated: bool) -> Result<Expr, ParseError> {
        if !self.is_punct('[') {
            let span = self.peek().map(|t| t.span.clone()).unwrap_or_else(|| self.eof_span());
            return Err(self.error("expr::syntax", "expected a list `[...]` after `in`", span));
        }
        let (items, list_span) = self.list_items()?;
        let span = lhs.span.start..list_span.end;
        Ok(Expr {
            kind: ExprKind::In {
                expr: Box::new(lhs),
                list: items,
                negated,
            },
            span,
        })
    }

    fn sum(&mut self) -> Result<Expr, ParseError> {
        self.level(Parser::term, |p| {
            [("+", BinaryOp::Add), ("-", BinaryOp::Sub)]
                .into_iter()
                .find(|(o, _)| p.is_op(o))
                .map(|(_, op)| op)
        })
    }

    fn term(&mut self) -> Result<Expr, ParseError> {
        self.level(Parser::unary, |p| {
            [("*", BinaryOp::Mul), ("/", BinaryOp::Div)]
                .into_iter()
                .find(|(o, _)| p.is_op(o))
                .map(|(_, op)| op)
        })
    }

    fn unary(&mut self) -> Result<Expr, ParseError> {
        if self.is_op("-") {
            let start = self.next().map(|t| t.span.start).unwrap_or(0);
            let expr = self.nested(start..start + 1, Parser::unary)?;
            let span = start..expr.span.end;
            return Ok(Expr {
                kind: ExprKind::Unary {
                    op: UnaryOp::Neg,
                    expr: Box::new(expr),
                },
                span,
            });
        }
        self.atom()
    }

    fn atom(&mut self) -> Result<Expr, ParseError> {
        let Some(token) = self.next() else {
            return Err(self.error("expr::syntax", "the expression ends too early", self.eof_span()));
        };
        let span = token.span.clone();
        let literal = |l| {
            Ok(Expr {
                kind: ExprKind::Literal(l),
                span: span.clone(),
            })
        };
        match token.kind {
            TokenKind::Int(v) => literal(Literal::Int(v)),
            TokenKind::Float(v) => literal(Literal::Float(v)),
            TokenKind::Duration(d) => literal(Literal::Duration(d)),
            TokenKind::Str(s) => literal(Literal::String(s)),
            TokenKind::Punct('(') => {
                let inner = self.nested(span.clone(), Parser::or)?;
                let end = self.expect_punct(')', "to close this `(`")?;
                Ok(Expr {
                    kind: inner.kind,
                    span: span.start..end.end,
                })
            }
            TokenKind::Punct('[') => {
                self.position -= 1;
                self.nested(span, Parser::list)
            }
            TokenKind::Ident(name) => match name.as_str() {
                "true" => literal(Literal::Bool(true)),
                "false" => literal(Literal::Bool(false)),
                "null" => literal(Literal::Null),
                "and" | "or" | "not" | "in" | "is" | "where" | "within" => Err(self.error(
                    "expr::syntax",
                    format!("expected a value, found the keyword `{name}`"),
                    span,
                )),
                _ if self.is_punct('(') => {
                    self.next();
                    let ident = Ident { name, span };
                    self.nested(ident.span.clone(), |p| p.call(ident))
                }
                _ => self.path(Ident { name, span }),
            },
            TokenKind::Punct(p) => Err(self.error("expr::syntax", format!("expected a value, found `{p}`"), span)),
            TokenKind::Op(op) => Err(self.error("expr::syntax", format!("expected a value, found `{op}`"), span)),
        }
    }

    fn path(&mut self, first: Ident) -> Result<Expr, ParseError> {
        let start = first.span.start;
        let mut parts = vec![first];
        while self.is_punct('.') {
            self.next();
            match self.next() {
                Some(Token {
                    kind: TokenKind::Ident(name),
                    span,
                }) => parts.push(Ident { name, span }),
                other => {
                    let span = other.map(|t| t.span).unwrap_or_else(|| self.eof_span());
                    return Err(self.error("expr::syntax", "expected a name after `.`", span));
                }
            }
        }
        let end = parts.last().map(|p| p.span.end).unwrap_or(start);
        Ok(Expr {
            kind: ExprKind::Path(parts),
            span: start..end,
        })
    }

    fn list(&mut self) -> Result<Expr, ParseError> {
        let (items, span) = self.list_items()?;
        Ok(Expr {
            kind: ExprKind::List(items),
            span,
        })
    }

    /// Expressions separated by commas, up to (not including) the `close` punctuation.
    fn comma_separated(&mut self, close: char) -> Result<Vec<Expr>, ParseError> {
        let mut items = Vec::new();
        if self.is_punct(close) {
            return Ok(items);
        }
        loop {
            items.push(self.or()?);
            if !self.is_punct(',') {
                return Ok(items);
            }
            self.next();
        }
    }

    fn list_items(&mut self) -> Result<(Vec<Expr>, Range<usize>), ParseError> {
        let open = self.expect_punct('[', "to start a list")?;
        let items = self.comma_separated(']')?;
        let close = self.expect_punct(']', "to close this list")?;
        if items.is_empty() {
            return Err(self.error("expr::syntax", "a list needs at least one value", open.start..close.end));
        }
        Ok((items, open.start..close.end))
    }

    fn call(&mut self, name: Ident) -> Result<Expr, ParseError> {
        if let Some(function) = AggregateFunction::from_name(&name.name) {
            return self.aggregate(name, function);
        }
        let args = self.comma_separated(')')?;
        let close = self.expect_punct(')', "to close the call")?;
        let span = name.span.start..close.end;
        Ok(Expr {
            kind: ExprKind::Call { name, args },
            span,
        })
    }

    fn aggregate(&mut self, name: Ident, function: AggregateFunction) -> Result<Expr, ParseError> {
        let event_type = match self.next() {
            Some(Token {
                kind: TokenKind::Ident(n),
                span,
            }) => Ident { name: n, span },
            other => {
                let span = other.map(|t| t.span).unwrap_or_else(|| self.eof_span());
                return Err(self
                    .error(
                        "expr::syntax",
                        format!("expected an event type in `{}(...)`", name.name),
                        span,
                    )
                    .with_hint(if function.needs_property() {
                        "write it like `last(page_view.ts)`"
                    } else {
                        "write it like `count(purchase within 30d)`"
                    }));
            }
        };
        let property = if self.is_punct('.') {
            self.next();
            match self.next() {
                Some(Token {
                    kind: TokenKind::Ident(n),
                    span,
                }) => Some(Ident { name: n, span }),
                other => {
                    let span = other.map(|t| t.span).unwrap_or_else(|| self.eof_span());
                    return Err(self.error("expr::syntax", "expected a property name after `.`", span));
                }
            }
        } else {
            None
        };
        let limit = if function == AggregateFunction::LastN {
            self.expect_punct(',', "and a count: `last_n(TYPE.prop, N)`")?;
            Some(Box::new(self.sum()?))
        } else {
            None
        };
        let condition = if self.is_keyword("where") {
            self.next();
            Some(Box::new(self.or()?))
        } else {
            None
        };
        let within = if self.is_keyword("within") {
            self.next();
            match self.next() {
                Some(Token {
                    kind: TokenKind::Duration(d),
                    span,
                }) => Some((d, span)),
                other => {
                    let span = other.map(|t| t.span).unwrap_or_else(|| self.eof_span());
                    return Err(self
                        .error("expr::syntax", "expected a duration after `within`", span)
                        .with_hint("write it like `within 30d`"));
                }
            }
        } else {
            None
        };
        let close = self.expect_punct(')', "to close the aggregate")?;
        let span = name.span.start..close.end;
        let aggregate = Aggregate {
            function,
            name_span: name.span,
            event_type,
            property,
            limit,
            condition,
            within,
        };
        Ok(Expr {
            kind: ExprKind::Aggregate(Box::new(aggregate)),
            span,
        })
    }
}

fn binary(op: BinaryOp, lhs: Expr, rhs: Expr) -> Expr {
    let span = lhs.span.start..rhs.span.end;
    Expr {
        kind: ExprKind::Binary {
            op,
            lhs: Box::new(lhs),
            rhs: Box::new(rhs),
        },
        span,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_spec_examples() {
        for source in [
            "email_opt_in and unsubscribed_at is null",
            "sneaker_views_7d >= 1 and count(purchase within 7d) == 0",
            "days_since(coalesce(last(page_view.ts), signup_at))",
            "count(page_view where category == \"sneakers\" within 7d)",
            "last_n(page_view.product_id, 3 within 30d)",
            "segment.recent_sneaker_browsers and not segment.churn_risk",
            "tier not in ['gold', 'silver'] or -x * 2 / 3 - 1 < ago(7d)",
        ] {
            parse(source).unwrap_or_else(|e| panic!("{source}: {e:?}"));
        }
    }

    #[test]
    fn reports_spans() {
        let error = parse("a = 1").unwrap_err();
        assert_eq!(error.span, 2..3);
        let error = parse("count(purchase within 7)").unwrap_err();
        assert_eq!(error.code, "expr::syntax");
        assert!(parse(&"(".repeat(500)).unwrap_err().code == "expr::too-deep");
    }
}
