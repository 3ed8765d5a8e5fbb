//! The type checker: resolves names against the schema and computes each node's [`Type`].

use std::collections::BTreeMap;
use std::ops::Range;

use chrono::{DateTime, NaiveDate};

use super::functions::{Function, FUNCTIONS};
use crate::diag::{not_one_of, suggestion_hint, Diagnostic, Diagnostics};
use crate::load::StringMap;
use crate::model::{Aggregate, AggregateFunction, BinaryOp, Expr, ExprKind, Ident, Literal, UnaryOp};
use crate::model::{BaseType, DataSchema, EventSchema, PersonaLabels, Type, Uses};

/// What names mean where an expression stands.
#[derive(Debug, Clone, Copy)]
pub struct Scope<'a> {
    /// The data schema (profile fields, event types).
    pub schema: &'a DataSchema,
    /// Feature types; `None` for a feature whose own expression failed to check.
    pub features: &'a BTreeMap<String, Option<Type>>,
    /// Segment names.
    pub segments: &'a [String],
    /// Persona model names.
    pub personas: &'a [String],
    /// The labels each persona model can give (a model missing here is not checked).
    pub persona_labels: &'a BTreeMap<String, PersonaLabels>,
    /// Score model names.
    pub scores: &'a [String],
    /// When set, bare names are this event type's properties (aggregate and trigger `where`).
    pub event: Option<&'a EventSchema>,
    /// Whether event aggregates may appear.
    pub aggregates: bool,
}

/// The names an expression refers to, for dependency graphs and cycle detection.
#[derive(Debug, Clone, Default)]
pub struct References {
    /// `segment.<name>` references with their spans in the expression.
    pub segments: Vec<(String, Range<usize>)>,
    /// Features referred to.
    pub features: Vec<(String, Range<usize>)>,
    /// Persona models referred to.
    pub personas: Vec<(String, Range<usize>)>,
    /// Score models referred to.
    pub scores: Vec<(String, Range<usize>)>,
    /// Event types aggregated over.
    pub events: Vec<String>,
}

impl References {
    /// The names referred to, without their places.
    pub fn uses(&self) -> Uses {
        let names = |found: &[(String, Range<usize>)]| found.iter().map(|(name, _)| name.clone()).collect();
        Uses {
            features: names(&self.features),
            segments: names(&self.segments),
            personas: names(&self.personas),
            scores: names(&self.scores),
            events: self.events.iter().cloned().collect(),
        }
    }
}

/// Checks one expression, reporting problems at file positions.
pub struct TypeChecker<'a> {
    scope: Scope<'a>,
    source: &'a str,
    map: &'a StringMap,
    diagnostics: &'a mut Diagnostics,
    /// The names the expression refers to.
    pub references: References,
}

impl<'a> TypeChecker<'a> {
    /// A checker for `source` (mapped to the file by `map`) in `scope`.
    pub fn new(scope: Scope<'a>, source: &'a str, map: &'a StringMap, diagnostics: &'a mut Diagnostics) -> Self {
        TypeChecker {
            scope,
            source,
            map,
            diagnostics,
            references: References::default(),
        }
    }

    /// Checks that `expr` is a boolean condition (`what` names it in messages); its type when so.
    pub fn check_condition(&mut self, expr: &Expr, what: &str) -> Option<Type> {
        let ty = self.check(expr)?;
        if matches!(ty.base, BaseType::Bool | BaseType::Null) {
            return Some(ty);
        }
        let d = Diagnostic::error(
            "expr::not-boolean",
            format!("{what} must be true or false, but this is {ty}"),
        )
        .at_labeled(self.span(&expr.span), format!("this is {ty}"))
        .with_hint("compare it, for example `x > 0` or `x is not null`");
        self.diagnostics.push(d);
        None
    }

    /// The type of `expr`, or `None` when it has an error (already reported).
    pub fn check(&mut self, expr: &Expr) -> Option<Type> {
        match &expr.kind {
            ExprKind::Literal(literal) => Some(literal_type(literal)),
            ExprKind::List(items) => {
                let mut item_type: Option<Type> = None;
                for item in items {
                    let ty = self.check(item)?;
                    item_type = Some(item_type.map_or(ty.clone(), |t| if t.base == BaseType::Null { ty } else { t }));
                }
                let base = item_type.map_or(BaseType::Null, |t| t.base);
                Some(Type::required(BaseType::List(Box::new(base))))
            }
            ExprKind::Path(parts) => self.path(parts, &expr.span),
            ExprKind::Call { name, args } => self.call(name, args, &expr.span),
            ExprKind::Aggregate(aggregate) => self.aggregate(aggregate, &expr.span),
            ExprKind::Unary { op, expr: operand } => {
                let ty = self.check(operand)?;
                match op {
                    UnaryOp::Not => self
                        .require_bool(operand, &ty, "`not`")
                        .then_some(Type::required(BaseType::Bool).or_null(ty.nullable)),
                    UnaryOp::Neg if ty.base.is_numeric() || matches!(ty.base, BaseType::Duration | BaseType::Null) => {
                        Some(ty)
                    }
                    UnaryOp::Neg => self.mismatch(&expr.span, format!("cannot negate {ty}"), None),
                }
            }
            ExprKind::Binary { op, lhs, rhs } => self.binary(*op, lhs, rhs, &expr.span),
            ExprKind::In { expr: value, list, .. } => {
                let value_type = self.check(value)?;
                let mut nullable = value_type.nullable;
                for item in list {
                    let item_type = self.check(item)?;
                    nullable |= item_type.nullable;
                    if !value_type.base.comparable(&item_type.base) {
                        return self.mismatch(
                            &item.span,
                            format!("cannot look for {value_type} among {item_type} values"),
                            None,
                        );
                    }
                    self.check_enum_literal(&value_type, item);
                    self.check_persona_label(value, item);
                }
                Some(Type::required(BaseType::Bool).or_null(nullable))
            }
            ExprKind::IsNull { expr: value, .. } => {
                self.check(value)?;
                Some(Type::required(BaseType::Bool))
            }
        }
    }

    fn span(&self, range: &Range<usize>) -> crate::diag::Span {
        self.map.span(range.start, range.end)
    }

    fn text(&self, range: &Range<usize>) -> &str {
        self.source.get(range.clone()).unwrap_or("")
    }

    fn mismatch(&mut self, range: &Range<usize>, message: String, hint: Option<String>) -> Option<Type> {
        let d = Diagnostic::error("expr::type-mismatch", message)
            .at(self.span(range))
            .with_optional_hint(hint);
        self.diagnostics.push(d);
        None
    }

    fn require_bool(&mut self, expr: &Expr, ty: &Type, what: &str) -> bool {
        if matches!(ty.base, BaseType::Bool | BaseType::Null) {
            return true;
        }
        let d = Diagnostic::error(
            "expr::not-boolean",
            format!("{what} needs true or false, but `{}` is {ty}", self.text(&expr.span)),
        )
        .at_labeled(self.span(&expr.span), format!("this is {ty}"))
        .with_hint("compare it, for example `x > 0` or `x is not null`");
        self.diagnostics.push(d);
        false
    }

    fn path(&mut self, parts: &[Ident], span: &Range<usize>) -> Option<Type> {
        let first = &parts[0];
        match first.name.as_str() {
            "segment" | "persona" | "score" => return self.reference(parts, span),
            "user" if parts.len() > 1 => return self.profile_name(&parts[1..], span),
            _ => {}
        }
        match self.scope.event {
            Some(event) => self.event_name(event, parts, span),
            None => self.profile_name(parts, span),
        }
    }

    fn reference(&mut self, parts: &[Ident], span: &Range<usize>) -> Option<Type> {
        let kind = parts[0].name.as_str();
        let Some(name) = parts.get(1) else {
            let d = Diagnostic::error("expr::syntax", format!("`{kind}` needs a name: `{kind}.<name>`"))
                .at(self.span(span));
            self.diagnostics.push(d);
            return None;
        };
        if let Some(extra) = parts.get(2) {
            let d = Diagnostic::error(
                "expr::unknown-field",
                format!("`{kind}.{}` has no field `{}`", name.name, extra.name),
            )
            .at(self.span(&extra.span));
            self.diagnostics.push(d);
            return None;
        }
        let (known, code, ty) = match kind {
            "segment" => (
                self.scope.segments,
                "expr::unknown-segment",
                Type::required(BaseType::Bool),
            ),
            "persona" => (
                self.scope.personas,
                "expr::unknown-persona",
                Type::nullable(BaseType::String),
            ),
            // A probability, null outside the model's population.
            _ => (
                self.scope.scores,
                "expr::unknown-score",
                Type::nullable(BaseType::Float),
            ),
        };
        if !known.contains(&name.name) {
            let d = Diagnostic::error(code, format!("there is no {kind} called `{}`", name.name))
                .at_labeled(self.span(&name.span), format!("unknown {kind}"))
                .with_optional_hint(suggestion_hint(&name.name, known));
            self.diagnostics.push(d);
            return None;
        }
        let reference = (name.name.clone(), span.clone());
        match kind {
            "segment" => self.references.segments.push(reference),
            "persona" => self.references.personas.push(reference),
            _ => self.references.scores.push(reference),
        }
        Some(ty)
    }

    fn no_subfield(&mut self, parts: &[Ident], ty: &Type) -> Option<Type> {
        let extra = parts.get(1)?;
        let d = Diagnostic::error(
            "expr::unknown-field",
            format!("`{}` is {ty} and has no field `{}`", parts[0].name, extra.name),
        )
        .at(self.span(&extra.span));
        self.diagnostics.push(d);
        Some(ty.clone())
    }

    fn profile_name(&mut self, parts: &[Ident], span: &Range<usize>) -> Option<Type> {
        let name = &parts[0];
        if let Some(field) = self.scope.schema.profiles.field(&name.name) {
            let ty = field.ty.clone();
            return if self.no_subfield(parts, &ty).is_some() {
                None
            } else {
                Some(ty)
            };
        }
        if let Some(feature) = self.scope.features.get(&name.name) {
            self.references.features.push((name.name.clone(), span.clone()));
            let ty = feature.clone()?;
            return if self.no_subfield(parts, &ty).is_some() {
                None
            } else {
                Some(ty)
            };
        }
        let candidates = self
            .scope
            .schema
            .profiles
            .names()
            .chain(self.scope.features.keys().map(String::as_str));
        let mut d = Diagnostic::error("expr::unknown-field", format!("unknown field `{}`", name.name))
            .at_labeled(self.span(&name.span), "not a profile field or feature")
            .with_optional_hint(suggestion_hint(&name.name, candidates));
        if self.scope.schema.event(&name.name).is_some() {
            d = d.with_hint(format!(
                "`{0}` is an event type: use an aggregate such as `count({0} within 30d)`",
                name.name
            ));
        }
        self.diagnostics.push(d);
        None
    }

    fn event_name(&mut self, event: &EventSchema, parts: &[Ident], _span: &Range<usize>) -> Option<Type> {
        let name = &parts[0];
        let ty = if name.name == "ts" {
            Type::required(BaseType::DateTime)
        } else if let Some(field) = event.properties.field(&name.name) {
            field.ty.clone()
        } else {
            let candidates = event.properties.names().chain(["ts"]);
            let mut d = Diagnostic::error(
                "expr::unknown-property",
                format!("event type `{}` has no property `{}`", event.name, name.name),
            )
            .at_labeled(self.span(&name.span), "not a property of this event")
            .with_optional_hint(suggestion_hint(&name.name, candidates));
            if self.scope.schema.profiles.field(&name.name).is_some() {
                d = d.with_hint(format!("profile fields are written `user.{}` here", name.name));
            }
            self.diagnostics.push(d);
            return None;
        };
        if self.no_subfield(parts, &ty).is_some() {
            return None;
        }
        Some(ty)
    }

    fn binary(&mut self, op: BinaryOp, lhs: &Expr, rhs: &Expr, span: &Range<usize>) -> Option<Type> {
        let left = self.check(lhs);
        let right = self.check(rhs);
        let (left, right) = (left?, right?);
        let nullable = left.nullable || right.nullable;
        use BaseType::*;
        if matches!(op, BinaryOp::And | BinaryOp::Or) {
            let ok_left = self.require_bool(lhs, &left, &format!("`{}`", op.symbol()));
            let ok_right = self.require_bool(rhs, &right, &format!("`{}`", op.symbol()));
            return (ok_left && ok_right).then_some(Type::required(Bool).or_null(nullable));
        }
        if op.is_comparison() {
            let fits = if matches!(op, BinaryOp::Eq | BinaryOp::Ne) {
                left.base.comparable(&right.base)
            } else {
                left.base.ordered(&right.base)
            };
            if !fits {
                let hint = if left.base == Null || right.base == Null {
                    Some("test for null with `is null` / `is not null`".to_string())
                } else {
                    quoted_number_hint(&left, rhs).or_else(|| quoted_number_hint(&right, lhs))
                };
                return self.mismatch(span, format!("cannot compare {left} {} {right}", op.symbol()), hint);
            }
            self.check_enum_literal(&left, rhs);
            self.check_enum_literal(&right, lhs);
            self.check_persona_label(lhs, rhs);
            self.check_persona_label(rhs, lhs);
            return Some(Type::required(Bool).or_null(nullable));
        }
        let result = match (op, &left.base, &right.base) {
            (_, Null, _) | (_, _, Null) => Some(Null),
            (BinaryOp::Div, a, b) if a.is_numeric() && b.is_numeric() => return Some(Type::nullable(Float)),
            (_, Int, Int) => Some(Int),
            (_, a, b) if a.is_numeric() && b.is_numeric() => Some(Float),
            (BinaryOp::Add, a, Duration) | (BinaryOp::Sub, a, Duration) if a.is_temporal() => Some(DateTime),
            (BinaryOp::Add, Duration, b) if b.is_temporal() => Some(DateTime),
            (BinaryOp::Add | BinaryOp::Sub, Duration, Duration) => Some(Duration),
            (BinaryOp::Sub, a, b) if a.is_temporal() && b.is_temporal() => Some(Duration),
            _ => None,
        };
        match result {
            Some(base) => Some(Type { base, nullable }),
            None => {
                let hint =
                    (op == BinaryOp::Add && left.base.is_textual()).then(|| "strings cannot be added".to_string());
                self.mismatch(
                    span,
                    format!("cannot apply `{}` to {left} and {right}", op.symbol()),
                    hint,
                )
            }
        }
    }

    /// A string literal compared with an enum must be one of its values.
    fn check_enum_literal(&mut self, ty: &Type, other: &Expr) {
        let (BaseType::Enum(values), ExprKind::Literal(Literal::String(text))) = (&ty.base, &other.kind) else {
            return;
        };
        self.diagnostics.extend(not_one_of(
            "expr::unknown-enum-value",
            text,
            values,
            self.span(&other.span),
        ));
    }

    /// A string literal compared with `persona.<model>` must be a label the model can give.
    fn check_persona_label(&mut self, persona: &Expr, other: &Expr) {
        let (ExprKind::Path(parts), ExprKind::Literal(Literal::String(text))) = (&persona.kind, &other.kind) else {
            return;
        };
        let [kind, model] = parts.as_slice() else {
            return;
        };
        let Some(labels) = self
            .scope
            .persona_labels
            .get(&model.name)
            .filter(|_| kind.name == "persona")
        else {
            return;
        };
        let span = self.span(&other.span);
        self.diagnostics
            .extend(labels.check("expr::unknown-persona-label", &model.name, text, span));
    }

    fn call(&mut self, name: &Ident, args: &[Expr], span: &Range<usize>) -> Option<Type> {
        let Some(function) = Function::find(&name.name) else {
            let names = FUNCTIONS
                .iter()
                .map(|f| f.name)
                .chain(AggregateFunction::ALL.iter().map(|(n, _)| *n));
            let d = Diagnostic::error("expr::unknown-function", format!("unknown function `{}`", name.name))
                .at_labeled(self.span(&name.span), "not a function")
                .with_optional_hint(suggestion_hint(&name.name, names));
            self.diagnostics.push(d);
            return None;
        };
        if args.len() < function.min_args || args.len() > function.max_args {
            let expected = match (function.min_args, function.max_args) {
                (a, b) if a == b => format!("{a}"),
                (a, usize::MAX) => format!("at least {a}"),
                (a, b) => format!("{a} to {b}"),
            };
            let d = Diagnostic::error(
                "expr::wrong-arity",
                format!("`{}` takes {expected} argument(s), not {}", function.name, args.len()),
            )
            .at(self.span(span))
            .with_hint(format!("call it like `{}`", function.signature));
            self.diagnostics.push(d);
            return None;
        }
        let mut types = Vec::with_capacity(args.len());
        for arg in args {
            types.push(self.check(arg));
        }
        let types: Vec<Type> = types.into_iter().collect::<Option<_>>()?;
        let any_null = types.iter().any(|t| t.nullable);
        use BaseType::*;
        let wrong = |this: &mut Self, i: usize, want: &str| {
            let message = format!("`{}` expects {want} here, not {}", function.name, types[i]);
            this.mismatch(
                &args[i].span,
                message,
                Some(format!("call it like `{}`", function.signature)),
            )
        };
        match function.name {
            "now" => Some(Type::required(DateTime)),
            "ago" => match types[0].base {
                Duration => Some(Type::required(DateTime)),
                _ => wrong(self, 0, "a duration such as `7d`"),
            },
            "days_since" => match types[0].base {
                Date | DateTime | Null => Some(Type::required(Float).or_null(any_null)),
                _ => wrong(self, 0, "a date or datetime"),
            },
            "date" | "datetime" => self.temporal_literal(function.name, &args[0]),
            "lower" | "upper" => match types[0].base {
                String | Enum(_) | Null => Some(Type::required(String).or_null(any_null)),
                _ => wrong(self, 0, "a string"),
            },
            "len" => match types[0].base {
                String | Enum(_) | List(_) | Null => Some(Type::required(Int).or_null(any_null)),
                _ => wrong(self, 0, "a string or list"),
            },
            "contains" => match (&types[0].base, &types[1].base) {
                (String | Enum(_), b) if b.is_textual() || *b == Null => Some(Type::required(Bool).or_null(any_null)),
                (List(item), b) if item.comparable(b) => Some(Type::required(Bool).or_null(any_null)),
                (String | Enum(_) | List(_), _) => wrong(self, 1, "a value of the first argument's item type"),
                _ => wrong(self, 0, "a string or list"),
            },
            "starts_with" | "ends_with" => {
                if !types[0].base.is_textual() && types[0].base != Null {
                    return wrong(self, 0, "a string");
                }
                if !types[1].base.is_textual() && types[1].base != Null {
                    return wrong(self, 1, "a string");
                }
                Some(Type::required(Bool).or_null(any_null))
            }
            _ => self.coalesce(args, &types),
        }
    }

    fn coalesce(&mut self, args: &[Expr], types: &[Type]) -> Option<Type> {
        let mut result: Option<Type> = None;
        for (arg, ty) in args.iter().zip(types) {
            match &result {
                None => result = Some(ty.clone()),
                Some(r) if r.base == BaseType::Null => result = Some(ty.clone()),
                Some(r) if !r.base.comparable(&ty.base) => {
                    return self.mismatch(&arg.span, format!("`coalesce` mixes {r} and {ty}"), None);
                }
                Some(r) => {
                    let base = if r.base == BaseType::Int && ty.base == BaseType::Float {
                        BaseType::Float
                    } else {
                        r.base.clone()
                    };
                    result = Some(Type {
                        base,
                        nullable: r.nullable,
                    });
                }
            }
        }
        let nullable = types.iter().all(|t| t.nullable);
        result.map(|r| Type { base: r.base, nullable })
    }

    fn temporal_literal(&mut self, function: &str, arg: &Expr) -> Option<Type> {
        let ExprKind::Literal(Literal::String(text)) = &arg.kind else {
            return self.mismatch(
                &arg.span,
                format!("`{function}` takes a quoted literal"),
                Some(format!("write it like `{function}(\"2026-01-01\")`")),
            );
        };
        let valid = if function == "date" {
            NaiveDate::parse_from_str(text, "%Y-%m-%d").is_ok()
        } else {
            DateTime::parse_from_rfc3339(text).is_ok() || NaiveDate::parse_from_str(text, "%Y-%m-%d").is_ok()
        };
        if !valid {
            let example = if function == "date" {
                "2026-01-31"
            } else {
                "2026-01-31T09:00:00Z"
            };
            let d = Diagnostic::error("expr::bad-literal", format!("`{text}` is not a valid {function}"))
                .at(self.span(&arg.span))
                .with_hint(format!("write it like `{example}`"));
            self.diagnostics.push(d);
            return None;
        }
        Some(Type::required(if function == "date" {
            BaseType::Date
        } else {
            BaseType::DateTime
        }))
    }

    fn aggregate(&mut self, aggregate: &Aggregate, span: &Range<usize>) -> Option<Type> {
        let name = AggregateFunction::ALL
            .iter()
            .find(|(_, f)| *f == aggregate.function)
            .map_or("", |(n, _)| n);
        if !self.scope.aggregates {
            let d = Diagnostic::error("expr::nested-aggregate", format!("`{name}(...)` cannot be used here"))
                .at(self.span(span))
                .with_hint("aggregates cannot nest, and trigger conditions see one event: compute it as a feature");
            self.diagnostics.push(d);
            return None;
        }
        let schema = self.scope.schema;
        let Some(event) = schema.event(&aggregate.event_type.name) else {
            let d = Diagnostic::error(
                "expr::unknown-event-type",
                format!("unknown event type `{}`", aggregate.event_type.name),
            )
            .at_labeled(
                self.span(&aggregate.event_type.span),
                "not declared under `events.types`",
            )
            .with_optional_hint(suggestion_hint(&aggregate.event_type.name, schema.event_names()));
            self.diagnostics.push(d);
            return None;
        };
        self.references.events.push(event.name.clone());
        let property_type = self.aggregate_property(aggregate, event, name)?;
        if let Some(condition) = &aggregate.condition {
            self.aggregate_condition(event, condition);
        }
        if let Some(limit) = &aggregate.limit {
            self.aggregate_limit(limit)?;
        }
        let property = property_type.unwrap_or(Type::required(BaseType::Null));
        let property_span = aggregate.property.as_ref().map_or(span.clone(), |p| p.span.clone());
        self.aggregate_result(aggregate.function, name, property, &property_span)
    }

    /// The type of the aggregated property (`None` for `count` and `exists`, which take none);
    /// `None` when one is given that should not be, or missing where one is needed.
    fn aggregate_property(&mut self, aggregate: &Aggregate, event: &EventSchema, name: &str) -> Option<Option<Type>> {
        match (&aggregate.property, aggregate.function.needs_property()) {
            (Some(property), false) => {
                let d = Diagnostic::error("expr::syntax", format!("`{name}` counts events and takes no property"))
                    .at(self.span(&property.span))
                    .with_hint(format!("write `{name}({} ...)`", event.name));
                self.diagnostics.push(d);
                None
            }
            (None, true) => {
                let d = Diagnostic::error(
                    "expr::syntax",
                    format!("`{name}` needs a property: `{name}({}.<property>)`", event.name),
                )
                .at(self.span(&aggregate.event_type.span))
                .with_optional_hint(
                    event
                        .properties
                        .names()
                        .next()
                        .map(|p| format!("for example `{name}({}.{p})`", event.name)),
                );
                self.diagnostics.push(d);
                None
            }
            (Some(property), true) => Some(Some(self.event_name(
                event,
                std::slice::from_ref(property),
                &property.span,
            )?)),
            (None, false) => Some(None),
        }
    }

    /// An aggregate's `where`: a condition over the event's properties (and the profile), whose
    /// references count as the aggregate's.
    fn aggregate_condition(&mut self, event: &EventSchema, condition: &Expr) {
        let inner = Scope {
            event: Some(event),
            aggregates: false,
            ..self.scope
        };
        let mut checker = TypeChecker::new(inner, self.source, self.map, self.diagnostics);
        checker.check_condition(condition, "an aggregate's `where`");
        let references = checker.references;
        self.references.segments.extend(references.segments);
        self.references.features.extend(references.features);
        self.references.personas.extend(references.personas);
        self.references.scores.extend(references.scores);
    }

    /// `last_n`'s count: a positive whole number.
    fn aggregate_limit(&mut self, limit: &Expr) -> Option<()> {
        let positive = matches!(limit.kind, ExprKind::Literal(Literal::Int(n)) if n > 0);
        if !positive {
            let d = Diagnostic::error(
                "expr::type-mismatch",
                "`last_n` takes a positive whole number of values",
            )
            .at(self.span(&limit.span))
            .with_hint("write it like `last_n(page_view.product_id, 3)`");
            self.diagnostics.push(d);
            return None;
        }
        Some(())
    }

    /// The aggregate's type from its function and the property's type.
    fn aggregate_result(
        &mut self,
        function: AggregateFunction,
        name: &str,
        property: Type,
        property_span: &Range<usize>,
    ) -> Option<Type> {
        use AggregateFunction as F;
        let numeric = |this: &mut Self| {
            if property.base.is_numeric() {
                true
            } else {
                this.mismatch(
                    property_span,
                    format!("`{name}` needs a numeric property, not {property}"),
                    None,
                );
                false
            }
        };
        Some(match function {
            F::Count => Type::required(BaseType::Int),
            F::Exists => Type::required(BaseType::Bool),
            F::Sum => {
                if !numeric(self) {
                    return None;
                }
                Type::required(if property.base == BaseType::Int {
                    BaseType::Int
                } else {
                    BaseType::Float
                })
            }
            F::Avg => {
                if !numeric(self) {
                    return None;
                }
                Type::nullable(BaseType::Float)
            }
            F::Min | F::Max => {
                if !property.base.ordered(&property.base) {
                    return self.mismatch(
                        property_span,
                        format!("`{name}` needs an ordered property, not {property}"),
                        None,
                    );
                }
                Type::nullable(property.base)
            }
            F::First | F::Last => Type::nullable(property.base),
            F::LastN => {
                if !property.base.is_textual() {
                    return self.mismatch(
                        property_span,
                        format!("`last_n` collects strings, not {property}"),
                        None,
                    );
                }
                Type::required(BaseType::List(Box::new(BaseType::String)))
            }
        })
    }
}

fn literal_type(literal: &Literal) -> Type {
    Type::required(match literal {
        Literal::Int(_) => BaseType::Int,
        Literal::Float(_) => BaseType::Float,
        Literal::String(_) => BaseType::String,
        Literal::Bool(_) => BaseType::Bool,
        Literal::Duration(_) => BaseType::Duration,
        Literal::Null => return Type::nullable(BaseType::Null),
    })
}

/// For a number compared with a quoted number (`orders >= "5"`): remove the quotes.
fn quoted_number_hint(number: &Type, other: &Expr) -> Option<String> {
    let ExprKind::Literal(Literal::String(text)) = &other.kind else {
        return None;
    };
    (number.base.is_numeric() && text.trim().parse::<f64>().is_ok())
        .then(|| format!("remove the quotes: `{}` is a number, `\"{text}\"` is text", text.trim()))
}
