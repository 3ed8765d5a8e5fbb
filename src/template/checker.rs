//! The static checker: every variable path and filter of a template, typed against its context,
//! without rendering.

use std::collections::{BTreeMap, BTreeSet};
use std::ops::Range;
use std::sync::Arc;

use super::ast::*;
use super::context::TemplateContext;
use super::filters::{FilterSpec, Output};
use super::parser::parse_template;
use super::shape::{Shape, Value};
use crate::diag::{not_one_of, suggestion_hint, Diagnostic, Diagnostics, FileId};
use crate::load::StringMap;

/// Partials stop nesting here (a partial that renders itself is reported, not followed forever).
const MAX_PARTIAL_DEPTH: usize = 8;

/// Finds partials by name for `render` and `include`.
pub trait PartialLookup {
    /// The partial's file and text.
    fn partial(&self, name: &str) -> Option<(FileId, &str)>;
    /// Every partial name, for suggestions.
    fn names(&self) -> Vec<String>;
}

/// How a template is used: its context, and whether it is HTML (outputs are escaped).
#[derive(Debug, Clone, Copy)]
pub struct TemplateUse<'a> {
    /// The variables in scope.
    pub context: &'a TemplateContext,
    /// HTML templates warn on `| raw`.
    pub html: bool,
}

/// Parses and checks one template, reporting at file positions through `map`; returns the
/// names of the context's variables it reads, directly or through its partials.
pub fn check_template(
    source: &str,
    map: &StringMap,
    template_use: TemplateUse<'_>,
    partials: &dyn PartialLookup,
    diagnostics: &mut Diagnostics,
) -> BTreeSet<String> {
    let mut checker = Checker {
        template_use,
        partials,
        diagnostics,
        partial_stack: Vec::new(),
        read: BTreeSet::new(),
    };
    checker.check_source(source, map, vec![Scope::default()]);
    checker.read
}

/// Local variables of one block, and the paths known not to be nil there.
#[derive(Debug, Clone, Default)]
struct Scope {
    locals: BTreeMap<String, Value>,
    guarded: BTreeSet<String>,
}

struct Checker<'a, 'd> {
    template_use: TemplateUse<'a>,
    partials: &'a dyn PartialLookup,
    diagnostics: &'d mut Diagnostics,
    partial_stack: Vec<String>,
    /// The context's variables read so far.
    read: BTreeSet<String>,
}

/// The state of one template (or partial) being walked.
struct Walk<'m> {
    map: &'m StringMap,
    scopes: Vec<Scope>,
}

impl Walk<'_> {
    fn lookup(&self, name: &str) -> Option<&Value> {
        self.scopes.iter().rev().find_map(|s| s.locals.get(name))
    }

    fn is_guarded(&self, path: &str) -> bool {
        self.scopes.iter().any(|s| s.guarded.contains(path))
    }

    fn define(&mut self, name: &str, value: Value) {
        // Liquid's `assign` and `capture` are visible for the rest of the template.
        if let Some(scope) = self.scopes.first_mut() {
            scope.locals.insert(name.to_string(), value);
        }
    }

    fn span(&self, range: &Range<usize>) -> crate::diag::Span {
        self.map.span(range.start, range.end)
    }
}

impl Checker<'_, '_> {
    fn check_source(&mut self, source: &str, map: &StringMap, scopes: Vec<Scope>) {
        let nodes = match parse_template(source) {
            Ok(nodes) => nodes,
            Err(error) => {
                self.diagnostics.push(error.placed(|at| map.span(at.start, at.end)));
                return;
            }
        };
        let mut walk = Walk { map, scopes };
        self.nodes(&nodes, &mut walk);
    }

    fn nodes(&mut self, nodes: &[Node], walk: &mut Walk) {
        for node in nodes {
            self.node(node, walk);
        }
    }

    fn block(&mut self, nodes: &[Node], walk: &mut Walk, scope: Scope) {
        walk.scopes.push(scope);
        self.nodes(nodes, walk);
        walk.scopes.pop();
    }

    fn node(&mut self, node: &Node, walk: &mut Walk) {
        match node {
            Node::Text(_) | Node::LoopControl { .. } => {}
            Node::Output(chain) | Node::Echo(chain) => self.output(chain, walk),
            Node::If {
                unless,
                branches,
                otherwise,
            } => {
                for (index, (condition, body)) in branches.iter().enumerate() {
                    self.condition(condition, walk);
                    let mut scope = Scope::default();
                    if !(*unless && index == 0) {
                        guards(condition, &mut scope.guarded);
                    }
                    self.block(body, walk, scope);
                }
                if let Some(body) = otherwise {
                    self.block(body, walk, Scope::default());
                }
            }
            Node::Case { subject, branches } => {
                let subject_value = self.expression(subject, walk);
                for branch in branches {
                    for value in branch.values() {
                        self.expression(value, walk);
                        if let Some(subject_value) = &subject_value {
                            self.enum_literal(&subject_value.shape, value, walk);
                        }
                        self.persona_label(subject, value, walk);
                    }
                    self.block(branch.body(), walk, Scope::default());
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
                let value = self.expression(collection, walk);
                let item = value.map_or(Value::any(), |v| item_of(&v.shape));
                for value in [&params.limit, &params.offset, &params.cols].into_iter().flatten() {
                    self.expression(value, walk);
                }
                let mut scope = Scope::default();
                scope.locals.insert(variable.text.clone(), item);
                let loop_name = if *tablerow { "tablerowloop" } else { "forloop" };
                scope.locals.insert(loop_name.into(), loop_object(*tablerow));
                self.block(body, walk, scope);
                if let Some(body) = otherwise {
                    self.block(body, walk, Scope::default());
                }
            }
            Node::Assign { name, value } => {
                let value = self.chain(value, walk).unwrap_or(Value::any());
                walk.define(&name.text, value);
            }
            Node::Capture { name, body } => {
                self.block(body, walk, Scope::default());
                walk.define(&name.text, Value::of(Shape::String));
            }
            Node::Counter { name, .. } => walk.define(&name.text, Value::of(Shape::Int)),
            Node::Cycle { group, values } => {
                for value in group.iter().chain(values) {
                    self.expression(value, walk);
                }
            }
            Node::Partial {
                include,
                name,
                binding,
                args,
                span,
            } => self.partial(*include, name, binding, args, span, walk),
            Node::IfChanged(body) => self.block(body, walk, Scope::default()),
        }
    }

    fn output(&mut self, chain: &FilterChain, walk: &mut Walk) {
        let (root, value) = self.filtered(chain, walk);
        let (Some(root), Some(_)) = (root, value) else {
            return;
        };
        let last_filter = chain.filters.last().map(|f| f.name.text.as_str());
        if self.template_use.html && last_filter == Some("raw") {
            let filter = chain.filters.last().map_or(chain.span.clone(), |f| f.span.clone());
            let d = Diagnostic::warning(
                "template::raw-output",
                "`| raw` prints this value without HTML escaping",
            )
            .at_labeled(walk.span(&filter), "not escaped")
            .with_hint("only use `raw` for trusted HTML; data from profiles or events can carry markup");
            self.diagnostics.push(d);
        }
        let has_default = chain.filters.iter().any(|f| f.name.text == "default");
        let guarded = match &chain.value.kind {
            ExpressionKind::Path(path) => path.dotted().is_some_and(|p| walk.is_guarded(&p)),
            _ => true,
        };
        if root.nullable && root.shape != Shape::Nil && !guarded && !has_default {
            let path = match &chain.value.kind {
                ExpressionKind::Path(path) => path.dotted().unwrap_or_default(),
                _ => String::new(),
            };
            let d = Diagnostic::warning(
                "template::nullable-without-default",
                format!("`{path}` may be nil and prints as nothing"),
            )
            .at_labeled(walk.span(&chain.value.span), "may be nil")
            .with_hint(format!(
                "add a fallback: `{{{{ {path} | default: \"...\" }}}}`, or print it inside `{{% if {path} %}}`"
            ));
            self.diagnostics.push(d);
        }
    }

    fn chain(&mut self, chain: &FilterChain, walk: &mut Walk) -> Option<Value> {
        self.filtered(chain, walk).1
    }

    /// The chain's input value and its value after the filters.
    fn filtered(&mut self, chain: &FilterChain, walk: &mut Walk) -> (Option<Value>, Option<Value>) {
        let root = self.expression(&chain.value, walk);
        let mut value = root.clone();
        for filter in &chain.filters {
            let arg_values: Vec<Option<Value>> = filter.args.iter().map(|a| self.expression(&a.value, walk)).collect();
            let mut args_ok = arg_values.iter().all(Option::is_some);
            let Some(spec) = FilterSpec::find(&filter.name.text) else {
                let names = super::filters::FILTERS.iter().map(|f| f.name);
                let d = Diagnostic::error(
                    "template::unknown-filter",
                    format!("unknown filter `{}`", filter.name.text),
                )
                .at_labeled(walk.span(&filter.name.span), "not a Liquid or tailor filter")
                .with_optional_hint(suggestion_hint(&filter.name.text, names));
                self.diagnostics.push(d);
                return (root, None);
            };
            let positional = filter.args.iter().filter(|a| a.key.is_none()).count();
            if positional < spec.min_args || positional > spec.max_args() {
                let expected = if spec.min_args == spec.max_args() {
                    format!("{}", spec.min_args)
                } else {
                    format!("{} to {}", spec.min_args, spec.max_args())
                };
                let d = Diagnostic::error(
                    "template::filter-arity",
                    format!("`{}` takes {expected} argument(s), not {positional}", spec.name),
                )
                .at(walk.span(&filter.span));
                self.diagnostics.push(d);
                return (root, None);
            }
            args_ok &= self.filter_arguments(spec, filter, &arg_values, walk);
            let Some(input) = value.clone() else {
                return (root, None);
            };
            if spec.rejects(&input.shape) {
                // Liquid renders these (as a no-op or 0), so this is a warning, not an error.
                let message = format!(
                    "`{}` expects {}, but this is {}",
                    spec.name,
                    spec.input.describe(),
                    input.shape
                );
                let d = Diagnostic::warning("template::filter-type", message)
                    .at_labeled(walk.span(&filter.name.span), format!("the input is {}", input.shape))
                    .with_label(walk.span(&chain.value.span), "this value")
                    .with_hint("Liquid passes it through unchanged or as 0, which is rarely what was meant");
                self.diagnostics.push(d);
                value = Some(Value::any());
                continue;
            }
            let nullable = match spec.name {
                "default" => false,
                "size" => false,
                // A key the catalog lacks gives a row of nils (its fields are nullable).
                "product" => false,
                _ => input.nullable,
            };
            let shape = match spec.output {
                Output::CatalogRow => match &self.template_use.context.catalog {
                    Some(row) => nullable_fields(&row.shape),
                    None => {
                        let d = Diagnostic::error(
                            "template::product-without-catalog",
                            "`product` looks products up in the catalog, and the data schema declares none",
                        )
                        .at_labeled(walk.span(&filter.name.span), "needs a catalog")
                        .with_hint("declare `catalog:` (its source, key and fields) in the data schema");
                        self.diagnostics.push(d);
                        return (root, None);
                    }
                },
                _ => spec.output(&input.shape),
            };
            value = args_ok.then(|| Value { shape, nullable });
        }
        (root, value)
    }

    /// Each positional argument fits what the filter takes; false after reporting one that does not.
    fn filter_arguments(
        &mut self,
        spec: &FilterSpec,
        filter: &Filter,
        values: &[Option<Value>],
        walk: &mut Walk,
    ) -> bool {
        let mut ok = true;
        let positional = filter.args.iter().zip(values).filter(|(a, _)| a.key.is_none());
        for ((arg, value), kind) in positional.zip(spec.args) {
            let Some(value) = value else { continue };
            let literal = match &arg.value.kind {
                ExpressionKind::Literal(Literal::String(text)) => Some(text.as_str()),
                _ => None,
            };
            if let Some((message, hint)) = kind.problem(&value.shape, literal) {
                let message = match message.strip_prefix("expects") {
                    Some(rest) => format!("`{}` expects{rest}", spec.name),
                    None => format!("`{}`: {message}", spec.name),
                };
                let d = Diagnostic::error("template::filter-argument", message)
                    .at_labeled(walk.span(&arg.value.span), "this argument")
                    .with_optional_hint(hint);
                self.diagnostics.push(d);
                ok = false;
            }
        }
        ok
    }

    fn condition(&mut self, condition: &Condition, walk: &mut Walk) {
        match condition {
            Condition::Truthy(value) => {
                self.expression(value, walk);
            }
            Condition::Compare(lhs, comparison, rhs) => {
                let left = self.expression(lhs, walk);
                let right = self.expression(rhs, walk);
                if let (Some(l), Some(r)) = (&left, &right) {
                    self.comparable(l, *comparison, r, (lhs, rhs), walk);
                }
                if let Some(left) = left {
                    self.enum_literal(&left.shape, rhs, walk);
                }
                if let Some(right) = right {
                    self.enum_literal(&right.shape, lhs, walk);
                }
                self.persona_label(lhs, rhs, walk);
                self.persona_label(rhs, lhs, walk);
            }
            Condition::And(a, b) | Condition::Or(a, b) => {
                self.condition(a, walk);
                self.condition(b, walk);
            }
        }
    }

    /// Both sides of a comparison must be of one family: a number never equals a string.
    fn comparable(
        &mut self,
        left: &Value,
        comparison: Comparison,
        right: &Value,
        (lhs, rhs): (&Expression, &Expression),
        walk: &mut Walk,
    ) {
        if comparison == Comparison::Contains {
            return;
        }
        let (Some(l), Some(r)) = (left.shape.comparison_family(), right.shape.comparison_family()) else {
            return;
        };
        if l == r {
            return;
        }
        let quoted = |value: &Value, other: &Expression| match &other.kind {
            ExpressionKind::Literal(Literal::String(text))
                if value.shape.comparison_family() == Some("number") && text.trim().parse::<f64>().is_ok() =>
            {
                Some(format!(
                    "remove the quotes: `{}` is a number, `\"{text}\"` is text",
                    text.trim()
                ))
            }
            ExpressionKind::Literal(Literal::String(text))
                if value.shape == Shape::Bool && matches!(text.as_str(), "true" | "false") =>
            {
                Some(format!("remove the quotes: `{text}` is a bool, `\"{text}\"` is text"))
            }
            _ => None,
        };
        let d = Diagnostic::error(
            "template::compare-types",
            format!("cannot compare {} {} {}", left.shape, comparison.symbol(), right.shape),
        )
        .at_labeled(
            walk.span(&(lhs.span.start..rhs.span.end)),
            "Liquid gives false here, always",
        )
        .with_optional_hint(quoted(left, rhs).or_else(|| quoted(right, lhs)));
        self.diagnostics.push(d);
    }

    fn enum_literal(&mut self, shape: &Shape, other: &Expression, walk: &mut Walk) {
        let (Shape::Enum(values), ExpressionKind::Literal(Literal::String(text))) = (shape, &other.kind) else {
            return;
        };
        self.diagnostics.extend(not_one_of(
            "template::unknown-enum-value",
            text,
            values,
            walk.span(&other.span),
        ));
    }

    /// A string compared with `user.persona.<model>` must be a label the model can give.
    fn persona_label(&mut self, persona: &Expression, other: &Expression, walk: &mut Walk) {
        let (ExpressionKind::Path(path), ExpressionKind::Literal(Literal::String(text))) = (&persona.kind, &other.kind)
        else {
            return;
        };
        let Some(model) = path
            .dotted()
            .and_then(|p| p.strip_prefix("user.persona.").map(str::to_string))
        else {
            return;
        };
        if walk.lookup("user").is_some() {
            return; // a local `user` shadows the profile
        }
        if let Some(labels) = self.template_use.context.persona_labels.get(&model) {
            let span = walk.span(&other.span);
            self.diagnostics
                .extend(labels.check("template::unknown-persona-label", &model, text, span));
        }
    }

    fn expression(&mut self, expression: &Expression, walk: &mut Walk) -> Option<Value> {
        match &expression.kind {
            ExpressionKind::Literal(literal) => Some(Value::of(match literal {
                Literal::String(_) => Shape::String,
                Literal::Int(_) => Shape::Int,
                Literal::Float(_) => Shape::Float,
                Literal::Bool(_) => Shape::Bool,
                Literal::Nil => {
                    return Some(Value {
                        shape: Shape::Nil,
                        nullable: true,
                    })
                }
                Literal::Empty | Literal::Blank => Shape::Any,
            })),
            ExpressionKind::Range(from, to) => {
                let ok = self.expression(from, walk).is_some() & self.expression(to, walk).is_some();
                ok.then(|| Value::of(Shape::List(Box::new(Shape::Int))))
            }
            ExpressionKind::Path(path) => self.path(path, walk),
        }
    }

    fn path(&mut self, path: &Path, walk: &mut Walk) -> Option<Value> {
        let context = self.template_use.context;
        let root = &path.root.text;
        let mut value = match walk.lookup(root).or_else(|| context.globals.get(root)) {
            // `[expr]` at the root: a variable named by a computed string.
            _ if root.is_empty() => Value::any(),
            _ => match walk.lookup(root).or_else(|| context.globals.get(root)) {
                Some(value) => {
                    if walk.lookup(root).is_none() {
                        self.read.insert(root.clone());
                    }
                    value.clone()
                }
                None => {
                    let locals: Vec<&String> = walk.scopes.iter().flat_map(|s| s.locals.keys()).collect();
                    let candidates = locals.into_iter().chain(context.globals.keys());
                    let mut d = Diagnostic::error("template::unknown-variable", format!("unknown variable `{root}`"))
                        .at_labeled(walk.span(&path.root.span), "not defined here");
                    d = match context.absent.get(root) {
                        Some(why) => d.with_hint(why.clone()),
                        None => d.with_optional_hint(suggestion_hint(root, candidates)),
                    };
                    self.diagnostics.push(d);
                    return None;
                }
            },
        };
        let mut walked = root.clone();
        for segment in &path.segments {
            match segment {
                Segment::Index(index) => {
                    self.expression(index, walk)?;
                    value = match &value.shape {
                        Shape::List(item) => Value {
                            shape: (**item).clone(),
                            nullable: true,
                        },
                        _ => Value::any(),
                    };
                }
                Segment::Key(key) => {
                    value = self.key(&value, key, &walked, walk)?;
                    walked.push('.');
                    walked.push_str(&key.text);
                }
            }
        }
        Some(value)
    }

    fn key(&mut self, value: &Value, key: &Name, walked: &str, walk: &mut Walk) -> Option<Value> {
        let nullable = value.nullable;
        let found = match (&value.shape, key.text.as_str()) {
            (Shape::Any, _) => Some(Value::any()),
            (Shape::Object(fields), name) => match fields.get(name) {
                Some(field) => Some(field.clone()),
                None if name == "size" => Some(Value::of(Shape::Int)),
                // A hash's `first` and `last` are its first and last [key, value] pairs.
                None if name == "first" || name == "last" => Some(Value::any()),
                None => {
                    let d = Diagnostic::error(
                        "template::unknown-variable",
                        format!("`{walked}` has no field `{name}`"),
                    )
                    .at_labeled(walk.span(&key.span), "unknown field")
                    .with_optional_hint(suggestion_hint(name, fields.keys()));
                    self.diagnostics.push(d);
                    return None;
                }
            },
            (Shape::List(_) | Shape::String | Shape::Enum(_), "size") => Some(Value::of(Shape::Int)),
            (Shape::List(item), "first" | "last") => Some(Value {
                shape: (**item).clone(),
                nullable: true,
            }),
            (Shape::String | Shape::Enum(_), "first" | "last") => Some(Value::of(Shape::String)),
            (shape, name) => {
                let d = Diagnostic::error(
                    "template::unknown-variable",
                    format!("`{walked}` is {shape} and has no field `{name}`"),
                )
                .at_labeled(walk.span(&key.span), "no such field")
                .with_optional_hint(
                    matches!(shape, Shape::List(_) | Shape::String)
                        .then(|| "only `size`, `first` and `last` are available here".to_string()),
                );
                self.diagnostics.push(d);
                return None;
            }
        };
        found.map(|v| Value {
            nullable: v.nullable || nullable,
            ..v
        })
    }

    fn partial(
        &mut self,
        include: bool,
        name: &PartialName,
        binding: &Option<PartialBinding>,
        args: &[(Name, Expression)],
        span: &Range<usize>,
        walk: &mut Walk,
    ) {
        let name = match name {
            PartialName::Static(name) => name,
            PartialName::Dynamic(expression) => {
                // The partial is only known when rendering: check what can be checked.
                self.expression(expression, walk);
                return;
            }
        };
        let mut locals = BTreeMap::new();
        if let Some(binding) = binding {
            let value = self.expression(&binding.value, walk).unwrap_or(Value::any());
            let value = if binding.iterate { item_of(&value.shape) } else { value };
            let alias = binding.alias.as_ref().map_or(name.text.clone(), |a| a.text.clone());
            locals.insert(alias, value);
            if binding.iterate {
                locals.insert("forloop".into(), loop_object(false));
            }
        }
        for (key, value) in args {
            let value = self.expression(value, walk).unwrap_or(Value::any());
            locals.insert(key.text.clone(), value);
        }
        let Some((file, source)) = self.partials.partial(&name.text) else {
            let names = self.partials.names();
            let d = Diagnostic::error(
                "template::unknown-partial",
                format!("there is no partial called `{}`", name.text),
            )
            .at_labeled(walk.span(&name.span), "not found in templates/partials/")
            .with_optional_hint(suggestion_hint(&name.text, &names));
            self.diagnostics.push(d);
            return;
        };
        if self.partial_stack.len() >= MAX_PARTIAL_DEPTH || self.partial_stack.contains(&name.text) {
            let d = Diagnostic::error(
                "template::partial-cycle",
                format!("partial `{}` renders itself", name.text),
            )
            .at(walk.span(span))
            .with_hint(format!(
                "partials render each other in a loop: {} -> {}",
                self.partial_stack.join(" -> "),
                name.text
            ));
            self.diagnostics.push(d);
            return;
        }
        let map = StringMap::identity(file, source.len());
        let scopes = if include {
            let mut scopes = walk.scopes.clone();
            scopes.push(Scope {
                locals,
                guarded: BTreeSet::new(),
            });
            scopes
        } else {
            vec![Scope {
                locals,
                guarded: BTreeSet::new(),
            }]
        };
        self.partial_stack.push(name.text.clone());
        self.check_source(source, &map, scopes);
        self.partial_stack.pop();
    }
}

/// Paths a true condition proves not nil: `{% if x %}`, `{% if x != nil %}`, joined by `and`.
fn guards(condition: &Condition, guarded: &mut BTreeSet<String>) {
    let path_of = |e: &Expression| match &e.kind {
        ExpressionKind::Path(p) => p.dotted(),
        _ => None,
    };
    match condition {
        Condition::Truthy(value) => guarded.extend(path_of(value)),
        Condition::Compare(lhs, Comparison::Ne, rhs) => {
            let is_nothing = |e: &Expression| {
                matches!(
                    e.kind,
                    ExpressionKind::Literal(Literal::Nil | Literal::Blank | Literal::Empty)
                )
            };
            if is_nothing(rhs) {
                guarded.extend(path_of(lhs));
            } else if is_nothing(lhs) {
                guarded.extend(path_of(rhs));
            }
        }
        Condition::Compare(
            lhs,
            Comparison::Eq | Comparison::Contains | Comparison::Gt | Comparison::Ge | Comparison::Lt | Comparison::Le,
            rhs,
        ) => {
            let literal = |e: &Expression| {
                matches!(
                    e.kind,
                    ExpressionKind::Literal(Literal::String(_) | Literal::Int(_) | Literal::Float(_))
                )
            };
            if literal(rhs) {
                guarded.extend(path_of(lhs));
            }
        }
        Condition::And(a, b) => {
            guards(a, guarded);
            guards(b, guarded);
        }
        Condition::Or(..) => {}
    }
}

/// An object's shape with every field nullable (a catalog row for a key the catalog lacks).
fn nullable_fields(shape: &Shape) -> Shape {
    match shape {
        Shape::Object(fields) => Shape::Object(Arc::new(
            fields
                .iter()
                .map(|(name, value)| {
                    let value = Value {
                        nullable: true,
                        ..value.clone()
                    };
                    (name.clone(), value)
                })
                .collect(),
        )),
        other => other.clone(),
    }
}

fn item_of(shape: &Shape) -> Value {
    match shape {
        Shape::List(item) => Value::of((**item).clone()),
        Shape::String | Shape::Enum(_) => Value::of(Shape::String),
        _ => Value::any(),
    }
}

fn loop_object(tablerow: bool) -> Value {
    let mut fields: BTreeMap<String, Value> = BTreeMap::new();
    for name in ["index", "index0", "rindex", "rindex0", "length"] {
        fields.insert(name.into(), Value::of(Shape::Int));
    }
    for name in ["first", "last"] {
        fields.insert(name.into(), Value::of(Shape::Bool));
    }
    fields.insert("parentloop".into(), Value::any());
    fields.insert("name".into(), Value::of(Shape::String));
    if tablerow {
        for name in ["col", "col0", "row"] {
            fields.insert(name.into(), Value::of(Shape::Int));
        }
        for name in ["col_first", "col_last"] {
            fields.insert(name.into(), Value::of(Shape::Bool));
        }
    }
    Value::of(Shape::Object(Arc::new(fields)))
}
