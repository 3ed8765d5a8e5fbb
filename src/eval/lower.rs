//! Lowering the typed expression IR to polars expressions.
//!
//! Temporal values are integers of microseconds since the Unix epoch (UTC) inside lowered
//! expressions, and durations are integers of microseconds: arithmetic and comparisons on them
//! are exact integer operations. Null logic is SQL's: comparisons with null are null, `and` and
//! `or` are three-valued (Kleene), `x in [..]` is a disjunction of equalities.

use std::collections::BTreeMap;

use polars::prelude::{self as pl, col, lit, when, DataType, Expr as PlExpr, NULL};

use super::aggregate::AggregateJob;
use super::columns::{persona_column, score_column, segment_column, user_column};
use crate::data::{event_column, DAY_MICROS, EVENT_TS};
use crate::model::{Aggregate, AggregateFunction, BinaryOp, Expr, ExprKind, Ident, Literal, UnaryOp};
use crate::model::{BaseType, DataSchema, EventSchema, Type};

/// An expression that cannot be evaluated on data yet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unsupported(pub String);

/// Turns typed expressions into polars expressions over the profile frame (or, inside an
/// aggregate's `where`, over the event frame), collecting the aggregates they need.
pub struct Lowering<'a> {
    /// The schema.
    pub schema: &'a DataSchema,
    /// Feature types (features are columns of the profile frame).
    pub features: &'a BTreeMap<String, Type>,
    /// The run's clock in microseconds.
    pub now: i64,
    /// Aggregates found so far; each is computed as a column `__agg{index}`.
    pub aggregates: Vec<AggregateJob>,
    event: Option<&'a EventSchema>,
    /// Whether an event-scope expression read a profile column (`user.<field>`).
    uses_profile: bool,
}

/// A value's column as lowered: temporal columns become microseconds.
fn temporal(expr: PlExpr, base: &BaseType) -> PlExpr {
    match base {
        BaseType::DateTime => expr.cast(DataType::Int64),
        BaseType::Date => expr.cast(DataType::Int64) * lit(DAY_MICROS),
        _ => expr,
    }
}

impl<'a> Lowering<'a> {
    /// A lowering over profiles at time `now` (microseconds).
    pub fn new(schema: &'a DataSchema, features: &'a BTreeMap<String, Type>, now: i64) -> Lowering<'a> {
        Lowering {
            schema,
            features,
            now,
            aggregates: Vec::new(),
            event: None,
            uses_profile: false,
        }
    }

    /// A lowering of conditions over the events of `event`'s type (a trigger's `where`).
    pub fn for_event(
        schema: &'a DataSchema,
        features: &'a BTreeMap<String, Type>,
        now: i64,
        event: &'a EventSchema,
    ) -> Lowering<'a> {
        Lowering {
            event: Some(event),
            ..Lowering::new(schema, features, now)
        }
    }

    /// Whether an event-scope expression read profile columns (`user.<field>`).
    pub fn uses_profile(&self) -> bool {
        self.uses_profile
    }

    /// Lowers `expr`.
    pub fn lower(&mut self, expr: &Expr) -> Result<PlExpr, Unsupported> {
        Ok(match &expr.kind {
            ExprKind::Literal(literal) => literal_expr(literal),
            ExprKind::List(_) => return Err(Unsupported("a list outside `in [...]`".into())),
            ExprKind::Path(parts) => self.path(parts)?,
            ExprKind::Call { name, args } => self.call(name, args)?,
            ExprKind::Aggregate(aggregate) => self.aggregate(aggregate)?,
            ExprKind::Unary { op: UnaryOp::Not, expr } => self.lower(expr)?.not(),
            ExprKind::Unary { op: UnaryOp::Neg, expr } => lit(0) - self.lower(expr)?,
            ExprKind::Binary { op, lhs, rhs } => self.binary(*op, lhs, rhs)?,
            ExprKind::In { expr, list, negated } => {
                let value = self.lower(expr)?;
                let mut any: Option<PlExpr> = None;
                for item in list {
                    let equal = value.clone().eq(self.lower(item)?);
                    any = Some(match any {
                        None => equal,
                        Some(previous) => previous.or(equal),
                    });
                }
                let any = any.unwrap_or_else(|| lit(false));
                if *negated {
                    any.not()
                } else {
                    any
                }
            }
            ExprKind::IsNull { expr, negated: false } => self.lower(expr)?.is_null(),
            ExprKind::IsNull { expr, negated: true } => self.lower(expr)?.is_not_null(),
        })
    }

    /// A column of the evaluated profiles (a segment's or a persona model's), read through the
    /// event's profile inside an event scope.
    fn profile_column(&mut self, column: String) -> PlExpr {
        self.uses_profile |= self.event.is_some();
        col(if self.event.is_some() {
            user_column(&column)
        } else {
            column
        })
    }

    fn profile(&mut self, name: &str) -> Result<PlExpr, Unsupported> {
        self.uses_profile |= self.event.is_some();
        if let Some(field) = self.schema.profiles.field(name) {
            let column = if self.event.is_some() {
                user_column(name)
            } else {
                name.to_string()
            };
            return Ok(temporal(col(column), &field.ty.base));
        }
        if self.features.contains_key(name) {
            let column = if self.event.is_some() {
                user_column(name)
            } else {
                name.to_string()
            };
            return Ok(col(column));
        }
        Err(Unsupported(format!("unknown name `{name}`")))
    }

    fn path(&mut self, parts: &[Ident]) -> Result<PlExpr, Unsupported> {
        match (parts[0].name.as_str(), parts.get(1)) {
            ("segment", Some(name)) => Ok(self.profile_column(segment_column(&name.name))),
            ("persona", Some(name)) => Ok(self.profile_column(persona_column(&name.name))),
            ("score", Some(name)) => Ok(self.profile_column(score_column(&name.name))),
            ("user", Some(name)) => self.profile(&name.name),
            (name, _) => match self.event {
                Some(_) if name == "ts" => Ok(col(EVENT_TS).cast(DataType::Int64)),
                Some(event) => {
                    let field = event
                        .properties
                        .field(name)
                        .ok_or_else(|| Unsupported(format!("unknown property `{name}`")))?;
                    Ok(temporal(col(event_column(&event.name, name)), &field.ty.base))
                }
                None => self.profile(name),
            },
        }
    }

    fn binary(&mut self, op: BinaryOp, lhs: &Expr, rhs: &Expr) -> Result<PlExpr, Unsupported> {
        let (left, right) = (self.lower(lhs)?, self.lower(rhs)?);
        Ok(match op {
            BinaryOp::Or => left.or(right),
            BinaryOp::And => left.and(right),
            BinaryOp::Eq => left.eq(right),
            BinaryOp::Ne => left.neq(right),
            BinaryOp::Lt => left.lt(right),
            BinaryOp::Le => left.lt_eq(right),
            BinaryOp::Gt => left.gt(right),
            BinaryOp::Ge => left.gt_eq(right),
            BinaryOp::Add => left + right,
            BinaryOp::Sub => left - right,
            BinaryOp::Mul => left * right,
            BinaryOp::Div => {
                let divisor = right.cast(DataType::Float64);
                when(divisor.clone().eq(lit(0.0)))
                    .then(lit(NULL).cast(DataType::Float64))
                    .otherwise(left.cast(DataType::Float64) / divisor)
            }
        })
    }

    fn call(&mut self, name: &Ident, args: &[Expr]) -> Result<PlExpr, Unsupported> {
        let mut lowered = Vec::with_capacity(args.len());
        for arg in args {
            lowered.push(self.lower(arg)?);
        }
        let now = lit(self.now);
        let mut next = lowered.into_iter();
        let mut arg = || {
            next.next()
                .ok_or_else(|| Unsupported(format!("`{}` is missing an argument", name.name)))
        };
        Ok(match name.name.as_str() {
            "now" => now,
            "ago" => now - arg()?,
            "days_since" => (now - arg()?).cast(DataType::Float64) / lit(DAY_MICROS as f64),
            "date" | "datetime" => match args.first().map(|a| &a.kind) {
                Some(ExprKind::Literal(Literal::String(text))) => {
                    let at = crate::model::parse_datetime(text)
                        .ok_or_else(|| Unsupported(format!("`{text}` is not a date")))?;
                    lit(at.timestamp_micros())
                }
                _ => return Err(Unsupported(format!("`{}` takes a literal", name.name))),
            },
            "lower" => arg()?.str().to_lowercase(),
            "upper" => arg()?.str().to_uppercase(),
            "len" => {
                let value = arg()?;
                if self.is_list(&args[0]) {
                    value.list().len().cast(DataType::Int64)
                } else {
                    value.str().len_chars().cast(DataType::Int64)
                }
            }
            "contains" => {
                let (haystack, needle) = (arg()?, arg()?);
                if self.is_list(&args[0]) {
                    haystack.list().contains(needle, false)
                } else {
                    haystack.str().contains_literal(needle)
                }
            }
            "starts_with" => arg()?.str().starts_with(arg()?),
            "ends_with" => arg()?.str().ends_with(arg()?),
            "coalesce" => {
                let all: Vec<PlExpr> = std::iter::from_fn(|| arg().ok()).collect();
                pl::coalesce(&all)
            }
            other => return Err(Unsupported(format!("unknown function `{other}`"))),
        })
    }

    fn is_list(&self, expr: &Expr) -> bool {
        is_list(self.schema, self.features, self.event, expr)
    }

    fn aggregate(&mut self, aggregate: &Aggregate) -> Result<PlExpr, Unsupported> {
        let event = self
            .schema
            .event(&aggregate.event_type.name)
            .ok_or_else(|| Unsupported("unknown event type".into()))?;
        let (condition, uses_profile) = match &aggregate.condition {
            Some(condition) => {
                let mut inner = Lowering {
                    event: Some(event),
                    ..Lowering::new(self.schema, self.features, self.now)
                };
                (Some(inner.lower(condition)?), inner.uses_profile)
            }
            None => (None, false),
        };
        let job = AggregateJob::new(
            format!("__agg{}", self.aggregates.len()),
            event,
            aggregate,
            condition,
            uses_profile,
        );
        Ok(col(AggregateJob::add_once(&mut self.aggregates, job)))
    }
}

fn literal_expr(literal: &Literal) -> PlExpr {
    match literal {
        Literal::Int(n) => lit(*n),
        Literal::Float(f) => lit(*f),
        Literal::String(s) => lit(s.clone()),
        Literal::Bool(b) => lit(*b),
        Literal::Null => lit(NULL),
        Literal::Duration(d) => lit(d.micros()),
    }
}

/// Whether `expr` is a list (enough to choose between the list and string forms of `len`
/// and `contains`; the checker has already typed it).
pub(super) fn is_list(
    schema: &DataSchema,
    features: &BTreeMap<String, Type>,
    event: Option<&EventSchema>,
    expr: &Expr,
) -> bool {
    match &expr.kind {
        ExprKind::Aggregate(aggregate) => aggregate.function == AggregateFunction::LastN,
        ExprKind::Call { name, args } if name.name == "coalesce" => {
            args.first().is_some_and(|a| is_list(schema, features, event, a))
        }
        ExprKind::Path(parts) => {
            let name = if parts[0].name == "user" {
                parts.get(1).map(|p| &p.name)
            } else {
                Some(&parts[0].name)
            };
            let Some(name) = name else { return false };
            let base = match event.filter(|_| parts[0].name != "user") {
                Some(event) => event.properties.field(name).map(|f| f.ty.base.clone()),
                None => schema
                    .profiles
                    .field(name)
                    .map(|f| f.ty.base.clone())
                    .or_else(|| features.get(name).map(|t| t.base.clone())),
            };
            matches!(base, Some(BaseType::List(_)))
        }
        _ => false,
    }
}
