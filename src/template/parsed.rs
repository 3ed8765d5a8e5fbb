//! Templates ready to render: parsed once by the parser `check` uses, outputs marked for
//! escaping when the template is HTML, filters resolved and their arguments counted; the
//! renderer ([`super::interpreter`]) walks that tree.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use super::ast::Node;
use super::escape::mark_escapes;
use super::filters::FilterSpec;
use super::parser::parse_template;
use super::render_error::RenderError;
use super::visit::visit_chains;
use crate::diag::suggestion_hint;

/// A parsed template: its source and syntax tree.
#[derive(Debug)]
pub struct Template {
    source: Arc<str>,
    nodes: Vec<Node>,
}

impl Template {
    /// Parses `source`; in an HTML template (`html`) every output is marked to be escaped
    /// (SPEC §6). Unknown filters and wrong numbers of filter arguments are errors here.
    pub fn parse(source: &str, html: bool) -> Result<Template, RenderError> {
        let mut nodes = parse_template(source).map_err(|e| RenderError::syntax(source, &e))?;
        if html {
            mark_escapes(source, &mut nodes);
        }
        let mut problem = None;
        visit_chains(&nodes, &mut |chain| {
            for filter in &chain.filters {
                if problem.is_some() {
                    return;
                }
                let name = filter.name.text.as_str();
                let positional = filter.args.iter().filter(|a| a.key.is_none()).count();
                problem = match FilterSpec::find(name) {
                    None => {
                        let names = super::FILTERS.iter().map(|f| f.name);
                        let hint = suggestion_hint(name, names).map_or(String::new(), |h| format!(" ({h})"));
                        Some((filter.span.start, format!("unknown filter `{name}`{hint}")))
                    }
                    Some(spec) if positional < spec.min_args || positional > spec.max_args() => Some((
                        filter.span.start,
                        format!(
                            "`{name}` takes {} argument{}, not {positional}",
                            arity(spec),
                            if spec.max_args() == 1 { "" } else { "s" }
                        ),
                    )),
                    Some(_) => None,
                };
            }
        });
        let template = Template {
            source: Arc::from(source),
            nodes,
        };
        match problem {
            Some((at, message)) => Err(RenderError::at(source, at..at, message)),
            None => Ok(template),
        }
    }

    /// The source it was parsed from.
    pub fn source(&self) -> &str {
        &self.source
    }

    /// Its syntax tree.
    pub fn nodes(&self) -> &[Node] {
        &self.nodes
    }
}

/// How many positional arguments a filter takes, in words.
fn arity(spec: &FilterSpec) -> String {
    match (spec.min_args, spec.max_args()) {
        (min, max) if min == max => min.to_string(),
        (0, max) => format!("at most {max}"),
        (min, max) => format!("{min} to {max}"),
    }
}

/// A workspace's partials by name, parsed (or why they do not parse).
#[derive(Debug, Default)]
pub struct Partials(HashMap<String, Result<Arc<Template>, RenderError>>);

impl Partials {
    /// `sources` (name to source) parsed as HTML (`html`) or text templates.
    pub fn parse(sources: &BTreeMap<String, String>, html: bool) -> Partials {
        Partials(
            sources
                .iter()
                .map(|(name, source)| (name.clone(), Template::parse(source, html).map(Arc::new)))
                .collect(),
        )
    }

    /// The partial called `name`.
    pub fn get(&self, name: &str) -> Result<Arc<Template>, String> {
        match self.0.get(name) {
            Some(Ok(template)) => Ok(Arc::clone(template)),
            Some(Err(error)) => Err(format!("the partial `{name}` does not parse: {error}")),
            None => Err(format!("there is no partial `{name}`")),
        }
    }
}
