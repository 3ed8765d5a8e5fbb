//! The renderer: walks a template's syntax tree (the tree `check` proved) with the render's
//! globals, with Shopify's semantics for every tag, within the render budget ([`super::budget`]).

use std::ops::Range;

use super::ast::*;
use super::budget::{Budget, MAX_VALUE_BYTES};
use super::escape::escape_html_into;
use super::filters_impl::{apply_filter, safe_url, FilterEnv};
use super::parsed::{Partials, Template};
use super::render_error::RenderError;
use super::scope::{LoopState, Scope};
use super::value::{range_len, LiquidValue, Number, Object};

/// Partials nested deeper than this (a partial that includes itself) end the render.
const MAX_PARTIAL_DEPTH: usize = 64;

/// What a block asks of the loop around it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Flow {
    /// Go on.
    Next,
    /// `{% break %}`.
    Break,
    /// `{% continue %}`.
    Continue,
}

/// One render of a template (and the partials it uses).
pub(super) struct Render<'r> {
    partials: &'r Partials,
    filters: &'r FilterEnv,
    globals: &'r Object,
    budget: Budget,
    depth: usize,
}

type Rendered<T> = Result<T, RenderError>;

impl<'r> Render<'r> {
    /// A render with `globals`, `partials`, and what filters read.
    pub fn new(partials: &'r Partials, filters: &'r FilterEnv, globals: &'r Object) -> Render<'r> {
        Render {
            partials,
            filters,
            globals,
            budget: Budget::default(),
            depth: 0,
        }
    }

    /// Renders `template` to text.
    pub fn template(&mut self, template: &Template) -> Rendered<String> {
        let mut out = String::with_capacity(template.source().len() + 256);
        let mut scope = Scope::default();
        self.nodes(template, template.nodes(), &mut scope, &mut out)?;
        Ok(out)
    }

    fn nodes(&mut self, t: &Template, nodes: &[Node], scope: &mut Scope, out: &mut String) -> Rendered<Flow> {
        for node in nodes {
            let flow = self.node(t, node, scope, out)?;
            if flow != Flow::Next {
                return Ok(flow);
            }
        }
        Ok(Flow::Next)
    }

    fn node(&mut self, t: &Template, node: &Node, scope: &mut Scope, out: &mut String) -> Rendered<Flow> {
        match node {
            Node::Text(range) => self.write(t, out, &t.source()[range.clone()], range)?,
            Node::Output(chain) | Node::Echo(chain) => self.output(t, chain, scope, out)?,
            Node::If {
                unless,
                branches,
                otherwise,
            } => {
                for (i, (condition, body)) in branches.iter().enumerate() {
                    let holds = self.condition(t, condition, scope)?;
                    if holds != (*unless && i == 0) {
                        return self.nodes(t, body, scope, out);
                    }
                }
                if let Some(body) = otherwise {
                    return self.nodes(t, body, scope, out);
                }
            }
            Node::Case { subject, branches } => {
                let subject = self.expression(t, subject, scope)?;
                let mut matched = false;
                for branch in branches {
                    let renders = match branch {
                        CaseBranch::Else(_) => usize::from(!matched),
                        CaseBranch::When(values, _) => {
                            let mut count = 0;
                            for value in values {
                                count += usize::from(self.expression(t, value, scope)?.liquid_eq(&subject));
                            }
                            matched |= count > 0;
                            count
                        }
                    };
                    for _ in 0..renders {
                        let flow = self.nodes(t, branch.body(), scope, out)?;
                        if flow != Flow::Next {
                            return Ok(flow);
                        }
                    }
                }
            }
            Node::Loop {
                tablerow,
                variable,
                collection,
                params,
                body,
                otherwise,
            } => {
                let walk = LoopWalk {
                    tablerow: *tablerow,
                    variable,
                    collection,
                    params,
                    body,
                    otherwise: otherwise.as_deref(),
                };
                self.walk_loop(t, &walk, scope, out)?;
            }
            Node::Assign { name, value } => {
                let value = self.chain(t, value, scope)?;
                self.check_size(t, &name.text, &value, &name.span)?;
                scope.assign(&name.text, value);
            }
            Node::Capture { name, body } => {
                let mut captured = String::new();
                let flow = self.nodes(t, body, scope, &mut captured)?;
                if captured.len() > MAX_VALUE_BYTES {
                    return Err(self.too_large(t, &name.text, &name.span));
                }
                scope.assign(&name.text, captured.into());
                if flow != Flow::Next {
                    return Ok(flow);
                }
            }
            Node::Counter { name, decrement } => {
                let value = scope.count(&name.text, if *decrement { -1 } else { 1 });
                self.write(t, out, &value.to_string(), &name.span)?;
            }
            Node::Cycle { group, values } => {
                let key = match group {
                    Some(group) => self.expression(t, group, scope)?.to_text().into_owned(),
                    None => values
                        .iter()
                        .map(|v| &t.source()[v.span.clone()])
                        .collect::<Vec<_>>()
                        .join(","),
                };
                let at = scope.cycle(&key, values.len());
                if let Some(expression) = values.get(at) {
                    let value = self.expression(t, expression, scope)?;
                    self.write(t, out, &value.to_text(), &expression.span)?;
                }
            }
            Node::Partial {
                include,
                name,
                binding,
                args,
                span,
            } => {
                let call = PartialCall {
                    include: *include,
                    name,
                    binding: binding.as_ref(),
                    args,
                    span,
                };
                let flow = self.partial(t, &call, scope, out)?;
                if flow != Flow::Next {
                    return Ok(flow);
                }
            }
            Node::IfChanged(body) => {
                let mut rendered = String::new();
                let flow = self.nodes(t, body, scope, &mut rendered)?;
                if scope.last_changed.as_deref() != Some(rendered.as_str()) {
                    self.write(t, out, &rendered, &(0..0))?;
                    scope.last_changed = Some(rendered);
                }
                return Ok(flow);
            }
            Node::LoopControl { stop, .. } => return Ok(if *stop { Flow::Break } else { Flow::Continue }),
        }
        Ok(Flow::Next)
    }

    /// Appends `text` to `out`, within the output budget.
    fn write(&mut self, t: &Template, out: &mut String, text: &str, at: &Range<usize>) -> Rendered<()> {
        if let Err(why) = self.budget.output(out.len() + text.len()) {
            return Err(RenderError::at(t.source(), at.clone(), why));
        }
        out.push_str(text);
        Ok(())
    }

    fn check_size(&self, t: &Template, name: &str, value: &LiquidValue, at: &Range<usize>) -> Rendered<()> {
        if value.byte_size(MAX_VALUE_BYTES) > MAX_VALUE_BYTES {
            return Err(self.too_large(t, name, at));
        }
        Ok(())
    }

    fn too_large(&self, t: &Template, name: &str, at: &Range<usize>) -> RenderError {
        RenderError::at(
            t.source(),
            at.clone(),
            format!(
                "the render budget is spent: `{name}` grew past {} KiB",
                MAX_VALUE_BYTES >> 10
            ),
        )
    }

    /// Prints an output, escaped as the template says.
    fn output(&mut self, t: &Template, chain: &FilterChain, scope: &mut Scope, out: &mut String) -> Rendered<()> {
        let value = match chain.escape {
            OutputEscape::UrlBeforeLastFilter => {
                let (last, rest) = chain.filters.split_last().expect("a last filter");
                let value = self.filters(t, &chain.value, rest, scope)?;
                let safe = url_safe(value);
                self.filter(t, last, safe, scope)?
            }
            OutputEscape::UrlThenHtml | OutputEscape::Url => url_safe(self.chain(t, chain, scope)?),
            OutputEscape::AsIs | OutputEscape::Html => self.chain(t, chain, scope)?,
        };
        let text = value.to_text();
        if !matches!(chain.escape, OutputEscape::Html | OutputEscape::UrlThenHtml) {
            return self.write(t, out, &text, &chain.span);
        }
        let before = out.len();
        escape_html_into(&text, out);
        if let Err(why) = self.budget.output(out.len()) {
            out.truncate(before);
            return Err(RenderError::at(t.source(), chain.span.clone(), why));
        }
        Ok(())
    }

    /// A value with its filters applied.
    fn chain(&mut self, t: &Template, chain: &FilterChain, scope: &mut Scope) -> Rendered<LiquidValue> {
        self.filters(t, &chain.value, &chain.filters, scope)
    }

    fn filters(
        &mut self,
        t: &Template,
        value: &Expression,
        filters: &[Filter],
        scope: &mut Scope,
    ) -> Rendered<LiquidValue> {
        let mut value = self.expression(t, value, scope)?;
        for filter in filters {
            value = self.filter(t, filter, value, scope)?;
        }
        Ok(value)
    }

    fn filter(
        &mut self,
        t: &Template,
        filter: &Filter,
        input: LiquidValue,
        scope: &mut Scope,
    ) -> Rendered<LiquidValue> {
        let mut positional = Vec::with_capacity(filter.args.len());
        let mut keywords = Vec::new();
        for arg in &filter.args {
            let value = self.expression(t, &arg.value, scope)?;
            match &arg.key {
                Some(key) => keywords.push((key.text.as_str(), value)),
                None => positional.push(value),
            }
        }
        apply_filter(&filter.name.text, input, &positional, &keywords, self.filters).map_err(|why| {
            RenderError::at(
                t.source(),
                filter.span.clone(),
                format!("`{}`: {why}", filter.name.text),
            )
        })
    }

    /// The value of an expression.
    fn expression(&mut self, t: &Template, expression: &Expression, scope: &mut Scope) -> Rendered<LiquidValue> {
        Ok(match &expression.kind {
            ExpressionKind::Literal(literal) => match literal {
                Literal::String(s) => LiquidValue::from(s.as_str()),
                Literal::Int(i) => LiquidValue::Int(*i),
                Literal::Float(f) => LiquidValue::Float(*f),
                Literal::Bool(b) => LiquidValue::Bool(*b),
                Literal::Nil => LiquidValue::Nil,
                Literal::Empty => LiquidValue::Empty,
                Literal::Blank => LiquidValue::Blank,
            },
            ExpressionKind::Path(path) => self.path(t, path, scope)?,
            ExpressionKind::Range(from, to) => {
                let from = self.range_end(t, from, scope)?;
                let to = self.range_end(t, to, scope)?;
                LiquidValue::Range(from, to)
            }
        })
    }

    /// One end of a range: a number (floats are cut to integers) or text holding one.
    fn range_end(&mut self, t: &Template, end: &Expression, scope: &mut Scope) -> Rendered<i64> {
        match self.expression(t, end, scope)? {
            LiquidValue::Int(i) => Ok(i),
            LiquidValue::Float(f) => Ok(f as i64),
            LiquidValue::Str(s) => Ok(match LiquidValue::Str(s).to_number() {
                Number::Int(i) => i,
                Number::Float(f) => f as i64,
            }),
            LiquidValue::Nil => Ok(0),
            value => Err(RenderError::at(
                t.source(),
                end.span.clone(),
                format!("a range's ends are integers, not {}", value.kind()),
            )),
        }
    }

    fn path(&mut self, t: &Template, path: &Path, scope: &mut Scope) -> Rendered<LiquidValue> {
        let mut segments = path.segments.iter();
        let mut value = if path.root.text.is_empty() {
            // `[expr]` at the root: the variable named by the expression.
            match segments.next() {
                Some(Segment::Index(name)) => {
                    let name = self.expression(t, name, scope)?;
                    scope.lookup(&name.to_text(), self.globals)
                }
                Some(Segment::Key(name)) => scope.lookup(&name.text, self.globals),
                None => LiquidValue::Nil,
            }
        } else {
            scope.lookup(&path.root.text, self.globals)
        };
        for segment in segments {
            value = match segment {
                Segment::Key(name) => value.get(&name.text),
                Segment::Index(index) => {
                    let index = self.expression(t, index, scope)?;
                    value.index(&index)
                }
            };
        }
        Ok(value)
    }

    fn condition(&mut self, t: &Template, condition: &Condition, scope: &mut Scope) -> Rendered<bool> {
        Ok(match condition {
            Condition::Truthy(value) => self.expression(t, value, scope)?.is_truthy(),
            Condition::Compare(left, op, right) => {
                let (a, b) = (self.expression(t, left, scope)?, self.expression(t, right, scope)?);
                match op {
                    Comparison::Eq => a.liquid_eq(&b),
                    Comparison::Ne => !a.liquid_eq(&b),
                    Comparison::Contains => a.contains(&b),
                    Comparison::Lt | Comparison::Gt | Comparison::Le | Comparison::Ge => {
                        let order = a
                            .liquid_cmp(&b)
                            .map_err(|why| RenderError::at(t.source(), left.span.start..right.span.end, why))?;
                        order.is_some_and(|o| match op {
                            Comparison::Lt => o.is_lt(),
                            Comparison::Gt => o.is_gt(),
                            Comparison::Le => o.is_le(),
                            _ => o.is_ge(),
                        })
                    }
                }
            }
            Condition::And(a, b) => self.condition(t, a, scope)? && self.condition(t, b, scope)?,
            Condition::Or(a, b) => self.condition(t, a, scope)? || self.condition(t, b, scope)?,
        })
    }

    /// A loop parameter that must be an integer (`limit`, `offset`, `cols`); nil is none.
    fn loop_number(&mut self, t: &Template, value: Option<&Expression>, scope: &mut Scope) -> Rendered<Option<i64>> {
        let Some(expression) = value else { return Ok(None) };
        match self.expression(t, expression, scope)? {
            LiquidValue::Nil => Ok(None),
            LiquidValue::Float(f) => Ok(Some(f as i64)),
            value => value
                .to_integer()
                .map(Some)
                .map_err(|why| RenderError::at(t.source(), expression.span.clone(), why)),
        }
    }

    fn walk_loop(&mut self, t: &Template, walk: &LoopWalk, scope: &mut Scope, out: &mut String) -> Rendered<()> {
        let collection = self.expression(t, walk.collection, scope)?;
        let name = format!("{}-{}", walk.variable.text, &t.source()[walk.collection.span.clone()]);
        let params = walk.params;
        let items = Items::of(collection);
        let offset = if params.offset_continue {
            scope.continue_at.get(&name).copied().unwrap_or(0)
        } else {
            usize::try_from(self.loop_number(t, params.offset.as_ref(), scope)?.unwrap_or(0).max(0)).unwrap_or(0)
        };
        let limit = self.loop_number(t, params.limit.as_ref(), scope)?;
        let start = offset.min(items.len());
        let count = match limit {
            Some(limit) => usize::try_from(limit.max(0)).unwrap_or(0).min(items.len() - start),
            None => items.len() - start,
        };
        if !walk.tablerow {
            scope.continue_at.insert(name.clone(), start + count);
        }
        let cols = if walk.tablerow {
            Some(usize::try_from(self.loop_number(t, params.cols.as_ref(), scope)?.unwrap_or(0).max(0)).unwrap_or(0))
        } else {
            None
        };
        if count == 0 && !walk.tablerow {
            if let Some(body) = walk.otherwise {
                self.nodes(t, body, scope, out)?;
            }
            return Ok(());
        }
        if walk.tablerow {
            self.write(t, out, "<tr class=\"row1\">\n", &walk.variable.span)?;
        }
        scope.push_loop(LoopState {
            name,
            length: count,
            index0: 0,
            cols,
            outermost: false,
        });
        scope.push_local(&walk.variable.text, LiquidValue::Nil);
        let result = self.loop_body(t, walk, &items, (start, count), cols, scope, out);
        scope.pop_local();
        scope.pop_loop();
        result?;
        if walk.tablerow {
            self.write(t, out, "</tr>\n", &walk.variable.span)?;
        }
        Ok(())
    }

    #[allow(clippy::too_many_arguments)]
    fn loop_body(
        &mut self,
        t: &Template,
        walk: &LoopWalk,
        items: &Items,
        (start, count): (usize, usize),
        cols: Option<usize>,
        scope: &mut Scope,
        out: &mut String,
    ) -> Rendered<()> {
        for step in 0..count {
            self.budget
                .step()
                .map_err(|why| RenderError::at(t.source(), walk.collection.span.clone(), why))?;
            let at = if walk.params.reversed {
                start + count - 1 - step
            } else {
                start + step
            };
            scope.set_local(items.get(at));
            scope.loop_at(step);
            if let Some(cols) = cols {
                let col = if cols == 0 { step } else { step % cols };
                self.write(t, out, &format!("<td class=\"col{}\">", col + 1), &walk.variable.span)?;
                let flow = self.nodes(t, walk.body, scope, out)?;
                self.write(t, out, "</td>", &walk.variable.span)?;
                if cols > 0 && col == cols - 1 && step + 1 < count {
                    let row = step / cols + 2;
                    self.write(t, out, &format!("</tr>\n<tr class=\"row{row}\">"), &walk.variable.span)?;
                }
                if flow == Flow::Break {
                    break;
                }
            } else if self.nodes(t, walk.body, scope, out)? == Flow::Break {
                break;
            }
        }
        Ok(())
    }

    fn partial(&mut self, t: &Template, call: &PartialCall, scope: &mut Scope, out: &mut String) -> Rendered<Flow> {
        let name = match call.name {
            PartialName::Static(name) => name.text.clone(),
            PartialName::Dynamic(expression) => self.expression(t, expression, scope)?.to_text().into_owned(),
        };
        let partial = self
            .partials
            .get(&name)
            .map_err(|why| RenderError::at(t.source(), call.span.clone(), why))?;
        if self.depth >= MAX_PARTIAL_DEPTH {
            return Err(RenderError::at(
                t.source(),
                call.span.clone(),
                format!("partials nest more than {MAX_PARTIAL_DEPTH} deep (does `{name}` include itself?)"),
            ));
        }
        let mut args = Vec::with_capacity(call.args.len());
        for (key, value) in call.args {
            args.push((key.text.as_str(), self.expression(t, value, scope)?));
        }
        let bound = match call.binding {
            Some(binding) => {
                let alias = binding.alias.as_ref().map_or(name.as_str(), |a| a.text.as_str());
                Some((alias, binding.iterate, self.expression(t, &binding.value, scope)?))
            }
            None => None,
        };
        self.depth += 1;
        let result = if call.include {
            let locals = args.len() + 1;
            for (key, value) in args {
                scope.push_local(key, value.clone());
            }
            // Without `with`, the partial's name is bound to the variable of that name.
            let same_name = scope.lookup(&name, self.globals);
            scope.push_local(&name, same_name);
            let flow = self.include(&partial, bound, scope, out);
            for _ in 0..locals {
                scope.pop_local();
            }
            flow
        } else {
            self.render_isolated(&partial, &args, bound, out).map(|()| Flow::Next)
        };
        self.depth -= 1;
        result.map_err(|e| e.in_partial(&name))
    }

    /// `include`: the partial shares the caller's variables (what it assigns stays assigned);
    /// its arguments and bound value are variables while it renders; a `break` in it ends the
    /// caller's loop.
    fn include(
        &mut self,
        partial: &Template,
        bound: Option<(&str, bool, LiquidValue)>,
        scope: &mut Scope,
        out: &mut String,
    ) -> Rendered<Flow> {
        let Some((alias, iterate, value)) = bound else {
            return self.nodes(partial, partial.nodes(), scope, out);
        };
        scope.push_local(alias, LiquidValue::Nil);
        let items = match value {
            LiquidValue::Array(items) if iterate => items.as_ref().clone(),
            other => vec![other],
        };
        let mut flow = Flow::Next;
        for item in items {
            scope.set_local(item);
            flow = self.nodes(partial, partial.nodes(), scope, out)?;
            if flow == Flow::Break {
                break;
            }
        }
        scope.pop_local();
        Ok(flow)
    }

    /// `render`: the partial sees the render's globals and what it is passed, nothing else;
    /// `for` renders it once per item, with `forloop`.
    fn render_isolated(
        &mut self,
        partial: &Template,
        args: &[(&str, LiquidValue)],
        bound: Option<(&str, bool, LiquidValue)>,
        out: &mut String,
    ) -> Rendered<()> {
        let fresh = || {
            let mut scope = Scope::default();
            for (key, value) in args {
                scope.assign(key, value.clone());
            }
            scope
        };
        match bound {
            Some((alias, true, value)) if matches!(value, LiquidValue::Array(_) | LiquidValue::Range(..)) => {
                let items = Items::of(value);
                for at in 0..items.len() {
                    self.budget
                        .step()
                        .map_err(|why| RenderError::at(partial.source(), 0..0, why))?;
                    let mut scope = fresh();
                    scope.push_loop(LoopState {
                        name: alias.to_string(),
                        length: items.len(),
                        index0: at,
                        cols: None,
                        outermost: true,
                    });
                    scope.push_local(alias, items.get(at));
                    self.nodes(partial, partial.nodes(), &mut scope, out)?;
                }
            }
            Some((alias, _, value)) => {
                let mut scope = fresh();
                scope.push_local(alias, value);
                self.nodes(partial, partial.nodes(), &mut scope, out)?;
            }
            None => {
                self.nodes(partial, partial.nodes(), &mut fresh(), out)?;
            }
        }
        Ok(())
    }
}

/// A loop's parts, as the tree holds them.
struct LoopWalk<'n> {
    tablerow: bool,
    variable: &'n Name,
    collection: &'n Expression,
    params: &'n LoopParams,
    body: &'n [Node],
    otherwise: Option<&'n [Node]>,
}

/// A `render` or `include` tag's parts.
struct PartialCall<'n> {
    include: bool,
    name: &'n PartialName,
    binding: Option<&'n PartialBinding>,
    args: &'n [(Name, Expression)],
    span: &'n Range<usize>,
}

/// What a loop walks, without copying a list or building a range.
enum Items {
    /// A list's items.
    List(std::sync::Arc<Vec<LiquidValue>>),
    /// The numbers `start, start + 1, …`.
    Counted { start: i64, len: usize },
    /// Anything else, as items ([`LiquidValue::items`]).
    Owned(Vec<LiquidValue>),
}

impl Items {
    fn of(value: LiquidValue) -> Items {
        match value {
            LiquidValue::Array(items) => Items::List(items),
            LiquidValue::Range(a, b) => Items::Counted {
                start: a,
                len: range_len(a, b),
            },
            LiquidValue::Str(s) if s.is_empty() => Items::Owned(Vec::new()),
            LiquidValue::Str(_) | LiquidValue::Object(_) => Items::Owned(value.items()),
            _ => Items::Owned(Vec::new()),
        }
    }

    fn len(&self) -> usize {
        match self {
            Items::List(items) => items.len(),
            Items::Counted { len, .. } => *len,
            Items::Owned(items) => items.len(),
        }
    }

    fn get(&self, at: usize) -> LiquidValue {
        match self {
            Items::List(items) => items[at].clone(),
            Items::Counted { start, .. } => LiquidValue::Int(start + at as i64),
            Items::Owned(items) => items[at].clone(),
        }
    }
}

/// `value` as a URL safe to follow ([`safe_url`]); nil stays nil.
fn url_safe(value: LiquidValue) -> LiquidValue {
    match value {
        LiquidValue::Nil => LiquidValue::Nil,
        other => {
            let text = other.to_text();
            let safe = safe_url(&text);
            if safe.len() == text.len() {
                other.clone()
            } else {
                LiquidValue::from(safe)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use crate::template::{globals_from_json, Engine};

    fn engine(partials: &[(&str, &str)]) -> Engine {
        let partials: BTreeMap<String, String> = partials
            .iter()
            .map(|(name, source)| (name.to_string(), source.to_string()))
            .collect();
        Engine::new(&partials, &Default::default(), false)
    }

    #[test]
    fn errors_name_the_line_column_and_partial() {
        let engine = engine(&[("card", "ok\n  {{ 1 | divided_by: 0 }}")]);
        let globals = globals_from_json(&serde_json::json!({}));
        let error = engine.render_source("a\n{% render 'card' %}", &globals).unwrap_err();
        assert_eq!(
            error.to_string(),
            "in partial `card`, line 2, column 10: `divided_by`: cannot divide by zero"
        );
        let error = engine.render_source("{{ 'x' | nosuch }}", &globals).unwrap_err();
        assert_eq!(error.to_string(), "line 1, column 10: unknown filter `nosuch`");
    }

    #[test]
    fn a_partial_that_includes_itself_ends_the_render() {
        let engine = engine(&[("self", "x{% include 'self' %}")]);
        let error = engine
            .render_source("{% include 'self' %}", &globals_from_json(&serde_json::json!({})))
            .unwrap_err();
        assert!(error.message.contains("nest more than 64"), "{error}");
    }
}
