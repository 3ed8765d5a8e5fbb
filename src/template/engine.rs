//! The Liquid renderer: the `liquid` crate with every filter the checker accepts, and
//! partials by name.

use std::collections::BTreeMap;

use std::sync::Arc;

use liquid::partials::{EagerCompiler, InMemorySource};
use liquid_lib::stdlib;

use super::assignment::{AssignTag, CaptureBlock};
use super::bounded_filter::{Bounded, Growth};
use super::budget::{self, BoundedWriter, MAX_OUTPUT_BYTES};
use super::filters_impl::*;
use super::loops::{ForBlock, TableRowBlock};
use super::TemplateLocale;

/// A configured Liquid parser.
pub type Engine = liquid::Parser;

/// A parser with standard Liquid's filters, tailor's own (`money` and `date` in `locale`),
/// `partials` (name to source), and tailor's budgeted `for`, `tablerow`, `assign` and
/// `capture` ([`budget`]) in place of the crate's.
pub fn engine(partials: &BTreeMap<String, String>, locale: &TemplateLocale) -> Result<Engine, String> {
    engine_with_catalog(partials, locale, ProductCatalog::default())
}

/// [`engine`] whose `product` filter reads `catalog` (filled by the renderer from the data).
pub fn engine_with_catalog(
    partials: &BTreeMap<String, String>,
    locale: &TemplateLocale,
    catalog: ProductCatalog,
) -> Result<Engine, String> {
    let locale = Arc::new(locale.clone());
    let mut source = InMemorySource::new();
    for (name, text) in partials {
        source.add(name.as_str(), text.as_str());
    }
    liquid::ParserBuilder::with_stdlib()
        .filter(Find)
        .filter(FindIndex)
        .filter(Has)
        .filter(Reject)
        .filter(Sum)
        .filter(RemoveLast)
        .filter(Bounded::new(ReplaceLast, Growth::Replaced))
        // The standard filters that can outgrow their input, checked before they run.
        .filter(Bounded::new(stdlib::Append, Growth::Sum))
        .filter(Bounded::new(stdlib::Prepend, Growth::Sum))
        .filter(Bounded::new(stdlib::Concat, Growth::Sum))
        .filter(Bounded::new(stdlib::Join, Growth::Joined))
        .filter(Bounded::new(stdlib::Replace, Growth::Replaced))
        .filter(Bounded::new(stdlib::ReplaceFirst, Growth::Replaced))
        .filter(Base64Encode)
        .filter(Base64Decode)
        .filter(Base64UrlSafeEncode)
        .filter(Base64UrlSafeDecode)
        .filter(Date {
            locale: Arc::clone(&locale),
        })
        .filter(Money { locale })
        .filter(UrlParam)
        .filter(Pluralize)
        .filter(Product { catalog })
        .filter(Raw)
        .filter(SafeUrl)
        .block(ForBlock)
        .block(TableRowBlock)
        .block(CaptureBlock)
        .tag(AssignTag)
        .partials(EagerCompiler::new(source))
        .build()
        .map_err(|e| e.to_string())
}

/// A parsed template, ready to render many times.
pub type Template = liquid::Template;

/// Runs `step`, turning a panic of the `liquid` crate (it has a few on malformed input) into an
/// error, so a template can never crash tailor.
fn guarded<T>(step: impl FnOnce() -> Result<T, String>) -> Result<T, String> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(step))
        .unwrap_or_else(|_| Err("the Liquid engine failed on this template".to_string()))
}

/// Parses `source` once, for rendering many times with [`render_parsed`].
pub fn parse(engine: &Engine, source: &str) -> Result<Template, String> {
    guarded(|| engine.parse(source).map_err(|e| e.to_string()))
}

/// Renders a parsed template with `globals`, within the render budget ([`budget`]): a render
/// that goes over it fails with the reason.
pub fn render_parsed(template: &Template, globals: &liquid::Object) -> Result<String, String> {
    guarded(|| {
        budget::start();
        let mut out = Vec::new();
        let rendered = template.render_to(&mut BoundedWriter::new(&mut out, MAX_OUTPUT_BYTES), globals);
        if let Some(why) = budget::exceeded() {
            return Err(why);
        }
        rendered.map_err(|e| e.to_string())?;
        String::from_utf8(out).map_err(|e| format!("the template rendered invalid UTF-8: {e}"))
    })
}

/// Parses and renders `source` with `globals`.
pub fn render(engine: &Engine, source: &str, globals: &liquid::Object) -> Result<String, String> {
    render_parsed(&parse(engine, source)?, globals)
}
