//! The text part derived from a message's HTML when its variant has no `text` template.
//!
//! One pass over the HTML, no DOM: headings become `#` lines, lists `*` or `1.` items, links
//! `[text][n]` with their URLs listed at the end (never wrapped, so they stay clickable), bold and
//! italic `**`/`*`, block quotes `> `; `<head>`, `<style>`, `<script>` and hidden elements
//! (`display:none`, `hidden`, such as a preheader) are left out; entities are decoded; paragraphs
//! are wrapped at a width without ever breaking a word.

use super::html_tags::{decode_entities, tokens, Tag, Token, VOID};

/// Elements whose content is not text of the message.
const SKIPPED: [&str; 6] = ["head", "style", "script", "title", "template", "noscript"];

/// Elements that end the paragraph before them and start a new one after (a blank line apart).
const PARAGRAPHS: [&str; 18] = [
    "p",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "ul",
    "ol",
    "table",
    "blockquote",
    "pre",
    "hr",
    "dl",
    "figure",
    "address",
    "form",
    "fieldset",
];

/// Elements that start on a line of their own (a line break apart).
const LINES: [&str; 15] = [
    "div",
    "li",
    "tr",
    "section",
    "article",
    "header",
    "footer",
    "nav",
    "main",
    "aside",
    "center",
    "dt",
    "dd",
    "figcaption",
    "caption",
];

/// The text part for `html`, wrapped at `width` characters.
pub fn text_from_html(html: &str, width: usize) -> String {
    let mut reader = Reader {
        writer: TextWriter::new(width),
        open: Vec::new(),
        hidden_from: None,
    };
    for token in tokens(html) {
        match token {
            Token::Text(text) => {
                if reader.hidden_from.is_none() {
                    reader.writer.text(&decode_entities(text));
                }
            }
            Token::Tag(tag) if tag.closing => {
                if let Some(depth) = reader.open.iter().rposition(|name| *name == tag.name) {
                    reader.close_from(depth);
                }
            }
            Token::Tag(tag) => reader.start(tag),
        }
    }
    reader.writer.finish()
}

/// The elements open while reading, and what is written for them.
struct Reader {
    writer: TextWriter,
    open: Vec<String>,
    /// Depth of `open` at which a hidden or skipped element started; its content is left out.
    hidden_from: Option<usize>,
}

impl Reader {
    /// Closes the open elements from `depth` up, innermost first.
    fn close_from(&mut self, depth: usize) {
        for name in self.open.drain(depth..).rev() {
            if self.hidden_from.is_none() {
                self.writer.close(&name);
            }
        }
        if self.hidden_from.is_some_and(|from| self.open.len() <= from) {
            self.hidden_from = None;
        }
    }

    /// A start tag: closes what it ends implicitly, then opens it (or hides what it holds).
    fn start(&mut self, tag: Tag) {
        if let Some(depth) = implied_end(&self.open, &tag.name) {
            self.close_from(depth);
        }
        let void = VOID.contains(&tag.name.as_str()) || tag.self_closing;
        if self.hidden_from.is_none() {
            if tag.is_hidden() || SKIPPED.contains(&tag.name.as_str()) {
                if !void {
                    self.hidden_from = Some(self.open.len());
                }
            } else {
                self.writer.open(&tag);
            }
        }
        if !void {
            self.open.push(tag.name);
        }
    }
}

/// Where the elements a start tag `name` closes implicitly begin in `open` (a new `<li>` ends the
/// previous item, a new `<p>` or block the open paragraph, `<body>` an unclosed `<head>`).
fn implied_end(open: &[String], name: &str) -> Option<usize> {
    let top = open.last()?;
    match name {
        "li" => {
            let list = open.iter().rposition(|n| n == "ul" || n == "ol").map_or(0, |n| n + 1);
            open[list..].iter().position(|n| n == "li").map(|n| list + n)
        }
        "body" => open.iter().rposition(|n| n == "head"),
        "tr" | "td" | "th" => None,
        _ if top == "p" && (PARAGRAPHS.contains(&name) || LINES.contains(&name)) => Some(open.len() - 1),
        _ => None,
    }
}

/// A list being written: ordered ones count their items.
struct List {
    ordered: bool,
    next: u64,
}

/// Collects inline text into paragraphs and writes them out wrapped, with their prefixes.
struct TextWriter {
    width: usize,
    out: String,
    /// The paragraph being collected: words, single spaces and forced `\n` breaks.
    paragraph: String,
    /// Whitespace was seen and not yet written.
    space: bool,
    /// Text since an opening `**`, `*` or `[`: leading whitespace is dropped there.
    just_opened: bool,
    /// Line breaks owed before the next paragraph (1: a new line, 2: a blank line).
    breaks: usize,
    /// The current paragraph's first-line prefix beyond the quote marks (a list bullet).
    bullet: Option<String>,
    lists: Vec<List>,
    quotes: usize,
    /// Nested `<pre>` elements: whitespace kept, no wrapping.
    pre: usize,
    /// Open links: their URL and where their text starts in `paragraph`.
    links: Vec<Option<(String, usize)>>,
    /// Footnote URLs in order.
    footnotes: Vec<String>,
    /// A cell was written in the current table row.
    cell_written: bool,
}

impl TextWriter {
    fn new(width: usize) -> TextWriter {
        TextWriter {
            width,
            out: String::new(),
            paragraph: String::new(),
            space: false,
            just_opened: false,
            breaks: 0,
            bullet: None,
            lists: Vec::new(),
            quotes: 0,
            pre: 0,
            links: Vec::new(),
            footnotes: Vec::new(),
            cell_written: false,
        }
    }

    /// Adds text (entities decoded).
    fn text(&mut self, text: &str) {
        if self.pre > 0 {
            self.paragraph.push_str(text);
            return;
        }
        for c in text.chars() {
            if c.is_ascii_whitespace() || c == '\u{a0}' {
                self.space = true;
            } else if !matches!(
                c,
                '\u{200b}' | '\u{200c}' | '\u{200d}' | '\u{feff}' | '\u{ad}' | '\u{34f}'
            ) {
                self.word_char(c);
            }
        }
    }

    /// Writes one visible character, after any whitespace owed.
    fn word_char(&mut self, c: char) {
        if self.space && !self.just_opened && !self.paragraph.is_empty() && !self.paragraph.ends_with('\n') {
            self.paragraph.push(' ');
        }
        self.space = false;
        self.just_opened = false;
        self.paragraph.push(c);
    }

    /// Writes an opening marker (`**`, `*`, `[`) after any whitespace owed.
    fn open_marker(&mut self, marker: &str) {
        if self.space && !self.paragraph.is_empty() && !self.paragraph.ends_with('\n') {
            self.paragraph.push(' ');
        }
        self.space = false;
        self.paragraph.push_str(marker);
        self.just_opened = true;
    }

    /// Writes a closing marker, or takes back its opening one when nothing was written between.
    fn close_marker(&mut self, opening: &str, closing: &str) {
        if self.just_opened && self.paragraph.ends_with(opening) {
            self.paragraph.truncate(self.paragraph.len() - opening.len());
            if self.paragraph.ends_with(' ') {
                // The space before the marker is owed again.
                self.paragraph.pop();
                self.space = true;
            }
            self.just_opened = false;
            return;
        }
        self.paragraph.push_str(closing);
    }

    /// Ends the paragraph and asks for `breaks` line breaks before the next.
    fn block(&mut self, breaks: usize) {
        self.flush();
        self.breaks = self.breaks.max(breaks);
    }

    fn open(&mut self, tag: &Tag) {
        let name = tag.name.as_str();
        match name {
            "br" => {
                self.paragraph.push('\n');
                self.space = false;
            }
            "hr" => self.block(2),
            "h1" | "h2" | "h3" | "h4" | "h5" | "h6" => {
                self.block(2);
                let level = usize::from(name.as_bytes()[1] - b'0');
                self.paragraph.push_str(&"#".repeat(level));
                self.paragraph.push(' ');
                self.just_opened = true;
            }
            "ul" | "ol" => {
                self.block(if self.lists.is_empty() { 2 } else { 1 });
                let start = tag.attribute("start").and_then(|s| s.trim().parse().ok()).unwrap_or(1);
                self.lists.push(List {
                    ordered: name == "ol",
                    next: start,
                });
            }
            "li" => {
                self.block(1);
                let depth = self.lists.len().max(1);
                let marker = match self.lists.last_mut() {
                    Some(list) if list.ordered => {
                        list.next += 1;
                        format!("{}.", list.next - 1)
                    }
                    _ => "*".to_string(),
                };
                self.bullet = Some(format!("{}{marker} ", "  ".repeat(depth - 1)));
            }
            "blockquote" => {
                self.block(2);
                self.quotes += 1;
            }
            "pre" => {
                self.block(2);
                self.pre += 1;
            }
            "tr" => {
                self.block(1);
                self.cell_written = false;
            }
            "td" | "th" => {
                if self.cell_written {
                    self.space = true;
                }
                self.cell_written = true;
            }
            "strong" | "b" => self.open_marker("**"),
            "em" | "i" => self.open_marker("*"),
            "a" => {
                let href = tag.attribute("href").map(str::trim).unwrap_or("");
                let linked = !href.is_empty() && !href.starts_with('#') && !href.starts_with("javascript:");
                if linked {
                    self.open_marker("[");
                    self.links.push(Some((href.to_string(), self.paragraph.len())));
                } else {
                    self.links.push(None);
                }
            }
            "img" => {
                if let Some(alt) = tag.attribute("alt").filter(|alt| !alt.trim().is_empty()) {
                    self.text(alt);
                }
            }
            _ if PARAGRAPHS.contains(&name) => self.block(2),
            _ if LINES.contains(&name) => self.block(1),
            _ => {}
        }
    }

    fn close(&mut self, name: &str) {
        match name {
            "h1" | "h2" | "h3" | "h4" | "h5" | "h6" => {
                if self.paragraph.ends_with(' ') && self.just_opened {
                    // An empty heading writes nothing.
                    self.paragraph.clear();
                    self.just_opened = false;
                }
                self.block(2);
            }
            "ul" | "ol" => {
                self.lists.pop();
                self.block(if self.lists.is_empty() { 2 } else { 1 });
            }
            "li" => self.block(1),
            "blockquote" => {
                self.block(2);
                self.quotes = self.quotes.saturating_sub(1);
            }
            "pre" => {
                self.block(2);
                self.pre = self.pre.saturating_sub(1);
            }
            "strong" | "b" => self.close_marker("**", "**"),
            "em" | "i" => self.close_marker("*", "*"),
            "a" => {
                if let Some(Some((url, start))) = self.links.pop() {
                    let text = self.paragraph.get(start..).unwrap_or("");
                    if self.just_opened && self.paragraph.ends_with('[') {
                        self.close_marker("[", "");
                    } else if url.strip_prefix("mailto:").unwrap_or(&url) == text {
                        // The text is the address: no footnote needed.
                        self.paragraph.remove(start - 1);
                    } else {
                        let number = match self.footnotes.iter().position(|known| *known == url) {
                            Some(n) => n + 1,
                            None => {
                                self.footnotes.push(url);
                                self.footnotes.len()
                            }
                        };
                        self.paragraph.push_str(&format!("][{number}]"));
                    }
                }
            }
            _ if PARAGRAPHS.contains(&name) => self.block(2),
            _ if LINES.contains(&name) => self.block(1),
            _ => {}
        }
    }

    /// Writes the collected paragraph, wrapped, with quote marks and its bullet.
    fn flush(&mut self) {
        self.space = false;
        self.just_opened = false;
        let paragraph = std::mem::take(&mut self.paragraph);
        let paragraph = if self.pre > 0 {
            paragraph.trim_matches('\n')
        } else {
            paragraph.trim()
        };
        if paragraph.is_empty() {
            return;
        }
        if !self.out.is_empty() {
            // The last paragraph ended its line; a blank line is one more.
            for _ in 1..self.breaks.max(1) {
                self.out.push('\n');
            }
        }
        self.breaks = 0;
        let quote = "> ".repeat(self.quotes);
        let bullet = self.bullet.take().unwrap_or_default();
        let indent = " ".repeat(bullet.chars().count());
        let mut first = true;
        let mut line_start = true;
        let prefix = |out: &mut String, first: &mut bool| {
            out.push_str(&quote);
            out.push_str(if *first { &bullet } else { &indent });
            *first = false;
        };
        if self.pre > 0 {
            for (n, line) in paragraph.split('\n').enumerate() {
                if n > 0 {
                    self.out.push('\n');
                }
                prefix(&mut self.out, &mut first);
                self.out.push_str(line.trim_end());
            }
            self.out.push('\n');
            return;
        }
        let room = self.width.saturating_sub(quote.len() + bullet.chars().count()).max(20);
        for (n, line) in paragraph.split('\n').enumerate() {
            if n > 0 {
                self.out.push('\n');
                line_start = true;
            }
            let mut used = 0;
            for word in line.split(' ').filter(|w| !w.is_empty()) {
                let length = word.chars().count();
                if line_start {
                    prefix(&mut self.out, &mut first);
                } else if used + 1 + length > room {
                    self.out.push('\n');
                    prefix(&mut self.out, &mut first);
                    used = 0;
                } else {
                    self.out.push(' ');
                    used += 1;
                }
                line_start = false;
                self.out.push_str(word);
                used += length;
            }
            if line_start {
                // An empty line from consecutive `<br>`s keeps its quote marks.
                self.out.push_str(quote.trim_end());
            }
        }
        self.out.push('\n');
    }

    /// The text with its link list.
    fn finish(mut self) -> String {
        self.flush();
        if !self.footnotes.is_empty() {
            if !self.out.is_empty() {
                self.out.push('\n');
            }
            for (n, url) in self.footnotes.iter().enumerate() {
                self.out.push_str(&format!("[{}]: {url}\n", n + 1));
            }
        }
        self.out
    }
}

#[cfg(test)]
mod tests {
    use super::text_from_html;

    fn text(html: &str) -> String {
        text_from_html(html, 40)
    }

    #[test]
    fn headings_paragraphs_and_emphasis() {
        assert_eq!(
            text("<h1>Hi <b>Ana</b></h1><p>Take <strong> 15% </strong>off<br>today.</p><p><em></em>Bye</p>"),
            "# Hi **Ana**\n\nTake **15%** off\ntoday.\n\nBye\n"
        );
    }

    #[test]
    fn an_unclosed_head_ends_where_the_body_starts() {
        assert_eq!(text("<html><head><title>T</title><body><p>Shown</p>"), "Shown\n");
    }

    #[test]
    fn head_style_script_comments_and_hidden_elements_are_left_out() {
        let html = "<!DOCTYPE html><html><head><title>T</title><style>p{x:y}</style></head><body>\
            <div style=\"display: none; max-height:0\">preheader <b>x</b></div><!-- note -->\
            <script>if (a < b) {}</script><p hidden>gone</p><p>Shown</p></body></html>";
        assert_eq!(text(html), "Shown\n");
    }

    #[test]
    fn links_become_numbered_footnotes_that_are_never_wrapped() {
        let url = format!("https://acme.test/unsubscribe?u=u7&t={}", "f".repeat(64));
        let html = format!(
            "<p>See <a href=\"https://acme.test/a?x=1&amp;y=2\">the shoes</a>, \
             <a href=\"https://acme.test/a?x=1&amp;y=2\">again</a>, <a href=\"{url}\">Unsubscribe</a>, \
             <a href=\"mailto:help@acme.test\">help@acme.test</a>, <a href=\"#top\">top</a>, \
             <a href=\"https://acme.test/logo\"><img src=\"x.png\" alt=\"\"></a>.</p>"
        );
        assert_eq!(
            text(&html),
            format!(
                "See [the shoes][1], [again][1],\n[Unsubscribe][2], help@acme.test, top, .\n\n\
                 [1]: https://acme.test/a?x=1&y=2\n[2]: {url}\n"
            )
        );
    }

    #[test]
    fn lists_nest_count_and_indent_their_wrapped_lines() {
        let html = "<ul><li>One<li>Two words that are long enough to need wrapping here\
            <ol start=\"3\"><li>three</li><li>four</li></ol></li></ul><p>After</p>";
        assert_eq!(
            text(html),
            "* One\n* Two words that are long enough to need\n  wrapping here\n  3. three\n  4. four\n\nAfter\n"
        );
    }

    #[test]
    fn entities_quotes_pre_and_tables() {
        let html = "<p>A&nbsp;&mdash;&#8212;&#x2014;&amp;&unknown; &lt;b&gt; &amp</p>\
            <blockquote><p>Quoted words that are long enough to wrap in forty</p></blockquote>\
            <pre>  keep\n    this</pre><table><tr><td>Name</td><td>$10</td></tr><tr><td>B</td></tr></table>";
        assert_eq!(
            text(html),
            "A ———&&unknown; <b> &amp\n\n> Quoted words that are long enough to\n> wrap in forty\n\n  keep\n    this\n\n\
             Name $10\nB\n"
        );
    }

    #[test]
    fn words_longer_than_the_width_stay_whole_and_stray_brackets_are_text() {
        let long = "x".repeat(60);
        assert_eq!(text(&format!("<p>a {long} b < c</p>")), format!("a\n{long}\nb < c\n"));
    }
}
