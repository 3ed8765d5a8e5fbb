//! The expression syntax tree.

use std::ops::Range;

use super::Duration;

/// A name with its span.
#[derive(Debug, Clone, PartialEq)]
pub struct Ident {
    /// The name.
    pub name: String,
    /// Byte range in the expression.
    pub span: Range<usize>,
}

/// A literal value.
#[derive(Debug, Clone, PartialEq)]
pub enum Literal {
    /// `42`.
    Int(i64),
    /// `4.2`.
    Float(f64),
    /// `'text'` or `"text"`.
    String(String),
    /// `true` / `false`.
    Bool(bool),
    /// `null`.
    Null,
    /// `7d`.
    Duration(Duration),
}

/// Unary operators.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UnaryOp {
    /// `-x`.
    Neg,
    /// `not x`.
    Not,
}

/// Binary operators.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BinaryOp {
    /// `or`.
    Or,
    /// `and`.
    And,
    /// `==`.
    Eq,
    /// `!=`.
    Ne,
    /// `<`.
    Lt,
    /// `<=`.
    Le,
    /// `>`.
    Gt,
    /// `>=`.
    Ge,
    /// `+`.
    Add,
    /// `-`.
    Sub,
    /// `*`.
    Mul,
    /// `/`.
    Div,
}

impl BinaryOp {
    /// The operator as written.
    pub fn symbol(self) -> &'static str {
        match self {
            BinaryOp::Or => "or",
            BinaryOp::And => "and",
            BinaryOp::Eq => "==",
            BinaryOp::Ne => "!=",
            BinaryOp::Lt => "<",
            BinaryOp::Le => "<=",
            BinaryOp::Gt => ">",
            BinaryOp::Ge => ">=",
            BinaryOp::Add => "+",
            BinaryOp::Sub => "-",
            BinaryOp::Mul => "*",
            BinaryOp::Div => "/",
        }
    }

    /// Whether this is one of `== != < <= > >=`.
    pub fn is_comparison(self) -> bool {
        matches!(
            self,
            BinaryOp::Eq | BinaryOp::Ne | BinaryOp::Lt | BinaryOp::Le | BinaryOp::Gt | BinaryOp::Ge
        )
    }
}

/// Event aggregate functions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AggregateFunction {
    /// Number of matching events.
    Count,
    /// Whether any event matches.
    Exists,
    /// Sum of a property.
    Sum,
    /// Mean of a property.
    Avg,
    /// Least value of a property.
    Min,
    /// Greatest value of a property.
    Max,
    /// The oldest event's property.
    First,
    /// The newest event's property.
    Last,
    /// The newest N distinct values of a property.
    LastN,
}

impl AggregateFunction {
    /// Every aggregate with its name.
    pub const ALL: [(&'static str, AggregateFunction); 9] = [
        ("count", AggregateFunction::Count),
        ("exists", AggregateFunction::Exists),
        ("sum", AggregateFunction::Sum),
        ("avg", AggregateFunction::Avg),
        ("min", AggregateFunction::Min),
        ("max", AggregateFunction::Max),
        ("first", AggregateFunction::First),
        ("last", AggregateFunction::Last),
        ("last_n", AggregateFunction::LastN),
    ];

    /// The aggregate called `name`.
    pub fn from_name(name: &str) -> Option<AggregateFunction> {
        AggregateFunction::ALL.iter().find(|(n, _)| *n == name).map(|(_, f)| *f)
    }

    /// Whether it reads a property (`TYPE.prop`) rather than counting events (`TYPE`).
    pub fn needs_property(self) -> bool {
        !matches!(self, AggregateFunction::Count | AggregateFunction::Exists)
    }
}

/// `count(TYPE [where COND] [within DUR])` and its relatives.
#[derive(Debug, Clone, PartialEq)]
pub struct Aggregate {
    /// Which aggregate.
    pub function: AggregateFunction,
    /// The function name's span.
    pub name_span: Range<usize>,
    /// The event type.
    pub event_type: Ident,
    /// The property, for aggregates over values.
    pub property: Option<Ident>,
    /// `N` of `last_n`.
    pub limit: Option<Box<Expr>>,
    /// The `where` condition over the event's properties.
    pub condition: Option<Box<Expr>>,
    /// The `within` window.
    pub within: Option<(Duration, Range<usize>)>,
}

/// An expression node.
#[derive(Debug, Clone, PartialEq)]
pub struct Expr {
    /// What it is.
    pub kind: ExprKind,
    /// Byte range in the expression string.
    pub span: Range<usize>,
}

/// The kinds of expression node.
#[derive(Debug, Clone, PartialEq)]
pub enum ExprKind {
    /// A literal.
    Literal(Literal),
    /// `[a, b]`.
    List(Vec<Expr>),
    /// `name`, `user.name`, `segment.x`, `persona.model`.
    Path(Vec<Ident>),
    /// A function call.
    Call {
        /// The function's name.
        name: Ident,
        /// Its arguments.
        args: Vec<Expr>,
    },
    /// An event aggregate.
    Aggregate(Box<Aggregate>),
    /// `-x`, `not x`.
    Unary {
        /// The operator.
        op: UnaryOp,
        /// The operand.
        expr: Box<Expr>,
    },
    /// `a op b`.
    Binary {
        /// The operator.
        op: BinaryOp,
        /// Left operand.
        lhs: Box<Expr>,
        /// Right operand.
        rhs: Box<Expr>,
    },
    /// `x [not] in [..]`.
    In {
        /// The value looked for.
        expr: Box<Expr>,
        /// The list.
        list: Vec<Expr>,
        /// `not in`.
        negated: bool,
    },
    /// `x is [not] null`.
    IsNull {
        /// The value tested.
        expr: Box<Expr>,
        /// `is not null`.
        negated: bool,
    },
}

impl Expr {
    /// Calls `f` on this node and every node below it, parents first.
    pub fn walk(&self, f: &mut impl FnMut(&Expr)) {
        f(self);
        match &self.kind {
            ExprKind::Literal(_) | ExprKind::Path(_) => {}
            ExprKind::List(items) | ExprKind::Call { args: items, .. } => items.iter().for_each(|e| e.walk(f)),
            ExprKind::Aggregate(aggregate) => {
                for inner in aggregate.limit.iter().chain(&aggregate.condition) {
                    inner.walk(f);
                }
            }
            ExprKind::Unary { expr, .. } | ExprKind::IsNull { expr, .. } => expr.walk(f),
            ExprKind::Binary { lhs, rhs, .. } => {
                lhs.walk(f);
                rhs.walk(f);
            }
            ExprKind::In { expr, list, .. } => {
                expr.walk(f);
                list.iter().for_each(|e| e.walk(f));
            }
        }
    }
}
