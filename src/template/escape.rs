//! HTML auto-escaping (SPEC §6): every output of an HTML template is HTML-escaped, unless its
//! last filter is `raw`, it already ends in `escape`/`escape_once`, or it prints a `capture`d
//! variable (whose own outputs were escaped when captured).
//!
//! The `liquid` crate has no auto-escape, so the template source is rewritten: ` | escape` is
//! inserted at the end of each output's filter chain, found with tailor's own parser. An output
//! that starts the value of a URL attribute (`href="{{ … }}"`, `src=`) also gets `safe_url`,
//! so a `javascript:` URL from data never becomes a live link.

use std::collections::BTreeSet;

use super::ast::{ExpressionKind, FilterChain, Node};
use super::error::TemplateError;
use super::parser::parse_template;

/// `text` with `& < > " '` written as `&amp; &lt; &gt; &quot; &#39;` (SPEC §6): safe in HTML
/// and XML text and attribute values.
pub fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 8);
    for ch in text.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            other => out.push(other),
        }
    }
    out
}

/// Filters after which a value is already safe to print in HTML.
const SAFE_LAST_FILTERS: [&str; 3] = ["raw", "escape", "escape_once"];

/// Attributes whose value is a URL a reader's mail program may follow or load.
const URL_ATTRIBUTES: [&str; 5] = ["href", "src", "action", "formaction", "background"];

/// The template with ` | escape` added to every output that needs it, and `safe_url` to every
/// output that starts a URL attribute's value.
pub fn escape_outputs(source: &str) -> Result<String, TemplateError> {
    let nodes = parse_template(source)?;
    let mut captured = BTreeSet::new();
    collect_captures(&nodes, &mut captured);
    let mut insertions = Vec::new();
    collect_insertions(source, &nodes, &captured, &mut insertions);
    insertions.sort_by_key(|(at, _)| *at);
    let mut out = String::with_capacity(source.len() + insertions.len() * 20);
    let mut last = 0;
    for (at, text) in insertions {
        out.push_str(&source[last..at]);
        out.push_str(text);
        last = at;
    }
    out.push_str(&source[last..]);
    Ok(out)
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

fn collect_captures(nodes: &[Node], captured: &mut BTreeSet<String>) {
    visit(nodes, &mut |node| {
        if let Node::Capture { name, .. } = node {
            captured.insert(name.text.clone());
        }
    });
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

fn collect_insertions(
    source: &str,
    nodes: &[Node],
    captured: &BTreeSet<String>,
    insertions: &mut Vec<(usize, &'static str)>,
) {
    visit(nodes, &mut |node| {
        let (Node::Output(chain) | Node::Echo(chain)) = node else {
            return;
        };
        let url = matches!(node, Node::Output(_)) && starts_url_attribute(&source[..chain.span.start]);
        let escape = needs_escape(chain, captured);
        match (url, escape, chain.filters.last()) {
            (true, true, _) => insertions.push((chain.span.end, " | safe_url | escape")),
            (false, true, _) => insertions.push((chain.span.end, " | escape")),
            // Already escaped or raw: the URL check goes before that last filter.
            (true, false, Some(last)) => insertions.push((last.span.start, "safe_url | ")),
            (true, false, None) => insertions.push((chain.span.end, " | safe_url")),
            (false, false, _) => {}
        }
    });
}

/// Calls `f` on every node, depth first.
fn visit(nodes: &[Node], f: &mut impl FnMut(&Node)) {
    for node in nodes {
        f(node);
        match node {
            Node::If {
                branches, otherwise, ..
            } => {
                for (_, body) in branches {
                    visit(body, f);
                }
                if let Some(body) = otherwise {
                    visit(body, f);
                }
            }
            Node::Case { whens, otherwise, .. } => {
                for (_, body) in whens {
                    visit(body, f);
                }
                if let Some(body) = otherwise {
                    visit(body, f);
                }
            }
            Node::Loop { body, otherwise, .. } => {
                visit(body, f);
                if let Some(body) = otherwise {
                    visit(body, f);
                }
            }
            Node::Capture { body, .. } | Node::IfChanged(body) => visit(body, f),
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_every_output_but_raw_escaped_and_captured_ones() {
        let source = "<b>{{ user.name }}</b>{{ user.bio | raw }}{{ x | escape }}{% capture c %}<i>{{ a }}</i>{% endcapture %}{{ c }}{% if y %}{{ y | upcase }}{% endif %}";
        assert_eq!(
            escape_outputs(source).unwrap(),
            "<b>{{ user.name | escape }}</b>{{ user.bio | raw }}{{ x | escape }}{% capture c %}<i>{{ a | escape }}</i>{% endcapture %}{{ c }}{% if y %}{{ y | upcase | escape }}{% endif %}"
        );
    }

    #[test]
    fn outputs_that_start_a_url_attribute_are_made_safe() {
        let source = "<a href=\"{{ user.url }}\">x</a><img SRC='{{ user.pic | raw }}'><a href=\"https://a.test/{{ user.id }}\">y</a><a href={{- c -}}>z</a>";
        assert_eq!(
            escape_outputs(source).unwrap(),
            "<a href=\"{{ user.url | safe_url | escape }}\">x</a><img SRC='{{ user.pic | safe_url | raw }}'><a href=\"https://a.test/{{ user.id | escape }}\">y</a><a href={{- c | safe_url | escape -}}>z</a>"
        );
    }

    #[test]
    fn handles_whitespace_control_and_echo() {
        assert_eq!(
            escape_outputs("{{- a -}}{% liquid\necho b\n%}").unwrap(),
            "{{- a | escape -}}{% liquid\necho b | escape\n%}"
        );
    }
}
