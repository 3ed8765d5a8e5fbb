//! The engine that renders a workspace's templates of one kind: its partials, and what its
//! filters read (locale, catalog).

use std::collections::BTreeMap;
use std::sync::Arc;

use super::filters_impl::{FilterEnv, ProductCatalog};
use super::interpreter::Render;
use super::parsed::{Partials, Template};
use super::render_error::RenderError;
use super::value::{LiquidValue, Object};
use super::TemplateLocale;

/// Renders templates of one kind (HTML: outputs escaped, or text) with a workspace's partials,
/// locale and catalog. Shared by rendering threads.
pub struct Engine {
    /// Its partials.
    partials: Partials,
    /// What filters need: the locale and the catalog.
    filters: FilterEnv,
    /// Whether its templates are HTML.
    html: bool,
}

impl Engine {
    /// An engine for HTML (`html`) or text templates with `partials` (name to source) and the
    /// workspace's locale and currency (`money`, `date`).
    pub fn new(partials: &BTreeMap<String, String>, locale: &TemplateLocale, html: bool) -> Engine {
        Engine::with_catalog(partials, locale, html, ProductCatalog::default())
    }

    /// [`Engine::new`] whose `product` filter reads `catalog` (filled by the renderer).
    pub fn with_catalog(
        partials: &BTreeMap<String, String>,
        locale: &TemplateLocale,
        html: bool,
        catalog: ProductCatalog,
    ) -> Engine {
        Engine {
            partials: Partials::parse(partials, html),
            filters: FilterEnv {
                locale: locale.clone(),
                catalog,
            },
            html,
        }
    }

    /// Parses `source` as a template of this engine's kind.
    pub fn parse(&self, source: &str) -> Result<Template, RenderError> {
        Template::parse(source, self.html)
    }

    /// Renders `template` with `globals`, within the render budget.
    pub fn render(&self, template: &Template, globals: &Object) -> Result<String, RenderError> {
        Render::new(&self.partials, &self.filters, globals).template(template)
    }

    /// Parses and renders `source` with `globals`.
    pub fn render_source(&self, source: &str, globals: &Object) -> Result<String, RenderError> {
        self.render(&self.parse(source)?, globals)
    }
}

/// Globals from a JSON object.
pub fn globals_from_json(json: &serde_json::Value) -> Object {
    match LiquidValue::from_json(json) {
        LiquidValue::Object(object) => Arc::unwrap_or_clone(object),
        _ => Object::new(),
    }
}
