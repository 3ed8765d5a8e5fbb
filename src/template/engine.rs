//! The Liquid renderer: the `liquid` crate with every filter the checker accepts, and
//! partials by name.

use std::collections::BTreeMap;

use liquid::partials::{EagerCompiler, InMemorySource};

use super::filters_impl::*;

/// A configured Liquid parser.
pub type Engine = liquid::Parser;

/// A parser with standard Liquid's filters, tailor's own, and `partials` (name to source).
pub fn engine(partials: &BTreeMap<String, String>) -> Result<Engine, String> {
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
        .filter(ReplaceLast)
        .filter(Base64Encode)
        .filter(Base64Decode)
        .filter(Base64UrlSafeEncode)
        .filter(Base64UrlSafeDecode)
        .filter(Date)
        .filter(Money)
        .filter(UrlParam)
        .filter(Pluralize)
        .filter(Raw)
        .partials(EagerCompiler::new(source))
        .build()
        .map_err(|e| e.to_string())
}

/// Parses and renders `source` with `globals`. The `liquid` crate panics on a few malformed
/// inputs; that is turned into an error here, so a template can never crash tailor.
pub fn render(engine: &Engine, source: &str, globals: &liquid::Object) -> Result<String, String> {
    let attempt = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        let template = engine.parse(source).map_err(|e| e.to_string())?;
        template.render(globals).map_err(|e| e.to_string())
    }));
    attempt.unwrap_or_else(|_| Err("the Liquid engine failed on this template".to_string()))
}
