//! Stage 3b, templates (SPEC §6): tailor's own Liquid — one parser, the single source of truth
//! for checking and rendering; the static checker that types every variable path and filter
//! against the template context; escaping as a property of output nodes; and the renderer,
//! which walks the same syntax tree with Shopify's semantics within a render budget.

mod ast;
pub mod budget;
mod checker;
mod context;
mod engine;
mod error;
mod escape;
mod filters;
mod filters_impl;
mod interpreter;
mod locale;
mod markup;
mod parsed;
mod parser;
mod partials;
mod render_error;
mod scope;
mod shape;
mod tags;
mod value;
mod visit;

pub use ast::*;
pub use checker::{check_template, PartialLookup, TemplateUse};
pub use context::{ContextBuilder, TemplateContext};
pub use engine::{globals_from_json, Engine};
pub use error::TemplateError;
pub use escape::escape_html;
pub use filters::{FilterSpec, FILTERS};
pub use filters_impl::{safe_url, ProductCatalog, ProductRows};
pub use locale::{TemplateLocale, SUPPORTED_LOCALES};
pub use parsed::Template;
pub use parser::parse_template;
pub use partials::{partial_files, PARTIALS_FOLDER};
pub use render_error::RenderError;
pub use shape::{Shape, Value};
pub use value::{object_from_json, LiquidValue, Object};
pub use visit::visit;
