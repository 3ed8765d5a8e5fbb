//! The Liquid syntax tree. Spans are byte ranges in the template source.

use std::ops::Range;

/// A name with its span.
#[derive(Debug, Clone, PartialEq)]
pub struct Name {
    /// The name.
    pub text: String,
    /// Where it is.
    pub span: Range<usize>,
}

/// A literal value.
#[derive(Debug, Clone, PartialEq)]
pub enum Literal {
    /// `'text'`.
    String(String),
    /// `42`.
    Int(i64),
    /// `4.2`.
    Float(f64),
    /// `true`, `false`.
    Bool(bool),
    /// `nil` / `null`.
    Nil,
    /// `empty`.
    Empty,
    /// `blank`.
    Blank,
}

/// One step of a variable path.
#[derive(Debug, Clone, PartialEq)]
pub enum Segment {
    /// `.name` or `["name"]`.
    Key(Name),
    /// `[expr]` with a computed index.
    Index(Box<Expression>),
}

/// A variable reference such as `user.first_name` or `items[0].url`.
#[derive(Debug, Clone, PartialEq)]
pub struct Path {
    /// The first name.
    pub root: Name,
    /// What follows.
    pub segments: Vec<Segment>,
    /// The whole path.
    pub span: Range<usize>,
}

impl Path {
    /// The path as text when every step is a plain key (`user.first_name`).
    pub fn dotted(&self) -> Option<String> {
        let mut text = self.root.text.clone();
        for segment in &self.segments {
            match segment {
                Segment::Key(name) => {
                    text.push('.');
                    text.push_str(&name.text);
                }
                Segment::Index(_) => return None,
            }
        }
        Some(text)
    }
}

/// A value: literal, variable or range.
#[derive(Debug, Clone, PartialEq)]
pub struct Expression {
    /// What it is.
    pub kind: ExpressionKind,
    /// Where it is.
    pub span: Range<usize>,
}

/// The kinds of [`Expression`].
#[derive(Debug, Clone, PartialEq)]
pub enum ExpressionKind {
    /// A literal.
    Literal(Literal),
    /// A variable.
    Path(Path),
    /// `(a..b)`.
    Range(Box<Expression>, Box<Expression>),
}

/// A filter argument, positional or `key: value`.
#[derive(Debug, Clone, PartialEq)]
pub struct FilterArg {
    /// The keyword, for keyword arguments.
    pub key: Option<Name>,
    /// The value.
    pub value: Expression,
}

/// `| name: args`.
#[derive(Debug, Clone, PartialEq)]
pub struct Filter {
    /// The filter's name.
    pub name: Name,
    /// Its arguments.
    pub args: Vec<FilterArg>,
    /// The whole filter, name to last argument.
    pub span: Range<usize>,
}

/// A value followed by filters, as in `{{ x | upcase }}` or `assign y = x | upcase`.
#[derive(Debug, Clone, PartialEq)]
pub struct FilterChain {
    /// The input value.
    pub value: Expression,
    /// The filters, in order.
    pub filters: Vec<Filter>,
    /// The whole chain.
    pub span: Range<usize>,
    /// How the printed value is made safe for HTML (set for outputs of HTML templates).
    pub escape: OutputEscape,
}

/// How an output of an HTML template is made safe (SPEC §6); text templates print as is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum OutputEscape {
    /// Printed as it is (text templates; `raw`, already escaped or `capture`d outputs).
    #[default]
    AsIs,
    /// HTML-escaped.
    Html,
    /// The start of a URL attribute's value: made a safe URL, then HTML-escaped.
    UrlThenHtml,
    /// The start of a URL attribute's value that prints a `capture`d variable (escaped when
    /// captured): made a safe URL.
    Url,
    /// The start of a URL attribute's value that ends in `raw` or `escape`: made a safe URL
    /// before that last filter.
    UrlBeforeLastFilter,
}

/// A comparison operator in a condition.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Comparison {
    /// `==`.
    Eq,
    /// `!=` or `<>`.
    Ne,
    /// `<`.
    Lt,
    /// `>`.
    Gt,
    /// `<=`.
    Le,
    /// `>=`.
    Ge,
    /// `contains`.
    Contains,
}

impl Comparison {
    /// How it is written.
    pub fn symbol(self) -> &'static str {
        match self {
            Comparison::Eq => "==",
            Comparison::Ne => "!=",
            Comparison::Lt => "<",
            Comparison::Gt => ">",
            Comparison::Le => "<=",
            Comparison::Ge => ">=",
            Comparison::Contains => "contains",
        }
    }
}

/// A condition of `if`, `elsif`, `unless`.
#[derive(Debug, Clone, PartialEq)]
pub enum Condition {
    /// A value taken for its truthiness.
    Truthy(Expression),
    /// `a op b`.
    Compare(Expression, Comparison, Expression),
    /// `a and b`.
    And(Box<Condition>, Box<Condition>),
    /// `a or b`.
    Or(Box<Condition>, Box<Condition>),
}

/// The parameters of `for` and `tablerow`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct LoopParams {
    /// `limit: n`.
    pub limit: Option<Expression>,
    /// `offset: n` (or `offset: continue`, recorded as `None` with `offset_continue`).
    pub offset: Option<Expression>,
    /// `offset: continue`.
    pub offset_continue: bool,
    /// `cols: n` (tablerow).
    pub cols: Option<Expression>,
    /// `reversed`.
    pub reversed: bool,
}

/// How a partial is passed a value: `with x as y` or `for items as item`.
#[derive(Debug, Clone, PartialEq)]
pub struct PartialBinding {
    /// `for` rather than `with`.
    pub iterate: bool,
    /// The value passed.
    pub value: Expression,
    /// The name it gets inside the partial (default: the partial's name).
    pub alias: Option<Name>,
}

/// Which partial a `render` or `include` names.
#[derive(Debug, Clone, PartialEq)]
pub enum PartialName {
    /// A quoted name, known before rendering.
    Static(Name),
    /// A variable holding the name (`include` only), known only when rendering.
    Dynamic(Expression),
}

/// A branch of `case`. As in Shopify, every `when` whose value matches renders (once per
/// matching value), and an `else` renders when no `when` before it matched.
#[derive(Debug, Clone, PartialEq)]
pub enum CaseBranch {
    /// `{% when a, b %}` and its body.
    When(Vec<Expression>, Vec<Node>),
    /// `{% else %}` and its body.
    Else(Vec<Node>),
}

impl CaseBranch {
    /// The values a `when` compares with (none for `else`).
    pub fn values(&self) -> &[Expression] {
        match self {
            CaseBranch::When(values, _) => values,
            CaseBranch::Else(_) => &[],
        }
    }

    /// The body.
    pub fn body(&self) -> &[Node] {
        match self {
            CaseBranch::When(_, body) | CaseBranch::Else(body) => body,
        }
    }

    /// The body, for changing.
    pub fn body_mut(&mut self) -> &mut Vec<Node> {
        match self {
            CaseBranch::When(_, body) | CaseBranch::Else(body) => body,
        }
    }
}

/// A node of the template.
#[derive(Debug, Clone, PartialEq)]
pub enum Node {
    /// Literal text.
    Text(Range<usize>),
    /// `{{ chain }}`.
    Output(FilterChain),
    /// `{% if %}` / `{% unless %}` with `elsif` and `else` branches.
    If {
        /// `unless` rather than `if` (negates the first condition).
        unless: bool,
        /// Conditions and their bodies.
        branches: Vec<(Condition, Vec<Node>)>,
        /// The `else` body.
        otherwise: Option<Vec<Node>>,
    },
    /// `{% case x %}{% when a, b %}...{% else %}...{% endcase %}`.
    Case {
        /// The value switched on.
        subject: Expression,
        /// Each `when` and `else`, in order.
        branches: Vec<CaseBranch>,
    },
    /// `{% for x in c %}` or `{% tablerow x in c %}`.
    Loop {
        /// `tablerow` rather than `for`.
        tablerow: bool,
        /// The loop variable.
        variable: Name,
        /// What is iterated.
        collection: Expression,
        /// `limit`, `offset`, `cols`, `reversed`.
        params: LoopParams,
        /// The body.
        body: Vec<Node>,
        /// The `else` body (for an empty collection).
        otherwise: Option<Vec<Node>>,
    },
    /// `{% assign x = chain %}`.
    Assign {
        /// The variable.
        name: Name,
        /// Its value.
        value: FilterChain,
    },
    /// `{% capture x %}...{% endcapture %}`.
    Capture {
        /// The variable.
        name: Name,
        /// The captured body.
        body: Vec<Node>,
    },
    /// `{% increment x %}` / `{% decrement x %}`.
    Counter {
        /// The counter.
        name: Name,
        /// `decrement` rather than `increment`.
        decrement: bool,
    },
    /// `{% cycle 'a', 'b' %}`.
    Cycle {
        /// The optional group name.
        group: Option<Expression>,
        /// The values cycled through.
        values: Vec<Expression>,
    },
    /// `{% echo chain %}`.
    Echo(FilterChain),
    /// `{% render 'name' %}` / `{% include 'name' %}`.
    Partial {
        /// `include` (shares the caller's variables) rather than `render`.
        include: bool,
        /// The partial's name.
        name: PartialName,
        /// `with` / `for`.
        binding: Option<PartialBinding>,
        /// `key: value` arguments.
        args: Vec<(Name, Expression)>,
        /// The whole tag.
        span: Range<usize>,
    },
    /// `{% ifchanged %}...{% endifchanged %}`.
    IfChanged(Vec<Node>),
    /// `{% break %}` / `{% continue %}`.
    LoopControl {
        /// `break` rather than `continue`.
        stop: bool,
        /// The tag.
        span: Range<usize>,
    },
}
