//! Templates: subjects, preheaders and template files checked against their campaign's context,
//! with partials from `templates/partials/`.
//!
//! **Why**: a misspelt variable or filter otherwise shows up as a blank in someone's inbox, or
//! as a failed send.
//!
//! **Example**: `{{ user.frist_name }}` → `template::unknown-variable` with "did you mean
//! `first_name`?".

use super::context::Context;
use crate::diag::FileId;
use crate::load::{Document, Located, StringMap};
use crate::template::{check_template, PartialLookup, TemplateContext, TemplateUse};

/// The folder partials live in, relative to the workspace root.
pub const PARTIALS_FOLDER: &str = "templates/partials/";

/// Partials of one flavour (HTML or text), found among the workspace's Liquid files.
pub struct Partials<'w> {
    entries: Vec<(String, FileId, &'w str)>,
}

impl<'w> Partials<'w> {
    /// Partials for HTML (`name.html.liquid`, else `name.liquid`) or text (`name.txt.liquid`).
    pub fn new(cx: &Context<'w>, html: bool) -> Partials<'w> {
        let preferred = if html { ".html.liquid" } else { ".txt.liquid" };
        let other = if html { ".txt.liquid" } else { ".html.liquid" };
        let mut entries: Vec<(String, FileId, &str, bool)> = Vec::new();
        for template in &cx.loaded.templates {
            let Some(rest) = template.relative.strip_prefix(PARTIALS_FOLDER) else {
                continue;
            };
            if rest.ends_with(other) {
                continue;
            }
            let (name, exact) = match rest.strip_suffix(preferred) {
                Some(name) => (name, true),
                None => (rest.strip_suffix(".liquid").unwrap_or(rest), false),
            };
            let text = cx.loaded.sources.file(template.file).text.as_str();
            match entries.iter_mut().find(|(n, ..)| n == name) {
                Some(entry) if exact && !entry.3 => *entry = (name.to_string(), template.file, text, exact),
                Some(_) => {}
                None => entries.push((name.to_string(), template.file, text, exact)),
            }
        }
        Partials {
            entries: entries.into_iter().map(|(n, f, t, _)| (n, f, t)).collect(),
        }
    }
}

impl PartialLookup for Partials<'_> {
    fn partial(&self, name: &str) -> Option<(FileId, &str)> {
        self.entries
            .iter()
            .find(|(n, ..)| n == name)
            .map(|(_, file, text)| (*file, *text))
    }

    fn names(&self) -> Vec<String> {
        self.entries.iter().map(|(n, ..)| n.clone()).collect()
    }
}

/// Checks a Liquid string written inside YAML (a subject, a preheader, the unsubscribe URL).
pub fn check_inline<D>(
    cx: &mut Context,
    doc: &Document<D>,
    located: &Located<String>,
    context: &TemplateContext,
    partials: &Partials,
) {
    let map = doc.string_map(located, &cx.loaded.sources);
    let template_use = TemplateUse { context, html: false };
    check_template(&located.value, &map, template_use, partials, &mut cx.diagnostics);
}

/// Checks a template file.
pub fn check_file(cx: &mut Context, file: FileId, context: &TemplateContext, html: bool, partials: &Partials) {
    let source = cx.loaded.sources.file(file).text.as_str();
    let map = StringMap::identity(file, source.len());
    let template_use = TemplateUse { context, html };
    check_template(source, &map, template_use, partials, &mut cx.diagnostics);
}
