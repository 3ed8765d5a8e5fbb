//! Splits a template into text, outputs and tags, and builds the block structure.

use std::ops::Range;

use super::ast::*;
use super::error::TemplateError;
use super::markup::Markup;
use super::tags::{self, Blocks, Opened};
use super::visit::bodies;
use crate::diag::suggestion_hint;

/// Every tag name the parser knows, for suggestions.
const TAGS: [&str; 34] = [
    "if",
    "elsif",
    "else",
    "endif",
    "unless",
    "endunless",
    "case",
    "when",
    "endcase",
    "for",
    "endfor",
    "tablerow",
    "endtablerow",
    "break",
    "continue",
    "assign",
    "capture",
    "endcapture",
    "increment",
    "decrement",
    "cycle",
    "echo",
    "render",
    "include",
    "comment",
    "endcomment",
    "raw",
    "endraw",
    "liquid",
    "ifchanged",
    "endifchanged",
    "doc",
    "enddoc",
    "#",
];

/// A lexical piece of a template.
#[derive(Debug, Clone)]
enum Piece {
    Text(Range<usize>),
    Output {
        markup: Range<usize>,
    },
    Tag {
        name: String,
        name_span: Range<usize>,
        markup: Range<usize>,
        whole: Range<usize>,
    },
}

/// Parses a template into nodes.
pub fn parse_template(source: &str) -> Result<Vec<Node>, TemplateError> {
    let pieces = scan(source)?;
    let mut parser = BlockParser {
        source,
        pieces,
        position: 0,
        depth: 0,
    };
    let (mut nodes, end) = parser.block(&[])?;
    if let Some((name, span)) = end {
        return Err(unexpected(&name, span));
    }
    for node in &mut nodes {
        drop_blank_text(node, source);
    }
    Ok(nodes)
}

/// Whether `nodes` print nothing but whitespace: only whitespace text, `assign`, `capture`
/// and blocks made of the same (comments leave no node).
fn is_blank(nodes: &[Node], source: &str) -> bool {
    nodes.iter().all(|node| match node {
        Node::Text(range) => source[range.clone()].trim().is_empty(),
        Node::Assign { .. } | Node::Capture { .. } => true,
        Node::If { .. } | Node::Case { .. } | Node::Loop { .. } | Node::IfChanged(_) => {
            bodies(node).iter().all(|body| is_blank(body, source))
        }
        _ => false,
    })
}

/// Shopify's rule for blocks that print only whitespace (`{% if x %}\n  {% assign … %}\n{% endif %}`):
/// when every body of a block is blank ([`is_blank`]), their whitespace text is dropped, so
/// the block prints nothing. Inner blocks are settled first.
fn drop_blank_text(node: &mut Node, source: &str) {
    let mut bodies: Vec<&mut Vec<Node>> = match node {
        Node::If {
            branches, otherwise, ..
        } => branches
            .iter_mut()
            .map(|(_, body)| body)
            .chain(otherwise.as_mut())
            .collect(),
        Node::Case { branches, .. } => branches.iter_mut().map(CaseBranch::body_mut).collect(),
        Node::Loop { body, otherwise, .. } => std::iter::once(body).chain(otherwise.as_mut()).collect(),
        Node::Capture { body, .. } | Node::IfChanged(body) => vec![body],
        _ => return,
    };
    for body in bodies.iter_mut() {
        for inner in body.iter_mut() {
            drop_blank_text(inner, source);
        }
    }
    if bodies.iter().all(|body| is_blank(body, source)) {
        for body in bodies {
            body.retain(|n| !matches!(n, Node::Text(_)));
        }
    }
}

fn unexpected(name: &str, span: Range<usize>) -> TemplateError {
    TemplateError::new(
        "template::unexpected-tag",
        format!("`{name}` does not close or continue any open block"),
        span,
    )
}

/// Finds the first `close` delimiter at or after `from` (Liquid does not look inside quotes).
fn markup_end(source: &str, from: usize, close: &str) -> Option<usize> {
    source.get(from..)?.find(close).map(|p| from + p)
}

/// Text between tags, with whitespace control applied: `{{-`/`{%-` trimmed the whitespace
/// before, `-}}`/`-%}` the whitespace after.
struct TextPieces<'s> {
    source: &'s str,
    pieces: Vec<Piece>,
    /// The delimiter just before asked to trim the whitespace after it.
    trim_next: bool,
}

impl TextPieces<'_> {
    /// Adds the text at `range`, trimmed at its start if the delimiter before asked to.
    fn text(&mut self, range: Range<usize>) {
        let mut start = range.start;
        if std::mem::take(&mut self.trim_next) {
            let text = &self.source[range.clone()];
            start += text.len() - text.trim_start().len();
        }
        if start < range.end {
            self.pieces.push(Piece::Text(start..range.end));
        }
    }

    /// Trims the whitespace at the end of the text just added (for `{{-` and `{%-`).
    fn trim_before(&mut self) {
        if let Some(Piece::Text(range)) = self.pieces.last_mut() {
            let text = &self.source[range.clone()];
            range.end = range.start + text.trim_end().len();
            if range.start == range.end {
                self.pieces.pop();
            }
        }
    }
}

/// Splits `source` into text, outputs and tags (with whitespace control applied to the text).
fn scan(source: &str) -> Result<Vec<Piece>, TemplateError> {
    let mut text = TextPieces {
        source,
        pieces: Vec::new(),
        trim_next: false,
    };
    let mut i = 0;
    while i < source.len() {
        let next_output = source[i..].find("{{").map(|p| i + p);
        let next_tag = source[i..].find("{%").map(|p| i + p);
        let start = match (next_output, next_tag) {
            (Some(a), Some(b)) => a.min(b),
            (Some(a), None) | (None, Some(a)) => a,
            (None, None) => {
                text.text(i..source.len());
                break;
            }
        };
        if start > i {
            text.text(i..start);
        }
        let is_output = Some(start) == next_output;
        let (close, what) = if is_output { ("}}", "`{{`") } else { ("%}", "`{%`") };
        let mut inner_start = start + 2;
        if source[inner_start..].starts_with('-') {
            inner_start += 1;
            text.trim_before();
        }
        text.trim_next = false;
        let Some(close_at) = markup_end(source, inner_start, close) else {
            return Err(
                TemplateError::new("template::syntax", format!("{what} is never closed"), start..start + 2)
                    .with_hint(format!("close it with `{close}`")),
            );
        };
        let mut inner_end = close_at;
        let trims_after = inner_end > inner_start && source[..inner_end].ends_with('-');
        if trims_after {
            inner_end -= 1;
        }
        let whole = start..close_at + 2;
        if is_output {
            text.pieces.push(Piece::Output {
                markup: inner_start..inner_end,
            });
            i = whole.end;
            text.trim_next = trims_after;
            continue;
        }
        let markup = &source[inner_start..inner_end];
        let trimmed = markup.trim_start();
        let name_start = inner_start + (markup.len() - trimmed.len());
        let name_len = if trimmed.starts_with('#') {
            1
        } else {
            trimmed.find(|c: char| c.is_whitespace()).unwrap_or(trimmed.len())
        };
        let name = trimmed[..name_len].to_string();
        let name_span = name_start..name_start + name_len;
        match name.as_str() {
            "raw" => {
                let (body_end, after) = find_end_tag(source, whole.end, "raw", "endraw")
                    .ok_or_else(|| unclosed("raw", "endraw", name_span.clone()))?;
                text.trim_next = trims_after;
                text.text(whole.end..body_end);
                if source[body_end + 2..].starts_with('-') {
                    text.trim_before();
                }
                text.trim_next = source[..after - 2].ends_with('-');
                i = after;
            }
            "doc" if !source[name_span.end..inner_end].trim().is_empty() => {
                return Err(TemplateError::new(
                    "template::syntax",
                    "`doc` takes no arguments",
                    name_span.end..inner_end,
                ))
            }
            "#" if source[name_span.end..inner_end]
                .lines()
                .skip(1)
                .any(|line| !line.trim().is_empty() && !line.trim_start().starts_with('#')) =>
            {
                return Err(TemplateError::new(
                    "template::syntax",
                    "every line of an inline comment starts with `#`",
                    name_span.end..inner_end,
                ))
            }
            "comment" | "doc" => {
                let end_name = if name == "comment" { "endcomment" } else { "enddoc" };
                let (_, after) = find_end_tag(source, whole.end, &name, end_name)
                    .ok_or_else(|| unclosed(&name, end_name, name_span.clone()))?;
                text.trim_next = source[..after - 2].ends_with('-');
                i = after;
            }
            "liquid" => {
                liquid_lines(source, name_span.end..inner_end, &mut text.pieces)?;
                i = whole.end;
                text.trim_next = trims_after;
            }
            _ => {
                text.pieces.push(Piece::Tag {
                    name,
                    name_span: name_span.clone(),
                    markup: name_span.end..inner_end,
                    whole: whole.clone(),
                });
                i = whole.end;
                text.trim_next = trims_after;
            }
        }
    }
    Ok(text.pieces)
}

fn unclosed(name: &str, end: &str, span: Range<usize>) -> TemplateError {
    TemplateError::new("template::unclosed-block", format!("`{name}` is never closed"), span)
        .with_hint(format!("add `{{% {end} %}}`"))
}

/// Finds `{% end %}` after `from`, counting nested `{% open %}` and skipping `raw` bodies;
/// returns (body end, after the end tag). Tags inside are not parsed, so they may be malformed.
fn find_end_tag(source: &str, from: usize, open: &str, end: &str) -> Option<(usize, usize)> {
    let mut depth = 1;
    let mut i = from;
    while let Some(p) = source[i..].find("{%") {
        let start = i + p;
        let mut j = start + 2;
        if source[j..].starts_with('-') {
            j += 1;
        }
        let rest = source[j..].trim_start();
        let word_len = rest
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .unwrap_or(rest.len());
        let word = &rest[..word_len];
        i = start + 2;
        if word == end {
            depth -= 1;
            if depth == 0 {
                let close = markup_end(source, j, "%}")?;
                return Some((start, close + 2));
            }
        } else if word == open && open != "raw" {
            depth += 1;
        } else if word == "raw" && open == "comment" {
            let body = markup_end(source, j, "%}")? + 2;
            i = find_end_tag(source, body, "raw", "endraw")?.1;
        }
    }
    None
}

/// Expands `{% liquid %}` lines into tag pieces.
fn liquid_lines(source: &str, range: Range<usize>, pieces: &mut Vec<Piece>) -> Result<(), TemplateError> {
    let mut offset = range.start;
    let mut comment_depth = 0;
    for line in source[range.clone()].split_inclusive('\n') {
        let line_start = offset;
        offset += line.len();
        let mut trimmed = line.trim_start();
        // `liquid` inside `liquid` adds nothing: its lines are this tag's lines.
        while let Some(rest) = trimmed
            .strip_prefix("liquid")
            .filter(|r| r.is_empty() || r.starts_with(char::is_whitespace))
        {
            trimmed = rest.trim_start();
        }
        let start = line_start + (line.len() - trimmed.len());
        let content = trimmed.trim_end();
        if content.is_empty() || content.starts_with('#') {
            continue;
        }
        let name_len = content.find(|c: char| c.is_whitespace()).unwrap_or(content.len());
        let name = content[..name_len].to_string();
        if comment_depth > 0 || name == "comment" {
            match name.as_str() {
                "comment" => comment_depth += 1,
                "endcomment" => comment_depth -= 1,
                _ => {}
            }
            continue;
        }
        let end = start + content.len();
        pieces.push(Piece::Tag {
            name,
            name_span: start..start + name_len,
            markup: start + name_len..end,
            whole: start..end,
        });
    }
    if comment_depth > 0 {
        return Err(unclosed("comment", "endcomment", range));
    }
    Ok(())
}

struct BlockParser<'a> {
    source: &'a str,
    pieces: Vec<Piece>,
    position: usize,
    /// Blocks open around the current position.
    depth: usize,
}

/// Blocks nested deeper than this are refused instead of overflowing the stack (here, in the
/// checker and in the renderer, which all walk the tree recursively).
const MAX_BLOCK_NESTING: usize = 100;

type BlockEnd = Option<(String, Range<usize>)>;

impl Blocks for BlockParser<'_> {
    fn markup(&self, range: &Range<usize>) -> Result<Markup, TemplateError> {
        Markup::new(&self.source[range.clone()], range.start)
    }

    /// Parses a block body that must end with `end` (after optional `else`-like tags in `ends`).
    fn body(
        &mut self,
        ends: &[&str],
        opener: &str,
        open_span: &Range<usize>,
    ) -> Result<(Vec<Node>, String, Range<usize>), TemplateError> {
        if self.depth >= MAX_BLOCK_NESTING {
            return Err(TemplateError::new(
                "template::too-deep",
                format!("blocks nest more than {MAX_BLOCK_NESTING} levels deep here"),
                open_span.clone(),
            )
            .with_hint("flatten the conditions, or move parts into partials"));
        }
        self.depth += 1;
        let block = self.block(ends);
        self.depth -= 1;
        match block? {
            (nodes, Some((name, markup))) => Ok((nodes, name, markup)),
            (_, None) => Err(unclosed(
                opener,
                ends.last().copied().unwrap_or("end"),
                open_span.clone(),
            )),
        }
    }
}

impl BlockParser<'_> {
    /// Parses nodes until one of `ends` (returned) or the end of input (`None`).
    fn block(&mut self, ends: &[&str]) -> Result<(Vec<Node>, BlockEnd), TemplateError> {
        let mut nodes = Vec::new();
        while let Some(piece) = self.pieces.get(self.position).cloned() {
            self.position += 1;
            match piece {
                Piece::Text(range) => nodes.push(Node::Text(range)),
                Piece::Output { markup } => {
                    let mut m = self.markup(&markup)?;
                    if m.at_end() {
                        continue;
                    }
                    let chain = m.filter_chain()?;
                    m.finish()?;
                    nodes.push(Node::Output(chain));
                }
                Piece::Tag {
                    name,
                    name_span,
                    markup,
                    whole,
                } => {
                    if ends.contains(&name.as_str()) {
                        return Ok((nodes, Some((name, markup))));
                    }
                    if let Some(node) = self.tag(&name, name_span, markup, whole)? {
                        nodes.push(node);
                    }
                }
            }
        }
        Ok((nodes, None))
    }

    /// One tag: the dispatcher to the tag's own parser (in `tags.rs`); `None` for tags that
    /// leave nothing in the tree (`{% # comment %}`, an empty `echo`).
    fn tag(
        &mut self,
        name: &str,
        name_span: Range<usize>,
        markup: Range<usize>,
        whole: Range<usize>,
    ) -> Result<Option<Node>, TemplateError> {
        if name == "#" {
            return Ok(None);
        }
        let m = self.markup(&markup)?;
        let opened = Opened { name, span: &name_span };
        let node = match name {
            "if" | "unless" => tags::conditional(self, opened, m)?,
            "case" => tags::case(self, opened, m)?,
            "for" | "tablerow" => tags::loop_block(self, opened, m)?,
            "capture" => tags::capture(self, opened, m)?,
            "ifchanged" => {
                m.finish()?;
                Node::IfChanged(self.body(&["endifchanged"], name, &name_span)?.0)
            }
            "assign" => tags::assign(m, &markup)?,
            "increment" | "decrement" => tags::counter(m, name == "decrement")?,
            "cycle" => tags::cycle(m)?,
            "echo" => return tags::echo(m),
            "render" | "include" => tags::partial(name, m, whole)?,
            "break" | "continue" => {
                m.finish()?;
                Node::LoopControl {
                    stop: name == "break",
                    span: whole,
                }
            }
            "elsif" | "else" | "when" | "endif" | "endunless" | "endcase" | "endfor" | "endtablerow" | "endcapture"
            | "endraw" | "endcomment" | "endifchanged" | "enddoc" => return Err(unexpected(name, name_span)),
            other => {
                return Err(
                    TemplateError::new("template::unknown-tag", format!("unknown tag `{other}`"), name_span)
                        .with_optional_hint(suggestion_hint(other, TAGS)),
                )
            }
        };
        Ok(Some(node))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_seed_template() {
        let source = "{% if user.city == \"New York\" %}\nExclusive offers for our NYC customers!\n{% else %}\nDiscover our latest deals!\n{% endif %}\n";
        let nodes = parse_template(source).unwrap();
        assert!(matches!(nodes[0], Node::If { .. }));
    }

    #[test]
    fn reports_unclosed_blocks_at_the_opener() {
        let error = parse_template("a {% if x %} b").unwrap_err();
        assert_eq!((error.code, error.span), ("template::unclosed-block", 5..7));
    }
}
