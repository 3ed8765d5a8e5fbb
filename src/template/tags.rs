//! One parser per Liquid tag (SPEC §6): block tags read their bodies through the block
//! parser; the others read only their markup.

use std::ops::Range;

use super::ast::*;
use super::error::TemplateError;
use super::markup::{Markup, Tok};
use crate::diag::suggestion_hint;

/// A block tag as opened: its name and where the name is (unclosed blocks are reported there).
#[derive(Clone, Copy)]
pub(super) struct Opened<'t> {
    /// `if`, `for`, ...
    pub name: &'t str,
    /// The name's place in the template.
    pub span: &'t Range<usize>,
}

/// What a block tag needs from the parser around it: the markup of a later tag of the block
/// (`elsif`, `when`), and the body up to one of the block's ends.
pub(super) trait Blocks {
    /// The markup at `range` of the template, ready to read.
    fn markup(&self, range: &Range<usize>) -> Result<Markup, TemplateError>;

    /// The nodes up to one of `ends`, that end's name and its markup's range; an error naming
    /// `opener` at `open_span` when the template ends first.
    fn body(
        &mut self,
        ends: &[&str],
        opener: &str,
        open_span: &Range<usize>,
    ) -> Result<(Vec<Node>, String, Range<usize>), TemplateError>;
}

/// `{% if %}` and `{% unless %}` with their `elsif` and `else` branches.
pub(super) fn conditional(parser: &mut impl Blocks, opened: Opened, mut m: Markup) -> Result<Node, TemplateError> {
    let Opened { name, span } = opened;
    let end = if name == "if" { "endif" } else { "endunless" };
    let ends = ["elsif", "else", end];
    let mut branches = Vec::new();
    let mut condition = m.condition()?;
    m.finish()?;
    loop {
        let (body, next, next_markup) = parser.body(&ends, name, span)?;
        branches.push((condition, body));
        match next.as_str() {
            "elsif" => {
                let mut nm = parser.markup(&next_markup)?;
                condition = nm.condition()?;
                nm.finish()?;
            }
            "else" => {
                // Liquid ignores further `else`/`elsif` branches after an `else`.
                let (otherwise, mut next, _) = parser.body(&ends, name, span)?;
                while next != end {
                    next = parser.body(&ends, name, span)?.1;
                }
                return Ok(Node::If {
                    unless: name == "unless",
                    branches,
                    otherwise: Some(otherwise),
                });
            }
            _ => {
                return Ok(Node::If {
                    unless: name == "unless",
                    branches,
                    otherwise: None,
                })
            }
        }
    }
}

/// `{% case %}` with its `when` and `else` branches.
pub(super) fn case(parser: &mut impl Blocks, opened: Opened, mut m: Markup) -> Result<Node, TemplateError> {
    let Opened { name, span } = opened;
    let ends = ["when", "else", "endcase"];
    let subject = m.expression()?;
    m.finish()?;
    let (_, mut next, mut next_markup) = parser.body(&ends, name, span)?;
    let mut branches = Vec::new();
    loop {
        match next.as_str() {
            "when" => {
                let mut wm = parser.markup(&next_markup)?;
                let mut values = vec![wm.expression()?];
                while wm.eat_punct(',') || wm.eat_word("or") {
                    values.push(wm.expression()?);
                }
                wm.finish()?;
                let (body, n, nm) = parser.body(&ends, name, span)?;
                branches.push(CaseBranch::When(values, body));
                (next, next_markup) = (n, nm);
            }
            "else" => {
                let (body, n, nm) = parser.body(&ends, name, span)?;
                branches.push(CaseBranch::Else(body));
                (next, next_markup) = (n, nm);
            }
            _ => return Ok(Node::Case { subject, branches }),
        }
    }
}

/// `{% for %}` (with `else`) and `{% tablerow %}`.
pub(super) fn loop_block(parser: &mut impl Blocks, opened: Opened, mut m: Markup) -> Result<Node, TemplateError> {
    let Opened { name, span } = opened;
    let variable = m.name("a loop variable")?;
    if !m.eat_word("in") {
        return Err(m.error(format!("expected `in`: `{{% {name} item in collection %}}`")));
    }
    let collection = m.expression()?;
    let params = loop_params(&mut m)?;
    m.finish()?;
    let end = if name == "for" { "endfor" } else { "endtablerow" };
    let ends: &[&str] = if name == "for" {
        &["else", "endfor"]
    } else {
        &["endtablerow"]
    };
    let (body, next, _) = parser.body(ends, name, span)?;
    let otherwise = if next == "else" {
        Some(parser.body(&[end], name, span)?.0)
    } else {
        None
    };
    Ok(Node::Loop {
        tablerow: name == "tablerow",
        variable,
        collection,
        params,
        body,
        otherwise,
    })
}

/// `{% capture name %}...{% endcapture %}`.
pub(super) fn capture(parser: &mut impl Blocks, opened: Opened, mut m: Markup) -> Result<Node, TemplateError> {
    let variable = m.name("a variable name")?;
    m.finish()?;
    let (body, _, _) = parser.body(&["endcapture"], opened.name, opened.span)?;
    Ok(Node::Capture { name: variable, body })
}

/// `{% assign name = value | filters %}`.
pub(super) fn assign(mut m: Markup, markup: &Range<usize>) -> Result<Node, TemplateError> {
    let variable = m.name("a variable name")?;
    if variable.text.ends_with('?') {
        return Err(TemplateError::new(
            "template::syntax",
            format!(
                "`{}` cannot be assigned: a variable name does not end in `?`",
                variable.text
            ),
            variable.span,
        ));
    }
    if !matches!(m.next(), Some((Tok::Op("="), _))) {
        return Err(TemplateError::new(
            "template::syntax",
            "expected `=` in `assign`",
            markup.clone(),
        ));
    }
    let value = m.filter_chain()?;
    m.finish()?;
    Ok(Node::Assign { name: variable, value })
}

/// `{% increment name %}` and `{% decrement name %}`.
pub(super) fn counter(mut m: Markup, decrement: bool) -> Result<Node, TemplateError> {
    let variable = m.name("a counter name")?;
    m.finish()?;
    Ok(Node::Counter {
        name: variable,
        decrement,
    })
}

/// `{% cycle [group:] a, b, c %}`.
pub(super) fn cycle(mut m: Markup) -> Result<Node, TemplateError> {
    let first = m.expression()?;
    let (group, mut values) = if m.eat_punct(':') {
        (Some(first), vec![m.expression()?])
    } else {
        (None, vec![first])
    };
    while m.eat_punct(',') {
        values.push(m.expression()?);
    }
    m.finish()?;
    Ok(Node::Cycle { group, values })
}

/// `{% echo value | filters %}`; an empty `echo` leaves nothing.
pub(super) fn echo(mut m: Markup) -> Result<Option<Node>, TemplateError> {
    if m.at_end() {
        return Ok(None);
    }
    let chain = m.filter_chain()?;
    m.finish()?;
    Ok(Some(Node::Echo(chain)))
}

/// `{% render 'name' [with|for value [as alias]], key: value, ... %}` and `{% include %}`,
/// whose name may be an expression.
pub(super) fn partial(name: &str, mut m: Markup, whole: Range<usize>) -> Result<Node, TemplateError> {
    let partial = match m.peek() {
        Some(Tok::Str(_)) => PartialName::Static(m.name("a partial name in quotes")?),
        _ if name == "include" => PartialName::Dynamic(m.expression()?),
        _ => return Err(m.error("`render` takes the partial's name in quotes")),
    };
    let mut binding = None;
    for (word, iterate) in [("with", false), ("for", true)] {
        if binding.is_none() && m.eat_word(word) {
            let value = m.expression()?;
            let alias = if m.eat_word("as") {
                Some(m.name("a name after `as`")?)
            } else {
                None
            };
            binding = Some(PartialBinding { iterate, value, alias });
        }
    }
    let mut args = Vec::new();
    m.eat_punct(',');
    while !m.at_end() {
        let key = m.name("an argument name")?;
        if !m.eat_punct(':') {
            return Err(m.error("expected `:` after the argument name"));
        }
        args.push((key, m.expression()?));
        m.eat_punct(',');
    }
    Ok(Node::Partial {
        include: name == "include",
        name: partial,
        binding,
        args,
        span: whole,
    })
}

/// A loop's parameters: `limit:`, `offset:` (or `offset: continue`), `cols:`, `reversed`.
pub(super) fn loop_params(m: &mut Markup) -> Result<LoopParams, TemplateError> {
    let mut params = LoopParams::default();
    while !m.at_end() {
        if m.eat_punct(',') && m.at_end() {
            break;
        }
        if m.eat_word("reversed") {
            params.reversed = true;
            continue;
        }
        let key = m.name("`limit:`, `offset:`, `cols:` or `reversed`")?;
        if !m.eat_punct(':') {
            return Err(TemplateError::new(
                "template::syntax",
                format!("expected `:` after `{}`", key.text),
                key.span,
            ));
        }
        match key.text.as_str() {
            "limit" => params.limit = Some(m.expression()?),
            "cols" => params.cols = Some(m.expression()?),
            "offset" if m.eat_word("continue") => params.offset_continue = true,
            "offset" => params.offset = Some(m.expression()?),
            other => {
                return Err(TemplateError::new(
                    "template::syntax",
                    format!("unknown loop parameter `{other}`"),
                    key.span,
                )
                .with_optional_hint(suggestion_hint(other, ["limit", "offset", "cols", "reversed"])))
            }
        }
    }
    Ok(params)
}
