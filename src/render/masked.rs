//! A template with its Liquid markup masked, for work done once per template on the markup
//! around it (CSS inlining, MJML compilation): each run of Liquid markup becomes a placeholder
//! that HTML parsers and MJML keep as plain text, and comes back unchanged afterwards.

use std::ops::Range;

use super::html_tags::{tokens, Tag, Token, VOID};
use crate::template::{parse_template, FilterChain, Node, PartialName};

/// Starts a placeholder: `tlqz` + its number + `z`. Letters and digits only, so that HTML
/// serializers and MJML copy it as it is.
const PREFIX: &str = "tlqz";
const SUFFIX: char = 'z';

/// A template with its Liquid markup replaced by numbered placeholders.
pub struct Masked {
    /// The template with placeholders.
    pub masked: String,
    /// The markup of each placeholder.
    markup: Vec<String>,
    /// The partials it renders.
    pub partials: Vec<String>,
    /// Its top-level HTML is balanced too (not only each block's).
    pub balanced_at_top: bool,
}

impl Masked {
    /// `source` masked; `None` when it does not parse, already holds a placeholder's prefix, or
    /// holds what would make its markup depend on data: an HTML branch of a block that is not
    /// balanced (an element's ancestors would depend on which branch renders), `capture` (its
    /// markup is output elsewhere), `cycle`, a `raw` output (HTML from data), `include` or a
    /// partial named by a variable.
    pub fn new(source: &str) -> Option<Masked> {
        if source.contains(PREFIX) {
            return None;
        }
        let nodes = parse_template(source).ok()?;
        let mut walk = Walk::default();
        if !walk.nodes(&nodes, source) {
            return None;
        }
        let (mut masked, mut markup, mut end) = (String::new(), Vec::new(), 0);
        for text in walk.texts.iter().chain([&(source.len()..source.len())]) {
            if text.start > end {
                masked.push_str(&format!("{PREFIX}{}{SUFFIX}", markup.len()));
                markup.push(source[end..text.start].to_string());
            }
            masked.push_str(&source[text.clone()]);
            end = text.end;
        }
        // Markup that makes a tag or a character reference cannot be masked.
        if [format!("<{PREFIX}"), format!("</{PREFIX}"), format!("&{PREFIX}")]
            .iter()
            .any(|s| masked.contains(s.as_str()))
        {
            return None;
        }
        Some(Masked {
            balanced_at_top: balanced(&own_text(&nodes, source)),
            masked,
            markup,
            partials: walk.partials,
        })
    }

    /// The start tags of the masked HTML.
    pub fn start_tags(&self) -> impl Iterator<Item = Tag> + '_ {
        tokens(&self.masked).filter_map(|token| match token {
            Token::Tag(tag) if !tag.closing => Some(tag),
            _ => None,
        })
    }

    /// The placeholders of `html` in order, with where each starts and ends.
    fn placeholders(html: &str) -> impl Iterator<Item = (usize, Range<usize>)> + '_ {
        html.match_indices(PREFIX).filter_map(move |(at, _)| {
            let digits = html[at + PREFIX.len()..]
                .find(|c: char| !c.is_ascii_digit())
                .map_or(html.len(), |n| at + PREFIX.len() + n);
            let number = html[at + PREFIX.len()..digits].parse().ok()?;
            html[digits..]
                .starts_with(SUFFIX)
                .then_some((number, at..digits + SUFFIX.len_utf8()))
        })
    }

    /// Whether `text` holds a placeholder.
    pub fn holds_placeholder(text: &str) -> bool {
        text.contains(PREFIX)
    }

    /// Whether `html` (made from the masked template) holds every placeholder exactly once, in
    /// order: nothing was dropped, copied or moved.
    pub fn kept_in_order(&self, html: &str) -> bool {
        Masked::placeholders(html).map(|(n, _)| n).eq(0..self.markup.len())
    }

    /// `html` (made from the masked template) with the markup put back.
    pub fn unmask(&self, html: &str) -> String {
        let mut out = String::with_capacity(html.len() + self.markup.iter().map(String::len).sum::<usize>());
        let mut end = 0;
        for (number, span) in Masked::placeholders(html) {
            if let Some(markup) = self.markup.get(number) {
                out.push_str(&html[end..span.start]);
                out.push_str(markup);
                end = span.end;
            }
        }
        out.push_str(&html[end..]);
        out
    }

    /// The elements (but those an HTML parser adds and a CSS inliner drops by themselves) and
    /// placeholders of `html`, in order: equal for the masked template and a parser's output
    /// when the parser moved nothing (text out of a table, a misnested element reopened).
    pub fn skeleton(html: &str) -> Vec<String> {
        const IMPLIED: [&str; 6] = ["html", "head", "body", "tbody", "style", "link"];
        let mut items = Vec::new();
        for token in tokens(html) {
            match token {
                Token::Tag(tag) if !tag.closing && !IMPLIED.contains(&tag.name.as_str()) => items.push(tag.name),
                Token::Tag(_) => {}
                Token::Text(text) => items.extend(Masked::placeholders(text).map(|(n, _)| n.to_string())),
            }
        }
        items
    }
}

/// The text of `nodes` themselves (not of the blocks among them).
fn own_text(nodes: &[Node], source: &str) -> String {
    nodes
        .iter()
        .filter_map(|n| match n {
            Node::Text(range) => Some(&source[range.clone()]),
            _ => None,
        })
        .collect()
}

/// What walking a template's nodes collects.
#[derive(Default)]
struct Walk {
    texts: Vec<Range<usize>>,
    partials: Vec<String>,
}

impl Walk {
    /// Collects text and partials; false when a node rules masking out.
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
            Node::Case { branches, .. } => branches.iter().all(|branch| self.block(branch.body(), source)),
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
            Node::Assign { .. } | Node::Counter { .. } | Node::LoopControl { .. } => true,
        })
    }

    /// A block's body: its own HTML balanced, and its nodes acceptable.
    fn block(&mut self, body: &[Node], source: &str) -> bool {
        balanced(&own_text(body, source)) && self.nodes(body, source)
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

#[cfg(test)]
mod tests {
    use super::Masked;

    #[test]
    fn markup_comes_back_unchanged_and_placeholders_are_checked_in_order() {
        let source = "<p>{{ a | default: 'x' }}</p>{% if b %}<b>{{ c }}</b>{% endif %}{%- comment -%}x{% endcomment %}";
        let masked = Masked::new(source).unwrap();
        assert_eq!(masked.masked, "<p>tlqz0z</p>tlqz1z<b>tlqz2z</b>tlqz3z");
        assert_eq!(masked.unmask(&masked.masked), source);
        assert!(masked.kept_in_order(&masked.masked));
        assert!(!masked.kept_in_order("<p>tlqz0z</p>tlqz2z tlqz1z tlqz3z"));
        assert!(!masked.kept_in_order("tlqz0z tlqz1z tlqz2z tlqz3z tlqz3z"));
        assert_eq!(Masked::skeleton(&masked.masked), ["p", "0", "1", "b", "2", "3"]);
    }

    #[test]
    fn what_would_depend_on_data_is_not_masked() {
        for source in [
            "{% if a %}<div>{% endif %}",
            "{% capture c %}<p>x</p>{% endcapture %}",
            "{{ user.bio | raw }}",
            "<{{ tag }}>",
            "&{{ entity }};",
            "{% include 'footer' %}",
            "tlqz0z",
        ] {
            assert!(Masked::new(source).is_none(), "{source}");
        }
    }
}
