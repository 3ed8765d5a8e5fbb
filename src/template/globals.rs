//! `render`ed partials see the template's globals (`user`, `vars`, ...) but not its local
//! variables, as the checker assumes. The `liquid` crate's `render` sees nothing it is not
//! passed, so each `render` tag is rewritten to pass the globals as keyword arguments.

use super::ast::Node;
use super::error::TemplateError;
use super::parser::parse_template;

/// The template with `, name: name` added to every `render` tag for each of `globals`.
pub fn pass_globals(source: &str, globals: &[&str]) -> Result<String, TemplateError> {
    let nodes = parse_template(source)?;
    let mut insertions = Vec::new();
    collect(&nodes, source, &mut insertions);
    insertions.sort_unstable();
    let arguments: String = globals.iter().map(|g| format!(", {g}: {g}")).collect();
    let mut out = String::with_capacity(source.len() + insertions.len() * arguments.len());
    let mut last = 0;
    for at in insertions {
        out.push_str(&source[last..at]);
        out.push_str(&arguments);
        last = at;
    }
    out.push_str(&source[last..]);
    Ok(out)
}

/// Where each `render` tag's arguments end: before its closing `%}` (or `-%}`).
fn collect(nodes: &[Node], source: &str, insertions: &mut Vec<usize>) {
    for node in nodes {
        match node {
            Node::Partial {
                include: false, span, ..
            } => {
                let tag = &source[span.clone()];
                let close = tag.trim_end_matches("%}");
                let close = close.strip_suffix('-').unwrap_or(close).trim_end();
                insertions.push(span.start + close.len());
            }
            Node::If {
                branches, otherwise, ..
            } => {
                branches.iter().for_each(|(_, body)| collect(body, source, insertions));
                otherwise.iter().for_each(|body| collect(body, source, insertions));
            }
            Node::Case { whens, otherwise, .. } => {
                whens.iter().for_each(|(_, body)| collect(body, source, insertions));
                otherwise.iter().for_each(|body| collect(body, source, insertions));
            }
            Node::Loop { body, otherwise, .. } => {
                collect(body, source, insertions);
                otherwise.iter().for_each(|body| collect(body, source, insertions));
            }
            Node::Capture { body, .. } | Node::IfChanged(body) => collect(body, source, insertions),
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passes_globals_to_render_but_not_include() {
        let source = "{% render 'footer' %}{% if x %}{%- render 'card', item: x -%}{% endif %}{% include 'y' %}";
        assert_eq!(
            pass_globals(source, &["user", "now"]).unwrap(),
            "{% render 'footer', user: user, now: now %}{% if x %}{%- render 'card', item: x, user: user, now: now -%}{% endif %}{% include 'y' %}"
        );
    }
}
