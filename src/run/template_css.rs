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
use std::ops::Range;

use super::html_tags::Tag;
use crate::template::{parse_template, FilterChain, Node, PartialName};

/// Starts and ends a placeholder's number.
const OPEN: char = '\u{E000}';
const CLOSE: char = '\u{E001}';

/// Elements whose content is text up to their end tag.
const RAW_TEXT: [&str; 5] = ["style", "script", "title", "textarea", "xmp"];

/// Elements that cannot have content.
const VOID: [&str; 14] = [
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source", "track", "wbr",
];

/// Elements the HTML parser adds or drops by itself.
const IMPLIED: [&str; 5] = ["html", "head", "body", "tbody", "style"];

/// `source` with its `<style>` rules inlined, when that is the same as inlining each rendered
/// message (see the module's comment); `partials` are the HTML partials' sources by name.
pub fn inline_once(
    inliner: &css_inline::CSSInliner,
    source: &str,
    partials: &BTreeMap<String, String>,
) -> Option<String> {
    let template = Masked::new(source)?;
    if !template.tags_static() {
        return None;
    }
    let selectors = selectors(&template.style_sheet()?)?;
    for name in &template.partials {
        let partial = Masked::new(partials.get(name)?)?;
        let untouched = partial.partials.is_empty()
            && partial.balanced_at_top
            && partial.tags_static()
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
    (skeleton(&template.masked) == skeleton(&inlined)).then(|| template.unmask(&inlined))
}

/// A template with its Liquid markup replaced by numbered placeholders.
struct Masked {
    masked: String,
    /// The markup of each placeholder.
    markup: Vec<String>,
    /// The partials it renders.
    partials: Vec<String>,
    /// Its top-level HTML is balanced too (required of partials).
    balanced_at_top: bool,
}

impl Masked {
    /// `None` when the template holds what the module's comment rules out.
    fn new(source: &str) -> Option<Masked> {
        let nodes = parse_template(source).ok()?;
        let mut walk = Walk::default();
        if !walk.nodes(&nodes, source) {
            return None;
        }
        let (mut masked, mut markup, mut end) = (String::new(), Vec::new(), 0);
        for text in walk.texts.iter().chain([&(source.len()..source.len())]) {
            if text.start > end {
                masked.push_str(&format!("{OPEN}{}{CLOSE}", markup.len()));
                markup.push(source[end..text.start].to_string());
            }
            masked.push_str(&source[text.clone()]);
            end = text.end;
        }
        let suspicious = ["<\u{E000}", "</\u{E000}", "&\u{E000}"];
        if suspicious.iter().any(|s| masked.contains(s)) {
            return None;
        }
        let top: String = nodes
            .iter()
            .filter_map(|n| match n {
                Node::Text(range) => Some(&source[range.clone()]),
                _ => None,
            })
            .collect();
        Some(Masked {
            balanced_at_top: balanced(&top),
            masked,
            markup,
            partials: walk.partials,
        })
    }

    /// The start tags of the masked HTML.
    fn start_tags(&self) -> impl Iterator<Item = Tag> + '_ {
        tokens(&self.masked).into_iter().filter_map(|token| match token {
            Token::Tag(tag) if !tag.closing => Some(tag),
            _ => None,
        })
    }

    /// No placeholder where it would decide which rules match an element.
    fn tags_static(&self) -> bool {
        self.start_tags().all(|tag| {
            !tag.name.contains(OPEN)
                && tag.attributes.iter().all(|(name, value)| {
                    !name.contains(OPEN) && !(matches!(name.as_str(), "class" | "id" | "style") && value.contains(OPEN))
                })
        })
    }

    /// The text of its `<style>` elements; `None` when Liquid is inside one.
    fn style_sheet(&self) -> Option<String> {
        let mut sheet = String::new();
        let mut in_style = false;
        for token in tokens(&self.masked) {
            match token {
                Token::Tag(tag) if tag.name == "style" => in_style = !tag.closing,
                Token::Text(text) if in_style => {
                    if text.contains(OPEN) {
                        return None;
                    }
                    sheet.push_str(text);
                }
                _ => {}
            }
        }
        Some(sheet)
    }

    /// `html` (the masked template after inlining) with the markup put back.
    fn unmask(&self, html: &str) -> String {
        let mut out = String::with_capacity(html.len() + self.markup.iter().map(String::len).sum::<usize>());
        let mut rest = html;
        while let Some(at) = rest.find(OPEN) {
            out.push_str(&rest[..at]);
            let after = &rest[at + OPEN.len_utf8()..];
            let close = after.find(CLOSE).unwrap_or(after.len());
            match after[..close].parse::<usize>().ok().and_then(|n| self.markup.get(n)) {
                Some(markup) => out.push_str(markup),
                None => out.push_str(&rest[at..at + OPEN.len_utf8() + close]),
            }
            rest = after.get(close + CLOSE.len_utf8()..).unwrap_or("");
        }
        out.push_str(rest);
        out
    }
}

/// What walking a template's nodes collects.
#[derive(Default)]
struct Walk {
    texts: Vec<Range<usize>>,
    partials: Vec<String>,
}

impl Walk {
    /// Collects text and partials; false when a node rules out inlining once.
    fn nodes(&mut self, nodes: &[Node], source: &str) -> bool {
        nodes.iter().all(|node| match node {
            Node::Text(range) => {
                self.texts.push(range.clone());
                true
            }
            Node::Output(chain) | Node::Echo(chain) => !is_raw(chain),
            Node::If {
                branches, otherwise, ..
            } => branches
                .iter()
                .map(|(_, body)| body)
                .chain(otherwise)
                .all(|body| self.block(body, source)),
            Node::Case { whens, otherwise, .. } => whens
                .iter()
                .map(|(_, body)| body)
                .chain(otherwise)
                .all(|body| self.block(body, source)),
            Node::Loop { body, otherwise, .. } => {
                self.block(body, source) && otherwise.iter().all(|body| self.block(body, source))
            }
            Node::IfChanged(body) => self.block(body, source),
            Node::Partial {
                include: false,
                name: PartialName::Static(name),
                ..
            } => {
                self.partials.push(name.text.clone());
                true
            }
            Node::Partial { .. } | Node::Capture { .. } | Node::Cycle { .. } => false,
            Node::Assign { .. } | Node::Counter { .. } | Node::LoopControl(_) => true,
        })
    }

    /// A block's body: its own HTML balanced, and its nodes acceptable.
    fn block(&mut self, body: &[Node], source: &str) -> bool {
        let own: String = body
            .iter()
            .filter_map(|n| match n {
                Node::Text(range) => Some(&source[range.clone()]),
                _ => None,
            })
            .collect();
        balanced(&own) && self.nodes(body, source)
    }
}

/// Whether an output ends in `raw` (not escaped).
fn is_raw(chain: &FilterChain) -> bool {
    chain.filters.iter().any(|f| f.name.text == "raw")
}

/// Whether every element opened in `html` is closed in it, in order.
fn balanced(html: &str) -> bool {
    let mut open: Vec<String> = Vec::new();
    for token in tokens(html) {
        if let Token::Tag(tag) = token {
            if tag.self_closing || VOID.contains(&tag.name.as_str()) {
                continue;
            }
            if !tag.closing {
                open.push(tag.name);
            } else if open.pop().as_deref() != Some(tag.name.as_str()) {
                return false;
            }
        }
    }
    open.is_empty()
}

/// A piece of HTML.
enum Token<'h> {
    Tag(Tag),
    /// Text, or the content of a raw-text element.
    Text(&'h str),
}

/// The tags and text of `html`; comments and declarations left out.
fn tokens(html: &str) -> Vec<Token<'_>> {
    let mut tokens = Vec::new();
    let mut i = 0;
    while i < html.len() {
        let rest = &html[i..];
        let text_end = |from: usize| rest[from..].find('<').map_or(rest.len(), |n| from + n);
        if !rest.starts_with('<') {
            let end = text_end(0);
            tokens.push(Token::Text(&rest[..end]));
            i += end;
        } else if rest.starts_with("<!--") {
            i += rest.find("-->").map_or(rest.len(), |n| n + 3);
        } else if rest.starts_with("<!") || rest.starts_with("<?") {
            i += rest.find('>').map_or(rest.len(), |n| n + 1);
        } else if let Some(tag) = Tag::parse(rest) {
            i += tag.length;
            let raw = !tag.closing && !tag.self_closing && RAW_TEXT.contains(&tag.name.as_str());
            let name = tag.name.clone();
            tokens.push(Token::Tag(tag));
            if raw {
                let content = &html[i..];
                let end = content
                    .to_ascii_lowercase()
                    .find(&format!("</{name}"))
                    .unwrap_or(content.len());
                tokens.push(Token::Text(&content[..end]));
                i += end;
            }
        } else {
            let end = text_end(1);
            tokens.push(Token::Text(&rest[..end]));
            i += end;
        }
    }
    tokens
}

/// The elements (but those the parser adds itself) and placeholders of `html`, in order.
fn skeleton(html: &str) -> Vec<String> {
    let mut items = Vec::new();
    for token in tokens(html) {
        match token {
            Token::Tag(tag) if !tag.closing && !IMPLIED.contains(&tag.name.as_str()) => items.push(tag.name),
            Token::Tag(_) => {}
            Token::Text(text) => {
                let mut rest = text;
                while let Some(at) = rest.find(OPEN) {
                    let after = &rest[at..];
                    let end = after.find(CLOSE).map_or(after.len(), |n| n + CLOSE.len_utf8());
                    items.push(after[..end].to_string());
                    rest = &after[end..];
                }
            }
        }
    }
    items
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

/// The rightmost compound of every selector of `sheet`; `None` when a rule uses more than
/// element names, classes, ids and descendant or child combinators.
fn selectors(sheet: &str) -> Option<Vec<Compound>> {
    let mut sheet = sheet.to_string();
    while let Some(start) = sheet.find("/*") {
        let end = sheet[start..].find("*/").map_or(sheet.len(), |n| start + n + 2);
        sheet.replace_range(start..end, " ");
    }
    if sheet.contains(['@', '\\']) {
        return None;
    }
    let mut compounds = Vec::new();
    for rule in sheet.split('}') {
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

    fn inliner() -> css_inline::CSSInliner<'static> {
        css_inline::CSSInliner::options().load_remote_stylesheets(false).build()
    }

    fn once(source: &str) -> Option<String> {
        let partials = BTreeMap::from([
            ("plain".to_string(), "<hr><p>{{ unsubscribe_url }}</p>".to_string()),
            ("styled".to_string(), "<p class=\"cta\">x</p>".to_string()),
        ]);
        inline_once(&inliner(), source, &partials)
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
            "<style>@media (max-width: 600px) { p { color: red } }</style><p>x</p>".to_string(),
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
