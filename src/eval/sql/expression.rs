//! One typed expression as SQL text, with the semantics of the polars lowering (`lower.rs`):
//! temporal values are integers of microseconds since the Unix epoch, durations integers of
//! microseconds, `a / b` a float that is null where `b` is zero, and SQL's own null logic.

use std::collections::{BTreeMap, BTreeSet};

use super::dialect::Dialect;
use crate::data::DAY_MICROS;
use crate::eval::aggregate::AggregateJob;
use crate::eval::columns::{persona_column, score_column, segment_column};
use crate::eval::lower::{is_list, Unsupported};
use crate::model::UnaryOp;
use crate::model::{Aggregate, BaseType, BinaryOp, DataSchema, EventSchema, Expr, ExprKind, Ident, Literal, Type};

/// The alias of the events table inside an aggregate.
pub const EVENTS_ALIAS: &str = "e";

/// The alias of the profile row joined to an event (`user.<field>` inside a `where`).
pub const USER_ALIAS: &str = "u";

/// Column of the evaluated events: the time in microseconds.
pub const TS: &str = "__ts";

/// Column of the evaluated events: the event's id (null when the schema names none).
pub const ID: &str = "__id";

/// Column of the evaluated events: the profile key it belongs to.
pub const USER: &str = "__user";

/// Column of the evaluated events: its type.
pub const TYPE: &str = "__type";

/// Turns typed expressions into SQL over the evaluated profiles (or, inside an aggregate's
/// `where`, over one event and its profile), collecting the aggregates they need.
pub struct SqlLowering<'a> {
    /// The dialect written.
    pub dialect: Dialect,
    /// The schema.
    pub schema: &'a DataSchema,
    /// Feature types (features are columns of the profile rows).
    pub features: &'a BTreeMap<String, Type>,
    /// The run's clock in microseconds.
    pub now: i64,
    /// Aggregates found so far; each becomes a column `__agg{index}`. An aggregate
    /// `uses_profile` when its `where` reads a column the workspace computes (a feature, a
    /// segment, a score), which it must wait for.
    pub aggregates: Vec<AggregateJob<String>>,
    /// The aggregates whose `where` reads declared profile fields (`user.tier`) and nothing
    /// computed: they read the events joined to the profiles as loaded.
    pub reading_fields: BTreeSet<String>,
    /// What the `where` of each aggregate that reads computed columns reads, by its column.
    pub where_reads: BTreeMap<String, BTreeSet<String>>,
    event: Option<&'a EventSchema>,
    /// The columns of the evaluated profiles read since [`SqlLowering::take_reads`].
    reads: BTreeSet<String>,
}

impl<'a> SqlLowering<'a> {
    /// The columns of the evaluated profiles (fields, features, segments, scores, aggregates)
    /// that the expressions lowered since the last call read (in an event scope: through
    /// `user.`).
    pub fn take_reads(&mut self) -> BTreeSet<String> {
        std::mem::take(&mut self.reads)
    }

    /// A lowering over profiles at time `now` (microseconds).
    pub fn new(
        dialect: Dialect,
        schema: &'a DataSchema,
        features: &'a BTreeMap<String, Type>,
        now: i64,
    ) -> SqlLowering<'a> {
        SqlLowering {
            dialect,
            schema,
            features,
            now,
            aggregates: Vec::new(),
            reading_fields: BTreeSet::new(),
            where_reads: BTreeMap::new(),
            event: None,
            reads: BTreeSet::new(),
        }
    }

    /// Lowers `expr`.
    pub fn lower(&mut self, expr: &Expr) -> Result<String, Unsupported> {
        Ok(match &expr.kind {
            ExprKind::Literal(literal) => self.literal(literal)?,
            ExprKind::List(_) => return Err(Unsupported("a list outside `in [...]`".into())),
            ExprKind::Path(parts) => self.path(parts)?,
            ExprKind::Call { name, args } => self.call(name, args)?,
            ExprKind::Aggregate(aggregate) => self.aggregate(aggregate)?,
            ExprKind::Unary { op: UnaryOp::Not, expr } => format!("(NOT {})", self.lower(expr)?),
            ExprKind::Unary { op: UnaryOp::Neg, expr } => format!("({} - {})", self.int(0), self.lower(expr)?),
            ExprKind::Binary { op, lhs, rhs } => self.binary(*op, lhs, rhs)?,
            ExprKind::In { expr, list, negated } => {
                let value = self.lower(expr)?;
                let mut equalities = Vec::with_capacity(list.len());
                for item in list {
                    equalities.push(format!("{value} = {}", self.lower(item)?));
                }
                let any = if equalities.is_empty() {
                    "FALSE".to_string()
                } else {
                    format!("({})", equalities.join(" OR "))
                };
                if *negated {
                    format!("(NOT {any})")
                } else {
                    any
                }
            }
            ExprKind::IsNull { expr, negated } => {
                let not = if *negated { " NOT" } else { "" };
                format!("({} IS{not} NULL)", self.lower(expr)?)
            }
        })
    }

    fn int(&self, n: i64) -> String {
        self.dialect.int(n)
    }

    fn double(&self, expr: &str) -> String {
        self.dialect.cast(expr, self.dialect.double())
    }

    fn literal(&self, literal: &Literal) -> Result<String, Unsupported> {
        Ok(match literal {
            Literal::Int(n) => self.int(*n),
            Literal::Float(f) if f.is_finite() => self.double(&format!("{f:?}")),
            Literal::Float(f) => return Err(Unsupported(format!("the number {f} has no SQL literal"))),
            Literal::String(text) => self.dialect.string(text),
            Literal::Bool(true) => "TRUE".into(),
            Literal::Bool(false) => "FALSE".into(),
            Literal::Null => "NULL".into(),
            Literal::Duration(d) => self.int(d.micros()),
        })
    }

    /// A column of the evaluated profiles, read through the event's profile inside an event
    /// scope.
    fn profile_column(&mut self, column: &str) -> String {
        let name = self.dialect.ident(column);
        self.reads.insert(column.to_string());
        if self.event.is_some() {
            format!("{USER_ALIAS}.{name}")
        } else {
            name
        }
    }

    fn profile(&mut self, name: &str) -> Result<String, Unsupported> {
        if self.schema.profiles.field(name).is_some() || self.features.contains_key(name) {
            return Ok(self.profile_column(name));
        }
        Err(Unsupported(format!("unknown name `{name}`")))
    }

    fn path(&mut self, parts: &[Ident]) -> Result<String, Unsupported> {
        match (parts[0].name.as_str(), parts.get(1)) {
            ("segment", Some(name)) => Ok(self.profile_column(&segment_column(&name.name))),
            ("persona", Some(name)) => Err(Unsupported(format!(
                "`{}` reads persona labels, which are not lowered to SQL yet (their fit reads the data)",
                persona_column(&name.name)
            ))),
            ("score", Some(name)) => Ok(self.profile_column(&score_column(&name.name))),
            ("user", Some(name)) => self.profile(&name.name),
            (name, _) => match self.event {
                Some(_) if name == "ts" => Ok(format!("{EVENTS_ALIAS}.{}", self.dialect.ident(TS))),
                Some(event) => {
                    let field = event
                        .properties
                        .field(name)
                        .ok_or_else(|| Unsupported(format!("unknown property `{name}`")))?;
                    Ok(event_value(self.dialect, name, &field.ty.base))
                }
                None => self.profile(name),
            },
        }
    }

    fn binary(&mut self, op: BinaryOp, lhs: &Expr, rhs: &Expr) -> Result<String, Unsupported> {
        let (left, right) = (self.lower(lhs)?, self.lower(rhs)?);
        let infix = match op {
            BinaryOp::Or => "OR",
            BinaryOp::And => "AND",
            BinaryOp::Eq => "=",
            BinaryOp::Ne => "<>",
            BinaryOp::Lt => "<",
            BinaryOp::Le => "<=",
            BinaryOp::Gt => ">",
            BinaryOp::Ge => ">=",
            BinaryOp::Add => "+",
            BinaryOp::Sub => "-",
            BinaryOp::Mul => "*",
            BinaryOp::Div => {
                let divisor = self.double(&right);
                return Ok(format!(
                    "(CASE WHEN {divisor} = 0 THEN NULL ELSE {} / {divisor} END)",
                    self.double(&left)
                ));
            }
        };
        Ok(format!("({left} {infix} {right})"))
    }

    fn call(&mut self, name: &Ident, args: &[Expr]) -> Result<String, Unsupported> {
        let mut lowered = Vec::with_capacity(args.len());
        for arg in args {
            lowered.push(self.lower(arg)?);
        }
        let missing = || Unsupported(format!("`{}` is missing an argument", name.name));
        let first = lowered.first().ok_or_else(missing);
        let second = lowered.get(1).ok_or_else(missing);
        let now = self.int(self.now);
        let dialect = self.dialect;
        let list_argument = || is_list(self.schema, self.features, self.event, &args[0]);
        Ok(match name.name.as_str() {
            "now" => now,
            "ago" => format!("({now} - {})", first?),
            "days_since" => format!(
                "({} / {})",
                self.double(&format!("({now} - {})", first?)),
                self.double(&DAY_MICROS.to_string())
            ),
            "date" | "datetime" => match args.first().map(|a| &a.kind) {
                Some(ExprKind::Literal(Literal::String(text))) => {
                    let at = crate::model::parse_datetime(text)
                        .ok_or_else(|| Unsupported(format!("`{text}` is not a date")))?;
                    self.int(at.timestamp_micros())
                }
                _ => return Err(Unsupported(format!("`{}` takes a literal", name.name))),
            },
            "lower" => format!("lower({})", first?),
            "upper" => format!("upper({})", first?),
            "len" if list_argument() => dialect.list_length(first?),
            "len" => dialect.char_length(first?),
            "contains" if list_argument() => dialect.list_contains(first?, second?),
            "contains" => dialect.text_contains(first?, second?),
            "starts_with" => dialect.starts_with(first?, second?),
            "ends_with" => dialect.ends_with(first?, second?),
            "coalesce" => format!("coalesce({})", lowered.join(", ")),
            other => return Err(Unsupported(format!("unknown function `{other}`"))),
        })
    }

    /// Lowers `condition` over one `event` (alias `e`) and its profile (alias `u`): the SQL,
    /// and the profile columns it reads.
    pub fn lower_for_event(
        &self,
        event: &'a EventSchema,
        condition: &Expr,
    ) -> Result<(String, BTreeSet<String>), Unsupported> {
        let mut inner = SqlLowering {
            event: Some(event),
            ..SqlLowering::new(self.dialect, self.schema, self.features, self.now)
        };
        Ok((inner.lower(condition)?, inner.reads))
    }

    fn aggregate(&mut self, aggregate: &Aggregate) -> Result<String, Unsupported> {
        let event = self
            .schema
            .event(&aggregate.event_type.name)
            .ok_or_else(|| Unsupported("unknown event type".into()))?;
        let (condition, reads) = match &aggregate.condition {
            Some(condition) => {
                let (condition, reads) = self.lower_for_event(event, condition)?;
                (Some(condition), reads)
            }
            None => (None, BTreeSet::new()),
        };
        let reads_computed = reads.iter().any(|c| self.schema.profiles.field(c).is_none());
        let job = AggregateJob::new(
            format!("__agg{}", self.aggregates.len()),
            event,
            aggregate,
            condition,
            reads_computed,
        );
        let column = AggregateJob::add_once(&mut self.aggregates, job);
        if reads_computed {
            self.where_reads.insert(column.clone(), reads);
        } else if !reads.is_empty() {
            self.reading_fields.insert(column.clone());
        }
        self.reads.insert(column.clone());
        Ok(self.dialect.ident(&column))
    }
}

/// Property `name` of the event in scope (`e`), temporal values in microseconds.
pub fn event_value(dialect: Dialect, name: &str, base: &BaseType) -> String {
    dialect.computable(&format!("{EVENTS_ALIAS}.{}", dialect.ident(name)), base)
}
