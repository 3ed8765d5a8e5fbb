//! tailor's own `assign` tag and `capture` block, in place of the `liquid` crate's: the same
//! semantics, but a value they keep may not grow past the render budget
//! ([`super::budget::MAX_VALUE_BYTES`]), so a loop that doubles a string fails that render
//! instead of exhausting memory.

use std::io::Write;

use liquid_core::error::ResultLiquidExt;
use liquid_core::model::{KString, Value};
use liquid_core::parser::FilterChain;
use liquid_core::{
    BlockReflection, Language, ParseBlock, ParseTag, Renderable, Result, Runtime, TagBlock, TagReflection,
    TagTokenIter, Template,
};

use super::block_reflection::block_reflection;
use super::budget::{self, BoundedWriter, MAX_VALUE_BYTES};

/// `{% assign name = value | filters %}`.
#[derive(Debug, Clone, Copy, Default)]
pub struct AssignTag;

impl TagReflection for AssignTag {
    fn tag(&self) -> &'static str {
        "assign"
    }

    fn description(&self) -> &'static str {
        "sets a variable, within the render budget"
    }
}

impl ParseTag for AssignTag {
    fn parse(&self, mut arguments: TagTokenIter<'_>, options: &Language) -> Result<Box<dyn Renderable>> {
        let name = KString::from_ref(
            arguments
                .expect_next("Identifier expected.")?
                .expect_identifier()
                .into_result()?,
        );
        arguments
            .expect_next("Assignment operator \"=\" expected.")?
            .expect_str("=")
            .into_result_custom_msg("Assignment operator \"=\" expected.")?;
        let value = arguments
            .expect_next("FilterChain expected.")?
            .expect_filter_chain(options)
            .into_result()?;
        arguments.expect_nothing()?;
        Ok(Box::new(Assign { name, value }))
    }

    fn reflection(&self) -> &dyn TagReflection {
        self
    }
}

#[derive(Debug)]
struct Assign {
    name: KString,
    value: FilterChain,
}

impl Renderable for Assign {
    fn render_to(&self, _writer: &mut dyn Write, runtime: &dyn Runtime) -> Result<()> {
        let trace = || format!("{{% assign {} = {} %}}", self.name, self.value);
        let value = self.value.evaluate(runtime).trace_with(|| trace().into())?.into_owned();
        budget::check_value(&self.name, &value).trace_with(|| trace().into())?;
        runtime.set_global(self.name.clone(), value);
        Ok(())
    }
}

/// `{% capture name %}` … `{% endcapture %}`.
#[derive(Debug, Clone, Copy, Default)]
pub struct CaptureBlock;

block_reflection!(
    CaptureBlock,
    "capture",
    "endcapture",
    "captures rendered text in a variable, within the render budget"
);

impl ParseBlock for CaptureBlock {
    fn parse(
        &self,
        mut arguments: TagTokenIter<'_>,
        mut tokens: TagBlock<'_, '_>,
        options: &Language,
    ) -> Result<Box<dyn Renderable>> {
        let name = KString::from_ref(
            arguments
                .expect_next("Identifier expected")?
                .expect_identifier()
                .into_result()?,
        );
        arguments.expect_nothing()?;
        let body = Template::new(tokens.parse_all(options)?);
        tokens.assert_empty();
        Ok(Box::new(Capture { name, body }))
    }

    fn reflection(&self) -> &dyn BlockReflection {
        self
    }
}

#[derive(Debug)]
struct Capture {
    name: KString,
    body: Template,
}

impl Renderable for Capture {
    fn render_to(&self, _writer: &mut dyn Write, runtime: &dyn Runtime) -> Result<()> {
        let mut captured = Vec::new();
        self.body
            .render_to(&mut BoundedWriter::new(&mut captured, MAX_VALUE_BYTES), runtime)
            .trace_with(|| format!("{{% capture {} %}}", self.name).into())?;
        let text = String::from_utf8_lossy(&captured).into_owned();
        runtime.set_global(self.name.clone(), Value::scalar(text));
        Ok(())
    }
}
