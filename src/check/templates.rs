//! Templates: subjects, preheaders and template files checked against their campaign's context,
//! with partials from `templates/partials/`.
//!
//! **Why**: a misspelt variable or filter otherwise shows up as a blank in someone's inbox, or
//! as a failed send.
//!
//! **Example**: `{{ user.frist_name }}` → `template::unknown-variable` with "did you mean
//! `first_name`?".

use std::collections::BTreeSet;

use super::context::Context;
use crate::diag::FileId;
use crate::load::{Document, Located, StringMap};
use crate::template::{check_template, partial_files, PartialLookup, TemplateContext, TemplateUse};

/// Partials of one flavour (HTML or text), found among the workspace's Liquid files.
pub struct Partials<'w> {
    entries: Vec<(String, FileId, &'w str)>,
}

impl<'w> Partials<'w> {
    /// Partials for HTML (`name.html.liquid`, else `name.liquid`) or text (`name.txt.liquid`).
    pub fn new(cx: &Context<'w>, html: bool) -> Partials<'w> {
        let entries = partial_files(&cx.loaded.templates, html)
            .into_iter()
            .map(|(name, file)| (name, file, cx.loaded.sources.file(file).text.as_str()))
            .collect();
        Partials { entries }
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

/// Checks a template file; returns the context's variables it reads.
pub fn check_file(
    cx: &mut Context,
    file: FileId,
    context: &TemplateContext,
    html: bool,
    partials: &Partials,
) -> BTreeSet<String> {
    let source = cx.loaded.sources.file(file).text.as_str();
    let map = StringMap::identity(file, source.len());
    let template_use = TemplateUse { context, html };
    check_template(source, &map, template_use, partials, &mut cx.diagnostics)
}
