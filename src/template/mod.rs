//! Stage 3b, templates (SPEC §6): tailor's own parser of Liquid syntax, the single source of
//! truth for checking templates, and the static checker that types every variable path and
//! filter against the template context.
//!
//! The `liquid` crate exposes no syntax tree, so the parser here is ours; rendering goes through
//! `liquid` ([`engine`]), extended with the filters its standard library lacks.

mod assignment;
mod ast;
mod block_reflection;
mod bounded_filter;
pub mod budget;
mod checker;
mod context;
mod engine;
mod error;
mod escape;
mod filters;
mod filters_impl;
mod globals;
mod locale;
mod loops;
mod markup;
mod parser;
mod partials;
mod shape;
mod tags;

pub use ast::*;
pub use checker::{check_template, PartialLookup, TemplateUse};
pub use context::{ContextBuilder, TemplateContext};
pub use engine::{engine, engine_with_catalog, parse, render, render_parsed, Engine, Template};
pub use error::TemplateError;
pub use escape::{escape_html, escape_outputs};
pub use filters::{FilterSpec, FILTERS};
pub use filters_impl::{ProductCatalog, ProductRows};
pub use globals::pass_globals;
pub use locale::{TemplateLocale, SUPPORTED_LOCALES};
pub use parser::parse_template;
pub use partials::{partial_files, PARTIALS_FOLDER};
pub use shape::{Shape, Value};
