//! MJML (`.mjml.liquid` templates): the Liquid output is MJML markup, compiled to
//! email-client-proof HTML with mrml before CSS inlining and MIME.

use mrml::prelude::render::RenderOptions;

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
}
