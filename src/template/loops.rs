//! tailor's own `for` and `tablerow` blocks, in place of the `liquid` crate's: the same Liquid
//! (Shopify) semantics, but a range `(a..b)` is walked without being built as a list, `offset`
//! and `limit` never pad with nils, and every iteration takes a step from the render budget
//! ([`super::budget`]), so no loop over data can spin or exhaust memory.

use std::fmt;
use std::io::Write;

use liquid_core::error::ResultLiquidExt;
use liquid_core::model::{KString, KStringRef, Value, ValueCow, ValueView};
use liquid_core::parser::{BlockElement, TryMatchToken};
use liquid_core::runtime::{Interrupt, InterruptRegister, StackFrame};
use liquid_core::{
    BlockReflection, Error, Expression, Language, ObjectView, ParseBlock, Renderable, Result, Runtime, TagBlock,
    TagTokenIter, Template, ValueView as DeriveValueView,
};

use super::block_reflection::block_reflection;
use super::budget;

/// What a loop walks: a value (array, object, nil) or a counted range.
#[derive(Debug, Clone)]
enum Source {
    /// `in items`.
    Value(Expression),
    /// `in (start..end)`, both ends included.
    Range(Expression, Expression),
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Source::Value(value) => write!(f, "{value}"),
            Source::Range(start, end) => write!(f, "({start}..{end})"),
        }
    }
}

/// The items a loop walks, after `offset` and `limit`, not copied or materialised.
enum Items<'r> {
    /// Items `skip..skip + count` of an array, borrowed.
    Array {
        array: ValueCow<'r>,
        skip: usize,
        count: usize,
    },
    /// An object's `[key, value]` pairs.
    Pairs(Vec<Value>),
    /// The integers `start, start + 1, …`, `count` of them.
    Counted { start: i64, count: usize },
}

impl Items<'_> {
    fn len(&self) -> usize {
        match self {
            Items::Array { count, .. } | Items::Counted { count, .. } => *count,
            Items::Pairs(pairs) => pairs.len(),
        }
    }

    /// Item `index` (`0 ≤ index < len`), counted from the end when `reversed`.
    fn get(&self, index: usize, reversed: bool) -> ValueCow<'_> {
        let index = if reversed { self.len() - 1 - index } else { index };
        match self {
            Items::Array { array, skip, .. } => array
                .as_array()
                .and_then(|a| a.get((skip + index) as i64))
                .map_or(ValueCow::Owned(Value::Nil), ValueCow::Borrowed),
            Items::Pairs(pairs) => ValueCow::Borrowed(&pairs[index]),
            Items::Counted { start, .. } => Value::scalar(start + index as i64).into(),
        }
    }
}

/// `skip` and `count` of `total` items after `offset` and `limit`.
fn window(total: usize, offset: usize, limit: Option<usize>) -> (usize, usize) {
    let skip = offset.min(total);
    (skip, limit.map_or(total - skip, |l| l.min(total - skip)))
}

/// A whole number from `expression` (`what` names it in errors).
fn whole_number(expression: &Expression, runtime: &dyn Runtime, what: &str) -> Result<i64> {
    let value = expression.evaluate(runtime)?;
    value.as_scalar().and_then(|s| s.to_integer()).ok_or_else(|| {
        Error::with_msg(format!(
            "expected a whole number for {what}, found `{}`",
            value.to_kstr()
        ))
    })
}

/// An optional non-negative attribute (`limit:`, `offset:`, `cols:`).
fn attribute(expression: &Option<Expression>, runtime: &dyn Runtime, what: &str) -> Result<Option<usize>> {
    expression
        .as_ref()
        .map(|e| whole_number(e, runtime, what).map(|n| usize::try_from(n).unwrap_or(0)))
        .transpose()
}

impl Source {
    /// The items to walk, `offset` skipped and at most `limit` kept.
    fn items<'r>(&'r self, runtime: &'r dyn Runtime, offset: usize, limit: Option<usize>) -> Result<Items<'r>> {
        match self {
            Source::Range(start, end) => {
                let start = whole_number(start, runtime, "the range's start")?;
                let end = whole_number(end, runtime, "the range's end")?;
                let total = if end < start {
                    0
                } else {
                    usize::try_from(end.abs_diff(start))
                        .unwrap_or(usize::MAX)
                        .saturating_add(1)
                };
                let (skip, count) = window(total, offset, limit);
                Ok(Items::Counted {
                    start: start.saturating_add(i64::try_from(skip).unwrap_or(i64::MAX)),
                    count,
                })
            }
            Source::Value(expression) => {
                let value = expression.evaluate(runtime)?;
                if let Some(array) = value.as_array() {
                    let (skip, count) = window(array.size() as usize, offset, limit);
                    return Ok(Items::Array {
                        array: value,
                        skip,
                        count,
                    });
                }
                if let Some(object) = value.as_object() {
                    let (skip, count) = window(object.size() as usize, offset, limit);
                    let pairs = object
                        .iter()
                        .skip(skip)
                        .take(count)
                        .map(|(key, item)| Value::Array(vec![Value::scalar(key.into_owned()), item.to_value()]))
                        .collect();
                    return Ok(Items::Pairs(pairs));
                }
                if value.is_nil() || value.is_state() {
                    return Ok(Items::Pairs(Vec::new()));
                }
                Err(Error::with_msg(format!(
                    "expected an array or a range, found `{}`",
                    value.to_kstr()
                )))
            }
        }
    }
}

/// Reads `NAME in SOURCE` from a loop tag's arguments.
fn loop_head(arguments: &mut TagTokenIter<'_>) -> Result<(KString, Source)> {
    let name = arguments
        .expect_next("Identifier expected.")?
        .expect_identifier()
        .into_result()?;
    let name = KString::from_ref(name);
    arguments
        .expect_next("\"in\" expected.")?
        .expect_str("in")
        .into_result_custom_msg("\"in\" expected.")?;
    let source = arguments.expect_next("Array or range expected.")?;
    let source = match source.expect_value() {
        TryMatchToken::Matches(value) => Source::Value(value),
        TryMatchToken::Fails(source) => match source.expect_range() {
            TryMatchToken::Matches((start, end)) => Source::Range(start, end),
            TryMatchToken::Fails(source) => return source.raise_error().into_err(),
        },
    };
    Ok((name, source))
}

/// Reads `: VALUE` after an attribute name.
fn attribute_value(arguments: &mut TagTokenIter<'_>) -> Result<Expression> {
    arguments
        .expect_next("\":\" expected.")?
        .expect_str(":")
        .into_result_custom_msg("\":\" expected.")?;
    arguments.expect_next("Value expected.")?.expect_value().into_result()
}

/// What may follow a loop's source: `limit:`, `offset:`, `cols:` (tablerow) and `reversed`
/// (for).
#[derive(Debug, Default)]
struct LoopOptions {
    limit: Option<Expression>,
    offset: Option<Expression>,
    cols: Option<Expression>,
    reversed: bool,
}

impl LoopOptions {
    /// Reads the options; `allowed` names those this tag takes.
    fn parse(arguments: &mut TagTokenIter<'_>, allowed: &[&str]) -> Result<LoopOptions> {
        let mut options = LoopOptions::default();
        while let Some(token) = arguments.next() {
            let name = token.as_str();
            if !allowed.contains(&name) {
                let expected: Vec<String> = allowed.iter().map(|a| format!("\"{a}\"")).collect();
                return token
                    .raise_custom_error(&format!("{} expected.", expected.join(", ")))
                    .into_err();
            }
            match name {
                "limit" => options.limit = Some(attribute_value(arguments)?),
                "offset" => options.offset = Some(attribute_value(arguments)?),
                "cols" => options.cols = Some(attribute_value(arguments)?),
                _ => options.reversed = true,
            }
        }
        arguments.expect_nothing()?;
        Ok(options)
    }

    /// The items of `source` after `offset` and `limit`.
    fn items<'r>(&self, source: &'r Source, runtime: &'r dyn Runtime) -> Result<Items<'r>> {
        let offset = attribute(&self.offset, runtime, "offset")?.unwrap_or(0);
        let limit = attribute(&self.limit, runtime, "limit")?;
        source.items(runtime, offset, limit)
    }
}

/// `{% for %}` … `{% else %}` … `{% endfor %}`.
#[derive(Debug, Clone, Copy, Default)]
pub struct ForBlock;

block_reflection!(
    ForBlock,
    "for",
    "endfor",
    "loops over an array or a range, within the render budget"
);

impl ParseBlock for ForBlock {
    fn parse(
        &self,
        mut arguments: TagTokenIter<'_>,
        mut tokens: TagBlock<'_, '_>,
        options: &Language,
    ) -> Result<Box<dyn Renderable>> {
        let (name, source) = loop_head(&mut arguments)?;
        let loop_options = LoopOptions::parse(&mut arguments, &["limit", "offset", "reversed"])?;
        let mut body = Vec::new();
        let mut otherwise = None;
        while let Some(element) = tokens.next()? {
            match element {
                BlockElement::Tag(mut tag) if tag.name() == "else" => {
                    tag.tokens().expect_nothing()?;
                    otherwise = Some(Template::new(tokens.parse_all(options)?));
                    break;
                }
                BlockElement::Tag(tag) => body.push(tag.parse(&mut tokens, options)?),
                element => body.push(element.parse(&mut tokens, options)?),
            }
        }
        tokens.assert_empty();
        Ok(Box::new(For {
            name,
            source,
            body: Template::new(body),
            otherwise,
            options: loop_options,
        }))
    }

    fn reflection(&self) -> &dyn BlockReflection {
        self
    }
}

#[derive(Debug)]
struct For {
    name: KString,
    source: Source,
    body: Template,
    otherwise: Option<Template>,
    options: LoopOptions,
}

/// The `forloop` object.
#[derive(Debug, Clone, DeriveValueView, ObjectView)]
struct ForLoop<'p> {
    length: i64,
    parentloop: Option<&'p dyn ValueView>,
    index0: i64,
    index: i64,
    rindex0: i64,
    rindex: i64,
    first: bool,
    last: bool,
}

impl Renderable for For {
    fn render_to(&self, writer: &mut dyn Write, runtime: &dyn Runtime) -> Result<()> {
        let trace = || format!("{{% for {} in {} %}}", self.name, self.source);
        let items = self
            .options
            .items(&self.source, runtime)
            .trace_with(|| trace().into())?;
        let length = items.len();
        if length == 0 {
            if let Some(otherwise) = &self.otherwise {
                otherwise.render_to(writer, runtime).trace_with(|| trace().into())?;
            }
            return Ok(());
        }
        let parent = runtime.try_get(&[liquid_core::model::Scalar::new("forloop")]);
        for index in 0..length {
            budget::step().trace_with(|| trace().into())?;
            let item = items.get(index, self.options.reversed);
            let (i, n) = (index as i64, length as i64);
            let forloop = ForLoop {
                length: n,
                parentloop: parent.as_ref().map(|p| p.as_view()),
                index0: i,
                index: i + 1,
                rindex0: n - i - 1,
                rindex: n - i,
                first: index == 0,
                last: index + 1 == length,
            };
            let mut root = std::collections::HashMap::<KStringRef<'_>, &dyn ValueView>::new();
            root.insert("forloop".into(), &forloop);
            root.insert(self.name.as_ref(), item.as_view());
            let scope = StackFrame::new(runtime, &root);
            self.body.render_to(writer, &scope).trace_with(|| trace().into())?;
            // `continue` needs nothing more at the end of the body; `break` ends the loop.
            let interrupt = scope.registers().get_mut::<InterruptRegister>().reset();
            if let Some(Interrupt::Break) = interrupt {
                break;
            }
        }
        Ok(())
    }
}

/// `{% tablerow %}` … `{% endtablerow %}`: rows of `cols` cells.
#[derive(Debug, Clone, Copy, Default)]
pub struct TableRowBlock;

block_reflection!(
    TableRowBlock,
    "tablerow",
    "endtablerow",
    "table rows over an array or a range, within the render budget"
);

impl ParseBlock for TableRowBlock {
    fn parse(
        &self,
        mut arguments: TagTokenIter<'_>,
        mut tokens: TagBlock<'_, '_>,
        options: &Language,
    ) -> Result<Box<dyn Renderable>> {
        let (name, source) = loop_head(&mut arguments)?;
        let loop_options = LoopOptions::parse(&mut arguments, &["cols", "limit", "offset"])?;
        let body = Template::new(tokens.parse_all(options)?);
        tokens.assert_empty();
        Ok(Box::new(TableRow {
            name,
            source,
            body,
            options: loop_options,
        }))
    }

    fn reflection(&self) -> &dyn BlockReflection {
        self
    }
}

#[derive(Debug)]
struct TableRow {
    name: KString,
    source: Source,
    body: Template,
    options: LoopOptions,
}

/// The `tablerow` object.
#[derive(Debug, Clone, DeriveValueView, ObjectView)]
struct TableRowLoop {
    length: i64,
    index0: i64,
    index: i64,
    rindex0: i64,
    rindex: i64,
    first: bool,
    last: bool,
    col0: i64,
    col: i64,
    col_first: bool,
    col_last: bool,
}

impl Renderable for TableRow {
    fn render_to(&self, writer: &mut dyn Write, runtime: &dyn Runtime) -> Result<()> {
        let trace = || format!("{{% tablerow {} in {} %}}", self.name, self.source);
        let items = self
            .options
            .items(&self.source, runtime)
            .trace_with(|| trace().into())?;
        let length = items.len();
        let cols = attribute(&self.options.cols, runtime, "cols")?
            .filter(|&c| c > 0)
            .unwrap_or(length.max(1));
        let failed = |e: std::io::Error| Error::with_msg(e.to_string());
        for index in 0..length {
            budget::step().trace_with(|| trace().into())?;
            let item = items.get(index, false);
            let (column, row) = (index % cols, index / cols);
            let (i, n) = (index as i64, length as i64);
            let tablerow = TableRowLoop {
                length: n,
                index0: i,
                index: i + 1,
                rindex0: n - i - 1,
                rindex: n - i,
                first: index == 0,
                last: index + 1 == length,
                col0: column as i64,
                col: column as i64 + 1,
                col_first: column == 0,
                col_last: column + 1 == cols || index + 1 == length,
            };
            if tablerow.col_first {
                write!(writer, "<tr class=\"row{}\">", row + 1).map_err(failed)?;
            }
            write!(writer, "<td class=\"col{}\">", column + 1).map_err(failed)?;
            let mut root = std::collections::HashMap::<KStringRef<'_>, &dyn ValueView>::new();
            root.insert("tablerow".into(), &tablerow);
            root.insert(self.name.as_ref(), item.as_view());
            let scope = StackFrame::new(runtime, &root);
            self.body.render_to(writer, &scope).trace_with(|| trace().into())?;
            write!(writer, "</td>").map_err(failed)?;
            if tablerow.col_last {
                write!(writer, "</tr>").map_err(failed)?;
            }
        }
        Ok(())
    }
}
