//! MJML (`.mjml.liquid` templates): MJML markup compiled to email-client-proof HTML with mrml
//! before CSS inlining and MIME, once per template when Liquid only sits where MJML copies it
//! unchanged, else after rendering each message.

use mrml::prelude::render::RenderOptions;

use super::html_tags::{tokens, Token};
use super::masked::Masked;

/// MJML elements whose content is HTML that MJML copies as it is.
const ENDING_TAGS: [&str; 8] = [
    "mj-text",
    "mj-button",
    "mj-raw",
    "mj-table",
    "mj-navbar-link",
    "mj-social-element",
    "mj-accordion-title",
    "mj-accordion-text",
];

/// Attributes whose values MJML copies as they are.
const COPIED_ATTRIBUTES: [&str; 4] = ["href", "src", "alt", "title"];

/// The MJML template `source` compiled to an HTML template once, its Liquid put back, when
/// Liquid only sits inside the HTML of ending tags (`mj-text`, `mj-button`, ...) and in `href`,
/// `src`, `alt` and `title` values, so that MJML's layout (column widths, which sections exist)
/// cannot depend on data, and the compiled HTML kept every Liquid tag once and in order; `None`
/// otherwise (each message is then compiled after rendering).
pub fn compile_mjml_once(source: &str) -> Option<String> {
    let template = Masked::new(source)?;
    if !template.partials.is_empty() || !liquid_only_where_copied(&template) {
        return None;
    }
    let html = compile_mjml(&template.masked).ok()?;
    template.kept_in_order(&html).then(|| template.unmask(&html))
}

/// Whether every placeholder of `template` is in the content of an ending tag or in a copied
/// attribute's value.
fn liquid_only_where_copied(template: &Masked) -> bool {
    let mut open: Vec<String> = Vec::new();
    for token in tokens(&template.masked) {
        match token {
            Token::Tag(tag) => {
                let misplaced = Masked::holds_placeholder(&tag.name)
                    || tag.attributes.iter().any(|(name, value)| {
                        Masked::holds_placeholder(name)
                            || (Masked::holds_placeholder(value) && !COPIED_ATTRIBUTES.contains(&name.as_str()))
                    });
                if misplaced {
                    return false;
                }
                if !tag.name.starts_with("mj") || tag.self_closing {
                    continue;
                }
                if !tag.closing {
                    open.push(tag.name);
                } else if let Some(depth) = open.iter().rposition(|name| *name == tag.name) {
                    open.truncate(depth);
                }
            }
            Token::Text(text) => {
                if Masked::holds_placeholder(text)
                    && !open.last().is_some_and(|name| ENDING_TAGS.contains(&name.as_str()))
                {
                    return false;
                }
            }
        }
    }
    true
}

/// The HTML for the MJML document `markup`.
pub fn compile_mjml(markup: &str) -> Result<String, String> {
    let parsed = mrml::parse(markup).map_err(|e| format!("the rendered MJML does not parse: {e}"))?;
    parsed
        .element
        .render(&RenderOptions::default())
        .map_err(|e| format!("the MJML does not compile: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compiles_mjml_and_reports_broken_markup() {
        let html = compile_mjml(
            "<mjml><mj-body><mj-section><mj-column><mj-text>Hi Ana</mj-text></mj-column></mj-section></mj-body></mjml>",
        )
        .unwrap();
        assert!(html.contains("Hi Ana") && html.contains("<table"), "{html}");
        assert!(compile_mjml("<mjml><mj-body><mj-text>").is_err());
    }

    #[test]
    fn liquid_in_copied_places_is_compiled_once() {
        let source = "<mjml><mj-body><mj-section><mj-column>{% if user.vip %}<mj-text>VIP</mj-text>{% endif %}\
            </mj-column></mj-section></mj-body></mjml>";
        assert_eq!(compile_mjml_once(source), None, "a column's children depend on data");
        let source = "<mjml><mj-body><mj-section><mj-column padding=\"{{ vars.pad }}\"><mj-text>x</mj-text>\
            </mj-column></mj-section></mj-body></mjml>";
        assert_eq!(compile_mjml_once(source), None, "a layout attribute depends on data");
        let source = "<mjml><mj-body><mj-section><mj-column><mj-text>Hi {{ user.first_name }}\
            {% for p in recommendations %}<p><a href=\"{{ p.url }}\">{{ p.name }}</a></p>{% endfor %}</mj-text>\
            <mj-button href=\"{{ unsubscribe_url }}\">Bye</mj-button></mj-column></mj-section></mj-body></mjml>";
        let html = compile_mjml_once(source).expect("compiled once");
        assert!(html.contains("Hi {{ user.first_name }}{% for p in recommendations %}<p><a href=\"{{ p.url }}\">"));
        assert!(html.contains("<a href=\"{{ unsubscribe_url }}\""), "{html}");
    }
}
