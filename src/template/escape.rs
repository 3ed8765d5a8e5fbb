//! HTML auto-escaping (SPEC §6): every output of an HTML template is HTML-escaped, unless its
//! last filter is `raw`, it already ends in `escape`/`escape_once`, or it prints a `capture`d
//! variable (whose own outputs were escaped when captured). An output that starts the value of
//! a URL attribute (`href="{{ … }}"`, `src=`) is also made a safe URL, so a `javascript:` URL
//! from data never becomes a live link.
//!
//! Escaping is a property of each output node ([`OutputEscape`]), set once when an HTML
//! template is parsed; the renderer applies it.

use std::collections::BTreeSet;

use super::ast::{ExpressionKind, FilterChain, Node, OutputEscape};
use super::visit::{visit, visit_mut};

/// `text` with `& < > " '` written as `&amp; &lt; &gt; &quot; &#39;` (SPEC §6): safe in HTML
/// and XML text and attribute values.
pub fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 8);
    escape_html_into(text, &mut out);
    out
}

/// Appends `text` HTML-escaped ([`escape_html`]) to `out`.
pub fn escape_html_into(text: &str, out: &mut String) {
    let mut rest = text;
    while let Some(at) = rest.find(['&', '<', '>', '"', '\'']) {
        out.push_str(&rest[..at]);
        out.push_str(match rest.as_bytes()[at] {
            b'&' => "&amp;",
            b'<' => "&lt;",
            b'>' => "&gt;",
            b'"' => "&quot;",
            _ => "&#39;",
        });
        rest = &rest[at + 1..];
    }
    out.push_str(rest);
}

/// Filters after which a value is already safe to print in HTML.
const SAFE_LAST_FILTERS: [&str; 3] = ["raw", "escape", "escape_once"];

/// Attributes whose value is a URL a reader's mail program may follow or load.
const URL_ATTRIBUTES: [&str; 5] = ["href", "src", "action", "formaction", "background"];

/// Marks every output of an HTML template's `nodes` (parsed from `source`) with how it is
/// made safe.
pub fn mark_escapes(source: &str, nodes: &mut [Node]) {
    let mut captured = BTreeSet::new();
    visit(nodes, &mut |node| {
        if let Node::Capture { name, .. } = node {
            captured.insert(name.text.clone());
        }
    });
    visit_mut(nodes, &mut |node| {
        let (url, chain) = match node {
            Node::Output(chain) => (starts_url_attribute(&source[..chain.span.start]), chain),
            Node::Echo(chain) => (false, chain),
            _ => return,
        };
        chain.escape = match (url, needs_escape(chain, &captured), chain.filters.is_empty()) {
            (true, true, _) => OutputEscape::UrlThenHtml,
            (false, true, _) => OutputEscape::Html,
            // Already escaped or raw: the URL check goes before that last filter.
            (true, false, false) => OutputEscape::UrlBeforeLastFilter,
            // A captured variable, already escaped.
            (true, false, true) => OutputEscape::Url,
            (false, false, _) => OutputEscape::AsIs,
        };
    });
}

/// Whether the output whose `{{` ends just before `before` starts a URL attribute's value:
/// the source ends in `{{` (or `{{-`) after `href=`, `src="` and the like.
fn starts_url_attribute(before: &str) -> bool {
    let Some(open) = before
        .trim_end()
        .strip_suffix("{{")
        .or_else(|| before.trim_end().strip_suffix("{{-"))
    else {
        return false;
    };
    let value_start = open.strip_suffix(['"', '\'']).unwrap_or(open).trim_end();
    let Some(name_end) = value_start.strip_suffix('=') else {
        return false;
    };
    let name_end = name_end.trim_end();
    let name_start = name_end
        .rfind(|c: char| !(c.is_ascii_alphanumeric() || c == '-' || c == ':'))
        .map_or(0, |i| i + 1);
    URL_ATTRIBUTES.contains(&name_end[name_start..].to_ascii_lowercase().as_str())
}

fn needs_escape(chain: &FilterChain, captured: &BTreeSet<String>) -> bool {
    if chain
        .filters
        .last()
        .is_some_and(|f| SAFE_LAST_FILTERS.contains(&f.name.text.as_str()))
    {
        return false;
    }
    let captured_root = matches!(&chain.value.kind, ExpressionKind::Path(p) if p.segments.is_empty() && captured.contains(&p.root.text));
    !(captured_root && chain.filters.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::template::parse_template;

    /// Each output's escape, in order.
    fn marks(source: &str) -> Vec<OutputEscape> {
        let mut nodes = parse_template(source).unwrap();
        mark_escapes(source, &mut nodes);
        let mut found = Vec::new();
        visit(&nodes, &mut |node| {
            if let Node::Output(chain) | Node::Echo(chain) = node {
                found.push(chain.escape);
            }
        });
        found
    }

    #[test]
    fn escapes_every_output_but_raw_escaped_and_captured_ones() {
        use OutputEscape::*;
        let source = "<b>{{ user.name }}</b>{{ user.bio | raw }}{{ x | escape }}{% capture c %}<i>{{ a }}</i>{% endcapture %}{{ c }}{% if y %}{{ y | upcase }}{% endif %}{% liquid\necho b\n%}";
        assert_eq!(marks(source), [Html, AsIs, AsIs, Html, AsIs, Html, Html]);
    }

    #[test]
    fn outputs_that_start_a_url_attribute_are_made_safe() {
        use OutputEscape::*;
        let source = "<a href=\"{{ user.url }}\">x</a><img SRC='{{ user.pic | raw }}'><a href=\"https://a.test/{{ user.id }}\">y</a><a href={{- c -}}>z</a>";
        assert_eq!(marks(source), [UrlThenHtml, UrlBeforeLastFilter, Html, UrlThenHtml]);
    }
}
