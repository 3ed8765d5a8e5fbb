//! CSS inlined once per HTML template instead of once per rendered message.
//!
//! The template's Liquid markup is replaced by placeholders, css-inline moves the `<style>` rules
//! of the masked template into `style` attributes, and the markup is put back. That is done only
//! when it gives what inlining every rendered message would; otherwise [`inline_once`] answers
//! `None` and each message is inlined after rendering, as before. It is the same when:
//! - every selector is made of element names, classes and ids joined by descendant or child
//!   combinators (no pseudo-classes, attribute, sibling or universal selectors, no at-rules), so
//!   whether an element matches depends only on its own tag and its ancestors;
//! - no Liquid sits in a tag name, an attribute name, a `class`, `id` or `style` value, or a
//!   `<style>` element, so each element's tag is known before rendering;
//! - the HTML of each branch of a Liquid block is balanced, so an element's ancestors do not depend
//!   on which branch renders or how often a loop runs;
//! - no `capture` (its markup is output elsewhere), `cycle` or `raw` output (HTML from data, which
//!   rules could match);
//! - partials are `render`ed by name, balanced, without `<style>` and without any element a rule
//!   could match;
//! - parsing the masked template kept every element and placeholder in order (text is not moved
//!   out of a table, no element is reopened).

use std::collections::BTreeMap;

use super::html_tags::{tokens, Tag, Token};
use super::masked::Masked;

/// The CSS inliner for messages: `<style>` rules go into `style` attributes, at-rules (media
/// queries) stay in a `<style>`, remote stylesheets are never fetched (MJML's font links stay
/// links).
pub fn css_inliner() -> css_inline::CSSInliner<'static> {
    css_inline::CSSInliner::options()
        .load_remote_stylesheets(false)
        .keep_at_rules(true)
        .build()
}

/// `source` with its `<style>` rules inlined, when that is the same as inlining each rendered
/// message (see the module's comment); `partials` are the HTML partials' sources by name.
pub fn inline_once(
    inliner: &css_inline::CSSInliner,
    source: &str,
    partials: &BTreeMap<String, String>,
) -> Option<String> {
    let template = Masked::new(source)?;
    if !tags_static(&template) {
        return None;
    }
    let selectors = selectors(&style_sheet(&template)?)?;
    for name in &template.partials {
        let partial = Masked::new(partials.get(name)?)?;
        let untouched = partial.partials.is_empty()
            && partial.balanced_at_top
            && tags_static(&partial)
            && !partial.masked.contains("<style")
            && !partial
                .start_tags()
                .any(|tag| selectors.iter().any(|s| s.matches(&tag)));
        if !untouched {
            return None;
        }
    }
    if !template.masked.contains("<style") {
        return Some(source.to_string());
    }
    let inlined = inliner.inline(&template.masked).ok()?;
    (Masked::skeleton(&template.masked) == Masked::skeleton(&inlined)).then(|| template.unmask(&inlined))
}

/// No placeholder where it would decide which rules match an element.
fn tags_static(template: &Masked) -> bool {
    template.start_tags().all(|tag| {
        !Masked::holds_placeholder(&tag.name)
            && tag.attributes.iter().all(|(name, value)| {
                !Masked::holds_placeholder(name)
                    && !(matches!(name.as_str(), "class" | "id" | "style") && Masked::holds_placeholder(value))
            })
    })
}

/// The text of the `<style>` elements; `None` when Liquid is inside one.
fn style_sheet(template: &Masked) -> Option<String> {
    let mut sheet = String::new();
    let mut in_style = false;
    for token in tokens(&template.masked) {
        match token {
            Token::Tag(tag) if tag.name == "style" => in_style = !tag.closing,
            Token::Text(text) if in_style => {
                if Masked::holds_placeholder(text) {
                    return None;
                }
                sheet.push_str(text);
            }
            _ => {}
        }
    }
    Some(sheet)
}

/// The rightmost part of a selector: what an element must be to match it.
#[derive(Debug, PartialEq)]
struct Compound {
    element: Option<String>,
    classes: Vec<String>,
    id: Option<String>,
}

impl Compound {
    /// Whether `tag` is such an element (its ancestors aside).
    fn matches(&self, tag: &Tag) -> bool {
        let classes: Vec<&str> = tag.attribute("class").unwrap_or("").split_ascii_whitespace().collect();
        self.element.as_deref().is_none_or(|e| e == tag.name)
            && self.classes.iter().all(|c| classes.contains(&c.as_str()))
            && self.id.as_deref().is_none_or(|id| tag.attribute("id") == Some(id))
    }
}

/// The rightmost compound of every selector of `sheet`'s rules; `None` when a rule uses more
/// than element names, classes, ids and descendant or child combinators. At-rules (`@media`,
/// `@font-face`, `@import`) are left aside: they are never inlined, only kept.
fn selectors(sheet: &str) -> Option<Vec<Compound>> {
    let mut sheet = sheet.to_string();
    while let Some(start) = sheet.find("/*") {
        let end = sheet[start..].find("*/").map_or(sheet.len(), |n| start + n + 2);
        sheet.replace_range(start..end, " ");
    }
    if sheet.contains('\\') {
        return None;
    }
    let mut compounds = Vec::new();
    for rule in without_at_rules(&sheet)?.split('}') {
        let Some((selector_list, _)) = rule.split_once('{') else {
            if rule.trim().is_empty() {
                continue;
            }
            return None;
        };
        for selector in selector_list.split(',') {
            let allowed = |c: char| c.is_ascii_alphanumeric() || "-_.#> \t\r\n".contains(c);
            if selector.trim().is_empty() || !selector.chars().all(allowed) {
                return None;
            }
            let last = selector
                .trim()
                .rsplit(|c: char| c == '>' || c.is_ascii_whitespace())
                .next()?;
            compounds.push(compound(last)?);
        }
    }
    Some(compounds)
}

/// `sheet` without its at-rules (a statement up to `;`, or a block with its nested braces);
/// `None` when braces do not balance.
fn without_at_rules(sheet: &str) -> Option<String> {
    let mut kept = String::with_capacity(sheet.len());
    let mut rest = sheet;
    while let Some(at) = rest.find('@') {
        kept.push_str(&rest[..at]);
        let statement = &rest[at..];
        let end = match (statement.find(';'), statement.find('{')) {
            (Some(semicolon), Some(brace)) if semicolon < brace => semicolon + 1,
            (Some(semicolon), None) => semicolon + 1,
            (_, Some(brace)) => {
                let mut depth = 0usize;
                let close = statement[brace..].char_indices().find_map(|(i, c)| {
                    match c {
                        '{' => depth += 1,
                        '}' => depth -= 1,
                        _ => {}
                    }
                    (depth == 0).then_some(brace + i + 1)
                });
                close?
            }
            (None, None) => return None,
        };
        rest = &statement[end..];
    }
    kept.push_str(rest);
    Some(kept)
}

/// `p.note#top` as a [`Compound`].
fn compound(text: &str) -> Option<Compound> {
    // Each name with the marker before it (none before the element name).
    let mut pieces = Vec::new();
    let (mut marker, mut start) = (None, 0);
    for (i, c) in text.char_indices().filter(|(_, c)| matches!(c, '.' | '#')) {
        pieces.push((marker, &text[start..i]));
        (marker, start) = (Some(c), i + 1);
    }
    pieces.push((marker, &text[start..]));
    let mut compound = Compound {
        element: None,
        classes: Vec::new(),
        id: None,
    };
    for (marker, name) in pieces {
        match marker {
            None if name.is_empty() => {}
            None => compound.element = Some(name.to_ascii_lowercase()),
            Some(_) if name.is_empty() => return None,
            Some('.') => compound.classes.push(name.to_string()),
            Some(_) => compound.id = Some(name.to_string()),
        }
    }
    (compound.element.is_some() || !compound.classes.is_empty() || compound.id.is_some()).then_some(compound)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn once(source: &str) -> Option<String> {
        let partials = BTreeMap::from([
            ("plain".to_string(), "<hr><p>{{ unsubscribe_url }}</p>".to_string()),
            ("styled".to_string(), "<p class=\"cta\">x</p>".to_string()),
        ]);
        inline_once(&css_inliner(), source, &partials)
    }

    const STYLE: &str = "<html><head><style>.cta { color: red } ul > li a { color: blue }</style></head><body>";

    #[test]
    fn rules_land_on_the_template_and_liquid_comes_back_unchanged() {
        let source = format!(
            "{STYLE}<p class=\"cta\">Hi {{{{ user.first_name | default: \"you\" }}}}</p><ul>\
             {{% for p in recommendations %}}<li><a href=\"{{{{ p.url | url_param: 'a', 'b' }}}}\">{{{{ p.name }}}}</a></li>\
             {{% endfor %}}</ul>{{% render 'plain' %}}</body></html>"
        );
        let inlined = once(&source).expect("inlined once");
        assert!(
            inlined.contains("<p class=\"cta\" style=\"color: red;\">Hi {{ user.first_name | default: \"you\" }}</p>")
        );
        assert!(inlined.contains(
            "<li><a href=\"{{ p.url | url_param: 'a', 'b' }}\" style=\"color: blue;\">{{ p.name }}</a></li>{% endfor %}"
        ));
        assert!(!inlined.contains("<style"));
    }

    #[test]
    fn templates_whose_matching_depends_on_data_are_left_to_each_message() {
        let cases = [
            // Liquid decides the class, or sits in the style sheet.
            format!("{STYLE}<p class=\"{{{{ user.tier }}}}\">x</p>"),
            "<style>p { color: {{ vars.color }} }</style><p>x</p>".to_string(),
            // Structural selectors, at-rules.
            "<style>li:first-child { color: red }</style><ul><li>x</li></ul>".to_string(),
            "<style>@media (max-width: 600px) { p { color: red } } li + li { color: red }</style><p>x</p>".to_string(),
            // A branch opens an element it does not close.
            format!("{STYLE}{{% if user.vip %}}<div class=\"cta\">{{% endif %}}<p>x</p>"),
            // Markup from data, captured markup.
            format!("{STYLE}<p>{{{{ user.bio | raw }}}}</p>"),
            format!("{STYLE}{{% capture c %}}<p class=\"cta\">x</p>{{% endcapture %}}{{{{ c }}}}"),
            // A partial with an element a rule matches.
            format!("{STYLE}{{% render 'styled' %}}"),
            // Text the parser would move out of the table.
            format!("{STYLE}<table>{{% for p in recommendations %}}<tr><td>{{{{ p.name }}}}</td></tr>{{% endfor %}}</table>"),
        ];
        for source in cases {
            assert_eq!(once(&source), None, "{source}");
        }
    }

    #[test]
    fn a_template_without_style_is_kept_as_it_is() {
        let source = "<p>{{ user.first_name }}</p>{% render 'plain' %}";
        assert_eq!(once(source).as_deref(), Some(source));
    }

    #[test]
    fn compounds_parse() {
        assert_eq!(
            compound("p.a.b#top"),
            Some(Compound {
                element: Some("p".into()),
                classes: vec!["a".into(), "b".into()],
                id: Some("top".into())
            })
        );
        assert_eq!(compound("p..a"), None);
        assert_eq!(compound(""), None);
    }
}
